"""Exporting case data: one row per finding the user may see, for the filters of the case list.

The rows are read as flat tuples (the joins done in SQL, one query for the whole export, plus one for the
substance classes) through ``.iterator()``: a server-side cursor on PostgreSQL, chunked reads on SQLite. The
CSV and JSON texts are made a block of rows at a time, so an export of any size streams in flat memory.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from json.encoder import encode_basestring

from fdx.audit.actions import record
from fdx.core.spreadsheet import text_cell
from fdx.examinations import audit_events, selectors

COLUMNS = [
    "case",
    "owner",
    "seizure_date",
    "country",
    "region",
    "locality",
    "seizure_context",
    "distribution_level",
    "exhibit",
    "form",
    "colour",
    "logo",
    "unit_count",
    "net_mass_g",
    "examination_status",
    "revision",
    "substance",
    "inchikey",
    "classes",
    "role",
    "result",
    "content_percent",
    "amount_g",
    "base_equivalent_g",
]

# The columns read from the database, in the order ``_row`` unpacks them.
_CASE = "examination__exhibit__case__"
_EXHIBIT = "examination__exhibit__"
_FIELDS = (
    _CASE + "reference",
    _CASE + "owner_organisation__code",
    _CASE + "seizure_date",
    _CASE + "seizure_country_id",
    _CASE + "seizure_region__code",
    _CASE + "locality",
    _CASE + "seizure_context",
    _CASE + "distribution_level",
    _EXHIBIT + "label",
    _EXHIBIT + "form",
    _EXHIBIT + "colour",
    _EXHIBIT + "logo",
    _EXHIBIT + "unit_count",
    _EXHIBIT + "net_mass_g",
    "examination__status",
    "examination__revision",
    "substance_id",
    "substance__name_en",
    "substance__inchikey",
    "unidentified_description",
    "role",
    "result_type",
    "purity_percent",
    "amount_g",
    "base_equivalent_g",
)
_ORDER = (
    "-examination__exhibit__case__seizure_date",
    "examination__exhibit__case_id",
    "examination__exhibit__label",
    "-examination__revision",
    "position",
)
CHUNK_ROWS = 2000  # rows fetched per round trip, and rows per block of the streamed text


def visible_findings(viewer, filters: selectors.CaseFilters):
    """The findings of the listed cases that ``viewer`` may see, in export order (restricted querysets)."""
    cases = selectors.list_cases(viewer, filters).values("pk")
    return selectors.list_findings(viewer).filter(examination__exhibit__case__in=cases).order_by(*_ORDER)


def finding_rows(viewer, filters: selectors.CaseFilters) -> Iterator[dict]:
    """The rows, in case order, as dicts keyed by ``COLUMNS``; through the restricted querysets only."""
    for values in row_values(viewer, filters):
        yield dict(zip(COLUMNS, values, strict=True))


def row_values(viewer, filters: selectors.CaseFilters) -> Iterator[tuple]:
    """The rows, in case order, as tuples in the order of ``COLUMNS``: the one row builder of every export
    (streamed, prepared in the background, CLI)."""
    classes = _classes_by_substance()
    rows = visible_findings(viewer, filters).values_list(*_FIELDS).iterator(chunk_size=CHUNK_ROWS)
    return (_row(values, classes) for values in rows)


def csv_blocks(viewer, filters: selectors.CaseFilters) -> Iterator[tuple[str, int]]:
    """The CSV text in blocks of ``CHUNK_ROWS`` rows, each with the number of rows it holds (not audited)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    count = 0
    for count, row in enumerate(row_values(viewer, filters), start=1):
        writer.writerow([text_cell(value) for value in row])
        if count % CHUNK_ROWS == 0:
            yield _drain(buffer), CHUNK_ROWS
    yield _drain(buffer), count % CHUNK_ROWS


def json_blocks(viewer, filters: selectors.CaseFilters) -> Iterator[tuple[str, int]]:
    """A JSON array of row objects (keys ``COLUMNS``, one row a line) in blocks of rows, each with the number
    of rows it holds (not audited). The text is what ``json.dumps(row, ensure_ascii=False)`` of each row's
    dict gives, written from a template of the keys (the rows' value types are fixed by the columns)."""
    yield "[", 0
    block: list[str] = []
    separator = "\n"
    for row in row_values(viewer, filters):
        block.append(separator)
        block.append(_json_row(row))
        separator = ",\n"
        if len(block) == 2 * CHUNK_ROWS:
            yield "".join(block), CHUNK_ROWS
            block.clear()
    rows = len(block) // 2
    block.append("\n]\n")
    yield "".join(block), rows


BLOCKS = {"csv": csv_blocks, "json": json_blocks}


