"""The cost of the exchange's change records, without a database: for N realistic records (a case, an exhibit,
an examination and a finding in turn), deciding and pseudonymising a copy for the hub and sealing it with the
origin's Ed25519 key; the hub's countersignature; and the receiver's full verification (parse, canonical
form, origin signature, payload digest, countersignature). Prints one JSON object: records per second for
each step, and the mean message size.
"""

from __future__ import annotations

import argparse
import json
import random
import time
import uuid

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from fdx.exchange import messages, rules
from fdx.exchange.messages import KeyRing, RecordState

REGION = frozenset({"KZ", "KG", "TJ", "TM", "UZ"})
ORIGIN = rules.Node(str(uuid.uuid4()), rules.NodeRole.NATIONAL, "KZ")
HUB = rules.Node(str(uuid.uuid4()), rules.NodeRole.HUB, relays=True)
SECRET = b"benchmark secret of thirty-two bytes!"


def values(model: str, rng: random.Random) -> dict:
    """Field values such as the examinations app would send (decimals and dates as text)."""
    ref = str(uuid.uuid4())
    return {
        "examinations.case": {
            "owner_organisation": ref,
            "reference": f"KZ-LAB-{rng.randint(1, 99999)}",
            "agency_case_number": f"ДП-2024/{rng.randint(1, 9999)}",
            "seizure_date": "2024-03-01",
            "seizure_country": "KZ",
            "seizure_region": "KZ-75",
            "locality": "Almaty",
            "seizure_context": "border",
            "description": "Tablets in a sports bag, found at the crossing " * 3,
            "distribution_level": "regional",
            "sharing_group": None,
            "is_demo": False,
            "has_shared_result": True,
            "retracted_at": None,
            "created_by": 7,
        },
        "examinations.exhibit": {
            "case": ref,
            "label": "E1",
            "form": "tablet",
            "colour": "pink",
            "logo": "Tesla",
            "diameter_mm": "9.10",
            "thickness_mm": "4.20",
            "unit_count": rng.randint(1, 5000),
            "gross_mass_g": "120.5000",
            "net_mass_g": "98.2500",
            "packaging": "vacuum-sealed bag",
            "description": "",
        },
        "examinations.examination": {
            "exhibit": ref,
            "laboratory": ref,
            "request_number": f"REQ-{rng.randint(1, 99999)}",
            "received_date": "2024-03-04",
            "completed_date": "2024-03-11",
            "examiner": 3,
            "methods": ["gc-ms", "ftir"],
            "conclusion": "The tablets contain MDMA.",
            "status": "approved",
            "revision": 1,
            "previous_revision": None,
            "approved_at": "2024-03-12T09:30:00Z",
        },
        "examinations.finding": {
            "examination": ref,
            "substance": ref,
            "result_type": "quantitative",
            "role": "main",
            "purity_percent": f"{rng.uniform(1, 90):.3f}",
            "amount_g": f"{rng.uniform(0.1, 100):.4f}",
            "base_equivalent_g": None,
            "note": "",
            "position": 0,
        },
    }[model]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=20000)
    args = parser.parse_args()
    rng = random.Random(13)
    origin_key, hub_key = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    ring = KeyRing()
    ring.add(ORIGIN.node_id, origin_key.public_key())
    ring.add(HUB.node_id, hub_key.public_key())
    models = ["examinations.case", "examinations.exhibit", "examinations.examination", "examinations.finding"]
    inputs = [(models[i % 4], values(models[i % 4], rng)) for i in range(args.records)]

    started = time.perf_counter()
    sealed = []
    for model, fields in inputs:
        record = rules.Record(model, rules.Level.REGIONAL, ORIGIN.node_id, "KZ")
        decision = rules.decide(record, [ORIGIN], HUB, region=REGION)
        change = messages.outgoing(
            record,
            decision,
            global_id=str(uuid.uuid4()),
            version=1,
            state=RecordState.ACTIVE,
            values=fields,
            secret=SECRET,
        )
        sealed.append(messages.seal(change, origin_key))
    seal_seconds = time.perf_counter() - started

    started = time.perf_counter()
    relayed = [messages.countersign(message, HUB.node_id, hub_key).to_bytes() for message in sealed]
    relay_seconds = time.perf_counter() - started

    started = time.perf_counter()
    for data in relayed:
        messages.verify(data, ring)
    verify_seconds = time.perf_counter() - started

    n = args.records
    print(
        json.dumps(
            {
                "records": n,
                "decide_pseudonymise_seal_per_s": round(n / seal_seconds),
                "countersign_and_write_per_s": round(n / relay_seconds),
                "verify_per_s": round(n / verify_seconds),
                "mean_message_bytes": round(sum(map(len, relayed)) / n),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
