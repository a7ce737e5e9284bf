"""Signed change records: sealed by the origin, countersigned by relays, and every failure named."""

import base64
import json
import subprocess
import sys
import uuid

import pytest
import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fdx.exchange import messages, rules
from fdx.exchange.messages import (
    BadCountersignatureError,
    BadOriginSignatureError,
    ChangeRecord,
    KeyRing,
    MessageFormatError,
    RecordState,
    TamperedPayloadError,
    UnknownKeyError,
    VerificationError,
)
from fdx.exchange.tests.network import GROUPS, HUB, KZ, REGION, UZ, case

ORIGIN_KEY = Ed25519PrivateKey.generate()
HUB_KEY = Ed25519PrivateKey.generate()
OTHER_KEY = Ed25519PrivateKey.generate()
ORIGIN = "7d0c3b0e-0000-4000-8000-000000000001"
RELAY = "7d0c3b0e-0000-4000-8000-000000000002"
SECOND_RELAY = "7d0c3b0e-0000-4000-8000-000000000003"


def keyring():
    ring = KeyRing()
    ring.add(ORIGIN, ORIGIN_KEY.public_key())
    ring.add(RELAY, HUB_KEY.public_key())
    ring.add(SECOND_RELAY, OTHER_KEY.public_key())
    return ring


def change(payload=None, **overrides):
    fields = {
        "origin_node": ORIGIN,
        "global_id": "0b7f0f5c-5a1d-4a51-9d8c-2f1b0c9f8e11",
        "model": "examinations.case",
        "version": 3,
        "state": RecordState.ACTIVE,
        "level": rules.Level.REGIONAL,
        "fields": ("agency_case_number", "seizure_date"),
        "payload": {"agency_case_number": "ab" * 32, "seizure_date": "2024-03-01"}
        if payload is None
        else payload,
    }
    return ChangeRecord(**{**fields, **overrides})


def sealed(**overrides):
    return messages.seal(change(**overrides), ORIGIN_KEY)


def rewrite(message_bytes, edit):
    """The message with ``edit`` applied to its parsed JSON, written canonically again."""
    value = json.loads(message_bytes)
    edit(value)
    return rfc8785.dumps(value)


def test_a_sealed_message_verifies_and_reads_back_as_it_was():
    message = sealed()

    verified = messages.verify(message.to_bytes(), keyring())

    assert verified.record == message.record
    assert verified.path == (ORIGIN,)


def test_a_relay_countersigns_without_touching_the_origin_signature():
    message = sealed()

    relayed = messages.countersign(message, RELAY, HUB_KEY)
    twice = messages.countersign(relayed, SECOND_RELAY, OTHER_KEY)

    assert twice.signature == message.signature
    assert twice.key == message.key
    assert messages.verify(twice.to_bytes(), keyring()).path == (ORIGIN, RELAY, SECOND_RELAY)
    # the origin's signature alone still verifies what the relays carried
    assert messages.verify(rewrite(twice.to_bytes(), lambda v: v.update(relays=[])), keyring()).path == (
        ORIGIN,
    )


def test_an_unknown_origin_key_is_named():
    message = messages.seal(change(), OTHER_KEY)  # another node's key, claimed by the origin

    with pytest.raises(UnknownKeyError, match=f"not known for the origin node {ORIGIN}"):
        messages.verify(message.to_bytes(), keyring())


def test_a_foreign_signature_under_the_origin_key_fingerprint_is_a_bad_signature():
    forged = messages.seal(change(), OTHER_KEY)
    genuine = sealed()
    data = rewrite(forged.to_bytes(), lambda v: v["signature"].update(key=genuine.key))

    with pytest.raises(BadOriginSignatureError):
        messages.verify(data, keyring())


def test_a_changed_header_breaks_the_origin_signature():
    data = rewrite(sealed().to_bytes(), lambda v: v["header"].update(version=4))

    with pytest.raises(BadOriginSignatureError, match="version 4"):
        messages.verify(data, keyring())


def test_a_changed_payload_is_named_as_tampered():
    data = rewrite(sealed().to_bytes(), lambda v: v["payload"].update(seizure_date="2024-03-02"))

    with pytest.raises(TamperedPayloadError, match="not the one its origin signed"):
        messages.verify(data, keyring())


