"""The shipped legal content and the listing CSV format: checked, dated, sourced, and refused with the file,
line and field when wrong."""

import csv
import datetime
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fdx.legal.reference import (
    KNOWN_BEFORE,
    LISTING_COLUMNS,
    STEREO_SCOPES,
    LegalDataError,
    framework,
    read_listings,
    shipped_listings,
    un_dates,
    write_listings,
)
from fdx.testing.shared_data import shared_file

HEADER = ",".join(LISTING_COLUMNS) + "\n"
UN_1971 = {"code": "un-1971-convention", "in_force_from": "1976-08-16", "effect_delay_days": 180}
UN_1961 = {"code": "un-1961-single-convention", "in_force_from": "1964-12-13"}


def _read(text: str, **codes):
    return read_listings(io.StringIO(text), "kz.csv", **codes)


def test_every_current_un_list_is_shipped_with_hundreds_of_entries():
    rows = shipped_listings()
    by_list = {}
    for row in rows:
        by_list.setdefault(row.list_code, []).append(row)

    for code in (
        "UN-1961-I",
        "UN-1961-II",
        "UN-1961-IV",
        "UN-1971-I",
        "UN-1971-II",
        "UN-1971-III",
        "UN-1971-IV",
        "UN-1988-I",
        "UN-1988-II",
    ):
        assert by_list.get(code), code
    assert sum(len(v) for k, v in by_list.items() if k.startswith("UN-")) >= 380
    assert all(row.source_url or row.list_code.startswith("RU-") for row in rows)


def test_every_cnd_decision_of_2015_to_2025_is_shipped_with_its_year():
    """The shared CSV of CND decisions is the check: each of its substances sits in its schedule, dated."""
    rows = shipped_listings()
    by_name = {}
    for row in rows:
        for variant in _variants(row.name_en):
            by_name[(row.list_code, variant)] = row
    missing, checked = [], 0
    with open(shared_file("legal/cnd_scheduling_decisions_2015_2025.csv"), encoding="utf-8") as handle:
        for record in csv.DictReader(handle):
            schedules = record["schedule_or_table"].split("+")
            if record["treaty"] == "1988" or not all(s in ("I", "II", "III", "IV") for s in schedules):
                continue  # 1988 rows group several substances; a deletion is not a listing
            for schedule in schedules:
                code = f"UN-{record['treaty']}-{schedule}"
                found = next(
                    (by_name[(code, v)] for v in _variants(record["substance"]) if (code, v) in by_name), None
                )
                if found is None:
                    missing.append((code, record["substance"]))
                    continue
                checked += 1
                assert found.effective_from_earliest is not None, found.name_en
                assert found.effective_from_earliest.year == int(record["year"]), found.name_en
    assert not missing
    assert checked >= 85


def _variants(name: str) -> set[str]:
    """The name, the part before a parenthesis and the parenthesis, normalised."""
    parts = {name, name.split(" (")[0]}
    if "(" in name and ")" in name:
        parts.add(name[name.index("(") + 1 : name.rindex(")")])
    return {_norm(part) for part in parts if _norm(part)}


def test_framework_references_resolve_and_every_fact_has_a_source():
    data = framework()

    assert {j["code"] for j in data["jurisdictions"]} >= {"UN", "KZ", "KG", "TJ", "TM", "UZ"}
    assert all(item.get("url") for item in data["instruments"])
    kinds = {g["kind"] for g in data["generic_definitions"]}
    assert kinds >= {"substituents", "derivatives", "class", "analogue_similarity"}
    for threshold in data["thresholds"]:
        assert "verified" in threshold


def test_un_dates_follow_each_convention():
    assert un_dates(1971, UN_1971) == (datetime.date(1976, 8, 16), None)
    assert un_dates(2020, UN_1971) == (datetime.date(2021, 6, 29), datetime.date(2020, 6, 29))
    assert un_dates(2018, UN_1961) == (datetime.date(2018, 12, 31), datetime.date(2018, 1, 1))
    assert un_dates(None, UN_1961) == (KNOWN_BEFORE, datetime.date(1964, 12, 13))


