"""The legal reference content FDX ships, and the documented listing CSV format (Django-free).

``data/framework.json`` holds the jurisdictions, instruments, lists, incorporations, generic definitions
(with their worked examples) and quantity thresholds. Listings are CSV files:

* ``data/un/*.csv`` — the UN schedules and tables as INCB publishes them, one row per entry, with the year
  the entry was added (``UN_COLUMNS``); the loader turns the year into dates (see ``un_dates``).
* ``data/national/*.csv`` and every import or export — the listing format (``LISTING_COLUMNS``), which node
  administrators use to maintain their jurisdiction's lists.

Every problem raises ``LegalDataError`` naming the file, line and field; nothing is half-read.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import uuid
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from fdx.core.csvfile import CsvFileError, CsvRows, located
from fdx.substances import chem

#: The namespace of the global identifiers of FDX's shipped legal content (``shipped_global_id``).
SHIPPED_NAMESPACE = uuid.UUID("6f1d2c1e-3a55-5b0e-9d1c-46d78a0f2a11")

DATA_DIR = Path(__file__).resolve().parent / "data"
FRAMEWORK_FILE = DATA_DIR / "framework.json"

LISTING_COLUMNS = [
    "list_code",
    "name_en",
    "name_ru",
    "smiles",
    "registry_key",
    "effective_from",
    "effective_from_earliest",
    "effective_to",
    "decision",
    "decision_date",
    "instrument",
    "is_exclusion",
    "stereo_scope",
    "verified",
    "source_url",
    "note",
]
# Files written before ``stereo_scope`` existed still import: each of their entries is read as "list".
LEGACY_LISTING_COLUMNS = [name for name in LISTING_COLUMNS if name != "stereo_scope"]
UN_COLUMNS = [
    "list_code",
    "name_en",
    "name_ru",
    "smiles",
    "stereo_scope",
    "registry_key",
    "year_added",
    "decision",
    "note",
    "verified",
    "source_url",
]
REQUIRED = ("list_code", "name_en", "effective_from")
# What the name of an entry designates where its list has no stereoisomer clause (``choices.StereoScope``).
STEREO_SCOPES = ("list", "enantiomers")
TRUE_WORDS = {"true", "yes", "1", "да"}
FALSE_WORDS = {"false", "no", "0", "нет", ""}

# The shipped UN rows without a year were checked against the CND decisions of 2015-2025
# (../shared/data/legal/cnd_scheduling_decisions_2015_2025.csv): an entry absent from them was listed before
# 2015, so it is certainly in force on this day and possibly since the convention entered into force.
KNOWN_BEFORE = datetime.date(2015, 1, 1)


class LegalDataError(ValueError):
    def __init__(self, path, line: int, field: str, message: str):
        self.path, self.line, self.field = str(path), line, field
        super().__init__(located(path, line, field, message))


def _rows(source, path) -> CsvRows:
    """The checked CSV rows of a listing file (``fdx.core.csvfile``), its errors as ``LegalDataError``."""
    try:
        return CsvRows(source, path)
    except CsvFileError as exc:
        raise LegalDataError(path, exc.line, exc.field, exc.message) from None


def _each(rows: CsvRows, path):
    try:
        yield from rows
    except CsvFileError as exc:
        raise LegalDataError(path, exc.line, exc.field, exc.message) from None


@dataclass(frozen=True)
class ListingRow:
    """One listing as read from a file, checked."""

    list_code: str
    name_en: str
    name_ru: str
    smiles: str
    registry_key: str
    effective_from: datetime.date
    effective_from_earliest: datetime.date | None
    effective_to: datetime.date | None
    decision: str
    decision_date: datetime.date | None
    instrument: str
    is_exclusion: bool
    verified: bool
    source_url: str
    note: str
    source_file: str = ""
    line: int = 0
    inchikey: str = field(default="", compare=False)
    stereo_scope: str = "list"

    @property
    def start(self) -> datetime.date:
        """The first day the entry may be in force."""
        return self.effective_from_earliest or self.effective_from

    @property
    def identity(self) -> tuple[str, str]:
        """What names one listing within a load or an import: its list and its name as listed."""
        return self.list_code, self.name_en.casefold()


def parse_date(value: str, path, line: int, name: str) -> datetime.date | None:
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise LegalDataError(path, line, name, f"{value!r} is not a date (YYYY-MM-DD)") from None


def parse_bool(value: str, path, line: int, name: str) -> bool:
    word = value.strip().casefold()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise LegalDataError(path, line, name, f"{value!r} is not true or false")


def parse_stereo_scope(value: str, path, line: int) -> str:
    """One of ``STEREO_SCOPES``; empty means "list"."""
    word = value.strip().casefold() or "list"
    if word not in STEREO_SCOPES:
        raise LegalDataError(
            path, line, "stereo_scope", f"{value!r} is not one of {', '.join(STEREO_SCOPES)}"
        )
    return word


def structure_key(smiles: str, path, line: int) -> str:
    """The InChIKey of the standardised parent of a listed structure (empty when none is given)."""
    if not smiles:
        return ""
    try:
        return chem.standardise(chem.parse(smiles, "smiles")).parent.inchikey
    except chem.StructureError as exc:
        raise LegalDataError(path, line, "smiles", str(exc)) from None


def read_listings(handle, path, *, list_codes=None, instruments=None) -> list[ListingRow]:
    """Read the listing CSV format from an open file (binary, checked to be UTF-8, or text), the file's bytes
    or its path; ``list_codes`` and ``instruments``, when given, are the codes the rows may name."""
    reader = _rows(handle, path)
    if reader.header not in (LISTING_COLUMNS, LEGACY_LISTING_COLUMNS):
        raise LegalDataError(path, 1, "header", f"must be exactly {','.join(LISTING_COLUMNS)}")
    rows, seen = [], {}
    for line, record in _each(reader, path):
        record = {key: value.strip() for key, value in record.items() if key}
        for name in REQUIRED:
            if not record[name]:
                raise LegalDataError(path, line, name, "is required")
        _check_code(record["list_code"], list_codes, path, line, "list_code")
        if record["instrument"]:
            _check_code(record["instrument"], instruments, path, line, "instrument")
        row = ListingRow(
            list_code=record["list_code"],
            name_en=record["name_en"],
            name_ru=record["name_ru"],
            smiles=record["smiles"],
            registry_key=record["registry_key"],
            effective_from=parse_date(record["effective_from"], path, line, "effective_from"),
            effective_from_earliest=parse_date(
                record["effective_from_earliest"], path, line, "effective_from_earliest"
            ),
            effective_to=parse_date(record["effective_to"], path, line, "effective_to"),
            decision=record["decision"],
            decision_date=parse_date(record["decision_date"], path, line, "decision_date"),
            instrument=record["instrument"],
            is_exclusion=parse_bool(record["is_exclusion"], path, line, "is_exclusion"),
            verified=parse_bool(record["verified"], path, line, "verified"),
            source_url=record["source_url"],
            note=record["note"],
            source_file=Path(str(path)).name,
            line=line,
            inchikey=structure_key(record["smiles"], path, line),
            # A file of the format before ``stereo_scope`` says nothing of it: "" leaves an entry's as it is.
            stereo_scope=(
                parse_stereo_scope(record["stereo_scope"], path, line) if "stereo_scope" in record else ""
            ),
        )
        _check_row(row, path, line)
        _refuse_repeat(row, seen, path, line)
        rows.append(row)
    return rows


def read_un_listings(path: Path, instruments: dict[str, dict], lists: dict[str, dict]) -> list[ListingRow]:
    """Read one shipped UN file (``UN_COLUMNS``), turning the year of addition into dates."""
    rows, seen = [], {}
    reader = _rows(Path(path), path)
    if reader.header != UN_COLUMNS:
        raise LegalDataError(path, 1, "header", f"must be exactly {','.join(UN_COLUMNS)}")
    for line, record in _each(reader, path):
        record = {key: value.strip() for key, value in record.items()}
        for name in ("list_code", "name_en"):
            if not record[name]:
                raise LegalDataError(path, line, name, "is required")
        _check_code(record["list_code"], lists, path, line, "list_code")
        instrument = instruments[lists[record["list_code"]]["instrument"]]
        year = record["year_added"]
        if year and not (year.isdigit() and 1912 <= int(year) <= 2100):
            raise LegalDataError(path, line, "year_added", f"{year!r} is not a year")
        effective_from, earliest = un_dates(int(year) if year else None, instrument)
        row = ListingRow(
            list_code=record["list_code"],
            name_en=record["name_en"],
            name_ru=record["name_ru"],
            smiles=record["smiles"],
            registry_key=record["registry_key"],
            effective_from=effective_from,
            effective_from_earliest=earliest,
            effective_to=None,
            decision=record["decision"],
            decision_date=None,
            instrument=instrument["code"],
            is_exclusion=False,
            verified=parse_bool(record["verified"], path, line, "verified"),
            source_url=record["source_url"],
            note=record["note"],
            source_file=path.name,
            line=line,
            inchikey=structure_key(record["smiles"], path, line),
            stereo_scope=parse_stereo_scope(record["stereo_scope"], path, line),
        )
        _refuse_repeat(row, seen, path, line)
        rows.append(row)
    return rows


def un_dates(year: int | None, instrument: dict) -> tuple[datetime.date, datetime.date | None]:
    """(certainly in force from, earliest possible start) of a UN entry added in ``year``.

    An entry of the original schedules is in force from the convention's entry into force. A later addition
    is known only by the year of the CND decision: the international obligation starts on notification
    (1961, 1988) or 180 days after it (1971), so the day within the year (or early next year, for 1971) is
    not recorded and stays open. Without a year, see ``KNOWN_BEFORE``.
    """
    in_force = datetime.date.fromisoformat(instrument["in_force_from"])
    if year is None:
        return KNOWN_BEFORE, in_force
    if year <= in_force.year:
        return in_force, None
    delay_days = int(instrument.get("effect_delay_days", 0))
    delay = datetime.timedelta(days=delay_days)
    return datetime.date(year, 12, 31) + delay, datetime.date(year, 1, 1) + delay


def _check_code(code: str, known, path, line: int, name: str) -> None:
    if known is not None and code not in known:
        raise LegalDataError(path, line, name, f"unknown code {code!r}")


def _check_row(row: ListingRow, path, line: int) -> None:
    if row.effective_to and row.effective_to < row.effective_from:
        raise LegalDataError(path, line, "effective_to", "is before effective_from")
    if row.effective_from_earliest and row.effective_from_earliest > row.effective_from:
        raise LegalDataError(path, line, "effective_from_earliest", "is after effective_from")
    if row.is_exclusion and not row.smiles:
        raise LegalDataError(path, line, "smiles", "an exclusion needs the structure it excludes")
    if row.stereo_scope == "enantiomers" and row.smiles and "-UHFFFAOY" in row.inchikey:
        raise LegalDataError(
            path, line, "stereo_scope", "'enantiomers' needs a structure that gives the stereochemistry"
        )


def periods_overlap(start, end, other_start, other_end) -> bool:
    """Whether two periods in force (``end`` None: open) share a day."""
    return (other_end is None or start <= other_end) and (end is None or other_start <= end)


def _refuse_repeat(row: ListingRow, seen: dict, path, line: int) -> None:
    """One entry of a list has one name; it may appear again only for a period that does not overlap (a
    substance removed and listed again later)."""
    for other in seen.get(row.identity, []):
        if periods_overlap(row.start, row.effective_to, other.start, other.effective_to):
            raise LegalDataError(
                path,
                line,
                "name_en",
                f"{row.name_en!r} is already in {row.list_code} for an overlapping period "
                f"(line {other.line})",
            )
    seen.setdefault(row.identity, []).append(row)


def write_listings(rows: list[dict]) -> str:
    """The listing CSV format for ``rows`` (dicts keyed by ``LISTING_COLUMNS``)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=LISTING_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: _cell(row.get(key)) for key in LISTING_COLUMNS})
    return buffer.getvalue()


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


