"""Reading an uploaded intake file (CSV or XLSX) into a header row and the rows under it, refusing bad files.

A laboratory's spreadsheet arrives as whatever its program wrote: UTF-8 with or without a byte-order mark, or
Windows-1251 from a Russian Excel; separated by commas, semicolons (Excel's CSV where the decimal separator
is a comma) or tabs; or an XLSX workbook with a hidden first sheet, dates, formulas and merged header cells.
``read_table`` turns each into the same ``Table`` and refuses, with ``IntakeFileError`` naming the file, the
row and the column, anything it cannot read faithfully: a file too large, a ZIP bomb posing as a workbook,
a file that is no spreadsheet at all, a header row it would have to guess. Nothing here knows what the
columns mean; mapping and validation come after.

The whole file is checked against ``max_bytes`` before it is read, and a workbook's ZIP directory against
the limits below before anything in it is decompressed.
"""

from __future__ import annotations

import codecs
import csv
import io
import logging
import re
import warnings
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.utils.translation import gettext as _

log = logging.getLogger(__name__)

#: A workbook may expand to at most this many times the largest upload, and never past the cap: real XLSX
#: files are XML compressed about 5–15 times, so a larger total is a bomb or nothing FDX could read in time.
MAX_EXPANSION = 20
MAX_UNCOMPRESSED_BYTES = 2**30
#: A single member compressed more than this is a bomb (deflate reaches about 1,000:1 on zeros; worksheet XML,
#: with a distinct reference in every cell, stays far below it). Members smaller than the floor are not
#: judged: a tiny, repetitive part (an empty style sheet) may compress well and harms nobody.
MAX_MEMBER_RATIO = 200
RATIO_FLOOR_BYTES = 2**20
#: More parts than any workbook has; a directory of millions of entries is a bomb of another kind.
MAX_MEMBERS = 10_000
#: The characters of a CSV file's start that the delimiter is guessed from.
SNIFF_CHARS = 64 * 1024
DELIMITERS = (",", ";", "\t")  # and "|", when a "sep=|" line names it

# Signatures of files that are often uploaded by mistake, to say what the file is instead.
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = (b"PK\x03\x04", b"PK\x05\x06")
_SIGNATURES = (
    (b"%PDF", "PDF"),
    (b"\x89PNG", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF8", "GIF"),
    (b"\x1f\x8b", "gzip"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"Rar!", "RAR"),
    (b"{\\rtf", "RTF"),
)
# Control characters no text file holds (tab, line feed, form feed and carriage return are allowed). A NUL
# also marks UTF-16 without a byte-order mark, and PostgreSQL refuses to store it.
_BINARY = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f]")
_WHITESPACE = re.compile(r"\s+")
_HIGH_BYTES = bytes(range(0x80, 0x100))
_UTF8_CYRILLIC = re.compile(rb"[\xd0\xd1][\x80-\xbf]")
# Excel writes, and reads, "sep=;" as a first line naming the delimiter
_SEP_HINT = re.compile(r"sep=([,;\t|])\r?\n")
_MARKUP = ("<?xml", "<!doctype", "<html")
# Number-format sections that show no time: quoted text and bracketed locale, colour or condition codes
# (``[$-ru-RU]``, ``[Red]``), which may contain the letters h and s. Elapsed time (``[h]``) stays.
_FORMAT_NOISE = re.compile(r'"[^"]*"|\\.|\[(?![hms]+\])[^\]]*\]', re.IGNORECASE)


class IntakeFileError(ValueError):
    """An uploaded file FDX refuses to read; the message says why and what to do, in the user's language.

    Attributes
    ----------
    filename : str
        The file's name as uploaded.
    line : int or None
        The row (XLSX) or line (CSV) as the user sees it, when the problem has one.
    column : str
        The column's letter as a spreadsheet shows it (A, B, ... AA), or "" for the whole file.
    message : str
        The reason, without the file's name.
    """

    def __init__(self, message: str, *, filename: str, line: int | None = None, column: str = ""):
        self.filename, self.line, self.column, self.message = filename, line, column, message
        super().__init__(f"{filename}: {message}")


