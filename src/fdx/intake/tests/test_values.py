"""Parsing cell values: each convention of the region read, each ambiguity refused, and round trips."""

from __future__ import annotations

import contextlib
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fdx.intake.values import (
    EXCEL_EPOCH,
    ValueProblem,
    is_blank,
    parse_date,
    parse_decimal,
    parse_int,
    parse_mass_g,
    parse_percent,
    parse_text,
)


def problem(parse, value, *args) -> str:
    with pytest.raises(ValueProblem) as caught:
        parse(value, *args)
    return str(caught.value)


# --- numbers ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1,5", "1.5"),
        ("1.5", "1.5"),
        (" 1,5 ", "1.5"),
        ("1 234,5", "1234.5"),
        ("1\u00a0234\u00a0567,25", "1234567.25"),  # Excel's Russian thousands separator
        ("1,234.5", "1234.5"),
        ("1.234,5", "1234.5"),
        ("1,234,567", "1234567"),
        ("-2", "-2"),
        ("\u22122,5", "-2.5"),
        ("+3", "3"),
        (",5", "0.5"),
        ("1,5E-3", "0.0015"),
        ("2.5e2", "250"),
        (7, "7"),
        (0.1, "0.1"),
        (1.5, "1.5"),
        (Decimal("2.50"), "2.50"),
    ],
)
def test_parse_decimal_reads_the_region_s_conventions(value, expected):
    assert parse_decimal(value) == Decimal(expected)


@pytest.mark.parametrize(
    "value",
    [
        "abc",
        "",
        "   ",
        None,
        True,
        "1 2",
        "1,2,3.4.5",
        "1..5",
        "1.",
        "1,5 g",
        "95%",
        "12-3",
        float("nan"),
        float("inf"),
        "1e999999",
        Decimal("Infinity"),
        10**50,
        [1],
    ],
)
def test_parse_decimal_refuses_what_is_not_a_number(value):
    assert problem(parse_decimal, value).endswith("is not a number. Write a number such as 1,5 or 1.5.")


def test_parse_decimal_refuses_magnitudes_no_measurement_has():
    assert "is not a number" in problem(parse_decimal, 1e-78)
    assert "is not a number" in problem(parse_decimal, "1e41")


def test_parse_decimal_names_the_value_in_its_message():
    assert problem(parse_decimal, "abc") == '"abc" is not a number. Write a number such as 1,5 or 1.5.'


@settings(max_examples=300)
@given(
    number=st.decimals(min_value=-(10**9), max_value=10**9, places=4, allow_nan=False, allow_infinity=False),
    comma=st.booleans(),
    group=st.booleans(),
)
def test_a_decimal_formatted_with_comma_or_point_and_grouped_thousands_parses_back(number, comma, group):
    text = f"{number:,f}".replace(",", " ") if group else f"{number:f}"
    if comma:
        text = text.replace(".", ",")

    assert parse_decimal(text) == number


@given(st.floats(min_value=-1e30, max_value=1e30).filter(lambda x: x == 0 or abs(x) > 1e-30))
def test_a_float_from_a_workbook_parses_to_its_shortest_decimal(number):
    assert parse_decimal(number) == Decimal(repr(number))


# --- percentages --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("95%", "95"),
        ("95 %", "95"),
        ("95", "95"),
        ("0,95", "0.95"),
        ("95,5%", "95.5"),
        (95, "95"),
        (0.95, "0.95"),
        ("0", "0"),
        ("100 %", "100"),
    ],
)
def test_parse_percent_takes_the_number_of_percent_as_written(value, expected):
    assert parse_percent(value) == Decimal(expected)


@pytest.mark.parametrize("value", ["101", "100,01%", -1, "-0,5 %"])
def test_parse_percent_refuses_what_lies_outside_0_to_100(value):
    assert problem(parse_percent, value) == f'"{value}" is not a percentage: it must lie between 0 and 100.'


def test_parse_percent_refuses_text():
    assert problem(parse_percent, "high") == (
        '"high" is not a percentage. Write a number of percent such as 95, 95% or 0,5.'
    )


@given(st.decimals(min_value=0, max_value=100, places=3), st.sampled_from(["%", " %", ""]), st.booleans())
def test_a_percentage_written_any_way_parses_back(percent, sign, comma):
    text = f"{percent:f}{sign}"

    assert parse_percent(text.replace(".", ",") if comma else text) == percent


