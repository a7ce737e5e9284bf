import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fdx.audit import chain

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


def event_fields(**overrides):
    fields = dict.fromkeys(chain.HASHED_FIELDS, "")
    fields.update(
        sequence=1,
        occurred_at=datetime.datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=datetime.UTC),
        actor_id=None,
        organisation_id=None,
        before=None,
        after={"a": 1},
        previous_hash=chain.GENESIS_HASH,
    )
    fields.update(overrides)
    return fields


def test_hash_is_sha256_hex_and_deterministic():
    first = chain.event_hash(event_fields())
    assert len(first) == 64 and int(first, 16) >= 0
    assert chain.event_hash(event_fields()) == first


def test_every_hashed_field_changes_the_hash():
    base = chain.event_hash(event_fields())
    for name in chain.HASHED_FIELDS:
        changed = event_fields(**{name: "changed" if name not in ("sequence",) else 2})
        assert chain.event_hash(changed) != base, name


def test_timestamp_is_hashed_as_utc_text_whatever_its_zone():
    utc = event_fields()
    almaty = event_fields(
        occurred_at=utc["occurred_at"].astimezone(datetime.timezone(datetime.timedelta(hours=5)))
    )
    assert chain.event_hash(utc) == chain.event_hash(almaty)
    assert chain.format_timestamp(utc["occurred_at"]) == "2026-01-02T03:04:05.678901Z"


def test_naive_timestamp_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        chain.format_timestamp(datetime.datetime(2026, 1, 1))


def test_missing_field_is_named():
    fields = event_fields()
    del fields["reason"]
    with pytest.raises(ValueError, match="reason"):
        chain.event_hash(fields)


@given(st.dictionaries(st.text(max_size=10), json_values, max_size=6))
def test_canonical_json_ignores_key_order(value):
    reordered = dict(reversed(list(value.items())))
    assert chain.canonical_json(value) == chain.canonical_json(reordered)


@given(json_values)
def test_hash_covers_the_after_snapshot(after):
    assert chain.event_hash(event_fields(after={"v": after})) != chain.event_hash(
        event_fields(after={"v": [after]})
    )