@dataclass(frozen=True)
class SheetRow:
    """One row with a value: its number as the user sees it in the file and its cells by header.

    For CSV the number is the physical line where the record starts (a quoted field may span lines) and
    every cell is a ``str``; for XLSX it is the spreadsheet's row number and a cell is what the cell holds
    (``str``, ``int``, ``float``, ``bool``, ``datetime``, ``date``, ``time``, ``timedelta`` or ``None``).
    """

    line: int
    cells: dict[str, object]


@dataclass
class Table:
    """The header row and the non-empty rows under it of one uploaded file."""

    filename: str
    kind: str  # "csv" or "xlsx"
    headers: list[str]
    rows: list[SheetRow] = field(default_factory=list)
    encoding: str | None = None  # CSV: "utf-8", "utf-8-sig", "utf-16" or "cp1251"
    delimiter: str | None = None  # CSV: ",", ";" or "\t"
    sheet: str | None = None  # XLSX: the worksheet read


def read_table(handle, filename: str, *, max_bytes: int) -> Table:
    """Read an uploaded CSV or XLSX file into its headers and rows, or refuse it.

    Parameters
    ----------
    handle : binary file object
        The upload, seekable (Django's ``UploadedFile``, an open file, ``io.BytesIO``).
    filename : str
        The file's name as uploaded, for the messages. The content decides the format, not the extension.
    max_bytes : int
        The largest file accepted; a larger one is refused before it is read.

    Returns
    -------
    Table
        Headers stripped, with runs of whitespace (a line break in a header cell) made one space; the rows
        that have a value, each with its number as the user sees it and its raw cells by header.

    Raises
    ------
    IntakeFileError
        For every file it cannot read faithfully; nothing else for bad input.

    Notes
    -----
    The header row is the first row with a value. A header cell that is empty between other headers (a
    merged cell) is refused, as is a value in a column without a header and two columns with the same header
    (compared without regard to case), because any mapping FDX guessed for them could put a value in the
    wrong field. In an XLSX workbook the first visible worksheet is read, formulas as the values Excel last
    computed, a date cell shown without a time as a ``date``, and a percentage cell as the text it shows
    ("95%"), because its stored value (0.95) would otherwise read as 0.95 percent. A formula that no
    spreadsheet program has computed (a file written by a script) has no value to read and reads as ``None``.

    A CSV file is read as UTF-8 (with or without a byte-order mark), UTF-16 with a byte-order mark, or
    Windows-1251; a file mostly in UTF-8 with a line in another encoding is refused, naming that line, rather
    than read wholly as Windows-1251 and garbled. The delimiter is the one an Excel "sep=;" first line names,
    or else the one of comma, semicolon and tab that splits the file into the most consistent columns.
    """
    size = _size(handle)
    if size > max_bytes:
        raise IntakeFileError(
            _("The file is %(size)s; at most %(limit)s may be imported at once. Split it into smaller files.")
            % {"size": _bytes(size), "limit": _bytes(max_bytes)},
            filename=filename,
        )
    start = handle.read(8)
    handle.seek(0)
    if not start:
        raise IntakeFileError(_("The file is empty: it is not a CSV or XLSX file."), filename=filename)
    if start.startswith(_ZIP):
        return _read_xlsx(handle, filename, max_bytes=max_bytes)
    _refuse_known_binary(start, filename)
    return _read_csv(handle.read(), filename)


def _size(handle) -> int:
    try:
        handle.seek(0, io.SEEK_END)
        size = handle.tell()
        handle.seek(0)
    except (OSError, AttributeError, ValueError) as exc:  # a stream that cannot be measured is a caller's bug
        raise TypeError("read_table needs a seekable binary file") from exc
    return size


def _bytes(count: int) -> str:
    """A size as people read it: "1.5 MiB", "312 KiB", "900 bytes"."""
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if count >= scale:
            return f"{count / scale:.1f} {unit}"
    return _("%(count)s bytes") % {"count": count}


def _refuse_known_binary(start: bytes, filename: str) -> None:
    if start.startswith(_OLE2):
        raise IntakeFileError(
            _(
                "This is an old Excel (.xls) file or a password-protected workbook, not a CSV or XLSX file. "
                "Open it in Excel or LibreOffice and save it as XLSX, without a password."
            ),
            filename=filename,
        )
    for signature, kind in _SIGNATURES:
        if start.startswith(signature):
            raise _not_a_table(filename, kind)


