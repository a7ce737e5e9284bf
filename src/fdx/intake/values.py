"""Parsing the cell values of an intake file: numbers, percentages, masses, dates, counts and text.

Each parser takes a cell as ``read_table`` gives it (a ``str`` from CSV; a ``str``, number, date or ``None``
from XLSX) and returns the value FDX stores, or raises ``ValueProblem`` saying, in the user's language, what
was expected. The caller adds the file, row and column. A parser never guesses: "05/03/2024" could be the
5th of March or the 3rd of May, so it is refused with the formats that are not ambiguous, rather than read
one way in Almaty and the other in a US-made LIMS export.

Blank cells are refused by every parser but ``parse_text``; a caller decides whether a field may be empty
(``is_blank``) before parsing it.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

#: Excel's day 0 in the 1900 date system (serial numbers count from here, past the fictitious 29 Feb 1900).
EXCEL_EPOCH = date(1899, 12, 30)
#: Dates outside these years are typing errors in a forensic record (0224 for 2024), and Excel serial
#: numbers outside them are not dates at all (a count or a mass in a date column).
FIRST_YEAR, LAST_YEAR = 1900, 2100
#: An Excel serial number is taken for a date only from 1950 on: a smaller number in a date column (1500,
#: 2024) is far likelier a typing error or a year than a date in the first half of the twentieth century.
FIRST_SERIAL_DATE = date(1950, 1, 1)
#: Numbers beyond 10^±40 are no measurement (grams of a seizure, percent of a purity).
MAX_EXPONENT = 40

# A number as people type it: digits with an optional decimal comma or point, thousands separated by spaces,
# or by the separator that is not the decimal one, and an optional exponent ("1,5E-3" from Excel's CSV).
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']+")  # Excel's Russian thousands separator is a no-break space
_PLAIN = re.compile(r"[+-]?(\d+)?([.,]\d+)?([eE][+-]?\d+)?")
_GROUPED = re.compile(r"[+-]?\d{1,3}((?P<sep>[.,])\d{3})((?P=sep)\d{3})*([.,]\d+)?")
_SPACE_GROUPED = re.compile(r"[+-]?\d{1,3}([\s\u00a0\u202f\u2009']\d{3})+([.,]\d+)?([eE][+-]?\d+)?")
_MINUS = str.maketrans(
    {"\u2212": "-", "\u2013": "-"}
)  # the minus sign and the en dash word processors insert

_MASS_UNITS = {
    "µg": Decimal("0.000001"),
    "μg": Decimal("0.000001"),
    "ug": Decimal("0.000001"),
    "mcg": Decimal("0.000001"),
    "мкг": Decimal("0.000001"),
    "mg": Decimal("0.001"),
    "мг": Decimal("0.001"),
    "g": Decimal(1),
    "gr": Decimal(1),
    "gram": Decimal(1),
    "grams": Decimal(1),
    "г": Decimal(1),
    "гр": Decimal(1),
    "грамм": Decimal(1),
    "kg": Decimal(1000),
    "кг": Decimal(1000),
}
_MASS = re.compile(r"(?P<number>.*?[\d.,])\s*(?P<unit>[^\d\s.,+-][^\d\s]*)?")

_ISO = re.compile(r"(\d{4})[-./](\d{1,2})[-./](\d{1,2})")
_DOTTED = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
_SLASHED = re.compile(r"(\d{1,2})[/-](\d{1,2})[/-](\d{4})")
_SHORT_YEAR = re.compile(r"\d{1,2}[./-]\d{1,2}[./-]\d{2}")
# A time after the date, which a date column does not keep ("2024-03-05T10:30:00+06:00" from a LIMS export).
# Russian documents mark the year: "05.03.2024 г."
_YEAR_MARK = r"(?: ?г\.?)?"
_TIME = re.compile(r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?: ?(?:Z|[+-]\d{2}:?\d{2}))?)?")


class ValueProblem(ValueError):
    """A cell that does not hold what its column needs; ``str()`` says what was expected."""


def is_blank(value) -> bool:
    """Whether a cell is empty: ``None`` or only whitespace.

    Parameters
    ----------
    value : object
        A cell as ``read_table`` gives it.

    Returns
    -------
    bool
    """
    return value is None or (isinstance(value, str) and not value.strip())


def parse_decimal(value) -> Decimal:
    """A number as typed in any of the region's conventions.

    Parameters
    ----------
    value : str, int, float or Decimal
        "1,5", "1.5", "1 234,5", "1,234.5", "1.234,5", "-2", "1,5E-3", or a number from a workbook.

    Returns
    -------
    Decimal
        The number exactly as written (a float is read as its shortest representation, 0.1 as 0.1).

    Raises
    ------
    ValueProblem
        For anything else: text, an empty cell, a true/false cell, NaN or infinity.
    """
    if isinstance(value, bool) or value is None:
        raise _not_a_number(value)
    if isinstance(value, int):
        if abs(value) >= 10**MAX_EXPONENT:  # before converting: a huge int is slow, even refused, to convert
            raise _not_a_number(value)
        return Decimal(value)
    if isinstance(value, float):
        return _plausible(Decimal(repr(value)) if math.isfinite(value) else Decimal("NaN"), value)
    if isinstance(value, Decimal):
        return _plausible(value, value)
    if not isinstance(value, str):
        raise _not_a_number(value)
    return _decimal_from_text(value)


def _decimal_from_text(text: str) -> Decimal:
    number = text.strip().translate(_MINUS)
    if _SPACES.search(number):
        if not _SPACE_GROUPED.fullmatch(number):  # "1 2" is two numbers, not twelve
            raise _not_a_number(text)
        number = _SPACES.sub("", number)
    if _PLAIN.fullmatch(number) and any(c.isdigit() for c in number):
        return _to_decimal(number.replace(",", "."), text)
    grouped = _GROUPED.fullmatch(number)
    if grouped:
        thousands = grouped.group("sep")
        decimal_sep = "," if thousands == "." else "."
        if number.count(decimal_sep) <= 1:  # "1,234.5": thousands commas, then a decimal point
            return _to_decimal(number.replace(thousands, "").replace(decimal_sep, "."), text)
    raise _not_a_number(text)


def _to_decimal(number: str, original) -> Decimal:
    try:
        parsed = Decimal(number)
    except InvalidOperation:
        raise _not_a_number(original) from None
    return _plausible(parsed, original)


def _plausible(number: Decimal, original) -> Decimal:
    """The number, unless it is infinite or of a magnitude no measurement has ("1e999999" would overflow
    the arithmetic done with it afterwards)."""
    if not number.is_finite() or (number and abs(number.adjusted()) > MAX_EXPONENT):
        raise _not_a_number(original)
    return number


def _not_a_number(value) -> ValueProblem:
    return ValueProblem(
        _('"%(value)s" is not a number. Write a number such as 1,5 or 1.5.') % {"value": _shown(value)}
    )


def _shown(value) -> str:
    """The value as the message quotes it: short, on one line."""
    text = "" if value is None else " ".join(str(value).split())
    return text if len(text) <= 60 else text[:57] + "..."


def parse_percent(value) -> Decimal:
    """A percentage (a purity, a share of a mixture) as the number of percent written.

    Parameters
    ----------
    value : str, int, float or Decimal
        "95%", "95 %", "95", "0,95" or a number. The number is taken as written: "0,95" is 0.95 percent,
        never 95 percent, because FDX cannot know which the laboratory meant and a purity of 0.95 % is real.

    Returns
    -------
    Decimal
        The percentage, from 0 to 100.

    Raises
    ------
    ValueProblem
        When it is not a number or lies outside 0–100.
    """
    number = value
    if isinstance(value, str):
        number = value.strip()
        number = number[:-1] if number.endswith("%") else number
    try:
        percent = parse_decimal(number)
    except ValueProblem:
        raise ValueProblem(
            _('"%(value)s" is not a percentage. Write a number of percent such as 95, 95%% or 0,5.')
            % {"value": _shown(value)}
        ) from None
    if not 0 <= percent <= 100:
        raise ValueProblem(
            _('"%(value)s" is not a percentage: it must lie between 0 and 100.') % {"value": _shown(value)}
        )
    return percent


def parse_mass_g(value, default_unit: str = "g") -> Decimal:
    """A mass in grams, from a number with or without its unit.

    Parameters
    ----------
    value : str, int, float or Decimal
        "1,5 г", "1.5 g", "1500 mg", "1500 мг", "0,5 кг", "0.5 kg", "250 µg", or a bare number.
    default_unit : str
        The unit of a bare number (the column's unit, as the mapping says): one of the units above.

    Returns
    -------
    Decimal
        The mass in grams, exact (no binary rounding: 1500 mg is exactly 1.5 g).

    Raises
    ------
    ValueProblem
        When it is not a number, is negative, or has a unit that is not a unit of mass.
    """
    factor = _unit_factor(default_unit)
    if factor is None:
        raise ValueError(f"{default_unit!r} is not a unit of mass FDX knows")
    number = value
    if isinstance(value, str):
        match = _MASS.fullmatch(value.strip())
        if match is None:
            raise _not_a_mass(value)
        number, unit = match.group("number"), match.group("unit")
        if unit:
            factor = _unit_factor(unit)
            if factor is None:
                raise ValueProblem(
                    _(
                        '"%(unit)s" in "%(value)s" is not a unit of mass. '
                        "Write the mass in g, mg or kg (г, мг, кг)."
                    )
                    % {"unit": unit, "value": _shown(value)}
                )
    try:
        grams = parse_decimal(number) * factor
    except ValueProblem:
        raise _not_a_mass(value) from None
    if grams < 0:
        raise ValueProblem(_('"%(value)s" is a negative mass.') % {"value": _shown(value)})
    return grams


def _unit_factor(unit: str) -> Decimal | None:
    """Grams per unit; "г." and "Kg" read as "г" and "kg"."""
    return _MASS_UNITS.get(unit.strip().rstrip(".").lower())


def _not_a_mass(value) -> ValueProblem:
    return ValueProblem(
        _('"%(value)s" is not a mass. Write a number and its unit, such as 1,5 g or 1500 mg.')
        % {"value": _shown(value)}
    )


def parse_date(value) -> date:
    """A calendar date, from a workbook's date, a text in an unambiguous format or an Excel serial number.

    Parameters
    ----------
    value : date, datetime, str, int or float
        A ``date`` or ``datetime`` (its date is kept); "2024-03-05", "05.03.2024", "5.3.2024",
        "05.03.2024 г.", "2024/03/05", each optionally followed by a time ("05.03.2024 14:30");
        "25/03/2024", where only one reading of day and month is a real date; or an Excel serial number
        (45356 for 5 March 2024, from a date column saved as a number).

    Returns
    -------
    date

    Raises
    ------
    ValueProblem
        For a date that does not exist (2024-02-30), an ambiguous one (05/03/2024), a two-digit year, a year
        outside 1900–2100, or anything that is not a date.
    """
    if isinstance(value, datetime):
        return _in_range(value.date(), value)
    if isinstance(value, date):
        return _in_range(value, value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _from_serial(value)
    if isinstance(value, str):
        return _date_from_text(value)
    raise _not_a_date(value)


def _from_serial(serial: int | float) -> date:
    lowest = (FIRST_SERIAL_DATE - EXCEL_EPOCH).days
    highest = (date(LAST_YEAR, 12, 31) - EXCEL_EPOCH).days
    if not (math.isfinite(serial) and lowest <= serial < highest + 1):
        raise ValueProblem(
            _("%(value)s is not a date. Write the date as DD.MM.YYYY or YYYY-MM-DD.")
            % {"value": _shown(serial)}
        )
    return EXCEL_EPOCH + timedelta(days=math.floor(serial))


def _date_from_text(text: str) -> date:
    stripped = " ".join(text.split())
    for pattern, order in ((_ISO, "ymd"), (_DOTTED, "dmy")):
        match = re.fullmatch(pattern.pattern + _YEAR_MARK + _TIME.pattern, stripped)
        if match:
            parts = dict(zip(order, map(int, match.groups()), strict=True))
            return _in_range(_real_date(parts["y"], parts["m"], parts["d"], text), text)
    match = re.fullmatch(_SLASHED.pattern + _TIME.pattern, stripped)
    if match:
        return _in_range(_unambiguous(*map(int, match.groups()), text=text), text)
    if re.fullmatch(_SHORT_YEAR.pattern + _TIME.pattern, stripped):
        raise ValueProblem(
            _('"%(value)s" has a two-digit year. Write the date as DD.MM.YYYY or YYYY-MM-DD.')
            % {"value": _shown(text)}
        )
    raise _not_a_date(text)


def _real_date(year: int, month: int, day: int, text) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueProblem(_('"%(value)s" is not a real date.') % {"value": _shown(text)}) from None


def _unambiguous(first: int, second: int, year: int, *, text: str) -> date:
    """The one date "first/second/year" can be, day first or month first; refused when it could be two."""
    readings = set()
    for day, month in ((first, second), (second, first)):
        try:
            readings.add(date(year, month, day))
        except ValueError:
            continue
    if len(readings) == 1:
        return readings.pop()
    if not readings:
        raise ValueProblem(_('"%(value)s" is not a real date.') % {"value": _shown(text)})
    raise ValueProblem(
        _(
            '"%(value)s" is ambiguous: it may be read day first or month first. '
            "Write the date as DD.MM.YYYY or YYYY-MM-DD."
        )
        % {"value": _shown(text)}
    )


def _in_range(parsed: date, value) -> date:
    if not FIRST_YEAR <= parsed.year <= LAST_YEAR:
        raise ValueProblem(
            _('"%(value)s" lies outside the years %(first)s–%(last)s. Check the year.')
            % {"value": _shown(value), "first": FIRST_YEAR, "last": LAST_YEAR}
        )
    return parsed


def _not_a_date(value) -> ValueProblem:
    return ValueProblem(
        _('"%(value)s" is not a date. Write the date as DD.MM.YYYY or YYYY-MM-DD.') % {"value": _shown(value)}
    )


def parse_int(value) -> int:
    """A whole number (a count of units, an item number typed as a number).

    Parameters
    ----------
    value : str, int, float or Decimal
        "12", "1 200", 12, or 12.0 (a workbook may store a whole number as a float).

    Returns
    -------
    int

    Raises
    ------
    ValueProblem
        When it is not a number or has a fractional part ("12.5").
    """
    try:
        number = parse_decimal(value)
    except ValueProblem:
        raise ValueProblem(_('"%(value)s" is not a whole number.') % {"value": _shown(value)}) from None
    if number != number.to_integral_value():
        raise ValueProblem(_('"%(value)s" is not a whole number.') % {"value": _shown(value)})
    return int(number)


def parse_text(value) -> str:
    """A text cell: whitespace at the ends removed and runs of whitespace (line breaks) made one space.

    Parameters
    ----------
    value : object
        Anything a cell holds. ``None`` is ""; a whole number stored as a float (12.0, how a workbook may hold
        an item number typed as 12) is "12"; a date is written YYYY-MM-DD.

    Returns
    -------
    str
    """
    if value is None:
        return ""
    if isinstance(value, float) and math.isfinite(value):
        value = int(value) if value.is_integer() else format(Decimal(repr(value)), "f")
    elif isinstance(value, datetime):
        value = value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    elif isinstance(value, date):
        value = value.isoformat()
    return " ".join(str(value).split())
