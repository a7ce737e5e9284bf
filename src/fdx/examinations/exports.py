"""Exporting case data: one row per finding the user may see, for the filters of the case list."""

from __future__ import annotations

import csv
import io

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


def finding_rows(viewer, filters: selectors.CaseFilters):
    """The rows, in case order; through the restricted querysets only."""
    cases = selectors.list_cases(viewer, filters).values("pk")
    findings = (
        selectors.list_findings(viewer)
        .filter(examination__exhibit__case__in=cases)
        .prefetch_related("substance__classes")
        .order_by(
            "-examination__exhibit__case__seizure_date",
            "examination__exhibit__case_id",
            "examination__exhibit__label",
            "-examination__revision",
            "position",
        )
    )
    for finding in findings.iterator(chunk_size=2000):
        examination = finding.examination
        exhibit = examination.exhibit
        case = exhibit.case
        substance = finding.substance
        yield {
            "case": case.reference,
            "owner": case.owner_organisation.code,
            "seizure_date": case.seizure_date.isoformat(),
            "country": case.seizure_country_id,
            "region": case.seizure_region.code if case.seizure_region_id else "",
            "locality": case.locality,
            "seizure_context": case.seizure_context,
            "distribution_level": case.distribution_level,
            "exhibit": exhibit.label,
            "form": exhibit.form,
            "colour": exhibit.colour,
            "logo": exhibit.logo,
            "unit_count": exhibit.unit_count or "",
            "net_mass_g": _plain(exhibit.net_mass_g),
            "examination_status": examination.status,
            "revision": examination.revision,
            "substance": substance.name_en if substance else finding.unidentified_description,
            "inchikey": substance.inchikey if substance else "",
            "classes": "|".join(c.code for c in substance.classes.all()) if substance else "",
            "role": finding.role,
            "result": finding.result_type,
            "content_percent": _plain(finding.purity_percent),
            "amount_g": _plain(finding.amount_g),
            "base_equivalent_g": _plain(finding.base_equivalent_g),
        }


def export_findings_csv(actor, filters: selectors.CaseFilters) -> str:
    """The CSV text of the export; the export itself is recorded in the audit chain."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    count = 0
    for row in finding_rows(actor, filters):
        writer.writerow({key: text_cell(value) for key, value in row.items()})
        count += 1
    record(
        audit_events.CASES_EXPORTED,
        actor=actor,
        object_type="examinations.findings",
        organisation=actor.organisation,
        after={
            "rows": count,
            "filters": {k: str(v) for k, v in vars(filters).items() if v not in (None, True)},
        },
    )
    return buffer.getvalue()


def _plain(value) -> str:
    return "" if value is None else format(value, "f")
