"""Reading uploaded intake files: what each kind of real spreadsheet becomes, and every bad file refused."""

from __future__ import annotations

import contextlib
import csv
import functools
import io
import random
import re
import zipfile
from datetime import date, datetime

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fdx.intake.reading import IntakeFileError, SheetRow, read_table
from fdx.testing.shared_data import shared_file

MB = 2**20


def read(data: bytes, filename: str = "upload.csv", max_bytes: int = 10 * MB):
    return read_table(io.BytesIO(data), filename, max_bytes=max_bytes)


def refusal(data: bytes, filename: str = "upload.csv", max_bytes: int = 10 * MB) -> IntakeFileError:
    with pytest.raises(IntakeFileError) as caught:
        read(data, filename, max_bytes)
    assert caught.value.filename == filename
    assert str(caught.value).startswith(f"{filename}: ")
    return caught.value


def workbook_bytes(build) -> bytes:
    """The bytes of an XLSX workbook that ``build(workbook)`` filled in."""
    workbook = openpyxl.Workbook()
    build(workbook)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def rewrite_member(xlsx: bytes, name: str, change) -> bytes:
    """The workbook with one part's XML passed through ``change`` (to write what openpyxl cannot)."""
    source, out = zipfile.ZipFile(io.BytesIO(xlsx)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            content = source.read(member)
            target.writestr(member.filename, change(content) if member.filename == name else content)
    return out.getvalue()


def sheet_rows(*rows):
    def build(workbook):
        for row in rows:
            workbook.active.append(row)

    return build


# --- CSV ----------------------------------------------------------------------------------------------------


def test_utf8_csv_without_bom():
    table = read("Номер,Вещество\n1,мефедрон\n".encode())

    assert (table.kind, table.encoding, table.delimiter) == ("csv", "utf-8", ",")
    assert table.headers == ["Номер", "Вещество"]
    assert table.rows == [SheetRow(2, {"Номер": "1", "Вещество": "мефедрон"})]
    assert table.sheet is None


def test_utf8_csv_with_bom_loses_the_bom_from_the_first_header():
    table = read("\ufeffНомер;Масса\n1;1,5\n".encode())

    assert table.encoding == "utf-8-sig"
    assert table.headers == ["Номер", "Масса"]


def test_windows_1251_semicolon_csv_from_a_russian_excel():
    data = "Номер дела;Масса, г;Чистота\n12/2024;1,5;95%\n13/2024;0,25;\n".encode("cp1251")

    table = read(data)

    assert (table.encoding, table.delimiter) == ("cp1251", ";")
    assert table.headers == ["Номер дела", "Масса, г", "Чистота"]
    assert [row.cells for row in table.rows] == [
        {"Номер дела": "12/2024", "Масса, г": "1,5", "Чистота": "95%"},
        {"Номер дела": "13/2024", "Масса, г": "0,25", "Чистота": ""},
    ]


def test_tab_separated_csv():
    table = read(b"case\tmass\tnote\nA-1\t1,5\tin a bag, sealed\n")

    assert table.delimiter == "\t"
    assert table.rows[0].cells == {"case": "A-1", "mass": "1,5", "note": "in a bag, sealed"}


def test_utf16_tab_text_as_excel_saves_unicode_text():
    data = "Вещество\tМасса\nα-PVP\t0,5\n".encode("utf-16")

    table = read(data)

    assert (table.encoding, table.delimiter) == ("utf-16", "\t")
    assert table.rows[0].cells == {"Вещество": "α-PVP", "Масса": "0,5"}


def test_a_quoted_field_with_line_breaks_and_the_line_where_each_record_starts():
    data = b'case,note\nA-1,"first line\nsecond line\nthird"\nA-2,plain\n'

    table = read(data)

    assert [(row.line, row.cells["note"]) for row in table.rows] == [
        (2, "first line\nsecond line\nthird"),
        (5, "plain"),
    ]


def test_windows_line_endings_count_one_line_each():
    table = read(b"a,b\r\n1,2\r\n\r\n3,4\r\n")

    assert [(row.line, row.cells) for row in table.rows] == [
        (2, {"a": "1", "b": "2"}),
        (4, {"a": "3", "b": "4"}),
    ]


def test_empty_rows_and_rows_of_delimiters_are_skipped_and_lines_keep_their_numbers():
    data = b"\n;;\ncase;mass\n;;\nA-1;1\n   ;  \nA-2;2\n\n"

    table = read(data)

    assert table.headers == ["case", "mass"]
    assert [(row.line, row.cells["case"]) for row in table.rows] == [(5, "A-1"), (7, "A-2")]


def test_headers_are_stripped_and_line_breaks_inside_them_made_spaces():
    table = read(b'" case ","mass,\n g"\nA-1,1\n')

    assert table.headers == ["case", "mass, g"]


def test_a_short_row_reads_its_missing_cells_as_empty_text():
    table = read(b"a;b;c\n1;2\n")

    assert table.rows[0].cells == {"a": "1", "b": "2", "c": ""}


def test_trailing_delimiters_of_an_excel_export_are_ignored_when_their_columns_are_empty():
    table = read(b"a;b;;\n1;2;;\n3;4;;\n")

    assert table.headers == ["a", "b"]
    assert table.rows[1].cells == {"a": "3", "b": "4"}


def test_semicolon_wins_over_the_decimal_commas_in_its_cells():
    table = read(b"mass;purity\n1,5;0,95\n2,25;12,5\n")

    assert table.delimiter == ";"
    assert table.rows[1].cells == {"mass": "2,25", "purity": "12,5"}


def test_a_single_column_file():
    table = read(b"substance\nheroin\ncocaine\n")

    assert table.headers == ["substance"]
    assert [row.cells["substance"] for row in table.rows] == ["heroin", "cocaine"]


def test_duplicate_headers_are_refused_naming_them_and_their_columns():
    error = refusal(b"case;Mass;note;mass\n1;2;3;4\n")

    assert (error.line, error.column) == (1, "D")
    assert error.message == 'Two columns have the header "mass": B and D. Give each its own header.'


def test_an_empty_header_between_headers_is_refused_as_merged_or_empty():
    error = refusal(b"case;;mass\n1;2;3\n")

    assert (error.line, error.column) == (1, "B")
    assert "merged or empty header cell" in error.message


def test_a_value_in_a_column_without_a_header_is_refused_on_its_row():
    error = refusal(b"case;mass\n1;2\n3;4;extra\n")

    assert (error.line, error.column) == (3, "C")
    assert "no header" in error.message and "merged or empty header cell" in error.message


def test_an_unclosed_quote_is_refused_with_its_line_instead_of_swallowing_the_file():
    error = refusal(b'case,note\nA-1,ok\nA-2,"never closed\nA-3,lost\n')

    assert error.line == 3
    assert error.message == (
        "A quotation mark on this line is not closed, or text follows a closing quotation mark. "
        "Check the quotation marks on this line."
    )


def test_an_overlong_cell_is_refused_with_its_line():
    # The limit is the csv module's, which is process-wide (``fdx.core.csvfile`` raises it): a small one here.
    previous = csv.field_size_limit(1000)
    try:
        error = refusal(b"case,note\nA-1,ok\nA-2," + b"x" * 1001 + b"\n")
    finally:
        csv.field_size_limit(previous)

    assert error.line == 3
    assert error.message == "A cell on this line is longer than 1000 characters."


def test_excel_s_sep_line_names_the_delimiter_and_keeps_the_line_numbers():
    table = read(b"sep=|\ncase|mass\nA-1|1,5\n")

    assert (table.delimiter, table.headers) == ("|", ["case", "mass"])
    assert table.rows == [SheetRow(3, {"case": "A-1", "mass": "1,5"})]


def test_a_utf8_file_with_a_line_of_windows_1251_is_refused_instead_of_garbled():
    data = "Номер;Вещество\n1;мефедрон\n".encode() + "2;героин\n".encode("cp1251") + "3;кокаин\n".encode()

    error = refusal(data)

    assert error.line == 3
    assert error.message.startswith("The file mixes UTF-8 with another encoding")


def test_a_file_with_only_empty_rows_is_refused():
    error = refusal(b"\n;;;\n\n")

    assert error.message == "The file has no rows with a value, not even a header row."


def test_real_unodc_seizure_table_with_quoted_quotes(tmp_path):
    path = shared_file("seizures/unodc_drug_seizures_2018_2022_central_asia.csv")
    with path.open("rb") as handle:
        table = read_table(handle, path.name, max_bytes=10 * MB)
    with path.open(newline="", encoding="utf-8") as handle:
        expected = list(csv.reader(handle))

    assert table.headers == expected[0]
    assert len(table.rows) == len(expected) - 1 == 239
    assert [list(row.cells.values()) for row in table.rows] == expected[1:]
    assert table.rows[0].cells["DrugSubGroup"] == 'Reported total "ecstasy"-type substances'


def test_real_unodc_table_as_a_russian_excel_would_save_it():
    """The same rows written with semicolons, decimal commas and Windows-1251 read back to the same cells."""
    path = shared_file("seizures/unodc_drug_seizures_2018_2022_central_asia.csv")
    with path.open(newline="", encoding="utf-8") as handle:
        expected = list(csv.reader(handle))
    russian = [[*row[:-1], row[-1].replace(".", ",")] for row in expected]
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(russian)

    table = read(out.getvalue().encode("cp1251"), "seizures.csv")

    assert (table.encoding, table.delimiter) == ("cp1251", ";")
    assert [list(row.cells.values()) for row in table.rows] == russian[1:]


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(
        st.lists(
            st.text(st.characters(codec="cp1251", exclude_categories=["Cc", "Cs"]), max_size=12),
            min_size=3,
            max_size=3,
        ),
        min_size=1,
        max_size=8,
    ),
    delimiter=st.sampled_from([",", ";", "\t"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1251"]),
)
def test_any_csv_written_by_python_reads_back_cell_for_cell(rows, delimiter, encoding):
    headers = ["Номер", "Масса, г", "Примечание"]
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=delimiter).writerows([headers, *rows])

    table = read(out.getvalue().encode(encoding))

    assert table.headers == headers
    kept = [row for row in rows if any(cell.strip() for cell in row)]
    assert [list(row.cells.values()) for row in table.rows] == kept


# --- XLSX ---------------------------------------------------------------------------------------------------


def test_xlsx_values_keep_their_types_and_rows_their_numbers():
    data = workbook_bytes(
        sheet_rows(
            [None, None],
            ["Case", "Mass, g", "Units", "Seized", "Note"],
            ["12/2024", 1.5, 3, date(2024, 3, 5), "in a bag"],
            [None, None, None, None, "   "],
            ["13/2024", "1,5 г", None, datetime(2024, 3, 6, 14, 30), None],
        )
    )

    table = read(data, "lab.xlsx")

    assert (table.kind, table.sheet, table.encoding, table.delimiter) == ("xlsx", "Sheet", None, None)
    assert table.headers == ["Case", "Mass, g", "Units", "Seized", "Note"]
    assert table.rows == [
        SheetRow(
            3, {"Case": "12/2024", "Mass, g": 1.5, "Units": 3, "Seized": date(2024, 3, 5), "Note": "in a bag"}
        ),
        SheetRow(
            5,
            {
                "Case": "13/2024",
                "Mass, g": "1,5 г",
                "Units": None,
                "Seized": datetime(2024, 3, 6, 14, 30),
                "Note": None,
            },
        ),
    ]


def test_a_date_cell_shown_without_time_is_a_date_whatever_its_format():
    def build(workbook):
        sheet = workbook.active
        sheet.append(["Seized", "Examined"])
        sheet.append([datetime(2024, 3, 5, 0, 0), datetime(2024, 3, 7, 9, 15)])
        sheet["A2"].number_format = "DD.MM.YYYY"
        sheet["B2"].number_format = '[$-ru-RU]DD MMMM YYYY "г."'

    table = read(workbook_bytes(build), "lab.xlsx")

    assert table.rows[0].cells == {"Seized": date(2024, 3, 5), "Examined": date(2024, 3, 7)}


def test_a_percentage_cell_reads_as_the_percentage_it_shows():
    def build(workbook):
        sheet = workbook.active
        sheet.append(["Purity", "Share"])
        sheet.append([0.955, 1])
        sheet["A2"].number_format = "0.0%"
        sheet["B2"].number_format = "0%"

    table = read(workbook_bytes(build), "lab.xlsx")

    assert table.rows[0].cells == {"Purity": "95.5%", "Share": "100%"}


def test_a_formula_reads_as_the_value_excel_last_computed():
    data = workbook_bytes(sheet_rows(["Net", "Gross"], [3, "=A2*2"]))
    # openpyxl writes no cached value; Excel would have written <v>6</v>
    data = rewrite_member(data, "xl/worksheets/sheet1.xml", lambda xml: xml.replace(b"<v></v>", b"<v>6</v>"))

    table = read(data, "lab.xlsx")

    assert table.rows[0].cells == {"Net": 3, "Gross": 6}


def test_hidden_sheets_are_skipped_for_the_first_visible_one():
    def build(workbook):
        hidden = workbook.active
        hidden.title = "Lists"
        hidden.append(["forms"])
        hidden.append(["powder"])
        hidden.sheet_state = "hidden"
        very_hidden = workbook.create_sheet("Macro")
        very_hidden.append(["x"])
        very_hidden.sheet_state = "veryHidden"
        data = workbook.create_sheet("Findings")
        data.append(["Case", "Substance"])
        data.append(["12/2024", "мефедрон"])
        workbook.create_sheet("Notes").append(["not read"])

    table = read(workbook_bytes(build), "lab.xlsx")

    assert table.sheet == "Findings"
    assert table.rows == [SheetRow(2, {"Case": "12/2024", "Substance": "мефедрон"})]


def test_a_workbook_whose_sheets_are_all_hidden_is_refused():
    def build(workbook):
        workbook.active.append(["a"])
        workbook.active.sheet_state = "hidden"
        workbook.create_sheet("Other").append(["b"])

    # openpyxl refuses to save a workbook with no visible sheet; other programs write one anyway
    data = rewrite_member(
        workbook_bytes(build),
        "xl/workbook.xml",
        lambda xml: re.sub(rb'(name="Other"[^>]*)state="visible"', rb'\1state="hidden"', xml),
    )

    error = refusal(data, "lab.xlsx")

    assert error.message == "The workbook has no visible worksheet."


def test_a_merged_header_cell_between_headers_is_refused_naming_its_column():
    def build(workbook):
        sheet = workbook.active
        sheet.append(["Case", "Mass", None, "Seized"])
        sheet.append(["12/2024", 1.5, 1.4, date(2024, 3, 5)])
        sheet.merge_cells("B1:C1")

    error = refusal(workbook_bytes(build), "lab.xlsx")

    assert (error.line, error.column) == (1, "C")
    assert error.message == (
        "Header cell C1 is empty between other headers: a merged or empty header cell. "
        "Give every column its own header in one row (unmerge the cells)."
    )


def test_a_merged_header_cell_at_the_end_is_refused_on_the_first_row_with_a_value_under_it():
    def build(workbook):
        sheet = workbook.active
        sheet.append(["Case", "Mass, gross and net"])
        sheet.append(["12/2024", 1.5])
        sheet.append(["13/2024", 1.5, 1.4])
        sheet.merge_cells("B1:C1")

    error = refusal(workbook_bytes(build), "lab.xlsx")

    assert (error.line, error.column) == (3, "C")
    assert "merged or empty header cell" in error.message


def test_duplicate_headers_in_a_workbook_are_refused():
    error = refusal(
        workbook_bytes(sheet_rows(["Substance", "Mass", "substance "], ["a", 1, "b"])), "lab.xlsx"
    )

    assert (error.line, error.column) == (1, "C")
    assert '"substance"' in error.message and "A and C" in error.message


def test_a_wrong_dimension_written_by_a_lims_does_not_hide_cells():
    data = workbook_bytes(sheet_rows(["Case", "Mass"], ["12/2024", 1.5], ["13/2024", 2]))
    data = rewrite_member(
        data,
        "xl/worksheets/sheet1.xml",
        lambda xml: re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:A1"/>', xml),
    )

    table = read(data, "lims.xlsx")

    assert [row.cells for row in table.rows] == [
        {"Case": "12/2024", "Mass": 1.5},
        {"Case": "13/2024", "Mass": 2},
    ]


# --- refusals -----------------------------------------------------------------------------------------------


class UnreadableHandle(io.BytesIO):
    """A file that fails the test if it is read: a too-large file must be refused from its size alone."""

    def read(self, *args):
        raise AssertionError("the file was read")


def test_a_file_larger_than_the_limit_is_refused_before_it_is_read():
    handle = UnreadableHandle(b"x" * (3 * MB))

    with pytest.raises(IntakeFileError) as caught:
        read_table(handle, "huge.csv", max_bytes=2 * MB)

    assert caught.value.message == (
        "The file is 3.0 MiB; at most 2.0 MiB may be imported at once. Split it into smaller files."
    )


def test_a_file_of_exactly_the_limit_is_read():
    data = b"a\n" + b"1\n" * 49

    assert len(read(data, max_bytes=len(data)).rows) == 49


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "This is a PDF file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "This is a PNG file"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "This is a JPEG file"),
        (b"\x1f\x8b\x08\x00" + bytes(20), "This is a gzip file"),
        (b"<!DOCTYPE html><html><body>Report</body></html>", "This is a XML/HTML file"),
        (
            b'<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">',
            "This is a XML/HTML file",
        ),
        (random.Random(14).randbytes(4096), "This is not a CSV or XLSX file"),
        ("case\tmass\n".encode("utf-16-le"), "This is not a CSV or XLSX file"),
        (b"case,mass\n1,\x002\n", "This is not a CSV or XLSX file"),
    ],
)
def test_files_that_are_not_spreadsheets_are_refused(data, what):
    error = refusal(data)

    assert error.message.startswith(what)
    assert "not a CSV or XLSX file" in error.message
    assert (error.line, error.column) == (None, "")