def test_a_good_row_is_read():
    rows = _read(
        HEADER + "KZ-LIST-I,4-CMC,4-ХМК,CNC(C)C(=O)c1ccc(Cl)cc1,,2021-03-01,,,,,,false,,true,https://x.kz,\n"
    )

    assert rows[0].effective_from == datetime.date(2021, 3, 1) and rows[0].verified
    assert rows[0].inchikey == "UEJBEYOXRNGPEI-UHFFFAOYSA-N"


@pytest.mark.parametrize(
    ("row", "field"),
    [
        (",X,,,,2021-03-01,,,,,,false,,false,,", "list_code"),
        ("KZ-LIST-I,X,,,,March 2021,,,,,,false,,false,,", "effective_from"),
        ("KZ-LIST-I,X,,C1CC(,,2021-03-01,,,,,,false,,false,,", "smiles"),
        ("KZ-LIST-I,X,,,,2021-03-01,,2020-01-01,,,,false,,false,,", "effective_to"),
        ("KZ-LIST-I,X,,,,2021-03-01,2022-01-01,,,,,false,,false,,", "effective_from_earliest"),
        ("KZ-LIST-I,X,,,,2021-03-01,,,,,,maybe,,false,,", "is_exclusion"),
        ("KZ-LIST-I,X,,,,2021-03-01,,,,,,true,,false,,", "smiles"),
        ("KG-LIST,X,,,,2021-03-01,,,,,,false,,false,,", "list_code"),
    ],
)
def test_a_bad_row_names_the_file_line_and_field(row, field):
    with pytest.raises(LegalDataError) as error:
        _read(
            HEADER + "KZ-LIST-I,Fine,,,,2020-01-01,,,,,,false,,false,,\n" + row + "\n",
            list_codes={"KZ-LIST-I"},
        )

    assert error.value.line == 3 and error.value.field == field
    assert str(error.value).startswith(f"kz.csv, line 3, field '{field}'")


def test_a_repeated_entry_and_a_wrong_header_are_refused():
    with pytest.raises(LegalDataError, match="already in KZ-LIST-I"):
        _read(
            HEADER
            + "KZ-LIST-I,X,,,,2020-01-01,,,,,,false,,false,,\nKZ-LIST-I,x,,,,2021-01-01,,,,,,false,,false,,\n"
        )
    with pytest.raises(LegalDataError, match="header"):
        _read("name,smiles\nX,C\n")


_dates = st.dates(min_value=datetime.date(1950, 1, 1), max_value=datetime.date(2100, 1, 1))


@given(
    name=st.text(
        alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=40
    ).filter(lambda s: s.strip() == s and s.strip()),
    start=_dates,
    days=st.integers(0, 5000),
    verified=st.booleans(),
    note=st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=60).filter(
        lambda s: s.strip() == s
    ),
)
def test_what_is_written_reads_back_the_same(name, start, days, verified, note):
    row = {
        "list_code": "KZ-LIST-I",
        "name_en": name,
        "name_ru": "",
        "smiles": "",
        "registry_key": "",
        "effective_from": start,
        "effective_from_earliest": None,
        "effective_to": start + datetime.timedelta(days=days),
        "decision": "",
        "decision_date": None,
        "instrument": "",
        "is_exclusion": False,
        "verified": verified,
        "source_url": "",
        "note": note,
    }

    back = _read(write_listings([row]))[0]

    assert (back.name_en, back.effective_from, back.effective_to, back.verified, back.note) == (
        name,
        start,
        row["effective_to"],
        verified,
        note,
    )


def _norm(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())


def test_a_name_may_come_back_for_a_period_that_does_not_overlap():
    rows = _read(
        HEADER
        + "KZ-LIST-I,X,,,,2015-01-01,,2018-12-31,,,,false,,false,,\n"
        + "KZ-LIST-I,x,,,,2021-01-01,,,,,,false,,false,,\n"
    )

    assert [(row.effective_from.year, row.effective_to) for row in rows] == [
        (2015, datetime.date(2018, 12, 31)),
        (2021, None),
    ]