def test_a_wrong_countersignature_is_named():
    relayed = messages.countersign(sealed(), RELAY, HUB_KEY)
    other = messages.countersign(sealed(version=4), RELAY, HUB_KEY)  # the relay's signature of another change
    data = rewrite(relayed.to_bytes(), lambda v: v["relays"][0].update(value=other.relays[0].value))

    with pytest.raises(BadCountersignatureError, match=f"relay 1 \\({RELAY}\\)"):
        messages.verify(data, keyring())


def test_a_countersignature_by_an_unknown_relay_is_named():
    relayed = messages.countersign(sealed(), str(uuid.uuid4()), HUB_KEY)

    with pytest.raises(UnknownKeyError, match="relay 1"):
        messages.verify(relayed.to_bytes(), keyring())


def test_a_relay_cannot_drop_an_earlier_relay():
    twice = messages.countersign(messages.countersign(sealed(), RELAY, HUB_KEY), SECOND_RELAY, OTHER_KEY)
    data = rewrite(twice.to_bytes(), lambda v: v.update(relays=v["relays"][1:]))

    with pytest.raises(BadCountersignatureError, match="relay 1"):
        messages.verify(data, keyring())


def test_a_signature_written_in_another_base64_spelling_is_refused():
    message = sealed()
    value = message.signature  # 64 bytes: the last character before "==" carries 4 unused bits
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    other_spelling = value[:-3] + alphabet[alphabet.index(value[-3]) ^ 1] + "=="
    assert base64.b64decode(other_spelling) == base64.b64decode(value)
    data = rewrite(message.to_bytes(), lambda v: v["signature"].update(value=other_spelling))

    with pytest.raises(MessageFormatError, match="canonical base64"):
        messages.verify(data, keyring())


def test_a_message_not_in_canonical_form_is_refused():
    pretty = json.dumps(json.loads(sealed().to_bytes()), indent=2).encode()

    with pytest.raises(MessageFormatError, match="canonical"):
        messages.verify(pretty, keyring())


@pytest.mark.parametrize(
    "value",
    [1e-7, 12.5, "\U0001f600 \ue000", {"\U0001f600": 1, "\ue000": 2}],
    ids=["small float", "float", "beyond the BMP", "keys beyond the BMP"],
)
def test_a_payload_that_only_rfc_8785_writes_is_read_back_as_canonical_and_another_spelling_is_not(value):
    """Numbers other than safe integers, and text from the surrogates up, are read with RFC 8785's own
    writer (Python's would write 1e-07, or sort those keys another way)."""
    message = sealed(fields=("description",), payload={"description": value})
    data = message.to_bytes()

    assert messages.verify(data, keyring()).record == message.record
    python_spelling = data.replace(
        messages.canonical({"description": value}),
        json.dumps(
            {"description": value}, sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode(),
    )
    if python_spelling != data:
        with pytest.raises(MessageFormatError, match="canonical"):
            messages.verify(python_spelling, keyring())


def test_an_integer_beyond_2_53_is_not_canonical_json():
    data = sealed(fields=("description",), payload={"description": 12}).to_bytes()

    with pytest.raises(MessageFormatError, match="canonical"):
        messages.verify(data.replace(b'"description":12', b'"description":9007199254740993'), keyring())


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        (lambda v: v.update(format=2), "unknown message format"),
        (lambda v: v.pop("relays"), "fields are not those"),
        (lambda v: v["header"].update(extra=1), "header's fields"),
        (lambda v: v["header"].update(state="gone"), "not a valid change record"),
        (lambda v: v["header"].update(fields=["seizure_date"]), "may not travel"),
        (lambda v: v["signature"].update(value="not base64!"), "not base64"),
    ],
)
def test_a_malformed_message_is_refused_naming_the_problem(edit, problem):
    data = rewrite(sealed().to_bytes(), edit)

    with pytest.raises(MessageFormatError, match=problem):
        messages.verify(data, keyring())


def test_a_tombstone_carries_no_payload():
    with pytest.raises(ValueError, match="tombstone"):
        change(state=RecordState.DELETED)

    tombstone = sealed(state=RecordState.DELETED, payload={})

    assert messages.verify(tombstone.to_bytes(), keyring()).record.state == RecordState.DELETED


