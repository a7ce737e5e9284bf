"""From the rows of an uploaded file to complete case records, through a laboratory's mapping.

Each row is one finding. Its cells are read through the mapping (which file column fills which field, in
which unit, which local value means which FDX value, which local name means which registry substance) and
parsed (``fdx.intake.values``); the rows of one case number make one case, those of one item number one
exhibit with its examination. A case value that differs between the rows of its case, or an exhibit value
between the rows of its exhibit, is a problem of the later row. Every problem names the file, the row as
the user sees it, the column and the value. The records built here are checked and written by the
examinations app's bulk path (``fdx.examinations.bulk``), with the same rules as the web forms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import override

from fdx.core.distribution import DistributionLevel
from fdx.examinations import bulk
from fdx.examinations.choices import ExaminationStatus, FindingRole, ResultType
from fdx.examinations.models import AnalyticalMethod
from fdx.geo.models import Country, Region
from fdx.intake import schema, values
from fdx.intake.reading import Table
from fdx.substances.models import Substance
from fdx.substances.selectors import resolve_substance


@dataclass(frozen=True)
class IntakeProblem:
    """One thing wrong with an uploaded file: where (file, row as the user sees it, column) and why."""

    file: str
    line: int | None
    column: str
    value: str
    message: str

    def as_dict(self) -> dict:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "value": self.value,
            "message": self.message,
        }

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        column = f", {self.column}" if self.column else ""
        value = f" = {self.value}" if self.value else ""
        return f"{where}{column}{value}: {self.message}"


@dataclass
class Mapping:
    """How a laboratory's files differ from the template (``fdx.intake.models.ImportMapping`` holds it):
    file column → field key; a field's unit (mg, g or kg for masses, fraction for a purity given as 0.95);
    a field's local values → FDX values; local substance names → registry substances (global ids)."""

    columns: dict[str, str] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    substances: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: dict | None) -> Mapping:
        data = data or {}
        return cls(
            columns=dict(data.get("columns") or {}),
            units=dict(data.get("units") or {}),
            values={key: dict(table) for key, table in (data.get("values") or {}).items()},
            substances=dict(data.get("substances") or {}),
        )

    def as_json(self) -> dict:
        return {
            "columns": self.columns,
            "units": self.units,
            "values": self.values,
            "substances": self.substances,
        }


@dataclass
class Located:
    """Where each part of a built case came from: the file row of the case, of each exhibit and of each
    finding, and the file column of each field."""

    case_line: int
    exhibit_lines: list[int] = field(default_factory=list)
    finding_lines: list[list[int]] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)  # every row of the case


@dataclass
class Reading:
    """What a file's rows came to: the cases built (with where each came from), the problems, the names no
    registry substance was found for, and the file's columns that fill no field."""

    specs: list[bulk.CaseSpec] = field(default_factory=list)
    located: list[Located] = field(default_factory=list)
    problems: list[IntakeProblem] = field(default_factory=list)
    unresolved_names: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)  # field key → the file's header
    rows: int = 0


def match_columns(headers: list[str], mapping: Mapping) -> tuple[dict[str, str], list[str]]:
    """Which file header fills which field (the mapping first, then the template's English and Russian
    headers), and the headers that fill none."""
    known = schema.header_index()
    chosen = {schema.fold(header): key for header, key in mapping.columns.items() if key in schema.BY_KEY}
    columns: dict[str, str] = {}
    ignored = []
    for header in headers:
        key = chosen.get(schema.fold(header)) or known.get(schema.fold(header))
        if key is None or key in columns:
            ignored.append(header)
        else:
            columns[key] = header
    return columns, ignored


