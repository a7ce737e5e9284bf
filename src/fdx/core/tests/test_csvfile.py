"""FDX's one CSV reader: every malformed file is refused with its file, line and column, never a traceback."""

import csv
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fdx.core.csvfile import MAX_FIELD_CHARS, CsvFileError, CsvRows
from fdx.testing.shared_data import shared_data_dir


def rows(data, name="x.csv"):
    return list(CsvRows(data, name))


def refusal(data, name="x.csv") -> str:
    with pytest.raises(CsvFileError) as error:
        rows(data, name)
    return str(error.value)


def test_rows_keep_their_starting_line_and_skip_blank_lines():
    data = b'a,b\n1,"two\nlines"\n\n   \n3,4\n'

    assert rows(data) == [(2, {"a": "1", "b": "two\nlines"}), (6, {"a": "3", "b": "4"})]


def test_a_byte_order_mark_and_text_input_are_read():
    assert rows(b"\xef\xbb\xbfa,b\n1,2\n") == rows("a,b\n1,2\n") == [(2, {"a": "1", "b": "2"})]


def test_bytes_that_are_not_utf8_name_the_line_and_column():
    data = "name,smiles\nметамфетамин,CC\n".encode("cp1251")

    assert refusal(data, "kz.csv") == (
        "kz.csv, line 2, field 'name': is not UTF-8 text (byte 0xEC); save the file as UTF-8"
    )


def test_a_field_longer_than_the_limit_names_its_column():
    data = "name,smiles\nX," + "C" * (MAX_FIELD_CHARS + 1) + "\n"

    assert refusal(data) == (
        f"x.csv, line 2, field 'smiles': is {MAX_FIELD_CHARS + 1} characters long; FDX reads at most "
        f"{MAX_FIELD_CHARS}"
    )
    assert csv.field_size_limit() > MAX_FIELD_CHARS


def test_a_row_cut_short_is_refused_naming_the_first_missing_column():
    assert refusal("a,b,c\n1,2,3\n4,5\n") == (
        "x.csv, line 3, field 'c': is missing: the row has 2 fields, the header names 3"
    )


def test_a_row_with_extra_fields_is_refused_unless_they_are_empty():
    assert rows("a,b\n1,2,,\n") == [(2, {"a": "1", "b": "2"})]
    assert "line 2, field 'column 3': the row has 3 fields, the header names 2" in refusal("a,b\n1,2,3\n")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("", "x.csv, line 1, field 'header': the file is empty"),
        (b"\x00\x00\x00", "x.csv, line 1, field 'header': contains a NUL character"),
        ("a,b\n1,2\x00\n", "x.csv, line 2, field 'b': contains a NUL character"),
        ("a,a\n1,2\n", "x.csv, line 1, field 'a': the header names this column twice"),
        ("a,,b\n1,2,3\n", "x.csv, line 1, field 'column 2': the header leaves this column unnamed"),
    ],
)
def test_files_that_are_not_csv_tables(data, message):
    assert refusal(data).startswith(message)


def _shared_csvs() -> list[Path]:
    folder = shared_data_dir()
    return sorted((folder / "legal").glob("*.csv")) + sorted((folder / "substances").glob("*.csv"))


SHARED = {path.name: path.read_bytes() for path in _shared_csvs()}


@st.composite
def mutated(draw):
    """A real file with a few of its bytes replaced, inserted or deleted, or cut off."""
    name = draw(st.sampled_from(sorted(SHARED)))
    data = bytearray(SHARED[name])
    for _ in range(draw(st.integers(1, 6))):
        position = draw(st.integers(0, len(data)))
        kind = draw(st.sampled_from(["replace", "insert", "delete", "cut"]))
        byte = draw(st.sampled_from([0x00, 0x22, 0x2C, 0x0A, 0x0D, 0xFF, 0xD0, 0x80, 0xC3, 0x20, 0x41]))
        if kind == "replace" and position < len(data):
            data[position] = byte
        elif kind == "insert":
            data[position:position] = bytes([byte]) * draw(st.integers(1, 3))
        elif kind == "delete":
            del data[position : position + draw(st.integers(1, 40))]
        else:
            del data[position:]
    return name, bytes(data)


@pytest.mark.skipif(not SHARED, reason="shared data not found (set FDX_SHARED_DATA)")
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_real_files_give_rows_or_a_located_refusal(case):
    name, data = case
    try:
        reader = CsvRows(data, name)
        found = list(reader)
    except CsvFileError as exc:
        assert str(exc).startswith(f"{name}, line {exc.line}, field ")
        assert exc.line >= 1 and exc.field
        return
    lines = len(re.findall(rb"\r\n|\r|\n", data)) + 1  # as csv counts them
    for line, row in found:
        assert 1 < line <= lines
        assert list(row) == reader.header[: len(row)] and len(row) == len(reader.header)
        assert all(isinstance(value, str) and "\x00" not in value for value in row.values())
        assert not any("\udc80" <= char <= "\udcff" for value in row.values() for char in value)
