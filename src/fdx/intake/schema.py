"""FDX's import format: one row per finding, a column per field, headers in English or Russian.

The format is data (``COLUMNS``): each column's key (the field it fills), its headers in both languages,
what it means, its unit and its allowed values. The template a laboratory downloads, the documentation and
the reader of an uploaded file all come from it, so that they cannot drift apart.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from fdx.core.distribution import DistributionLevel
from fdx.examinations.choices import ExhibitForm, FindingRole, ResultType, SeizureContext

#: What level a row fills: the case (the same in every row of the case), the exhibit (the same in every
#: row of the exhibit), or the finding (its own row).
CASE, EXHIBIT, FINDING = "case", "exhibit", "finding"


@dataclass(frozen=True)
class Column:
    """One column of the import format."""

    key: str
    header_en: str
    header_ru: str
    level: str
    meaning: object  # a lazy translation
    kind: str = "text"  # text, date, decimal, mass_g, percent, integer, choice, codes
    required: bool = False
    choices: type | None = None  # a TextChoices of the allowed values
    example: str = ""

    def header(self, language: str) -> str:
        return self.header_ru if language == "ru" else self.header_en


COLUMNS: tuple[Column, ...] = (
    Column(
        "reference",
        "Laboratory case number",
        "Номер дела лаборатории",
        CASE,
        _("The laboratory's own case number: with the laboratory, it identifies the case on re-import."),
        required=True,
        example="KZ-2024-0117",
    ),
    Column(
        "agency_case_number",
        "Agency case number",
        "Номер дела органа",
        CASE,
        _("The case number of the police or customs body that submitted the exhibits."),
        example="УД-24-3381",
    ),
    Column(
        "seizure_date",
        "Seizure date",
        "Дата изъятия",
        CASE,
        _("The day of the seizure: YYYY-MM-DD or DD.MM.YYYY, or a date cell."),
        kind="date",
        required=True,
        example="2024-03-05",
    ),
    Column(
        "seizure_country",
        "Country of seizure",
        "Страна изъятия",
        CASE,
        _("ISO 3166-1 code of the country (KZ, KG, TJ, TM, UZ …)."),
        kind="country",
        required=True,
        example="KZ",
    ),
    Column(
        "seizure_region",
        "Region of seizure",
        "Регион изъятия",
        CASE,
        _("The region: its ISO 3166-2 code (KZ-75) or its name, valid on the seizure date."),
        kind="region",
        example="KZ-75",
    ),
    Column(
        "locality", "Locality", "Населённый пункт", CASE, _("Town or place of the seizure."), example="Almaty"
    ),
    Column(
        "seizure_context",
        "Seizure context",
        "Обстоятельства изъятия",
        CASE,
        _("Where the drugs were seized."),
        kind="choice",
        required=True,
        choices=SeizureContext,
        example=SeizureContext.INTERNAL,
    ),
    Column(
        "distribution_level",
        "Distribution level",
        "Уровень распространения",
        CASE,
        _("Who may see the case beyond the laboratory; own organisation when empty."),
        kind="choice",
        choices=DistributionLevel,
        example=DistributionLevel.NATIONAL,
    ),
    Column(
        "label",
        "Item number",
        "Номер объекта",
        EXHIBIT,
        _("The exhibit's item number within the case: with the case, it identifies the exhibit."),
        required=True,
        example="1",
    ),
    Column(
        "form",
        "Form",
        "Форма",
        EXHIBIT,
        _("The exhibit's physical form."),
        kind="choice",
        required=True,
        choices=ExhibitForm,
        example=ExhibitForm.CRYSTAL,
    ),
    Column("colour", "Colour", "Цвет", EXHIBIT, _("Colour, as seen."), example="white"),
    Column("logo", "Logo", "Логотип", EXHIBIT, _("Logo or imprint of tablets.")),
    Column(
        "unit_count",
        "Number of units",
        "Количество единиц",
        EXHIBIT,
        _("Tablets, blotters or capsules counted."),
        kind="integer",
    ),
    Column(
        "gross_mass_g",
        "Gross mass, g",
        "Масса брутто, г",
        EXHIBIT,
        _("With packaging, in grams (1,5 г, 1500 mg and 1.5 kg are read too)."),
        kind="mass_g",
        example="12.8",
    ),
    Column(
        "net_mass_g",
        "Net mass, g",
        "Масса нетто, г",
        EXHIBIT,
        _("Without packaging, in grams; at most the gross mass."),
        kind="mass_g",
        example="10.4",
    ),
    Column(
        "received_date",
        "Received by the laboratory",
        "Дата поступления в лабораторию",
        EXHIBIT,
        _("The day the laboratory received the exhibit."),
        kind="date",
        required=True,
        example="2024-03-06",
    ),
    Column(
        "completed_date",
        "Examination completed",
        "Дата окончания экспертизы",
        EXHIBIT,
        _("The day the examination was completed."),
        kind="date",
        example="2024-03-11",
    ),
    Column(
        "methods",
        "Methods",
        "Методы",
        EXHIBIT,
        _("Codes of the analytical methods used, separated by ';' (GC-MS; FTIR)."),
        kind="codes",
        example="GC-MS",
    ),
    Column("conclusion", "Conclusion", "Заключение", EXHIBIT, _("The examiner's conclusion.")),
    Column(
        "substance",
        "Substance",
        "Вещество",
        FINDING,
        _("The substance found: a name or synonym of the registry in any language, or its InChIKey."),
        kind="substance",
        required=True,
        example="methamphetamine",
    ),
    Column(
        "result_type",
        "Result type",
        "Вид результата",
        FINDING,
        _("Qualitative, or quantitative when the content was measured (the default when a purity is given)."),
        kind="choice",
        choices=ResultType,
        example=ResultType.QUANTITATIVE,
    ),
    Column(
        "role",
        "Role",
        "Роль",
        FINDING,
        _("The substance's role in the exhibit; main when empty."),
        kind="choice",
        choices=FindingRole,
        example=FindingRole.MAIN,
    ),
    Column(
        "purity_percent",
        "Purity, %",
        "Содержание, %",
        FINDING,
        _("Content in percent by mass (95, 95 %, 0,95 %)."),
        kind="percent",
        example="72.5",
    ),
)
BY_KEY = {column.key: column for column in COLUMNS}


def header_index() -> dict[str, str]:
    """Every header the format knows (keys, English and Russian headers), folded, to its column's key."""
    index: dict[str, str] = {}
    for column in COLUMNS:
        for header in (column.key, column.header_en, column.header_ru):
            index[fold(header)] = column.key
    return index