class RowReader:
    """Reads a file's rows into case records for one laboratory and examiner."""

    def __init__(self, table: Table, mapping: Mapping, *, laboratory, examiner):
        self.table = table
        self.mapping = mapping
        self.laboratory = laboratory
        self.examiner = examiner
        self.reading = Reading(rows=len(table.rows))
        self._substances: dict[str, Substance | None] = {}
        self._spellings: dict[str, str] = {}
        self._countries: dict[str, Country | None] = {}
        self._regions: dict[tuple[str, str], Region | None] = {}
        self._methods = _method_index()
        self._choices: dict[str, dict[str, str]] = {}

    def read(self) -> Reading:
        reading = self.reading
        reading.columns, reading.ignored_columns = match_columns(self.table.headers, self.mapping)
        missing = [c for c in schema.COLUMNS if c.required and c.key not in reading.columns]
        for column in missing:
            self._problem(
                getattr(self.table, "header_line", 1),
                column.header_en,
                "",
                _("The file has no column %(en)s («%(ru)s»), and the mapping names none for it.")
                % {"en": column.header_en, "ru": column.header_ru},
            )
        if missing:
            return reading
        cases: dict[str, _CaseRows] = {}
        unread: dict[str, list[int]] = {}  # rows that could not be read, by the case number they give
        for row in self.table.rows:
            parsed = self._parse(row)
            if parsed is None:
                reference = _plain_text(row.cells.get(reading.columns["reference"]))
                unread.setdefault(reference, []).append(row.line)
                continue
            group = cases.get(parsed["reference"])
            if group is None:
                group = cases[parsed["reference"]] = _CaseRows(row.line, parsed)
            else:
                self._same(group.first_line, group.values, parsed, row.line, schema.CASE)
            group.add(row.line, parsed, self)
        for reference, group in cases.items():
            spec, located = group.build(self)
            located.lines.extend(unread.get(reference, []))  # a case is refused with its unreadable rows
            reading.specs.append(spec)
            reading.located.append(located)
        reading.unresolved_names = sorted(
            self._spellings[key] for key, substance in self._substances.items() if substance is None and key
        )
        return reading

    # One row

    def _parse(self, row) -> dict | None:
        """The row's values by field key (None when a value could not be read: its problem is recorded)."""
        parsed: dict[str, object] = {}
        ok = True
        for key, header in self.reading.columns.items():
            raw = row.cells.get(header)
            column = schema.BY_KEY[key]
            try:
                parsed[key] = self._value(column, raw, parsed)
            except values.ValueProblem as exc:
                self._problem(row.line, header, _text(raw), str(exc))
                ok = False
                continue
            if column.required and parsed[key] in (None, ""):
                self._problem(row.line, header, "", _("This column needs a value."))
                ok = False
        return parsed if ok else None

    def _value(self, column: schema.Column, raw, parsed: dict):
        kind = column.kind
        if kind == "date":
            return values.parse_date(raw) if not _blank(raw) else None
        if kind == "mass_g":
            unit = self.mapping.units.get(column.key, "g")
            return values.parse_mass_g(raw, default_unit=unit) if not _blank(raw) else None
        if kind == "percent":
            if _blank(raw):
                return None
            if self.mapping.units.get(column.key) == "fraction":
                fraction = values.parse_decimal(raw)
                return values.parse_percent(fraction * 100)
            return values.parse_percent(raw)
        if kind == "integer":
            return values.parse_int(raw) if not _blank(raw) else None
        text = values.parse_text(raw)
        if kind == "choice":
            return self._choice(column, text)
        if kind == "country":
            return self._country(text)
        if kind == "region":
            return self._region(text, parsed.get("seizure_country"))
        if kind == "codes":
            return self._codes(text)
        if kind == "substance":
            return self._substance(text)
        return text

    def _choice(self, column: schema.Column, text: str):
        if not text:
            return ""
        index = self._choices.get(column.key)
        if index is None:
            index = self._choices[column.key] = _choice_index(column, self.mapping)
        found = index.get(schema.fold(text))
        if found is not None:
            return found
        raise values.ValueProblem(
            _("%(value)s is not one of: %(allowed)s.")
            % {"value": text, "allowed": ", ".join(schema.allowed_values(column))}
        )

    def _country(self, text: str) -> Country | None:
        if not text:
            return None
        key = schema.fold(text)
        if key not in self._countries:
            found = Country.objects.filter(code=text.upper()).first() if len(text) == 2 else None
            found = found or Country.objects.filter(name_en__iexact=text).first()
            found = found or Country.objects.filter(name_ru__iexact=text).first()
            self._countries[key] = found
        if self._countries[key] is None:
            raise values.ValueProblem(_("No country has the code or name %(value)s.") % {"value": text})
        return self._countries[key]

    def _region(self, text: str, country: Country | None) -> Region | None:
        if not text:
            return None
        key = (schema.fold(text), country.pk if country else "")
        if key not in self._regions:
            found = Region.objects.filter(code=text.upper()).first()
            if found is None and country is not None:
                named = Region.objects.filter(country=country)
                found = (
                    named.filter(name_en__iexact=text).first() or named.filter(name_ru__iexact=text).first()
                )
            self._regions[key] = found
        if self._regions[key] is None:
            raise values.ValueProblem(_("No region has the code or name %(value)s.") % {"value": text})
        return self._regions[key]

    def _codes(self, text: str) -> list[AnalyticalMethod]:
        found = []
        for part in re.split(r"[;,]", text):
            if not part.strip():
                continue
            method = self._methods.get(schema.fold(part))
            if method is None:
                raise values.ValueProblem(
                    _("No analytical method is called %(value)s.") % {"value": part.strip()}
                )
            found.append(method)
        return found

    def _substance(self, text: str) -> Substance | None:
        key = schema.fold(text)
        if key not in self._substances:
            self._substances[key] = self._find_substance(text)
            self._spellings[key] = text  # the file's own spelling, as the user will look for it
        substance = self._substances[key]
        if substance is None:
            raise values.ValueProblem(
                _("No substance of the registry is called %(value)s: map the name to one.") % {"value": text}
            )
        return substance

    def _find_substance(self, text: str) -> Substance | None:
        mapped = {schema.fold(k): v for k, v in self.mapping.substances.items()}
        if schema.fold(text) in mapped:
            return Substance.objects.filter(global_id=mapped[schema.fold(text)]).first()
        try:
            return resolve_substance(text)
        except ValidationError:
            return None

    # Problems

    def _same(self, first_line: int, first: dict, parsed: dict, line: int, level: str) -> None:
        """A value of the case (or exhibit) that differs from its first row's is a problem of this row."""
        for key, value in parsed.items():
            column = schema.BY_KEY[key]
            if column.level != level or first.get(key) == value:
                continue
            self._problem(
                line,
                self.reading.columns[key],
                _text(value),
                (
                    _("Differs from row %(row)s of the same case (%(value)s).")
                    if level == schema.CASE
                    else _("Differs from row %(row)s of the same exhibit (%(value)s).")
                )
                % {"row": first_line, "value": _text(first.get(key))},
            )

    def _problem(self, line: int | None, column: str, value: str, message: str) -> None:
        self.reading.problems.append(IntakeProblem(self.table.filename, line, column, value, message))


