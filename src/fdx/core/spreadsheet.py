"""Cells for files that analysts open in a spreadsheet program (CSV, XLSX).

A text cell that begins with ``=``, ``+``, ``-`` or ``@`` is run as a formula by Excel and LibreOffice when
a CSV file is opened (CSV injection), and openpyxl stores such a string as a formula; a control character
makes openpyxl refuse to write the file. Names of substances and listings come from users of other
organisations, so every text cell goes through here.
"""

from __future__ import annotations

import re

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# What the XML of an XLSX file cannot hold (openpyxl's ILLEGAL_CHARACTERS_RE, without importing openpyxl).
_CONTROL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")


def text_cell(value):
    """A value safe to write in a CSV or XLSX cell: control characters removed, and a text that a
    spreadsheet would take for a formula kept as text (a leading apostrophe, as spreadsheets do)."""
    if not isinstance(value, str):
        return value
    value = _CONTROL.sub("", value)
    return "'" + value if value.startswith(_FORMULA_START) else value


def text_row(values) -> list:
    return [text_cell(value) for value in values]


def xlsx_row(values) -> list:
    """Values for an XLSX row: control characters removed. The caller marks the text cells as text
    (``data_type = "s"``), so no apostrophe is needed and none shows."""
    return [_CONTROL.sub("", value) if isinstance(value, str) else value for value in values]