# --- masses -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1,5 г", "1.5"),
        ("1,5г", "1.5"),
        ("1,5 г.", "1.5"),
        ("1.5 g", "1.5"),
        ("1.5 G", "1.5"),
        ("1500 mg", "1.5"),
        ("1500 мг", "1.5"),
        ("0,5 кг", "500"),
        ("0.5 kg", "500"),
        ("1 200 гр", "1200"),
        ("250 µg", "0.00025"),
        ("250 мкг", "0.00025"),
        ("0", "0"),
        ("2,5", "2.5"),
        (3, "3"),
        (0.25, "0.25"),
    ],
)
def test_parse_mass_g_reads_masses_with_and_without_units(value, expected):
    assert parse_mass_g(value) == Decimal(expected)


@pytest.mark.parametrize(("value", "expected"), [("1500", "1.5"), (1500, "1.5"), ("2 g", "2")])
def test_a_bare_number_is_in_the_column_s_default_unit(value, expected):
    assert parse_mass_g(value, "mg") == Decimal(expected)


def test_parse_mass_g_refuses_an_unknown_unit_naming_it():
    assert problem(parse_mass_g, "5 lb") == (
        '"lb" in "5 lb" is not a unit of mass. Write the mass in g, mg or kg (г, мг, кг).'
    )


@pytest.mark.parametrize("value", ["-1 g", "-0,5 кг", -2])
def test_parse_mass_g_refuses_a_negative_mass(value):
    assert problem(parse_mass_g, value).endswith("is a negative mass.")


@pytest.mark.parametrize("value", ["g", "", "about 5 g", "1,5 г 2", None, "5 g g"])
def test_parse_mass_g_refuses_what_is_not_a_mass(value):
    message = problem(parse_mass_g, value)

    assert message.endswith("is not a mass. Write a number and its unit, such as 1,5 g or 1500 mg.") or (
        "is not a unit of mass" in message
    )


def test_an_unknown_default_unit_is_a_programming_error():
    with pytest.raises(ValueError, match="not a unit of mass") as caught:
        parse_mass_g("1", "pound")
    assert not isinstance(caught.value, ValueProblem)


@given(st.decimals(min_value=0, max_value=10**6, places=3), st.booleans())
def test_masses_in_mg_g_and_kg_agree(grams, comma):
    def written(number: Decimal, unit: str) -> str:
        text = f"{number:f} {unit}"
        return text.replace(".", ",") if comma else text

    in_g = parse_mass_g(written(grams, "g"))

    assert in_g == grams
    assert parse_mass_g(written(grams * 1000, "mg")) == in_g
    assert parse_mass_g(written(grams / 1000, "kg")) == in_g
    assert parse_mass_g(written(grams * 1000, "мг")) == parse_mass_g(written(grams / 1000, "кг")) == in_g


# --- dates --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-03-05", date(2024, 3, 5)),
        ("05.03.2024", date(2024, 3, 5)),
        ("5.3.2024", date(2024, 3, 5)),
        ("2024/03/05", date(2024, 3, 5)),
        ("05.03.2024 14:30", date(2024, 3, 5)),
        ("05.03.2024 г.", date(2024, 3, 5)),
        ("5.3.2024г", date(2024, 3, 5)),
        ("2024-03-05T10:30:00+06:00", date(2024, 3, 5)),
        ("25/03/2024", date(2024, 3, 25)),
        ("03/25/2024", date(2024, 3, 25)),
        ("05/05/2024", date(2024, 5, 5)),
        (date(2024, 3, 5), date(2024, 3, 5)),
        (datetime(2024, 3, 5, 23, 59), date(2024, 3, 5)),
        (45356, date(2024, 3, 5)),
        (45356.75, date(2024, 3, 5)),
    ],
)
def test_parse_date_reads_unambiguous_dates(value, expected):
    assert parse_date(value) == expected


def test_a_date_that_does_not_exist_is_refused():
    assert problem(parse_date, "2024-02-30") == '"2024-02-30" is not a real date.'
    assert problem(parse_date, "31.04.2024") == '"31.04.2024" is not a real date.'


def test_an_ambiguous_date_is_refused_asking_for_an_unambiguous_format():
    assert problem(parse_date, "05/03/2024") == (
        '"05/03/2024" is ambiguous: it may be read day first or month first. '
        "Write the date as DD.MM.YYYY or YYYY-MM-DD."
    )


