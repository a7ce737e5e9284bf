"""Making the examination report's PDF on the server (fpdf2, DejaVu Sans subset): time per report and size,
for a report with a given number of findings, in English and Russian. Needs no database (the content is
made up, as an issued report holds it). Prints one JSON object.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import sys
import time
import uuid
from pathlib import Path
from types import SimpleNamespace


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--findings", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fdx.config.settings_test")
    import django

    django.setup()
    from fdx.examinations.report_render import present, render_pdf
    from fdx.examinations.reports import report_digest

    content = _content(args.findings)
    issued = SimpleNamespace(
        content=content, digest=report_digest(content), issued_at=datetime.datetime.now(datetime.UTC)
    )
    results = {}
    for language in ("en", "ru"):
        timings, size = [], 0
        for _ in range(args.repeat):
            start = time.perf_counter()
            size = len(render_pdf(present(issued, language, "https://node.example")))
            timings.append(time.perf_counter() - start)
        results[language] = {"median_ms": round(statistics.median(timings) * 1000, 1), "bytes": size}
    print(json.dumps({"findings": args.findings, "repeat": args.repeat, "pdf": results}))


def _content(findings: int) -> dict:
    legal = {
        "jurisdiction": "KZ",
        "date": "2025-03-14",
        "controlled": True,
        "lists": ["KZ-LIST-II"],
        "basis": [
            {
                "list": "KZ-LIST-II",
                "kind": "salt",
                "entry": "metamfetamine",
                "instrument": "Law No. 279",
                "effective_from": "1998-07-10",
                "verified": True,
            }
        ],
        "reason": "",
        "mass_g": "7.0000",
        "mass_kind": "net",
        "category": {"category": "large", "basis": "mixture", "verified": True},
    }
    person = {"username": "chemist", "name": "Айгерим Нурланова"}
    organisation = {"code": "lab", "name_en": "Forensic centre", "name_ru": "Центр судебных экспертиз"}
    return {
        "format": "fdx-report/1",
        "node": str(uuid.uuid4()),
        "examination": {
            "global_id": str(uuid.uuid4()),
            "revision": 1,
            "record_version": 3,
            "request_number": "R-17",
            "received_date": "2025-03-17",
            "completed_date": "2025-03-28",
            "laboratory": organisation,
            "examiner": person,
            "conclusion": "Метамфетамина гидрохлорид обнаружен. " * 5,
            "revision_reason": "",
            "methods": [{"code": "gc_ms", "name_en": "GC-MS", "name_ru": "ГХ-МС", "confirmatory": True}],
            "approval_audit_sequence": 1234,
        },
        "case": {
            "global_id": str(uuid.uuid4()),
            "reference": "KZ-2025-0001",
            "agency_case_number": "",
            "submitting_agency": None,
            "seizure_date": "2025-03-14",
            "seizure_country": "KZ",
            "seizure_region": None,
            "locality": "Алматы",
            "seizure_context": "internal",
            "description": "",
        },
        "exhibit": {
            "global_id": str(uuid.uuid4()),
            "label": "1",
            "form": "crystal",
            "colour": "бесцветный",
            "logo": "",
            "diameter_mm": None,
            "thickness_mm": None,
            "unit_count": None,
            "gross_mass_g": "12.5000",
            "net_mass_g": "10.0000",
            "packaging": "",
            "description": "",
        },
        "findings": [
            {
                "global_id": str(uuid.uuid4()),
                "substance": {
                    "global_id": str(uuid.uuid4()),
                    "name_en": "Methamphetamine hydrochloride",
                    "name_ru": "Метамфетамина гидрохлорид",
                },
                "unidentified_description": "",
                "result_type": "quantitative",
                "role": "main",
                "purity_percent": "70.000",
                "purity_uncertainty_percent": "2.100",
                "amount_g": "7.0000",
                "base_equivalent_g": "5.6252",
                "note": "",
                "legal_status": legal,
            }
            for _ in range(findings)
        ],
        "approvals": [{"step": "approved", "by": person, "at": "2025-03-28T10:00:00+00:00"}],
        "attachments": [
            {
                "global_id": str(uuid.uuid4()),
                "name": "gcms.csv",
                "kind": "spectrum",
                "size_bytes": 10,
                "sha256": "0" * 64,
            }
        ],
        "supersedes": None,
    }


if __name__ == "__main__":
    main()
