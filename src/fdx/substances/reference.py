"""The reference substances FDX ships, read and checked from ``data/reference/*.csv`` (Django-free).

Columns: ``key, name_en, name_ru, synonyms, smiles, cas, expected_class, salt_of, note``. Synonyms are
``|``-separated; ``expected_class`` lists the classes the substance belongs to (``|``-separated), which is
where the membership of the listed (non-structural) classes comes from; ``salt_of`` names the key of the
free base of a salt. A bad row raises ``ReferenceSubstanceError`` naming file, line and field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from fdx.core.csvfile import CsvFileError, CsvRows
from fdx.substances import chem

REFERENCE_DIR = Path(__file__).resolve().parent / "data" / "reference"
COLUMNS = ["key", "name_en", "name_ru", "synonyms", "smiles", "cas", "expected_class", "salt_of", "note"]
_KEY = re.compile(r"^[a-z0-9][a-z0-9-]*$")


class ReferenceSubstanceError(ValueError):
    def __init__(self, path, line: int, field: str, message: str):
        self.path, self.line, self.field = str(path), line, field
        super().__init__(f"{Path(path).name}, line {line}, field {field!r}: {message}")


@dataclass(frozen=True)
class ReferenceSubstance:
    key: str
    name_en: str
    name_ru: str
    synonyms: tuple[str, ...]
    smiles: str
    cas: str
    expected_classes: tuple[str, ...]
    salt_of: str
    note: str
    source_file: str
    line: int
    structure: chem.Standardised


def cas_is_valid(cas: str) -> bool:
    """Whether a CAS Registry Number is well formed and its check digit right."""
    if not re.fullmatch(r"\d{2,7}-\d{2}-\d", cas):
        return False
    digits = cas.replace("-", "")
    return sum(int(d) * (i + 1) for i, d in enumerate(reversed(digits[:-1]))) % 10 == int(digits[-1])


def read_file(path: Path) -> list[ReferenceSubstance]:
    """Read and check one reference file."""
    try:
        rows = _read_rows(path)
    except CsvFileError as exc:
        raise ReferenceSubstanceError(path, exc.line, exc.field, exc.message) from None
    return rows


def _read_rows(path: Path) -> list[ReferenceSubstance]:
    from fdx.substances.classes import CLASS_CODES

    rows = []
    reader = CsvRows(Path(path), path)
    if reader.header != COLUMNS:
        raise ReferenceSubstanceError(path, 1, "header", f"must be exactly {','.join(COLUMNS)}")
    for line, record in reader:
        record = {key: value.strip() for key, value in record.items()}
        record = {key: (value or "").strip() for key, value in record.items()}
        if not _KEY.match(record["key"]):
            raise ReferenceSubstanceError(path, line, "key", f"{record['key']!r} is not a lowercase slug")
        for field in ("name_en", "name_ru", "smiles"):
            if not record[field]:
                raise ReferenceSubstanceError(path, line, field, "is required")
        if record["cas"] and not cas_is_valid(record["cas"]):
            raise ReferenceSubstanceError(path, line, "cas", f"{record['cas']} fails its check digit")
        classes = tuple(c for c in record["expected_class"].split("|") if c)
        unknown = [c for c in classes if c not in CLASS_CODES]
        if unknown:
            raise ReferenceSubstanceError(path, line, "expected_class", f"unknown class {unknown[0]!r}")
        try:
            structure = chem.standardise(chem.parse(record["smiles"], "smiles"))
        except chem.StructureError as exc:
            raise ReferenceSubstanceError(path, line, "smiles", str(exc)) from None
        rows.append(
            ReferenceSubstance(
                key=record["key"],
                name_en=record["name_en"],
                name_ru=record["name_ru"],
                synonyms=tuple(s.strip() for s in record["synonyms"].split("|") if s.strip()),
                smiles=record["smiles"],
                cas=record["cas"],
                expected_classes=classes,
                salt_of=record["salt_of"],
                note=record["note"],
                source_file=path.name,
                line=line,
                structure=structure,
            )
        )
    return rows


@lru_cache(maxsize=1)
def reference_substances() -> tuple[ReferenceSubstance, ...]:
    """Every shipped reference substance, checked: unique keys and structures, salts pointing at bases."""
    rows: list[ReferenceSubstance] = []
    for path in sorted(REFERENCE_DIR.glob("*.csv")):
        rows.extend(read_file(path))
    keys: dict[str, ReferenceSubstance] = {}
    inchikeys: dict[str, ReferenceSubstance] = {}
    for row in rows:
        if row.key in keys:
            raise ReferenceSubstanceError(
                row.source_file,
                row.line,
                "key",
                f"{row.key!r} is also in {keys[row.key].source_file}, line {keys[row.key].line}",
            )
        keys[row.key] = row
        inchikey = row.structure.full.inchikey
        if inchikey in inchikeys:
            other = inchikeys[inchikey]
            raise ReferenceSubstanceError(
                row.source_file,
                row.line,
                "smiles",
                f"same structure as {other.key!r} ({other.source_file}, line {other.line})",
            )
        inchikeys[inchikey] = row
    for row in rows:
        if row.salt_of and row.salt_of not in keys:
            raise ReferenceSubstanceError(
                row.source_file, row.line, "salt_of", f"no reference substance {row.salt_of!r}"
            )
        if row.salt_of and keys[row.salt_of].structure.full.inchikey != row.structure.parent.inchikey:
            raise ReferenceSubstanceError(
                row.source_file, row.line, "salt_of", f"the parent of this structure is not {row.salt_of!r}"
            )
    return tuple(rows)


def listed_class_members() -> dict[str, frozenset[str]]:
    """Skeleton or full InChIKey → classes, from the ``expected_class`` of the reference substances.

    A substance listed without stereochemistry lists its skeleton (every stereo form belongs); a defined
    stereoisomer lists only its own InChIKey. Salt rows list nothing (their free base does).
    """
    members: dict[str, set[str]] = {}
    for row in reference_substances():
        if row.salt_of or not row.expected_classes:
            continue
        inchikey = row.structure.parent.inchikey
        key = inchikey if _has_stereo(inchikey) else chem.skeleton_key(inchikey)
        members.setdefault(key, set()).update(row.expected_classes)
    return {key: frozenset(classes) for key, classes in members.items()}


def _has_stereo(inchikey: str) -> bool:
    """Whether the InChIKey's second block encodes stereochemistry (``UHFFFAOYSA`` is the no-stereo block)."""
    return inchikey.split("-")[1][:8] != "UHFFFAOY"