@pytest.mark.parametrize(
    ("value", "ending"),
    [
        ("5.3.24", "has a two-digit year. Write the date as DD.MM.YYYY or YYYY-MM-DD."),
        ("March 5", "is not a date. Write the date as DD.MM.YYYY or YYYY-MM-DD."),
        ("", "is not a date. Write the date as DD.MM.YYYY or YYYY-MM-DD."),
        (None, "is not a date. Write the date as DD.MM.YYYY or YYYY-MM-DD."),
        (True, "is not a date. Write the date as DD.MM.YYYY or YYYY-MM-DD."),
        (2024, "is not a date. Write the date as DD.MM.YYYY or YYYY-MM-DD."),  # a year, not serial 2024
        (10**7, "is not a date. Write the date as DD.MM.YYYY or YYYY-MM-DD."),
        (float("nan"), "is not a date. Write the date as DD.MM.YYYY or YYYY-MM-DD."),
        ("0224-03-05", "lies outside the years 1900–2100. Check the year."),
        (date(1812, 6, 24), "lies outside the years 1900–2100. Check the year."),
    ],
)
def test_what_is_not_a_plausible_date_is_refused(value, ending):
    assert problem(parse_date, value).endswith(ending)


@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2100, 12, 31)))
def test_a_date_written_in_each_accepted_way_parses_back(day):
    serial = (day - EXCEL_EPOCH).days

    assert parse_date(day.isoformat()) == day
    assert parse_date(day.strftime("%d.%m.%Y")) == day
    assert parse_date(f"{day.day}.{day.month}.{day.year}") == day
    assert parse_date(serial) == parse_date(float(serial) + 0.5) == day
    assert parse_date(datetime.combine(day, datetime.min.time()) + timedelta(hours=13)) == day


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)))
def test_a_slashed_date_is_read_only_when_it_cannot_be_read_the_other_way(day):
    text = day.strftime("%d/%m/%Y")
    if day.day > 12 or day.day == day.month:
        assert parse_date(text) == day
    else:
        assert "ambiguous" in problem(parse_date, text)


# --- whole numbers and text ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"), [("12", 12), (12, 12), (12.0, 12), ("1 200", 1200), ("12,0", 12)]
)
def test_parse_int_reads_whole_numbers(value, expected):
    assert parse_int(value) == expected


@pytest.mark.parametrize("value", ["12.5", 12.5, "twelve", "", None])
def test_parse_int_refuses_fractions_and_text(value):
    assert problem(parse_int, value).endswith("is not a whole number.")


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_a_whole_number_with_or_without_grouping_parses_back(number):
    assert (
        parse_int(str(number))
        == parse_int(f"{number:,}".replace(",", " "))
        == parse_int(float(number))
        == number
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        ("  мефедрон  ", "мефедрон"),
        ("white\n powder\t in  bag", "white powder in bag"),
        (12, "12"),
        (12.0, "12"),
        (1.25, "1.25"),
        (date(2024, 3, 5), "2024-03-05"),
        (datetime(2024, 3, 5), "2024-03-05"),
        (datetime(2024, 3, 5, 14, 30), "2024-03-05 14:30:00"),
    ],
)
def test_parse_text_strips_and_collapses(value, expected):
    assert parse_text(value) == expected


@given(st.text())
def test_parse_text_is_idempotent_and_leaves_no_stray_whitespace(text):
    parsed = parse_text(text)

    assert parse_text(parsed) == parsed
    assert parsed == parsed.strip()
    assert "  " not in parsed and "\n" not in parsed


@pytest.mark.parametrize(
    ("value", "blank"), [(None, True), ("", True), (" \n", True), ("0", False), (0, False)]
)
def test_is_blank(value, blank):
    assert is_blank(value) is blank


# --- nothing but ValueProblem -------------------------------------------------------------------------------

CELLS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.decimals(),
    st.dates(),
    st.datetimes(),
    st.text(),
    st.text(alphabet="0123456789 ,.-+eE%gmkгмк/:T"),
)


@settings(max_examples=500)
@given(
    CELLS, st.sampled_from([parse_decimal, parse_percent, parse_mass_g, parse_date, parse_int, parse_text])
)
def test_no_cell_makes_a_parser_raise_anything_but_value_problem(value, parse):
    with contextlib.suppress(ValueProblem):
        parse(value)