def _not_a_table(filename: str, kind: str | None = None) -> IntakeFileError:
    if kind is None:
        message = _("This is not a CSV or XLSX file. Save the spreadsheet as XLSX or CSV and import that.")
    else:
        message = _(
            "This is a %(kind)s file, not a CSV or XLSX file. "
            "Save the spreadsheet as XLSX or CSV and import that."
        ) % {"kind": kind}
    return IntakeFileError(message, filename=filename)


# --- CSV ----------------------------------------------------------------------------------------------------


def _read_csv(data: bytes, filename: str) -> Table:
    text, encoding = _decode(data, filename)
    if text.lstrip().lower().startswith(_MARKUP):  # an HTML page or an "XML Spreadsheet 2003" saved as .csv
        raise _not_a_table(filename, "XML/HTML")
    hint = _SEP_HINT.match(text)
    if hint:  # Excel's "sep=;" first line names the delimiter; a blank line keeps the line numbers
        delimiter, text = hint.group(1), text[hint.end(1) :]
    else:
        delimiter = _sniff_delimiter(text)
    records = _csv_records(text, delimiter, filename)
    headers, rows = _headers_and_rows(records, filename, blank="")
    return Table(filename, "csv", headers, rows, encoding=encoding, delimiter=delimiter)


def _decode(data: bytes, filename: str) -> tuple[str, str]:
    """The text and the encoding it was read in.

    UTF-8 is tried strictly first: Windows-1251 text is almost never valid UTF-8, so success means UTF-8. Then
    Windows-1251, the encoding of Russian Windows and its Excel, which maps every byte but one to a character:
    the check for control characters is what tells a binary file from text. A file that is mostly UTF-8 with
    a few bytes of another encoding (two files pasted together) is refused rather than read as Windows-1251,
    which would silently turn all its UTF-8 Cyrillic into "РњРµС„...".
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text": UTF-16 with a byte-order mark
        return _text(data, "utf-16", filename), "utf-16"
    try:
        text = _text(data, "utf-8-sig", filename)
    except UnicodeDecodeError as exc:
        if _mostly_utf8_cyrillic(data):
            line = data.count(b"\n", 0, exc.start) + 1
            raise IntakeFileError(
                _(
                    "The file mixes UTF-8 with another encoding: this line is not UTF-8, "
                    "most of the file is. Save the whole file again as UTF-8."
                ),
                filename=filename,
                line=line,
            ) from None
    else:
        return text, "utf-8-sig" if data.startswith(codecs.BOM_UTF8) else "utf-8"
    try:
        return _text(data, "cp1251", filename), "cp1251"
    except UnicodeDecodeError:  # byte 0x98, the one Windows-1251 leaves undefined
        raise _not_a_table(filename) from None


def _text(data: bytes, encoding: str, filename: str) -> str:
    text = data.decode(encoding)
    if _BINARY.search(text):
        raise _not_a_table(filename)
    return text


def _mostly_utf8_cyrillic(data: bytes) -> bool:
    """Whether most bytes above ASCII pair up as UTF-8 Cyrillic letters (in Windows-1251 text, "Р" or "С"
    followed by a byte of 0x80–0xBF is a rare Ukrainian or Serbian letter after a capital)."""
    high = len(data) - len(data.translate(None, _HIGH_BYTES))
    pairs = len(_UTF8_CYRILLIC.findall(data))
    return high > 0 and 2 * pairs / high > 0.5


def _sniff_delimiter(text: str) -> str:
    """The delimiter that splits the header into most columns while the rows below keep the same count.

    ``csv.Sniffer`` guesses from character frequencies and is easily misled by decimal commas in a
    semicolon-separated file; here each candidate parses the file's start and the most consistent wins.
    """
    sample = text[:SNIFF_CHARS]
    if len(text) > SNIFF_CHARS:  # a record cut in the middle would count as an inconsistent one
        sample = sample[: max(sample.rfind("\n"), 0)]
    # When no candidate makes two columns (a one-column file, or one of nothing but delimiters), the most
    # frequent candidate is taken, so that a row of ";;;" reads as empty rather than as a value.
    best, best_score = max(DELIMITERS, key=sample.count), (0.0, 0)
    for delimiter in DELIMITERS:
        try:
            records = [r for r in csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter) if any(r)]
        except csv.Error:
            continue
        if not records or len(records[0]) < 2:
            continue
        width = len(records[0])
        score = (sum(len(r) == width for r in records) / len(records), width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _csv_records(text: str, delimiter: str, filename: str):
    """``(line, cells)`` for each record, the line being where the record starts."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records, end = [], 0
    try:
        for cells in reader:
            records.append((end + 1, cells))
            end = reader.line_num
    except csv.Error as exc:
        raise IntakeFileError(_csv_problem(exc), filename=filename, line=end + 1) from None
    return records