@lru_cache(maxsize=1)
def framework() -> dict:
    """The shipped framework, checked for references between its parts."""
    with open(FRAMEWORK_FILE, encoding="utf-8") as handle:
        data = json.load(handle)
    jurisdictions = {j["code"] for j in data["jurisdictions"]}
    instruments = {i["code"]: i for i in data["instruments"]}
    lists = {c["code"]: c for c in data["lists"]}
    for section, items, checks in (
        ("instruments", data["instruments"], (("jurisdiction", jurisdictions),)),
        ("lists", data["lists"], (("jurisdiction", jurisdictions), ("instrument", instruments))),
        (
            "incorporations",
            data["incorporations"],
            (("national_list", lists), ("incorporated_list", lists), ("instrument", instruments)),
        ),
        ("generic_definitions", data["generic_definitions"], (("list", lists), ("instrument", instruments))),
        ("thresholds", data["thresholds"], (("jurisdiction", jurisdictions), ("instrument", instruments))),
    ):
        for position, item in enumerate(items, start=1):
            for name, known in checks:
                if item.get(name) and item[name] not in known:
                    raise LegalDataError(
                        FRAMEWORK_FILE, position, f"{section}.{name}", f"unknown code {item[name]!r}"
                    )
    return data


@lru_cache(maxsize=1)
def shipped_listings() -> tuple[ListingRow, ...]:
    """Every listing FDX ships (UN and national), checked."""
    data = framework()
    instruments = {i["code"]: i for i in data["instruments"]}
    lists = {c["code"]: c for c in data["lists"]}
    rows: list[ListingRow] = []
    for path in sorted((DATA_DIR / "un").glob("*.csv")) + sorted((DATA_DIR / "national").glob("*.csv")):
        with open(path, encoding="utf-8", newline="") as handle:
            header = handle.readline().strip().split(",")
        if header == UN_COLUMNS:
            rows.extend(read_un_listings(path, instruments, lists))
        else:
            rows.extend(read_listings(Path(path), path, list_codes=lists, instruments=instruments))
    seen: dict = {}
    for row in rows:
        if row.identity in seen:
            other = seen[row.identity]
            raise LegalDataError(
                row.source_file,
                row.line,
                "name_en",
                f"{row.name_en!r} is also in {other.source_file}, line {other.line}",
            )
        seen[row.identity] = row
    return tuple(rows)


def shipped_global_id(kind: str, key: str) -> uuid.UUID:
    """The global identifier of one entry of FDX's shipped legal content, the same on every node.

    Every node loads the same reference content; with the same identifier everywhere, a jurisdiction's
    node that publishes its lists (``fdx.exchange.publications``) names each shipped entry as every
    receiver holds it, and a receiver takes the authority's version of it instead of keeping two.

    Parameters
    ----------
    kind
        ``listing``, ``generic`` or ``threshold``.
    key
        The entry's reference key (a generic definition's code).
    """
    return uuid.uuid5(SHIPPED_NAMESPACE, f"{kind}:{key}")


def shipped_correction_id(corrected: uuid.UUID) -> uuid.UUID:
    """The global identifier of the record a reload of the reference content writes to correct the shipped
    record ``corrected``: every node that loads the same release writes the same one."""
    return uuid.uuid5(corrected, "corrected by the reference content")
