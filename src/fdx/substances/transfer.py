"""Reading substance files for import (CSV, SDF) and writing the registry for export (CSV, JSON).

Reading checks every record first and names the file, line and field of each problem; the import action
then writes all records or, when asked to skip bad ones, the good ones and a report of the rest.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

from rdkit import Chem

from fdx.core.csvfile import CsvFileError, CsvRows, decode_text, located
from fdx.core.wording import translated as _
from fdx.substances import chem
from fdx.substances.classes import CLASS_CODES
from fdx.substances.reference import cas_is_valid

CSV_COLUMNS = ["name_en", "name_ru", "synonyms", "smiles", "inchikey", "cas", "classes", "note"]
REQUIRED_CSV_COLUMNS = {"name_en", "smiles"}
MAX_FILE_BYTES = 200 * 1024 * 1024


@dataclass(frozen=True)
class RecordProblem:
    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return located(self.file, self.line, self.field, self.message)


@dataclass
class ParsedRecord:
    line: int
    name_en: str
    name_ru: str
    smiles: str
    synonyms: list[str]
    cas: str
    classes: tuple[str, ...]
    note: str
    inchikey: str = ""


@dataclass
class ParsedFile:
    name: str
    records: list[ParsedRecord] = field(default_factory=list)
    problems: list[RecordProblem] = field(default_factory=list)
    # The file as a whole cannot be read (not UTF-8, cut rows, no record): nothing of it is imported, even
    # with --skip-bad.
    unreadable: bool = False


def read_substance_file(path: Path) -> ParsedFile:
    """Read a CSV (``.csv``) or SDF (``.sdf``, ``.sd``, ``.mol``) file of substances and check each record."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise ValueError(f"{path.name}: larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _read_csv(path)
    if suffix in (".sdf", ".sd", ".mol"):
        return _read_sdf(path)
    raise ValueError(f"{path.name}: unknown file type {suffix!r} (expected .csv or .sdf)")


def _read_csv(path: Path) -> ParsedFile:
    """The records of a CSV file; a file that cannot be read as CSV (not UTF-8, a row cut short, a field
    too long) is one problem naming its line and column, and no record of it is kept."""
    parsed = ParsedFile(path.name)
    try:
        _read_csv_rows(path, parsed)
    except CsvFileError as exc:
        parsed.records.clear()
        parsed.problems.append(RecordProblem(path.name, exc.line, exc.field, exc.message))
        parsed.unreadable = True
    return parsed


def _read_csv_rows(path: Path, parsed: ParsedFile) -> None:
    reader = CsvRows(path, path.name)
    missing = REQUIRED_CSV_COLUMNS - set(reader.header)
    if missing:
        parsed.problems.append(
            RecordProblem(path.name, reader.header_line, sorted(missing)[0], _("column is missing"))
        )
        return
    for line, row in reader:
        row = {key: value.strip() for key, value in row.items() if key}
        _check(
            parsed,
            ParsedRecord(
                line=line,
                name_en=row.get("name_en", ""),
                name_ru=row.get("name_ru", ""),
                smiles=row.get("smiles", ""),
                synonyms=_split(row.get("synonyms", "")),
                cas=row.get("cas", ""),
                classes=tuple(_split(row.get("classes", ""))),
                note=row.get("note", ""),
                inchikey=row.get("inchikey", ""),
            ),
        )