def test_an_empty_file_is_refused():
    assert refusal(b"").message == "The file is empty: it is not a CSV or XLSX file."


def test_an_old_excel_xls_file_is_refused_with_what_to_do():
    biff = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + b"W\x00o\x00r\x00k\x00b\x00o\x00o\x00k"

    error = refusal(biff, "old.xls")

    assert error.message.startswith("This is an old Excel (.xls) file or a password-protected workbook")
    assert "save it as XLSX" in error.message


def test_a_zip_that_is_not_a_workbook_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("photos/seizure.jpg", b"\xff\xd8\xff")

    assert refusal(out.getvalue(), "evidence.zip").message.startswith(
        "This is a ZIP file, not a CSV or XLSX file"
    )


def test_an_opendocument_spreadsheet_is_refused_with_what_to_do():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")

    assert refusal(out.getvalue(), "lab.ods").message.startswith("This is an OpenDocument spreadsheet (.ods)")


def test_a_truncated_workbook_is_refused_as_damaged():
    data = workbook_bytes(sheet_rows(["a"], [1]))

    error = refusal(data[: len(data) // 2], "cut.xlsx")

    assert "damaged" in error.message


def test_a_workbook_with_a_corrupt_part_is_refused_as_damaged():
    data = workbook_bytes(sheet_rows(["Case", "Mass"], *[[f"{n}/2024", n] for n in range(200)]))
    archive = zipfile.ZipFile(io.BytesIO(data))
    sheet = archive.getinfo("xl/worksheets/sheet1.xml")
    start = sheet.header_offset + 30 + len(sheet.filename.encode()) + len(sheet.extra)
    corrupt = bytearray(data)
    for offset in range(start + 10, start + sheet.compress_size - 10):
        corrupt[offset] ^= 0x5A

    error = refusal(bytes(corrupt), "corrupt.xlsx")

    assert error.message.startswith("This XLSX workbook is damaged and cannot be read.")


def test_a_workbook_with_an_xml_entity_bomb_is_refused_as_damaged():
    entities = "".join(f'<!ENTITY e{n} "{f"&e{n - 1};" * 10 if n else "lol"}">' for n in range(9))
    bomb = f'<?xml version="1.0"?><!DOCTYPE worksheet [{entities}]>'.encode()

    def add_doctype(xml: bytes) -> bytes:
        return bomb + xml.replace(b"<t>Case</t>", b"<t>&e8;</t>")

    data = workbook_bytes(sheet_rows(["Case"], ["1"]))
    # openpyxl wrote inline strings; put the bomb in the sheet that holds them
    data = rewrite_member(data, "xl/worksheets/sheet1.xml", add_doctype)

    assert "damaged" in refusal(data, "bomb.xlsx").message


def zip_bomb(member_bytes: int, *, members: int = 1) -> bytes:
    """A ZIP posing as a workbook ([Content_Types].xml first) with members of zeros, written in chunks."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        for number in range(members):
            with archive.open(f"xl/worksheets/sheet{number + 1}.xml", "w", force_zip64=True) as member:
                for _ in range(member_bytes // MB):
                    member.write(bytes(MB))
    return out.getvalue()


def test_a_zip_bomb_is_refused_by_its_total_size_before_anything_is_decompressed():
    data = zip_bomb(50 * MB)
    assert len(data) < 100_000

    error = refusal(data, "bomb.xlsx", max_bytes=MB)

    assert error.message == (
        "This file is refused as a ZIP bomb posing as an XLSX workbook: it would expand to 50.0 MiB. "
        "No real workbook does that."
    )


def test_a_zip_bomb_is_refused_by_the_compression_of_one_part():
    data = zip_bomb(2 * MB)

    error = refusal(data, "bomb.xlsx", max_bytes=MB)  # 2 MiB expanded is within 20 × 1 MiB

    assert re.fullmatch(
        r"This file is refused as a ZIP bomb posing as an XLSX workbook: "
        r"its part xl/worksheets/sheet1.xml is compressed \d+ times. No real workbook does that.",
        error.message,
    )


def test_a_zip_of_too_many_parts_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        for number in range(10_001):
            archive.writestr(f"x/{number}", b"")

    assert "ZIP bomb" in refusal(out.getvalue(), "parts.xlsx").message


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2048))
def test_arbitrary_bytes_read_or_are_refused_with_an_intake_file_error(data):
    try:
        table = read(data, "fuzz.csv", max_bytes=4096)
    except IntakeFileError:
        return
    assert table.kind == "csv"


@functools.cache
def small_workbook() -> bytes:
    """One workbook for every example (openpyxl writes the time of saving into the file)."""
    return workbook_bytes(sheet_rows(["Case", "Mass"], ["12/2024", 1.5]))


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_a_damaged_workbook_never_raises_anything_but_an_intake_file_error(data):
    original = bytearray(small_workbook())
    for _ in range(data.draw(st.integers(1, 8))):
        offset = data.draw(st.integers(0, len(original) - 1))
        original[offset] = data.draw(st.integers(0, 255))

    with contextlib.suppress(IntakeFileError):
        read(bytes(original), "fuzz.xlsx")