def test_the_stereo_scope_column_is_read_checked_and_optional():
    ephedrine = "CN[C@@H](C)[C@H](O)c1ccccc1"
    rows = _read(HEADER + f"KZ-LIST-I,Ephedrine,,{ephedrine},,2015-01-01,,,,,,false,enantiomers,false,,\n")
    legacy = _read(
        ",".join(name for name in LISTING_COLUMNS if name != "stereo_scope")
        + "\nKZ-LIST-I,Ephedrine,,,,2015-01-01,,,,,,false,false,,\n"
    )

    assert rows[0].stereo_scope == "enantiomers"
    assert legacy[0].stereo_scope == ""  # not said: an import leaves the entry's as it is
    with pytest.raises(LegalDataError, match="'stereo_scope'"):
        _read(HEADER + "KZ-LIST-I,Ephedrine,,CNC(C)C(O)c1ccccc1,,2015-01-01,,,,,,false,enantiomers,false,,\n")
    with pytest.raises(LegalDataError, match="'stereo_scope'"):
        _read(HEADER + f"KZ-LIST-I,Ephedrine,,{ephedrine},,2015-01-01,,,,,,false,some,false,,\n")


def test_the_stereo_scopes_are_the_models_choices():
    from fdx.legal.choices import StereoScope

    assert tuple(StereoScope.values) == STEREO_SCOPES


def _national_row(name_en):
    rows = csv.DictReader(shared_file("legal/central_asia_national_listings.csv").open(encoding="utf-8"))
    return next(row for row in rows if row["substance_name_en"] == name_en)


@pytest.mark.parametrize(
    ("name", "registry_key", "list_code"),
    [
        ("para-fluorofentanyl", "para-fluorofentanyl", "KZ-LIST-I"),
        ("metonitazene", "metonitazene", "KZ-LIST-I"),
        ("eutylone", "eutylone", "KZ-LIST-I"),
        ("clonazolam", "clonazolam", "KZ-LIST-III"),
        ("4-methylpropiophenone", "4-methylpropiophenone", "KZ-LIST-IV"),
    ],
)
def test_the_kazakh_additions_of_2024_are_shipped_as_the_source_dates_them(name, registry_key, list_code):
    """Each addition read in a source (confidence S in the shared research file) is a verified listing, in
    force from the date the source gives, citing that source."""
    source = _national_row(name)
    shipped = [
        row for row in shipped_listings() if row.registry_key == registry_key and row.list_code == list_code
    ]

    assert source["confidence"] == "S"
    assert len(shipped) == 1
    assert shipped[0].effective_from.isoformat() == source["effective_from"] == "2024-02-06"
    assert shipped[0].verified is True
    assert shipped[0].source_url == source["source_url"]
    assert shipped[0].instrument == "kz-decree-amending-470-2024"


def test_the_unconfirmed_decree_number_stays_unverified():
    instruments = {item["code"]: item for item in framework()["instruments"]}

    assert instruments["kz-decree-amending-470-2024"]["verified"] is False
    assert "probably No. 22" in instruments["kz-decree-amending-470-2024"]["note"]
    assert instruments["uz-lists-2018"]["number"] == "330"


@pytest.mark.django_db
def test_a_kazakh_precursor_of_2024_is_controlled_from_its_date_and_not_before():
    from fdx.legal import selectors
    from fdx.substances.models import Substance

    query = selectors.query_for_substance(Substance.objects.get(key="4-methylpropiophenone"))
    before, after = (
        selectors.assess([query], selectors.Question(("KZ",), datetime.date(*day)))[0]
        for day in ((2024, 2, 5), (2024, 2, 6))
    )

    assert before.controlled is not True
    assert "KZ-LIST-IV" in before.searched
    assert after.controlled is True and after.lists == ["KZ-LIST-IV"]
