import datetime
import shutil

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fdx.geo import reference
from fdx.geo.reference import ReferenceDataError


def test_every_country_has_english_and_the_five_have_curated_russian_names():
    countries = {row.code: row for row in reference.countries()}

    assert len(countries) == 249
    assert countries["KG"].name_ru == "Кыргызстан"
    assert countries["KZ"].name_en == "Kazakhstan"
    assert countries["IR"].name_en == "Iran"
    assert countries["AF"].name_ru == "Афганистан"


def test_curated_regions_cover_the_five_states_with_russian_names():
    rows = reference.curated_regions()
    by_country = {}
    for row in rows:
        by_country.setdefault(row.country, []).append(row)

    current = {code: len([r for r in rs if r.valid_to is None]) for code, rs in by_country.items()}
    assert current == {"KZ": 20, "KG": 9, "TJ": 5, "TM": 6, "UZ": 14}
    assert all(row.name_ru and row.name_en for row in rows)


def test_kazakhstan_reforms_are_dated():
    rows = {row.code: row for row in reference.curated_regions()}

    assert rows["KZ-YUZ"].valid_to == datetime.date(2018, 6, 18)
    assert rows["KZ-79"].valid_from == datetime.date(2018, 6, 19)
    for new_region in ("KZ-10", "KZ-33", "KZ-62"):
        assert rows[new_region].valid_from == datetime.date(2022, 6, 8)


def test_successions_and_aliases_point_at_known_regions():
    codes = {row.code for row in reference.curated_regions()}

    for row in reference.successions():
        assert {row.predecessor, row.successor} <= codes
    for row in reference.aliases():
        assert row.region in codes


def test_crossing_points_name_known_countries_and_regions():
    regions = {row.code: row.country for row in reference.curated_regions()}
    countries = {row.code for row in reference.countries()}

    for row in reference.crossing_points():
        assert row.country in countries and (
            row.neighbour_country is None or row.neighbour_country in countries
        )
        assert row.region is None or regions[row.region] == row.country


@pytest.fixture
def regions_copy(tmp_path):
    path = tmp_path / "central_asia_regions.csv"
    shutil.copy(reference.DATA_DIR / "central_asia_regions.csv", path)
    return path


@pytest.mark.parametrize(
    ("bad_line", "field", "fragment"),
    [
        ("KZ-99,X,Х,,region,2022-13-01,,", "valid_from", "is not a date"),
        ("KZ-99,X,Х,,county,,,", "region_type", "is not one of"),
        ("KZ-99,,Х,,region,,,", "name_en", "is required"),
        ("RU-MOW,Moscow,Москва,,city,,,", "code", "is not a region of"),
        ("KZ-99,X,Х,,region,2022-01-01,2021-01-01,", "valid_to", "ends before"),
        ("KZ-11,Duplicate,Дубль,,region,,,", "code", "appears twice"),
    ],
)
def test_a_bad_row_names_file_line_and_field(regions_copy, bad_line, field, fragment):
    lines = regions_copy.read_text(encoding="utf-8").splitlines()
    lines.insert(3, bad_line)
    regions_copy.write_text("\n".join(lines) + "\n", encoding="utf-8")

    with pytest.raises(ReferenceDataError) as error:
        reference.curated_regions(regions_copy)

    assert error.value.field == field
    assert error.value.path.endswith("central_asia_regions.csv")
    assert fragment in str(error.value)
    if fragment != "appears twice":
        assert error.value.line == 4
        assert str(error.value).startswith("central_asia_regions.csv, line 4, field")


def test_a_missing_column_is_named(regions_copy):
    regions_copy.write_text("code,name_en\nKZ-11,Akmola\n", encoding="utf-8")

    with pytest.raises(ReferenceDataError, match="line 1, field 'name_ru': column is missing"):
        reference.curated_regions(regions_copy)


@given(st.text(max_size=12))
def test_the_date_parser_accepts_iso_dates_and_names_everything_else(text):
    record = {"valid_from": text}
    try:
        parsed = reference._date("f.csv", 7, record, "valid_from")
    except ReferenceDataError as error:
        assert (error.line, error.field) == (7, "valid_from")
    else:
        assert parsed is None or isinstance(parsed, datetime.date)
        assert parsed is not None or not text.strip()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            "code,region,valid_from,note\nKZ-AKM,KZ-11,,Акмола\n".encode("cp1251"),
            "line 2, field 'note': is not UTF-8",
        ),
        (b"code,region,valid_from,note\nKZ-AKM,KZ-11\n", "line 2, field 'valid_from': is missing"),
    ],
)
def test_a_reference_file_that_is_not_utf8_or_has_a_cut_row_names_the_place(tmp_path, data, message):
    path = tmp_path / "region_aliases.csv"
    path.write_bytes(data)

    with pytest.raises(ReferenceDataError, match=message):
        reference.aliases(path)