class _CaseRows:
    """The rows of one case number, by exhibit."""

    def __init__(self, first_line: int, first: dict):
        self.first_line = first_line
        self.values = first
        self.exhibits: dict[str, list[tuple[int, dict]]] = {}

    def add(self, line: int, parsed: dict, reader: RowReader) -> None:
        rows = self.exhibits.setdefault(parsed["label"], [])
        if rows:
            reader._same(rows[0][0], rows[0][1], parsed, line, schema.EXHIBIT)
        rows.append((line, parsed))

    def build(self, reader: RowReader) -> tuple[bulk.CaseSpec, Located]:
        first = self.values
        spec = bulk.CaseSpec(
            owner=reader.laboratory,
            examiner=reader.examiner,
            reviewer=None,
            reference=first["reference"],
            seizure_date=first["seizure_date"],
            seizure_country=first["seizure_country"],
            seizure_region=first.get("seizure_region"),
            locality=first.get("locality") or "",
            seizure_context=first["seizure_context"],
            distribution_level=first.get("distribution_level") or DistributionLevel.ORGANISATION,
            agency_case_number=first.get("agency_case_number") or "",
        )
        located = Located(self.first_line)
        for rows in self.exhibits.values():
            line, head = rows[0]
            exhibit = bulk.ExhibitSpec(
                label=head["label"],
                form=head["form"],
                colour=head.get("colour") or "",
                logo=head.get("logo") or "",
                unit_count=head.get("unit_count"),
                gross_mass_g=head.get("gross_mass_g"),
                net_mass_g=head.get("net_mass_g"),
                received_date=head.get("received_date"),
                completed_date=head.get("completed_date"),
                methods=head.get("methods") or [],
                conclusion=head.get("conclusion") or "",
                status=ExaminationStatus.DRAFT,
            )
            for _line, values_ in rows:
                purity: Decimal | None = values_.get("purity_percent")
                exhibit.findings.append(
                    bulk.FindingSpec(
                        substance=values_["substance"],
                        result_type=values_.get("result_type")
                        or (ResultType.QUANTITATIVE if purity is not None else ResultType.QUALITATIVE),
                        role=values_.get("role") or FindingRole.MAIN,
                        purity_percent=purity,
                    )
                )
            spec.exhibits.append(exhibit)
            located.exhibit_lines.append(line)
            located.finding_lines.append([row_line for row_line, _values in rows])
            located.lines.extend(row_line for row_line, _values in rows)
        return spec, located


