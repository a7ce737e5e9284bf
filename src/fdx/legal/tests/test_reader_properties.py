"""Property tests of the importers' readers on mutated real files: parsed rows, or the reader's own error
naming a line and a field; never another exception."""

import csv
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fdx.legal.reference import LISTING_COLUMNS, LegalDataError, read_listings
from fdx.legal.transfer import StructureFileError, read_structures
from fdx.substances.transfer import read_substance_file
from fdx.testing.shared_data import shared_data_dir

FAVES = shared_data_dir() / "substances" / "faves_v3_ground_truth.csv"
pytestmark = pytest.mark.skipif(not FAVES.exists(), reason="shared data not found (set FDX_SHARED_DATA)")


def _faves() -> list[dict]:
    return list(csv.DictReader(io.StringIO(FAVES.read_text(encoding="utf-8")))) if FAVES.exists() else []


def _as_listings(rows: list[dict]) -> bytes:
    """The shared substances as a listing file (the format ``fdx legal import`` reads)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(LISTING_COLUMNS)
    for row in rows[:30]:
        values = dict.fromkeys(LISTING_COLUMNS, "")
        values.update(
            list_code="KZ-LIST-I", name_en=row["name"], smiles=row["smiles"], effective_from="2020-01-01"
        )
        values.update(is_exclusion="false", verified="false")
        writer.writerow(values.values())
    return buffer.getvalue().encode()


def _as_substances(rows: list[dict]) -> bytes:
    """The shared substances in the registry's import format (``fdx substances import``)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["name_en", "smiles", "note"])
    for row in rows[:30]:
        writer.writerow([row["name"], row["smiles"], row["category"]])
    return buffer.getvalue().encode()


FAVES_ROWS = _faves()
SOURCES = {
    "structures.csv": FAVES.read_bytes() if FAVES.exists() else b"",
    "listings.csv": _as_listings(FAVES_ROWS),
    "substances.csv": _as_substances(FAVES_ROWS),
}


@st.composite
def mutated(draw, name):
    data = bytearray(SOURCES[name])
    for _ in range(draw(st.integers(1, 5))):
        position = draw(st.integers(0, len(data)))
        kind = draw(st.sampled_from(["replace", "insert", "delete", "cut"]))
        byte = draw(st.sampled_from([0x00, 0x22, 0x2C, 0x0A, 0x0D, 0xFF, 0xD0, 0x80, 0x28, 0x31, 0x43]))
        if kind == "replace" and position < len(data):
            data[position] = byte
        elif kind == "insert":
            data[position:position] = bytes([byte]) * draw(st.integers(1, 3))
        elif kind == "delete":
            del data[position : position + draw(st.integers(1, 40))]
        else:
            del data[position:]
    return bytes(data)


def _located(error, name):
    assert str(error).startswith(f"{name}, line {error.line}, field ")
    assert error.line >= 0 and error.field


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated("structures.csv"))
def test_structure_files(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("s") / "structures.csv"
    path.write_bytes(data)
    try:
        items = read_structures(path)
    except StructureFileError as exc:
        _located(exc, "structures.csv")
        return
    assert all(item.structure or item.name for item in items)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated("listings.csv"))
def test_listing_files(data):
    try:
        rows = read_listings(io.BytesIO(data), "listings.csv")
    except LegalDataError as exc:
        _located(exc, "listings.csv")
        return
    assert all(row.list_code and row.name_en and row.line > 1 for row in rows)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated("substances.csv"))
def test_substance_files(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("s") / "substances.csv"
    path.write_bytes(data)

    parsed = read_substance_file(path)

    for problem in parsed.problems:
        assert str(problem).startswith(f"substances.csv, line {problem.line}, field ")
    assert all(record.name_en and record.inchikey for record in parsed.records)
    if parsed.unreadable:
        assert not parsed.records