def fold(text: str) -> str:
    """A header or value as compared: case, spaces and the ё/е difference do not matter."""
    return " ".join(str(text).replace("ё", "е").replace("Ё", "Е").split()).casefold()


def allowed_values(column: Column) -> list[str]:
    return [str(choice) for choice in column.choices.values] if column.choices is not None else []


def template_rows(language: str) -> list[list[str]]:
    """The template's rows: the headers in ``language`` and an example row."""
    with override(language):
        headers = [column.header(language) for column in COLUMNS]
        example = [str(column.example) for column in COLUMNS]
        return [headers, example]


def template_csv(language: str) -> str:
    """The template as CSV (UTF-8 with a BOM, so that Excel opens Cyrillic right)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in template_rows(language):
        writer.writerow(row)
    return "\ufeff" + buffer.getvalue()


def template_xlsx(language: str) -> bytes:
    """The template as an XLSX workbook: the headers and an example row on the first sheet, and each
    column's meaning, whether it is required, and its allowed values on a second sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    with override(language):
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = str(_("Findings"))
        for row in template_rows(language):
            sheet.append(row)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        guide = workbook.create_sheet(str(_("Columns")))
        guide.append([str(_("Column")), str(_("Required")), str(_("Meaning")), str(_("Allowed values"))])
        for column in COLUMNS:
            guide.append(
                [
                    column.header(language),
                    str(_("yes")) if column.required else "",
                    str(column.meaning),
                    ", ".join(allowed_values(column)),
                ]
            )
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()
