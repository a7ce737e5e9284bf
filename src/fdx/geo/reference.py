"""The reference geography FDX ships, read from pycountry and the curated files in ``geo/data`` (Django-free).

Every row is checked; a bad row raises ``ReferenceDataError`` naming the file, line and field.
"""

from __future__ import annotations

import datetime
import gettext
from dataclasses import dataclass
from pathlib import Path

import pycountry

from fdx.core.csvfile import CsvFileError, CsvRows

DATA_DIR = Path(__file__).resolve().parent / "data"

#: Countries whose regions FDX curates itself instead of taking pycountry's.
CURATED_COUNTRIES = ("KZ", "KG", "TJ", "TM", "UZ")

#: Names used by the five states themselves where pycountry's translation differs.
COUNTRY_NAME_OVERRIDES = {
    "KG": ("Kyrgyzstan", "Кыргызстан"),
    "KZ": ("Kazakhstan", "Казахстан"),
    "TJ": ("Tajikistan", "Таджикистан"),
    "TM": ("Turkmenistan", "Туркменистан"),
    "UZ": ("Uzbekistan", "Узбекистан"),
}

REGION_TYPES = ("region", "city", "republic", "autonomous_region", "districts", "other")
SUCCESSION_KINDS = ("split", "renamed", "merged", "abolished")
CROSSING_KINDS = ("road", "rail", "air", "port", "postal", "pedestrian")


class ReferenceDataError(ValueError):
    """A bad row in a reference file: names the file, the line and the field."""

    def __init__(self, path: Path | str, line: int, field: str, message: str):
        self.path, self.line, self.field = str(path), line, field
        super().__init__(f"{Path(path).name}, line {line}, field {field!r}: {message}")


@dataclass(frozen=True)
class CountryRow:
    code: str
    alpha_3: str
    numeric: str
    name_en: str
    name_ru: str


@dataclass(frozen=True)
class RegionRow:
    code: str
    country: str
    parent: str | None
    name_en: str
    name_ru: str
    name_local: str
    region_type: str
    iso_type: str
    valid_from: datetime.date | None
    valid_to: datetime.date | None
    note: str


@dataclass(frozen=True)
class SuccessionRow:
    predecessor: str
    successor: str
    effective_date: datetime.date
    kind: str
    legal_basis: str


@dataclass(frozen=True)
class AliasRow:
    code: str
    region: str
    valid_from: datetime.date | None
    note: str


@dataclass(frozen=True)
class CrossingRow:
    code: str
    name_en: str
    name_ru: str
    country: str
    region: str | None
    neighbour_country: str | None
    kind: str


def countries() -> list[CountryRow]:
    """Every ISO 3166-1 country, with English and Russian names."""
    russian = _translation("iso3166-1")
    rows = []
    for country in pycountry.countries:
        name_en = getattr(country, "common_name", None) or country.name
        name_ru = russian.gettext(country.name)
        if country.alpha_2 in COUNTRY_NAME_OVERRIDES:
            name_en, name_ru = COUNTRY_NAME_OVERRIDES[country.alpha_2]
        rows.append(
            CountryRow(
                code=country.alpha_2,
                alpha_3=country.alpha_3,
                numeric=country.numeric,
                name_en=name_en,
                name_ru="" if name_ru == country.name else name_ru,
            )
        )
    return sorted(rows, key=lambda row: row.code)


def iso_regions() -> list[RegionRow]:
    """Every ISO 3166-2 subdivision of the countries FDX does not curate."""
    russian = _translation("iso3166-2")
    rows = []
    for subdivision in pycountry.subdivisions:
        if subdivision.country_code in CURATED_COUNTRIES:
            continue
        name_ru = russian.gettext(subdivision.name)
        rows.append(
            RegionRow(
                code=subdivision.code,
                country=subdivision.country_code,
                parent=subdivision.parent_code,
                name_en=subdivision.name,
                name_ru="" if name_ru == subdivision.name else name_ru,
                name_local="",
                region_type=_region_type(subdivision.type),
                iso_type=subdivision.type,
                valid_from=None,
                valid_to=None,
                note="",
            )
        )
    return rows


