"""Recording many complete, already-reviewed cases at once (the demo data set; later, legacy intake).

The per-record actions would write each case in eight transactions and twenty audit events; this writes
validated records in bulk, with one audit event per case holding the whole record. Each record is checked
with the same rules as the actions (dates, places valid on the seizure date, masses, contents, four eyes).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fdx.audit.actions import record
from fdx.core.actors import is_system, require_permission
from fdx.examinations import audit_events
from fdx.examinations.choices import ExaminationStatus, ResultType
from fdx.examinations.models import Case, Examination, Exhibit, Finding

FOUR_PLACES = Decimal("0.0001")


@dataclass
class FindingSpec:
    substance: object  # a Substance
    result_type: str
    role: str
    purity_percent: Decimal | None = None


@dataclass
class ExhibitSpec:
    label: str
    form: str
    colour: str = ""
    logo: str = ""
    unit_count: int | None = None
    diameter_mm: Decimal | None = None
    gross_mass_g: Decimal | None = None
    net_mass_g: Decimal | None = None
    packaging: str = ""
    received_date: datetime.date | None = None
    completed_date: datetime.date | None = None
    methods: list = field(default_factory=list)  # AnalyticalMethod rows
    conclusion: str = ""
    status: str = ExaminationStatus.APPROVED
    findings: list[FindingSpec] = field(default_factory=list)


@dataclass
class CaseSpec:
    owner: object  # Organisation
    examiner: object  # User of the owner
    reviewer: object  # another User of the owner
    reference: str
    seizure_date: datetime.date
    seizure_country: object
    seizure_region: object | None
    locality: str
    seizure_context: str
    distribution_level: str
    description: str = ""
    border_crossing_point: object | None = None
    submitting_agency: object | None = None
    agency_case_number: str = ""
    is_demo: bool = False
    exhibits: list[ExhibitSpec] = field(default_factory=list)


def check(spec: CaseSpec, today: datetime.date) -> None:
    """The action's rules, applied to one record without touching the database."""
    problems = []
    if spec.seizure_date > today:
        problems.append("seizure date in the future")
    if spec.seizure_region is not None:
        if spec.seizure_region.country_id != spec.seizure_country.code:
            problems.append("region not in the country")
        elif not spec.seizure_region.is_valid_on(spec.seizure_date):
            problems.append(f"region {spec.seizure_region.code} did not exist on {spec.seizure_date}")
    if spec.examiner.pk == spec.reviewer.pk:
        problems.append("four eyes: the reviewer is the examiner")
    for role, person, permission in (
        ("examiner", spec.examiner, "examinations.record_case_data"),
        ("reviewer", spec.reviewer, "examinations.review_examination"),
    ):
        if person.organisation_id != spec.owner.pk:
            problems.append(f"the {role} {person.username} is not staff of {spec.owner.code}")
        elif not person.has_perm(permission):
            problems.append(
                f"the {role} {person.username} may not {permission.split('.')[1].replace('_', ' ')}"
            )
    for exhibit in spec.exhibits:
        if (
            exhibit.net_mass_g is not None
            and exhibit.gross_mass_g is not None
            and exhibit.net_mass_g > exhibit.gross_mass_g
        ):
            problems.append(f"exhibit {exhibit.label}: net mass above gross mass")
        if exhibit.received_date and exhibit.received_date < spec.seizure_date:
            problems.append(f"exhibit {exhibit.label}: received before seizure")
        if exhibit.completed_date and (
            exhibit.completed_date < exhibit.received_date or exhibit.completed_date > today
        ):
            problems.append(f"exhibit {exhibit.label}: completion date out of order")
        for finding in exhibit.findings:
            if finding.result_type == ResultType.QUANTITATIVE and not (
                finding.purity_percent is not None and 0 <= finding.purity_percent <= 100
            ):
                problems.append(f"exhibit {exhibit.label}: content missing or out of 0-100 %")
    if problems:
        raise ValidationError({spec.reference: problems})


@transaction.atomic
def record_cases_in_bulk(actor, specs: list[CaseSpec], *, batch_size: int = 500) -> int:
    """Write complete case records (all checked first: nothing is written if one is bad).

    The system (the demo data set, an intake run by an operator) writes for any laboratory; a user only for
    their own organisation, as the per-record actions allow."""
    require_permission(actor, "examinations.record_case_data")
    today = timezone.localdate()
    foreign = {
        spec.reference for spec in specs if not is_system(actor) and spec.owner.pk != actor.organisation_id
    }
    if foreign:
        raise PermissionDenied(
            _("You may record cases only for your own organisation (%(references)s).")
            % {"references": ", ".join(sorted(foreign)[:5])}
        )
    for spec in specs:
        check(spec, today)
    for start in range(0, len(specs), batch_size):
        _write_batch(actor, specs[start : start + batch_size])
    transaction.on_commit(refresh_statistics)
    return len(specs)


