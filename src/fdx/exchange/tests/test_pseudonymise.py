"""Pseudonymisation: the table covers every field, hashes are keyed and stable, dropped fields never leave."""

import pytest
from django.apps import apps
from hypothesis import given, settings
from hypothesis import strategies as st

from fdx.exchange import pseudonymise
from fdx.exchange.pseudonymise import TABLE, Treatment, keyed_hash, travelling_fields

SECRET = b"k" * 32
OTHER_SECRET = b"o" * 32
secrets = st.binary(min_size=32, max_size=64)
numbers = st.text(min_size=1, max_size=40)


@pytest.mark.parametrize("model", sorted(TABLE))
def test_the_table_names_every_field_of_the_model_and_no_other(model):
    fields = {f.name for f in apps.get_model(model)._meta.get_fields() if f.concrete}

    described = set(TABLE[model]) | pseudonymise.ENVELOPE_FIELDS | pseudonymise.LOCAL_FIELDS

    assert fields == described


def test_agency_numbers_are_hashed_and_personal_and_free_text_fields_dropped():
    values = {
        "agency_case_number": "ДП-2024/117",
        "seizure_date": "2024-03-01",
        "description": "Seized from Mr A. Petrov at his flat",
        "locality": "Almaty, Abay St 12",
        "created_by": 7,
    }

    sent = pseudonymise.pseudonymise("examinations.case", values, secret=SECRET, leaves_country=True)

    assert sent == {
        "agency_case_number": keyed_hash(SECRET, "examinations.case.agency_case_number", "ДП-2024/117"),
        "seizure_date": "2024-03-01",
    }
    assert len(sent["agency_case_number"]) == 64


def test_a_field_marked_shareable_travels_but_a_user_never_does():
    values = {"description": "tablets in a sports bag", "created_by": 7, "agency_case_number": ""}

    sent = pseudonymise.pseudonymise(
        "examinations.case",
        values,
        secret=SECRET,
        leaves_country=True,
        shareable=frozenset({"description", "created_by"}),
    )

    assert sent == {"description": "tablets in a sports bag", "agency_case_number": ""}


def test_inside_the_country_every_field_travels_as_it_is_but_those_never_sent():
    values = {"agency_case_number": "123", "description": "text", "created_by": 7, "search_text": "123 text"}

    sent = pseudonymise.pseudonymise("examinations.case", values, secret=SECRET, leaves_country=False)

    assert sent == {"agency_case_number": "123", "description": "text"}


def test_a_model_without_a_row_does_not_leave():
    with pytest.raises(pseudonymise.UnknownModelError):
        travelling_fields("accounts.user", leaves_country=True, shareable=frozenset())


def test_a_short_secret_is_refused():
    with pytest.raises(ValueError, match="at least 32 bytes"):
        keyed_hash(b"short", "examinations.case.agency_case_number", "123")


def test_the_same_number_written_differently_is_the_same_number():
    purpose = "examinations.case.agency_case_number"

    assert keyed_hash(SECRET, purpose, " kz-12  A ") == keyed_hash(SECRET, purpose, "KZ-12 a")
    assert keyed_hash(SECRET, purpose, "KZ-12") != keyed_hash(SECRET, purpose, "KZ-13")
    assert keyed_hash(SECRET, purpose, "KZ-12") != keyed_hash(
        SECRET, "examinations.examination.request_number", "KZ-12"
    )


@given(secrets, numbers)
def test_a_hash_is_the_same_every_time_under_one_secret(secret, number):
    purpose = "examinations.case.agency_case_number"

    assert keyed_hash(secret, purpose, number) == keyed_hash(bytes(secret), purpose, number)


@given(secrets, secrets, numbers)
def test_two_secrets_give_two_hashes(secret, other, number):
    purpose = "examinations.case.agency_case_number"
    if secret != other:
        assert keyed_hash(secret, purpose, number) != keyed_hash(other, purpose, number)


@st.composite
def records(draw):
    """A model, a value for each of its fields (each holding a marker that cannot occur by chance), and the
    fields the owner marked shareable."""
    model = draw(st.sampled_from(sorted(TABLE)))
    names = sorted(TABLE[model])
    values = {name: f"«{name}:{draw(st.text(min_size=1, max_size=8))}»" for name in names}
    shareable = frozenset(draw(st.sets(st.sampled_from(names))))
    return model, values, shareable


@settings(max_examples=200, deadline=None)
@given(records(), secrets)
def test_dropped_fields_never_appear_in_what_travels(record, secret):
    model, values, shareable = record

    sent = pseudonymise.pseudonymise(model, values, secret=secret, leaves_country=True, shareable=shareable)

    written = repr(sent)
    for name, treatment in TABLE[model].items():
        if treatment == Treatment.DROP or (
            treatment == Treatment.DROP_UNLESS_SHAREABLE and name not in shareable
        ):
            assert name not in sent
            assert values[name] not in written
        elif treatment == Treatment.HMAC:
            assert sent[name] == keyed_hash(secret, f"{model}.{name}", values[name])
            assert values[name] not in written
        else:
            assert sent[name] == values[name]


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_administrators_guide_shows_the_table_as_it_is(language):
    from pathlib import Path

    guide = Path(__file__).resolve().parents[4] / "docs" / language / "exchange.md"
    rows = {
        line.split("|")[1].strip(" `"): [cell.strip() for cell in line.split("|")[2:6]]
        for line in guide.read_text(encoding="utf-8").splitlines()
        if line.startswith("| `") and line.split("|")[1].strip(" `") in TABLE
    }

    assert set(rows) == set(TABLE)
    for model, columns in rows.items():
        for treatment, cell in zip(
            (Treatment.KEEP, Treatment.HMAC, Treatment.DROP_UNLESS_SHAREABLE, Treatment.DROP),
            columns,
            strict=True,
        ):
            listed = set() if cell == "—" else {name.strip(" `") for name in cell.split(",")}
            assert listed == {name for name, t in TABLE[model].items() if t == treatment}, (model, treatment)
