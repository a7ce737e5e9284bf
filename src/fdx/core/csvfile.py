"""One reader for every CSV file FDX imports (substances, listings, structures to assess, reference data).

Python's ``csv`` module alone lets through what a hand-edited or badly exported file holds: bytes that are
not UTF-8 (a traceback, or text silently garbled by ``errors="replace"``), a field longer than 131,072
characters (``csv.Error`` without a line), a row cut short (its missing columns read as empty), a NUL
character (which PostgreSQL refuses to store). ``CsvRows`` refuses each with ``CsvFileError`` naming the file,
the line and the column, in the user's language, before the caller writes anything.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

from fdx.core.wording import translated as _

#: The longest field FDX reads; Python's default limit, now refused with the column named.
MAX_FIELD_CHARS = 131_072
# Python's own limit is raised past ours so that a long field reaches the check that names its column
# (``csv.Error`` says neither line nor column); the whole file is in memory already.
_PARSER_FIELD_LIMIT = 2**31 - 1
# A byte that is not UTF-8, as ``errors="surrogateescape"`` keeps it.
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")


class CsvFileError(ValueError):
    """A file that cannot be read as FDX's CSV; ``str()`` names the file, line and field."""

    def __init__(self, path, line: int, field: str, message: str):
        self.path, self.line, self.field, self.message = str(path), line, field, message
        super().__init__(located(path, line, field, message))


def located(path, line: int, field: str, message: str) -> str:
    """``file, line N, field 'x': message``, in the user's language."""
    return _("%(file)s, line %(line)s, field %(field)s: %(message)s") % {
        "file": Path(str(path)).name,
        "line": line,
        "field": repr(field),
        "message": message,
    }


def decode_text(data: bytes | str, path) -> str:
    """The text of a file's bytes (UTF-8, a byte-order mark dropped), or ``CsvFileError`` naming the line
    of the first byte that is not UTF-8."""
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    data = data.removeprefix(codecs.BOM_UTF8)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise CsvFileError(path, line, "file", _not_utf8(data[exc.start])) from None


def _not_utf8(byte: int) -> str:
    return _("is not UTF-8 text (byte 0x%(byte)s); save the file as UTF-8") % {"byte": f"{byte:02X}"}


def read_source(source) -> bytes | str:
    """The content of a path, an open file (binary or text) or bytes/str."""
    if isinstance(source, (bytes, str)):
        return source
    if isinstance(source, Path):
        return source.read_bytes()
    return source.read()


class CsvRows:
    """The rows of a CSV file with a header line, each checked, as ``(line, {column: value})``.

    Parameters
    ----------
    source : Path, bytes, str, or an open file (binary or text)
        The file. Bytes must be UTF-8 (a byte-order mark is dropped).
    path : str or Path
        The name the errors give the file.
    max_field_chars : int, optional
        The longest field accepted (``MAX_FIELD_CHARS``).

    Raises
    ------
    CsvFileError
        While reading the header (at construction) or a row (while iterating): bytes that are not UTF-8,
        a NUL character, a field too long, a row with fewer or more fields than the header, a column named
        twice, a file without a header, or what ``csv`` cannot parse (an unclosed quote).

    Notes
    -----
    Blank lines (spaces at most) are skipped; a line of commas is a row of empty fields. The line of a
    row is the line it starts on. Header names are stripped of blanks; values are given as they
    are. Extra fields that are all empty (a trailing comma) are allowed.
    """

    def __init__(self, source, path, *, max_field_chars: int = MAX_FIELD_CHARS):
        self.path = path
        self.max_field_chars = max_field_chars
        data = read_source(source)
        # Undecodable bytes become lone surrogates, so that the row and column holding them can be named.
        self._bad_bytes = False
        if isinstance(data, bytes):
            data = data.removeprefix(codecs.BOM_UTF8)
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                text = data.decode("utf-8", errors="surrogateescape")
                self._bad_bytes = True
        else:
            text = data.removeprefix("\ufeff")
        if csv.field_size_limit() < _PARSER_FIELD_LIMIT:
            csv.field_size_limit(_PARSER_FIELD_LIMIT)
        self._reader = csv.reader(io.StringIO(text, newline=""))
        self._last_line = 0
        first = self._next_row()
        if first is None:
            raise CsvFileError(path, 1, "header", _("the file is empty; its first line names the columns"))
        line, raw_header = first
        self.header_line = line
        self.header = [name.strip() for name in raw_header]
        for index, name in enumerate(self.header):
            self._check_value(name, line, "header")
            if not name and any(self.header[index:]):
                unnamed = _("the header leaves this column unnamed")
                raise CsvFileError(path, line, self._column(index), unnamed)
            if name and name in self.header[:index]:
                raise CsvFileError(path, line, name, _("the header names this column twice"))

    def _next_row(self) -> tuple[int, list[str]] | None:
        """The next non-blank row and the line it starts on; None at the end."""
        while True:
            start = self._last_line + 1
            try:
                row = next(self._reader)
            except StopIteration:
                return None
            except csv.Error as exc:
                raise CsvFileError(
                    self.path, start, "line", _("cannot be read as CSV: %(error)s") % {"error": exc}
                ) from None
            self._last_line = self._reader.line_num
            if len(row) > 1 or (row and row[0].strip()):  # a blank line (spaces at most) is no row
                return start, row

    def _check_value(self, value: str, line: int, column: str) -> None:
        if len(value) > self.max_field_chars:
            raise CsvFileError(
                self.path,
                line,
                column,
                _("is %(length)s characters long; FDX reads at most %(limit)s")
                % {"length": len(value), "limit": self.max_field_chars},
            )
        if "\x00" in value:
            raise CsvFileError(self.path, line, column, _("contains a NUL character"))
        bad = _ESCAPED_BYTE.search(value) if self._bad_bytes else None
        if bad is not None:
            raise CsvFileError(self.path, line, column, _not_utf8(ord(bad.group()) - 0xDC00))

    def _column(self, index: int) -> str:
        """The name of a column, or its position where the header leaves it unnamed or has none."""
        if index < len(self.header) and self.header[index]:
            return self.header[index]
        return _("column %(number)s") % {"number": index + 1}

    def __iter__(self) -> Iterator[tuple[int, dict[str, str]]]:
        width = len(self.header)
        while (found := self._next_row()) is not None:
            line, row = found
            for index, value in enumerate(row):
                self._check_value(value, line, self._column(index))
            if len(row) < width:
                raise CsvFileError(
                    self.path,
                    line,
                    self._column(len(row)),
                    _("is missing: the row has %(count)s fields, the header names %(expected)s")
                    % {"count": len(row), "expected": width},
                )
            if any(value.strip() for value in row[width:]):
                raise CsvFileError(
                    self.path,
                    line,
                    self._column(width),
                    _(
                        "the row has %(count)s fields, the header names %(expected)s; quote a value that "
                        "holds a comma"
                    )
                    % {"count": len(row), "expected": width},
                )
            yield line, dict(zip(self.header, row, strict=False))
