"""Reading the structures to assess from a file (Django-free): ``.smi`` or ``.csv``.

``.smi``: one structure per line, the SMILES first and an optional label after whitespace; blank lines and
lines starting with ``#`` are skipped. ``.csv``: a header with a ``smiles`` column (or ``structure``), and
optionally ``name`` (a substance name, used when the structure cell is empty) and ``label``/``id``. A file
that cannot be read raises ``StructureFileError`` naming the file, line and field; a structure that does not
parse is not an error of the file: its answer says it cannot be decided and why.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from fdx.core.csvfile import CsvFileError, CsvRows, decode_text, located

MAX_STRUCTURES = 200_000


class StructureFileError(ValueError):
    def __init__(self, path, line: int, field: str, message: str):
        self.path, self.line, self.field = str(path), line, field
        super().__init__(located(path, line, field, message))


@dataclass(frozen=True)
class StructureItem:
    """One thing to assess: a structure, or a substance name when ``structure`` is empty."""

    structure: str
    name: str
    label: str
    line: int

    @property
    def shown_as(self) -> str:
        return self.label or self.structure or self.name


def read_structures(path: Path) -> list[StructureItem]:
    """The items of a ``.smi`` or ``.csv`` file, in file order."""
    suffix = path.suffix.lower()
    if suffix not in (".smi", ".csv", ".txt"):
        raise StructureFileError(path, 0, "file", "expected a .smi or .csv file")
    try:
        data = Path(path).read_bytes()
        if suffix == ".csv":
            items = _read_csv(data, path)
        else:
            items = _read_smi(io.StringIO(decode_text(data, path), newline=""))
    except CsvFileError as exc:
        raise StructureFileError(path, exc.line, exc.field, exc.message) from None
    if len(items) > MAX_STRUCTURES:
        raise StructureFileError(path, MAX_STRUCTURES + 1, "file", f"more than {MAX_STRUCTURES} structures")
    return items


def _read_smi(handle) -> list[StructureItem]:
    items = []
    for number, raw in enumerate(handle, start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split(None, 1)
        items.append(StructureItem(parts[0], "", parts[1].strip() if len(parts) > 1 else "", number))
    return items


def _read_csv(data: bytes, path) -> list[StructureItem]:
    reader = CsvRows(data, path)
    columns = [c.lower() for c in reader.header]
    structure_column = next((c for c in ("smiles", "structure") if c in columns), None)
    if structure_column is None and "name" not in columns:
        raise StructureFileError(path, 1, "header", "needs a 'smiles' (or 'structure') or a 'name' column")
    items = []
    for line, record in reader:
        record = {key.lower(): value.strip() for key, value in record.items() if key}
        structure = record.get(structure_column, "") if structure_column else ""
        name = record.get("name", "")
        if not structure and not name:
            raise StructureFileError(path, line, structure_column or "name", "is empty")
        label = record.get("label") or record.get("id") or ""
        items.append(StructureItem(structure, name, label, line))
    return items