def locate(problem: bulk.BulkProblem, located: Located, columns: dict[str, str]) -> tuple[int, str]:
    """The file row and column of a problem the bulk checks found in a built case (``field`` is a path such
    as ``exhibits[2].findings[1].purity_percent``)."""
    match = re.fullmatch(r"(?:exhibits\[(\d+)\]\.)?(?:findings\[(\d+)\]\.)?(\w+)", problem.field)
    if match is None:
        return located.case_line, problem.field
    exhibit, finding, name = match.groups()
    line = located.case_line
    if exhibit is not None:
        index = int(exhibit) - 1
        line = located.exhibit_lines[index]
        if finding is not None:
            line = located.finding_lines[index][int(finding) - 1]
    return line, columns.get(name, name)


def _method_index() -> dict[str, AnalyticalMethod]:
    """Each analytical method by its code, its names and the abbreviation its English name ends with."""
    index: dict[str, AnalyticalMethod] = {}
    for method in AnalyticalMethod.objects.all():
        names = [method.code, method.code.replace("_", "-"), method.name_en, method.name_ru]
        names += re.findall(r"\(([^()]+)\)", method.name_en)
        for name in names:
            if name:
                index.setdefault(schema.fold(name), method)
    return index


def _plain_text(raw) -> str:
    try:
        return values.parse_text(raw)
    except values.ValueProblem:
        return ""


def _blank(raw) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _text(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "name_en"):
        return str(value.name_en)
    if hasattr(value, "code") and not isinstance(value, str):
        return str(value.code)
    if isinstance(value, list):
        return "; ".join(_text(item) for item in value)
    return str(value)


def _choice_index(column: schema.Column, mapping: Mapping) -> dict[str, str]:
    """A choice column's values by every spelling a file may use: the value, its English and Russian labels,
    and the laboratory's own words for it (the mapping)."""
    index: dict[str, str] = {}
    for value, label in column.choices.choices:
        with override("en"):
            english = str(label)
        with override("ru"):
            russian = str(label)
        for spelling in (value, english, russian):
            index.setdefault(schema.fold(spelling), value)
    for local, value in mapping.values.get(column.key, {}).items():
        if schema.fold(value) in index:
            index[schema.fold(local)] = index[schema.fold(value)]
    return index