def test_a_sharing_group_record_carries_its_group_and_the_receiver_rebuilds_it():
    definition = messages.group_definition(GROUPS["kz-uz"], code="kz-uz")
    with pytest.raises(ValueError, match="group's definition"):
        change(level=rules.Level.SHARING_GROUP)

    message = sealed(level=rules.Level.SHARING_GROUP, group=definition)
    received = messages.verify(message.to_bytes(), keyring()).record

    assert received.rules_group() == GROUPS["kz-uz"]


def test_an_outgoing_change_holds_only_what_the_rules_let_travel():
    record = case(rules.Level.REGIONAL)
    decision = rules.decide(record, [KZ], UZ, region=REGION)
    values = {"agency_case_number": "ДП-117", "description": "Mr Petrov's flat", "seizure_date": "2024-03-01"}

    outgoing = messages.outgoing(
        record, decision, global_id="g1", version=1, state=RecordState.ACTIVE, values=values, secret=b"s" * 32
    )
    data = messages.seal(outgoing, ORIGIN_KEY).to_bytes()

    assert "description" not in outgoing.payload
    assert "description" not in outgoing.fields
    assert b"Petrov" not in data
    assert "ДП-117".encode() not in data
    assert outgoing.payload["seizure_date"] == "2024-03-01"
    with pytest.raises(ValueError, match="may not go"):
        messages.outgoing(
            record,
            rules.decide(case(rules.Level.NATIONAL), [KZ], HUB, region=REGION),
            global_id="g1",
            version=1,
            state=RecordState.ACTIVE,
            values=values,
            secret=b"s" * 32,
        )


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)
payloads = st.dictionaries(st.text(min_size=1, max_size=10), json_values, max_size=6)


@settings(max_examples=100, deadline=None)
@given(payloads, st.randoms())
def test_the_canonical_form_does_not_depend_on_key_order(payload, random):
    shuffled_items = list(payload.items())
    random.shuffle(shuffled_items)
    fields = tuple(sorted(payload))

    first = messages.seal(change(payload=payload, fields=fields), ORIGIN_KEY).to_bytes()
    second = messages.seal(change(payload=dict(shuffled_items), fields=fields[::-1]), ORIGIN_KEY).to_bytes()

    assert first == second
    relayed = messages.countersign(
        messages.seal(change(payload=payload, fields=fields), ORIGIN_KEY), RELAY, HUB_KEY
    )
    assert relayed.to_bytes() == rfc8785.dumps(relayed.as_dict())  # composed from parts, as a whole would be


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(payloads, st.booleans(), st.data())
def test_any_single_byte_change_fails_verification(payload, relayed, data):
    message = messages.seal(change(payload=payload, fields=tuple(sorted(payload))), ORIGIN_KEY)
    if relayed:
        message = messages.countersign(message, RELAY, HUB_KEY)
    original = message.to_bytes()
    position = data.draw(st.integers(0, len(original) - 1))
    replacement = data.draw(st.integers(0, 255).filter(lambda b: b != original[position]))
    changed = original[:position] + bytes([replacement]) + original[position + 1 :]

    with pytest.raises(VerificationError):
        messages.verify(changed, keyring())


def test_the_message_modules_do_not_need_django():
    code = (
        "import sys; import fdx.exchange.messages, fdx.exchange.rules, fdx.exchange.pseudonymise; "
        "sys.exit(any(m == 'django' or m.startswith('django.') for m in sys.modules))"
    )

    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


ODD_KEYS = ["\U0001f600", "\uffff", "\ue000", "a", "\ud83d"]  # astral, above and in the surrogates
any_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**60), 2**60)  # past ±2**53 too: the canonicaliser's refusal must stay
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)  # every code point, lone surrogates and astral characters included
    | st.sampled_from(["\x00\x1f\x7f", "\u2028\u2029", '"\\/\b\f\n\r\t', "\ud800", "\U0001f600", "\uffff"]),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=6) | st.sampled_from(ODD_KEYS), inner, max_size=4)
    ),
    max_leaves=10,
)


@settings(max_examples=1000, deadline=None)
@given(any_json)
def test_the_fast_canonical_writer_agrees_with_rfc_8785_or_leaves_the_value_to_it(value):
    """``canonical`` writes with the standard library only values it writes exactly as RFC 8785 does."""
    try:
        expected = rfc8785.dumps(value)
    except (rfc8785.CanonicalizationError, UnicodeEncodeError):
        with pytest.raises((ValueError, UnicodeEncodeError)):
            messages.canonical(value)
        return
    assert messages.canonical(value) == expected
