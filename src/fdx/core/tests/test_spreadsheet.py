from hypothesis import given
from hypothesis import strategies as st

from fdx.core.spreadsheet import text_cell, text_row, xlsx_row


def test_a_formula_stays_text_and_control_characters_go():
    assert text_cell('=HYPERLINK("http://evil","x")') == '\'=HYPERLINK("http://evil","x")'
    assert text_row(["+1", "-2", "@SUM(A1)", "Probe\x0bname", 3, None]) == [
        "'+1",
        "'-2",
        "'@SUM(A1)",
        "Probename",
        3,
        None,
    ]
    assert text_cell("4-CMC") == "4-CMC"


@given(st.text())
def test_no_cell_starts_a_formula_or_holds_a_control_character(value):
    cell = text_cell(value)

    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert not any(ord(c) < 32 and c not in "\n\r\t" for c in cell)


def test_an_xlsx_row_loses_only_its_control_characters():
    assert xlsx_row(["=SUM(A1)", "Probe\x0bname", 2]) == ["=SUM(A1)", "Probename", 2]