def curated_regions(path: Path = DATA_DIR / "central_asia_regions.csv") -> list[RegionRow]:
    """The curated regions of the five Central Asian states, validated."""
    rows = []
    for line, record in _read_csv(
        path, ["code", "name_en", "name_ru", "name_local", "region_type", "valid_from", "valid_to", "note"]
    ):
        code = _required(path, line, record, "code")
        country = code.split("-", 1)[0]
        if country not in CURATED_COUNTRIES:
            raise ReferenceDataError(
                path, line, "code", f"{code!r} is not a region of {', '.join(CURATED_COUNTRIES)}"
            )
        region_type = _one_of(path, line, record, "region_type", REGION_TYPES)
        valid_from = _date(path, line, record, "valid_from")
        valid_to = _date(path, line, record, "valid_to")
        if valid_from and valid_to and valid_to < valid_from:
            raise ReferenceDataError(path, line, "valid_to", "ends before valid_from")
        rows.append(
            RegionRow(
                code=code,
                country=country,
                parent=None,
                name_en=_required(path, line, record, "name_en"),
                name_ru=_required(path, line, record, "name_ru"),
                name_local=record["name_local"].strip(),
                region_type=region_type,
                iso_type="",
                valid_from=valid_from,
                valid_to=valid_to,
                note=record["note"].strip(),
            )
        )
    _unique(path, rows, "code")
    return rows


def successions(path: Path = DATA_DIR / "region_successions.csv") -> list[SuccessionRow]:
    """Region reforms: predecessor, successor, date, kind and legal basis."""
    return [
        SuccessionRow(
            predecessor=_required(path, line, record, "predecessor"),
            successor=_required(path, line, record, "successor"),
            effective_date=_date(path, line, record, "effective_date", required=True),
            kind=_one_of(path, line, record, "kind", SUCCESSION_KINDS),
            legal_basis=record["legal_basis"].strip(),
        )
        for line, record in _read_csv(
            path, ["predecessor", "successor", "effective_date", "kind", "legal_basis"]
        )
    ]


def aliases(path: Path = DATA_DIR / "region_aliases.csv") -> list[AliasRow]:
    """Former region codes and the region each now means."""
    rows = [
        AliasRow(
            code=_required(path, line, record, "code"),
            region=_required(path, line, record, "region"),
            valid_from=_date(path, line, record, "valid_from"),
            note=record["note"].strip(),
        )
        for line, record in _read_csv(path, ["code", "region", "valid_from", "note"])
    ]
    _unique(path, rows, "code")
    return rows


def crossing_points(path: Path = DATA_DIR / "border_crossing_points.csv") -> list[CrossingRow]:
    """Border crossing points, airports and postal exchanges of the five states."""
    rows = [
        CrossingRow(
            code=_required(path, line, record, "code"),
            name_en=_required(path, line, record, "name_en"),
            name_ru=_required(path, line, record, "name_ru"),
            country=_required(path, line, record, "country"),
            region=record["region"].strip() or None,
            neighbour_country=record["neighbour_country"].strip() or None,
            kind=_one_of(path, line, record, "kind", CROSSING_KINDS),
        )
        for line, record in _read_csv(
            path, ["code", "name_en", "name_ru", "country", "region", "neighbour_country", "kind"]
        )
    ]
    _unique(path, rows, "code")
    return rows


def _translation(domain: str) -> gettext.NullTranslations:
    try:
        return gettext.translation(domain, pycountry.LOCALES_DIR, languages=["ru"])
    except OSError:
        return gettext.NullTranslations()


def _region_type(iso_type: str) -> str:
    lowered = iso_type.lower()
    if "autonomous region" in lowered:
        return "autonomous_region"
    if "republic" in lowered:
        return "republic"
    if "city" in lowered or "capital" in lowered:
        return "city"
    return "region"


def _read_csv(path: Path, columns: list[str]):
    """The rows of a reference file through FDX's one CSV reader (``fdx.core.csvfile``): bytes that are not
    UTF-8, rows cut short and over-long fields are refused with their line and column."""
    try:
        reader = CsvRows(Path(path), path)
        missing = [name for name in columns if name not in reader.header]
        if missing:
            raise ReferenceDataError(path, 1, missing[0], "column is missing from the header")
        yield from reader
    except CsvFileError as exc:
        raise ReferenceDataError(path, exc.line, exc.field, exc.message) from None


def _required(path, line, record, field) -> str:
    value = record[field].strip()
    if not value:
        raise ReferenceDataError(path, line, field, "is required")
    return value


def _one_of(path, line, record, field, allowed) -> str:
    value = record[field].strip()
    if value not in allowed:
        raise ReferenceDataError(path, line, field, f"{value!r} is not one of {', '.join(allowed)}")
    return value


def _date(path, line, record, field, required=False) -> datetime.date | None:
    value = record[field].strip()
    if not value:
        if required:
            raise ReferenceDataError(path, line, field, "is required")
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise ReferenceDataError(path, line, field, f"{value!r} is not a date (YYYY-MM-DD)") from None


def _unique(path, rows, attribute) -> None:
    seen: set[str] = set()
    for index, row in enumerate(rows, start=2):
        value = getattr(row, attribute)
        if value in seen:
            raise ReferenceDataError(path, index, attribute, f"{value!r} appears twice")
        seen.add(value)