def _csv_problem(exc: csv.Error) -> str:
    # The csv module's own words are English and name no cell; say what the user can look for instead.
    if "field larger than field limit" in str(exc):
        return _("A cell on this line is longer than %(limit)s characters.") % {
            "limit": csv.field_size_limit()
        }
    # strict parsing refuses an unclosed quote instead of swallowing the rest of the file into one cell
    return _(
        "A quotation mark on this line is not closed, or text follows a closing quotation mark. "
        "Check the quotation marks on this line."
    )


# --- XLSX ---------------------------------------------------------------------------------------------------


def _read_xlsx(handle, filename: str, *, max_bytes: int) -> Table:
    _check_zip(handle, filename, max_bytes=max_bytes)
    handle.seek(0)
    try:
        from openpyxl import load_workbook

        with warnings.catch_warnings():
            # openpyxl warns about features it drops (data validation, conditional formats): none is data
            warnings.simplefilter("ignore")
            workbook = load_workbook(handle, read_only=True, data_only=True)
            try:
                return _read_sheet(workbook, filename)
            finally:
                workbook.close()
    except IntakeFileError:
        raise
    except Exception:  # a damaged workbook fails anywhere inside openpyxl, in any exception
        # kept for the operator: a bug of ours would otherwise hide behind "damaged"
        log.info("workbook %s refused as damaged", filename, exc_info=True)
        raise IntakeFileError(
            _(
                "This XLSX workbook is damaged and cannot be read. Open it in Excel or LibreOffice, "
                "save it again as XLSX and import that."
            ),
            filename=filename,
        ) from None


def _check_zip(handle, filename: str, *, max_bytes: int) -> None:
    """Refuse a ZIP that is no workbook, or that would expand past the limits, from its directory alone.

    The sizes in the directory can be trusted as bounds: ``zipfile`` stops a member's output at its declared
    size, and a member that lied about it then fails its CRC check (a damaged workbook).
    """
    try:
        with zipfile.ZipFile(handle) as archive:
            members = archive.infolist()
            names = {member.filename for member in members}
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError):
        raise IntakeFileError(
            _("This file starts like an XLSX workbook but is damaged (its ZIP structure cannot be read)."),
            filename=filename,
        ) from None
    if "mimetype" in names and "content.xml" in names:
        raise IntakeFileError(
            _(
                "This is an OpenDocument spreadsheet (.ods), not a CSV or XLSX file. "
                "Save it as XLSX in LibreOffice and import that."
            ),
            filename=filename,
        )
    if "[Content_Types].xml" not in names:
        raise _not_a_table(filename, "ZIP")
    limit = min(MAX_EXPANSION * max_bytes, MAX_UNCOMPRESSED_BYTES)
    total = sum(member.file_size for member in members)
    if len(members) > MAX_MEMBERS or total > limit:
        raise _bomb(filename, _("it would expand to %(size)s") % {"size": _bytes(total)})
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > RATIO_FLOOR_BYTES and ratio > MAX_MEMBER_RATIO:
            raise _bomb(
                filename,
                _("its part %(name)s is compressed %(ratio)s times")
                % {"name": member.filename, "ratio": int(ratio)},
            )


def _bomb(filename: str, reason: str) -> IntakeFileError:
    return IntakeFileError(
        _(
            "This file is refused as a ZIP bomb posing as an XLSX workbook: %(reason)s. "
            "No real workbook does that."
        )
        % {"reason": reason},
        filename=filename,
    )