def export_findings_csv(actor, filters: selectors.CaseFilters) -> str:
    """The whole CSV text of the export (small exports, the CLI); audited like the stream."""
    return "".join(stream_findings_csv(actor, filters))


def stream_findings_csv(actor, filters: selectors.CaseFilters) -> Iterator[str]:
    """The CSV text in blocks of rows; the export is recorded in the audit chain before the first row."""
    _record_export(actor, filters, "csv")
    for text, _rows in csv_blocks(actor, filters):
        yield text


def stream_findings_json(actor, filters: selectors.CaseFilters) -> Iterator[str]:
    """A JSON array of row objects (keys ``COLUMNS``) in blocks of rows; audited before the first row."""
    _record_export(actor, filters, "json")
    for text, _rows in json_blocks(actor, filters):
        yield text


def filters_as_text(filters: selectors.CaseFilters) -> dict[str, str]:
    """The filters that narrow the export, as text (for the audit chain and the export runs)."""
    return {k: str(v) for k, v in vars(filters).items() if v not in (None, True)}


def record_export(actor, filters: selectors.CaseFilters, file_format: str) -> None:
    """Record an export of the findings in the audit chain (before its first row is written)."""
    _record_export(actor, filters, file_format)


def _record_export(actor, filters: selectors.CaseFilters, file_format: str) -> None:
    # Recorded before any row leaves (a stream may be cut off by the client), with the row count that
    # the database gives for the same restricted queryset.
    record(
        audit_events.CASES_EXPORTED,
        actor=actor,
        object_type="examinations.findings",
        organisation=actor.organisation,
        after={
            "rows": visible_findings(actor, filters).count(),
            "format": file_format,
            "filters": filters_as_text(filters),
        },
    )


def _classes_by_substance() -> dict[int, str]:
    """Each substance's class codes joined by "|" in the classes' order: one query, a small table."""
    from fdx.substances.models import Substance

    through = Substance.classes.through.objects.order_by("substanceclass__position", "substanceclass_id")
    codes: dict[int, list[str]] = {}
    for substance_id, code in through.values_list("substance_id", "substanceclass__code").iterator():
        codes.setdefault(substance_id, []).append(code)
    return {substance_id: "|".join(parts) for substance_id, parts in codes.items()}


def _row(values: tuple, classes: dict[int, str]) -> tuple:
    (
        reference,
        owner,
        seizure_date,
        country,
        region,
        locality,
        seizure_context,
        distribution_level,
        label,
        form,
        colour,
        logo,
        unit_count,
        net_mass_g,
        status,
        revision,
        substance_id,
        substance_name,
        inchikey,
        unidentified,
        role,
        result_type,
        purity_percent,
        amount_g,
        base_equivalent_g,
    ) = values
    if substance_id is None:
        substance, inchikey, substance_classes = unidentified, "", ""
    else:
        substance, substance_classes = substance_name, classes.get(substance_id, "")
    return (
        reference,
        owner,
        seizure_date.isoformat(),
        country,
        region or "",
        locality,
        seizure_context,
        distribution_level,
        label,
        form,
        colour,
        logo,
        unit_count or "",
        _plain(net_mass_g),
        status,
        revision,
        substance,
        inchikey,
        substance_classes,
        role,
        result_type,
        _plain(purity_percent),
        _plain(amount_g),
        _plain(base_equivalent_g),
    )


# One row's JSON object: the keys written once, the values put in by ``%``. Every column holds text but for
# ``unit_count`` (a number or "") and ``revision`` (a number), as ``_row`` makes them.
_JSON_TEMPLATE = "{" + ", ".join(f"{json.dumps(column)}: %s" for column in COLUMNS) + "}"


def _json_row(row: tuple, text=encode_basestring, number=int.__repr__) -> str:
    unit_count = row[12]
    return _JSON_TEMPLATE % (
        *map(text, row[:12]),
        '""' if unit_count == "" else number(unit_count),
        text(row[13]),
        text(row[14]),
        number(row[15]),
        *map(text, row[16:]),
    )


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def _plain(value) -> str:
    """A decimal as plain text (never in exponent form): ``str`` where it is already plain (every value the
    database gives at the columns' scales), ``format(value, "f")`` otherwise."""
    if value is None:
        return ""
    text = str(value)
    return format(value, "f") if "E" in text else text


_FORMATS = {
    "csv": (stream_findings_csv, "text/csv; charset=utf-8"),
    "json": (stream_findings_json, "application/json; charset=utf-8"),
}


def streaming_export(actor, filters: selectors.CaseFilters, file_format: str):
    """The export as a download streamed a block of rows at a time (pages and API alike)."""
    from django.http import StreamingHttpResponse

    stream, content_type = _FORMATS[file_format]
    response = StreamingHttpResponse(stream(actor, filters), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="fdx-findings.{file_format}"'
    return response