def _read_sdf(path: Path) -> ParsedFile:
    """The records of an SDF file; one that is not UTF-8 or holds no record is one problem (line 1 or the
    bad byte's), and each record is bounded in size before RDKit standardises it."""
    parsed = ParsedFile(path.name)
    try:
        text = decode_text(path.read_bytes(), path.name)
    except CsvFileError as exc:
        parsed.problems.append(RecordProblem(path.name, exc.line, exc.field, exc.message))
        parsed.unreadable = True
        return parsed
    if not text.replace("\x00", "").strip():
        parsed.problems.append(RecordProblem(path.name, 1, "file", _("the file holds no record")))
        parsed.unreadable = True
        return parsed
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        parsed.problems.append(RecordProblem(path.name, line, "file", _("contains a NUL character")))
        parsed.unreadable = True
        return parsed
    starts = _record_start_lines(text)
    # Read unsanitised, so that a record past the size limits is refused before RDKit works on it.
    supplier = Chem.SDMolSupplier()
    supplier.SetData(text, sanitize=False, removeHs=False)
    for index in range(len(supplier)):
        line = starts[index] if index < len(starts) else 0
        try:
            mol = _sdf_molecule(supplier[index])
        except chem.StructureError as exc:
            parsed.problems.append(
                RecordProblem(
                    path.name,
                    line,
                    "structure",
                    _("record %(number)s: %(problem)s") % {"number": index + 1, "problem": exc},
                )
            )
            continue
        if mol is None:
            parsed.problems.append(
                RecordProblem(
                    path.name,
                    line,
                    "structure",
                    _("record %(number)s: the molfile cannot be read") % {"number": index + 1},
                )
            )
            continue
        props = {key.lower(): mol.GetProp(key).strip() for key in mol.GetPropNames()}
        name = (
            props.get("name_en")
            or props.get("name")
            or (mol.GetProp("_Name").strip() if mol.HasProp("_Name") else "")
        )
        _check(
            parsed,
            ParsedRecord(
                line=line,
                name_en=name,
                name_ru=props.get("name_ru", ""),
                smiles=Chem.MolToSmiles(mol),
                synonyms=_split(props.get("synonyms", "").replace("\n", "|")),
                cas=props.get("cas", "") or props.get("casno", "") or props.get("cas_number", ""),
                classes=tuple(_split(props.get("classes", ""))),
                note=props.get("note", ""),
            ),
        )
    return parsed


def _sdf_molecule(mol: Chem.Mol | None) -> Chem.Mol | None:
    """A record of the SDF read unsanitised, bounded in size, then sanitised and without explicit hydrogens
    as ``SDMolSupplier`` makes it by default; None where RDKit cannot make sense of it."""
    if mol is None:
        return None
    chem.check_molecule_size(mol)
    try:
        Chem.SanitizeMol(mol)
        return Chem.RemoveHs(mol)
    except Exception:  # RDKit raises sanitisation errors of several kinds
        return None


def _record_start_lines(text: str) -> list[int]:
    starts, line = [1], 1
    for raw in text.splitlines():
        line += 1
        if raw.strip() == "$$$$":
            starts.append(line)
    return starts


def _check(parsed: ParsedFile, record: ParsedRecord) -> None:
    problems_before = len(parsed.problems)

    def problem(field_name: str, message: str) -> None:
        parsed.problems.append(RecordProblem(parsed.name, record.line, field_name, message))

    if not record.name_en:
        problem("name_en", _("is required"))
    if not record.smiles:
        problem("smiles", _("is required"))
    else:
        try:
            structure = chem.standardise(chem.parse(record.smiles, "smiles"))
        except chem.StructureError as exc:
            problem("smiles", str(exc))
        else:
            if record.inchikey and record.inchikey != structure.full.inchikey:
                problem(
                    "inchikey",
                    _("%(key)s is not the InChIKey of the structure (%(expected)s)")
                    % {"key": record.inchikey, "expected": structure.full.inchikey},
                )
            record.inchikey = structure.full.inchikey
    if record.cas and not cas_is_valid(record.cas):
        problem("cas", _("%(cas)s is not a valid CAS number") % {"cas": record.cas})
    unknown = [code for code in record.classes if code not in CLASS_CODES]
    if unknown:
        problem("classes", _("unknown class %(code)s") % {"code": repr(unknown[0])})
    if len(parsed.problems) == problems_before:
        parsed.records.append(record)


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split("|") if part.strip()]


def export_rows(substances) -> list[dict]:
    """One dict per substance with the exported columns."""
    rows = []
    for substance in substances:
        synonyms = [
            n.name for n in substance.names.all() if n.name not in (substance.name_en, substance.name_ru)
        ]
        rows.append(
            {
                "name_en": substance.name_en,
                "name_ru": substance.name_ru,
                "synonyms": synonyms,
                "smiles": substance.smiles,
                "inchikey": substance.inchikey,
                "cas": substance.cas_number,
                "classes": [c.code for c in substance.classes.all()],
                "note": substance.note,
            }
        )
    return rows


def to_csv(rows: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({**row, "synonyms": "|".join(row["synonyms"]), "classes": "|".join(row["classes"])})
    return buffer.getvalue()


def to_json(rows: list[dict]) -> str:
    return json.dumps(rows, ensure_ascii=False, indent=1)