def refresh_statistics() -> None:
    """After a bulk write, let PostgreSQL's planner see the new row counts at once instead of after the next
    autovacuum (with stale counts it plans the visibility subqueries as nested loops). Constant SQL."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in (
                "examinations_case",
                "examinations_exhibit",
                "examinations_examination",
                "examinations_finding",
                "examinations_examination_methods",
            ):
                cursor.execute(f"ANALYZE {table}")  # the table names are the constants above


def _write_batch(actor, specs: list[CaseSpec]) -> None:
    now = timezone.now()
    cases = Case.objects.bulk_create(
        [
            Case(
                owner_organisation=spec.owner,
                created_by=spec.examiner,
                reference=spec.reference,
                submitting_agency=spec.submitting_agency,
                agency_case_number=spec.agency_case_number,
                seizure_date=spec.seizure_date,
                seizure_country=spec.seizure_country,
                seizure_region=spec.seizure_region,
                locality=spec.locality,
                border_crossing_point=spec.border_crossing_point,
                seizure_context=spec.seizure_context,
                description=spec.description,
                distribution_level=spec.distribution_level,
                is_demo=spec.is_demo,
            )
            for spec in specs
        ]
    )
    exhibit_rows, exhibit_specs = [], []
    for case, spec in zip(cases, specs, strict=True):
        for exhibit in spec.exhibits:
            exhibit_rows.append(
                Exhibit(
                    case=case,
                    created_by=spec.examiner,
                    label=exhibit.label,
                    form=exhibit.form,
                    colour=exhibit.colour,
                    logo=exhibit.logo,
                    unit_count=exhibit.unit_count,
                    diameter_mm=exhibit.diameter_mm,
                    gross_mass_g=exhibit.gross_mass_g,
                    net_mass_g=exhibit.net_mass_g,
                    packaging=exhibit.packaging,
                )
            )
            exhibit_specs.append((spec, exhibit))
    exhibits = Exhibit.objects.bulk_create(exhibit_rows)
    examinations = Examination.objects.bulk_create(
        [
            Examination(
                exhibit=exhibit,
                laboratory=spec.owner,
                examiner=spec.examiner,
                created_by=spec.examiner,
                received_date=exhibit_spec.received_date,
                completed_date=exhibit_spec.completed_date,
                conclusion=exhibit_spec.conclusion,
                status=exhibit_spec.status,
                submitted_by=spec.examiner if exhibit_spec.status != ExaminationStatus.DRAFT else None,
                submitted_at=now if exhibit_spec.status != ExaminationStatus.DRAFT else None,
                approved_by=spec.reviewer if exhibit_spec.status == ExaminationStatus.APPROVED else None,
                approved_at=now if exhibit_spec.status == ExaminationStatus.APPROVED else None,
            )
            for exhibit, (spec, exhibit_spec) in zip(exhibits, exhibit_specs, strict=True)
        ]
    )
    through = Examination.methods.through
    through.objects.bulk_create(
        [
            through(examination_id=examination.pk, analyticalmethod_id=method.pk)
            for examination, (_spec, exhibit_spec) in zip(examinations, exhibit_specs, strict=True)
            for method in exhibit_spec.methods
        ]
    )
    Finding.objects.bulk_create(
        [
            _finding(examination, exhibit_spec, finding, position)
            for examination, (_spec, exhibit_spec) in zip(examinations, exhibit_specs, strict=True)
            for position, finding in enumerate(exhibit_spec.findings)
        ]
    )
    for case, spec in zip(cases, specs, strict=True):
        record(audit_events.CASE_IMPORTED, actor=actor, obj=case, after=_summary(spec))


def _finding(examination, exhibit_spec: ExhibitSpec, spec: FindingSpec, position: int) -> Finding:
    amount = base = None
    if spec.purity_percent is not None and exhibit_spec.net_mass_g is not None:
        raw = Decimal(exhibit_spec.net_mass_g) * Decimal(spec.purity_percent) / 100
        amount = raw.quantize(FOUR_PLACES, rounding=ROUND_HALF_UP)
        base = (raw * spec.substance.base_conversion_factor).quantize(FOUR_PLACES, rounding=ROUND_HALF_UP)
    return Finding(
        examination=examination,
        substance=spec.substance,
        result_type=spec.result_type,
        role=spec.role,
        purity_percent=spec.purity_percent,
        amount_g=amount,
        base_equivalent_g=base,
        position=position,
    )


def _summary(spec: CaseSpec) -> dict:
    return {
        "reference": spec.reference,
        "seizure_date": spec.seizure_date.isoformat(),
        "seizure_country": spec.seizure_country.code,
        "seizure_region": spec.seizure_region.code if spec.seizure_region else None,
        "seizure_context": spec.seizure_context,
        "distribution_level": spec.distribution_level,
        "examiner": spec.examiner.username,
        "reviewer": spec.reviewer.username,
        "exhibits": [
            {
                "label": e.label,
                "form": e.form,
                "net_mass_g": str(e.net_mass_g) if e.net_mass_g is not None else None,
                "status": e.status,
                "findings": [
                    {
                        "substance": f.substance.name_en,
                        "purity_percent": str(f.purity_percent) if f.purity_percent is not None else None,
                    }
                    for f in e.findings
                ],
            }
            for e in spec.exhibits
        ],
    }