def _read_sheet(workbook, filename: str) -> Table:
    sheet = next((ws for ws in workbook.worksheets if ws.sheet_state == "visible"), None)
    if sheet is None:
        raise IntakeFileError(_("The workbook has no visible worksheet."), filename=filename)
    # The dimension a program wrote into the sheet may be wrong (LIMS exports often say A1:A1): read all.
    sheet.reset_dimensions()
    records = ((line, [_cell_value(cell) for cell in row]) for line, row in enumerate(sheet.iter_rows(), 1))
    headers, rows = _headers_and_rows(records, filename, blank=None)
    return Table(filename, "xlsx", headers, rows, sheet=sheet.title)


def _cell_value(cell):
    """What the user sees in the cell, as a Python value (see ``read_table``'s notes)."""
    value = cell.value
    if value is None or isinstance(value, (str, bool)):
        return value
    number_format = cell.number_format or ""
    if isinstance(value, datetime) and not _shows_time(number_format):
        return value.date()
    if isinstance(value, (int, float)) and "%" in _FORMAT_NOISE.sub("", number_format):
        return _percent_text(value)
    return value


def _shows_time(number_format: str) -> bool:
    visible = _FORMAT_NOISE.sub("", number_format).lower()
    return "h" in visible or "s" in visible


def _percent_text(value: int | float) -> str:
    percent = Decimal(repr(value)) * 100
    text = format(percent.normalize(), "f") if percent else "0"
    return f"{text}%"


# --- header row and rows, for both kinds -------------------------------------------------------------------


def _is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _headers_and_rows(records, filename: str, *, blank) -> tuple[list[str], list[SheetRow]]:
    """The first non-empty record as the headers, and the non-empty records after it as rows.

    ``blank`` is what a missing cell of a short row reads as: "" in CSV, ``None`` in XLSX.
    """
    records = iter(records)  # the rows continue after the header row, from a list or from a sheet's stream
    header_line, header_cells = next(((n, c) for n, c in records if not all(map(_is_blank, c))), (None, None))
    if header_line is None:
        raise IntakeFileError(
            _("The file has no rows with a value, not even a header row."), filename=filename
        )
    named = _header_columns(header_cells, header_line, filename)
    rows = []
    for line, cells in records:
        if all(map(_is_blank, cells)):
            continue
        for index, value in enumerate(cells):
            if index not in named and not _is_blank(value):
                raise _no_header(filename, index, line)
        rows.append(SheetRow(line, {h: cells[i] if i < len(cells) else blank for i, h in named.items()}))
    return list(named.values()), rows


def _header_columns(cells: list, line: int, filename: str) -> dict[int, str]:
    """``{column index: header}``; a gap between headers or a repeated header is refused."""
    named = {i: _header_text(v) for i, v in enumerate(cells) if not _is_blank(v)}
    first, last = min(named), max(named)
    for index in range(first, last + 1):
        if index not in named:
            raise IntakeFileError(
                _(
                    "Header cell %(column)s%(line)s is empty between other headers: a merged or empty header "
                    "cell. Give every column its own header in one row (unmerge the cells)."
                )
                % {"column": _letter(index), "line": line},
                filename=filename,
                line=line,
                column=_letter(index),
            )
    seen: dict[str, int] = {}
    for index, header in named.items():
        key = header.casefold()
        if key in seen:
            raise IntakeFileError(
                _(
                    'Two columns have the header "%(header)s": %(first)s and %(second)s. '
                    "Give each its own header."
                )
                % {"header": header, "first": _letter(seen[key]), "second": _letter(index)},
                filename=filename,
                line=line,
                column=_letter(index),
            )
        seen[key] = index
    return named


def _no_header(filename: str, index: int, line: int) -> IntakeFileError:
    return IntakeFileError(
        _(
            "Column %(column)s has a value on this row but no header (a merged or empty header cell). "
            "Give the column a header, or remove its values."
        )
        % {"column": _letter(index)},
        filename=filename,
        line=line,
        column=_letter(index),
    )


def _header_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a year typed as a header reads 2024.0 from some writers
    elif isinstance(value, datetime):
        value = value.date() if value.time() == datetime.min.time() else value
    if isinstance(value, date):
        value = value.isoformat()
    return _WHITESPACE.sub(" ", str(value)).strip()


def _letter(index: int) -> str:
    """The spreadsheet letter of a 0-based column index: 0 → A, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters
