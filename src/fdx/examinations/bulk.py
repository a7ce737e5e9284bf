"""Recording many complete, already-reviewed cases at once (the demo data set; later, legacy intake).

The per-record actions would write each case in eight transactions and twenty audit events; this writes
validated records in bulk, with one audit event per case holding the whole record. Each row is checked with
the actions' own rules (``validation``: dates, places valid on the seizure date, masses, contents, who
examined and reviewed) before anything is written, and every problem is reported as (row, field, value,
message) in the user's language.
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fdx.audit.actions import record
from fdx.core import bulk_rows
from fdx.core.actors import is_system, require_permission
from fdx.core.events import emit
from fdx.examinations import audit_events, case_index, events, validation
from fdx.examinations.actions import compute_amounts
from fdx.examinations.choices import ExaminationStatus
from fdx.examinations.models import Case, Examination, Exhibit, Finding
from fdx.examinations.querysets import SHARED_STATUSES

RECORD = "examinations.record_case_data"
REVIEW = "examinations.review_examination"


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
    reviewer: object | None  # another User of the owner (None when every examination is a draft)
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


@dataclass(frozen=True)
class BulkProblem:
    """One thing wrong with one row: which row (1-based, with its case number), which field (a path such
    as ``exhibits[1].findings[2].purity_percent``), the value refused, and why, in the user's language."""

    row: int
    reference: str
    field: str
    value: str
    message: str

    def __str__(self) -> str:
        value = f" = {self.value}" if self.value else ""
        return _("row %(row)s (%(reference)s), %(field)s%(value)s: %(message)s") % {
            "row": self.row,
            "reference": self.reference,
            "field": self.field,
            "value": value,
            "message": self.message,
        }


class BulkRefused(ValidationError):
    """Nothing was written: ``problems`` lists every problem of every refused row."""

    def __init__(self, problems: list[BulkProblem]):
        self.problems = problems
        super().__init__([str(problem) for problem in problems])


@dataclass
class BulkReport:
    written: int
    refused: list[BulkProblem] = field(default_factory=list)

    @property
    def refused_rows(self) -> list[int]:
        return sorted({problem.row for problem in self.refused})


def check(
    specs: list[CaseSpec],
    today: datetime.date | None = None,
    *,
    first_row: int = 1,
    replacing: frozenset[tuple[int, str]] = frozenset(),
) -> list[BulkProblem]:
    """Every problem of every row, found with the same rules as the per-record actions (``validation``),
    and across rows (a case number given twice, or already recorded); nothing is written. ``first_row``
    numbers the rows of a later batch of a long load as rows of the whole load; ``replacing`` names the
    recorded cases (laboratory, case number) the rows are to replace (``remove_draft_cases`` first)."""
    today = today or timezone.localdate()
    drafts = _Drafts()
    problems = [
        problem
        for row, spec in enumerate(specs, first_row)
        for problem in _row_problems(row, spec, today, drafts)
    ]
    cross = _cross_row_problems(specs, first_row, replacing)
    return sorted(problems + cross, key=lambda p: (p.row, p.field))


def _row_problems(
    row: int, spec: CaseSpec, today: datetime.date, drafts: _Drafts, built: list | None = None
) -> list[BulkProblem]:
    """The problems of one row; ``built`` (when given) receives the unsaved records checked, for writing."""
    found: list[BulkProblem] = []

    def add(prefix: str, instance, problems: validation.Problems) -> None:
        for name, messages in problems.items():
            value = getattr(instance, name, None) if instance is not None else None
            for message in messages:
                found.append(
                    BulkProblem(
                        row, spec.reference, prefix + name, "" if value is None else str(value), message
                    )
                )

    case = _case(spec, drafts.case.new)
    add("", case, validation.case_problems(case, today))
    add("", case, drafts.case.fields.problems(case))  # field_problems(…, in_bulk=True), once per value
    add("", spec, validation.staff_problems(spec.owner, spec.examiner, RECORD, "examiner"))
    if spec.reviewer is not None:
        add("", spec, validation.staff_problems(spec.owner, spec.reviewer, REVIEW, "reviewer"))
        four_eyes = validation.four_eyes_problem(spec.reviewer.pk, spec.examiner.pk)
        if four_eyes:
            add("", spec, {"reviewer": [four_eyes]})
    elif any(exhibit.status == ExaminationStatus.APPROVED for exhibit in spec.exhibits):
        # Drafts (an intake of a laboratory's old results) are reviewed later, one by one.
        add("", spec, {"reviewer": [_("An approved examination needs its reviewer.")]})
    labels: list[str] = []
    parts = []
    for number, exhibit_spec in enumerate(spec.exhibits, 1):
        prefix = f"exhibits[{number}]."
        exhibit = _exhibit(case, exhibit_spec, drafts.exhibit.new)
        add(prefix, exhibit, validation.exhibit_problems(exhibit))
        add(prefix, exhibit, validation.label_problems(exhibit.label, labels))
        labels.append(exhibit.label)
        add(prefix, exhibit, drafts.exhibit.fields.problems(exhibit))
        examination = _examination(exhibit, spec, exhibit_spec, make=drafts.examination.new)
        add(prefix, examination, validation.examination_problems(examination, spec.seizure_date, today))
        add(prefix, examination, drafts.examination.fields.problems(examination))
        findings = [
            _finding(examination, exhibit_spec, f, position, drafts.finding.new)
            for position, f in enumerate(exhibit_spec.findings)
        ]
        if exhibit_spec.status != ExaminationStatus.DRAFT:
            readiness = validation.review_readiness_problems(
                examination, findings, bool(exhibit_spec.methods)
            )
            add(prefix, examination, readiness)
        for position, finding in enumerate(findings, 1):
            finding_prefix = f"{prefix}findings[{position}]."
            add(finding_prefix, finding, validation.finding_problems(finding))
            add(finding_prefix, finding, drafts.finding.fields.problems(finding))
        parts.append((exhibit, examination, exhibit_spec, findings))
    if built is not None:
        built.append((spec, case, parts))
    return found


def _cross_row_problems(
    specs: list[CaseSpec], row_offset: int = 1, replacing: frozenset[tuple[int, str]] = frozenset()
) -> list[BulkProblem]:
    """A case number twice among the rows, or already recorded by its laboratory (one query for all)."""
    found, first_row = [], {}
    for row, spec in enumerate(specs, row_offset):
        key = (spec.owner.pk, spec.reference)
        if key in first_row:
            message = _("The same case number as row %(row)s.") % {"row": first_row[key]}
            found.append(BulkProblem(row, spec.reference, "reference", spec.reference, message))
        first_row.setdefault(key, row)
    recorded = set(
        Case.with_tombstones()
        .filter(
            owner_organisation__in={spec.owner.pk for spec in specs},
            reference__in=[s.reference for s in specs],
        )
        .values_list("owner_organisation_id", "reference")
    )
    for key, row in first_row.items():
        if key in recorded and key not in replacing:
            message = _("This laboratory has already recorded a case with this number.")
            found.append(BulkProblem(row, key[1], "reference", key[1], message))
    return found


@transaction.atomic
def record_cases_in_bulk(
    actor, specs: list[CaseSpec], *, keep_valid: bool = False, batch_size: int = 500
) -> BulkReport:
    """Write complete case records, each checked first with the actions' rules.

    Nothing is written when a row is refused (``BulkRefused`` lists every problem), unless ``keep_valid``:
    then the valid rows are written and the report lists the refused ones. The system (the demo data set,
    an intake run by an operator) writes for any laboratory; a user only for their own organisation, as
    the per-record actions allow."""
    require_permission(actor, RECORD)
    _require_own_organisation(actor, specs)
    problems = check(specs, timezone.localdate())
    if problems and not keep_valid:
        raise BulkRefused(problems)
    refused = {problem.row for problem in problems}
    valid = [spec for row, spec in enumerate(specs, 1) if row not in refused]
    for start in range(0, len(valid), batch_size):
        _write_batch(actor, valid[start : start + batch_size])
    return BulkReport(len(valid), problems)


def load_cases_in_batches(
    actor,
    specs: Iterable[CaseSpec],
    *,
    batch_size: int = 5000,
    on_batch: Callable[[int, int], None] | None = None,
    fast: bool = True,
) -> BulkReport:
    """Write a long stream of complete case records (a large demo or benchmark data set) batch by batch.

    Each batch is checked with the same rules as ``record_cases_in_bulk`` and written in one transaction
    with one audit event for the whole batch (not one per case), so a million cases neither sit in memory
    nor in one transaction. A refused row is left out and reported (the ``keep_valid`` way): the batches
    before it are committed already. The apps above hear of the load once, at the end, so derived data
    (planner statistics) is refreshed once. ``on_batch(rows_read, rows_written)`` reports progress.

    The rows of a batch are written one statement per table: ``COPY`` on PostgreSQL, one ``executemany`` on
    SQLite (``fdx.core.bulk_rows``); ``fast`` False writes the same rows with Django's ``bulk_create``, the
    slower path the fast one is measured and tested against."""
    require_permission(actor, RECORD)
    today = timezone.localdate()
    report = BulkReport(0)
    rows_read = 0
    iterator = iter(specs)
    while batch := list(itertools.islice(iterator, batch_size)):
        _require_own_organisation(actor, batch)
        problems, built = _check_and_build(batch, today, rows_read + 1)
        refused = {problem.row for problem in problems}
        valid = [rows for row, rows in enumerate(built, rows_read + 1) if row not in refused]
        if valid:
            with transaction.atomic():
                cases = _write_built(valid, fast=fast)
                _audit_batch(actor, cases)
        rows_read += len(batch)
        report.written += len(valid)
        report.refused.extend(problems)
        if on_batch is not None:
            on_batch(rows_read, report.written)
    if report.written:
        with transaction.atomic():
            # One event for the whole load: a million global ids do not belong in one outbox row.
            emit(events.CASES_IMPORTED, actor=actor, cases=[], count=report.written)
    return report


def _check_and_build(specs: list[CaseSpec], today: datetime.date, first_row: int):
    """``check`` that keeps the unsaved records it checked, so a long load builds each record once."""
    built: list = []
    drafts = _Drafts()
    problems = [
        problem
        for row, spec in enumerate(specs, first_row)
        for problem in _row_problems(row, spec, today, drafts, built)
    ]
    problems = sorted(problems + _cross_row_problems(specs, first_row), key=lambda p: (p.row, p.field))
    return problems, built


def _write_built(rows: list, *, fast: bool = True) -> list:
    """Insert the checked records of ``_check_and_build``: one statement per table (``COPY`` on PostgreSQL,
    one ``executemany`` on SQLite; with ``fast`` False, Django's ``bulk_create``: the same rows, slower)."""
    now = timezone.now()
    insert = _insert_rows if fast else _bulk_create
    cases = []
    for _spec, case, row_parts in rows:
        # The derived columns (``case_index``: ``refresh`` keeps them on every later change), written with
        # the case rather than by an UPDATE after the batch.
        case.has_shared_result = any(
            examination.status in SHARED_STATUSES for _exhibit, examination, _spec, _findings in row_parts
        )
        case.search_text = case_index.search_text(
            (getattr(case, name) for name in case_index.CASE_WORDS),
            (getattr(exhibit, name) for exhibit, *_rest in row_parts for name in case_index.EXHIBIT_WORDS),
        )
        cases.append(case)
    parts = [part for _spec, _case, row_parts in rows for part in row_parts]
    insert(cases, now, ids=True)
    exhibits = [exhibit for exhibit, _examination, _spec, _findings in parts]
    for exhibit in exhibits:
        exhibit.case_id = exhibit.case.id
    insert(exhibits, now, ids=True)
    examinations = []
    for exhibit, examination, _exhibit_spec, _findings in parts:
        examination.exhibit_id = exhibit.id
        examination.submitted_at = now if examination.submitted_by_id else None
        examination.approved_at = now if examination.approved_by_id else None
        examinations.append(examination)
    insert(examinations, now, ids=True)
    new_method = _Drafts.of(Examination.methods.through).new
    methods = [
        new_method(examination=examination, analyticalmethod=method)
        for _exhibit, examination, exhibit_spec, _findings in parts
        for method in exhibit_spec.methods
    ]
    insert(methods, now, ids=False)
    findings = []
    for _exhibit, examination, _exhibit_spec, examination_findings in parts:
        for finding in examination_findings:
            finding.examination_id = examination.id
            findings.append(finding)
    insert(findings, now, ids=False)
    _write_case_index(rows, insert, now)
    return cases


def _write_case_index(rows: list, insert, now) -> None:
    """The ``case_index`` rows of the new cases, from the records in hand (nothing is read back)."""
    drafts: dict = {}
    for _spec, case, row_parts in rows:
        findings = [
            (finding.substance_id, examination.status)
            for _exhibit, examination, _exhibit_spec, examination_findings in row_parts
            for finding in examination_findings
        ]
        statuses = [examination.status for _exhibit, examination, _exhibit_spec, _findings in row_parts]
        for model, values in case_index.rows_of(case.id, case.owner_organisation_id, findings, statuses):
            if model not in drafts:
                drafts[model] = (_Drafts.of(model), [])
            drafts[model][1].append(drafts[model][0].new(**values))
    for _model_drafts, new in drafts.values():
        insert(new, now, ids=False)


def _insert_rows(drafts: list, now, *, ids: bool) -> None:
    if drafts:
        columns = drafts[0].columns
        rows = [draft.__dict__ for draft in drafts]
        if ids:
            bulk_rows.assign_ids(columns, rows)
        bulk_rows.insert_rows(columns, rows, now=now, with_ids=ids)


def _bulk_create(drafts: list, now, *, ids: bool) -> None:
    """The same rows through the ORM (the reference the fast path is tested against)."""
    if drafts:
        columns = drafts[0].columns
        model, pk = columns.model, columns.pk.attname
        given = [name for name in columns.attnames if name != pk]
        instances = model._default_manager.bulk_create(
            [model(**{name: draft.__dict__[name] for name in given}) for draft in drafts]
        )
        for draft, instance in zip(drafts, instances, strict=True):
            draft.__dict__[pk] = instance.pk


class _Draft:
    """An unsaved record as the rules read it and the writer writes it: every column by attribute name (the
    model's defaults, then what the row gives) and, by field name, the related rows the rules read. It
    reads like the model instance the rules were written for (``str()`` is the model's), without the cost
    of one."""

    columns: bulk_rows.Columns
    _meta = None

    def __str__(self):
        return self._meta.model.__str__(self)


class _Drafts:
    """Unsaved records of each table of a case record, and their field checks, for one batch (a value seen
    before in a field is not checked again: ``validation.FieldCheck``).

    The columns are the models' concrete fields (``bulk_rows.Columns``): a field added to a model is written
    with its default, or with the value its builder (``_case``, ``_exhibit`` …) gives — a column derived
    from the record (a flag computed from its examinations) is set there, on the draft, before writing."""

    def __init__(self):
        self.case = _Drafts.of(Case, ["owner_organisation", "created_by"])
        self.exhibit = _Drafts.of(Exhibit, ["case", "created_by"])
        self.examination = _Drafts.of(Examination)
        self.finding = _Drafts.of(Finding, ["examination"])

    @staticmethod
    def of(model, exclude=()) -> _ModelDrafts:
        return _ModelDrafts(model, exclude)


class _ModelDrafts:
    def __init__(self, model, exclude):
        self.columns = bulk_rows.Columns(model)
        self.fields = validation.FieldCheck(model, exclude)
        self.cls = type(f"{model.__name__}Draft", (_Draft,), {"_meta": model._meta, "columns": self.columns})
        self.relations = {
            field.name: (field.attname, field.target_field.attname)
            for field in model._meta.concrete_fields
            if field.is_relation
        }
        self.template = {**self.columns.constant, **dict.fromkeys(self.relations)}
        self.per_row = self.columns.per_row

    def new(self, **given) -> _Draft:
        values = self.template.copy()  # Columns.new_values(), and no related row yet
        for attname, default in self.per_row:
            values[attname] = default()
        for name, value in given.items():
            relation = self.relations.get(name)
            if relation is not None:
                values[relation[0]] = None if value is None else getattr(value, relation[1])
            values[name] = value
        draft = self.cls()
        draft.__dict__ = values
        return draft


@transaction.atomic
def remove_draft_cases(actor, cases: list[Case], *, reason: str) -> list[str]:
    """Remove cases recorded in bulk while every examination of theirs is still a draft: an import undone,
    or about to be replaced by a corrected file. Refused, naming the cases, when one has an examination
    submitted or further, or a file or a note attached (someone has worked on it since). Returns their case
    numbers; audited once, with them and the reason."""
    require_permission(actor, RECORD)
    cases = list(Case.with_tombstones().select_for_update().filter(pk__in=[case.pk for case in cases]))
    foreign = [
        c.reference
        for c in cases
        if not is_system(actor) and c.owner_organisation_id != actor.organisation_id
    ]
    if foreign:
        raise PermissionDenied(
            _("You may remove only your own organisation's cases (%(references)s).")
            % {"references": ", ".join(sorted(foreign)[:5])}
        )
    worked = set(
        Examination.with_tombstones()
        .filter(exhibit__case__in=cases)
        .exclude(status=ExaminationStatus.DRAFT)
        .values_list("exhibit__case__reference", flat=True)
    )
    worked |= set(
        Case.with_tombstones()
        .filter(pk__in=[c.pk for c in cases], attachments__isnull=False)
        .values_list("reference", flat=True)
    )
    worked |= set(
        Case.with_tombstones()
        .filter(pk__in=[c.pk for c in cases], notes__isnull=False)
        .values_list("reference", flat=True)
    )
    if worked:
        raise ValidationError(
            _(
                "These cases were worked on since they were recorded (an examination submitted, a file or "
                "a note): %(references)s."
            )
            % {"references": ", ".join(sorted(worked)[:10])}
        )
    references = sorted(case.reference for case in cases)
    if not cases:
        return references
    Case.with_tombstones().filter(pk__in=[case.pk for case in cases]).delete()
    record(
        audit_events.CASES_REMOVED_IN_BATCH,
        actor=actor,
        object_type=Case._meta.label_lower,
        object_repr=f"{len(references)}: {references[0]} … {references[-1]}",
        after={"count": len(references), "references": references},
        reason=reason,
    )
    return references


def _require_own_organisation(actor, specs: list[CaseSpec]) -> None:
    foreign = {
        spec.reference for spec in specs if not is_system(actor) and spec.owner.pk != actor.organisation_id
    }
    if foreign:
        raise PermissionDenied(
            _("You may record cases only for your own organisation (%(references)s).")
            % {"references": ", ".join(sorted(foreign)[:5])}
        )


def _audit_batch(actor, cases: list[Case]) -> None:
    """One audit event for a batch of a long load: how many cases and their case numbers (the records
    themselves hold the rest)."""
    references = [case.reference for case in cases]
    record(
        audit_events.CASES_IMPORTED_IN_BATCH,
        actor=actor,
        object_type=Case._meta.label_lower,
        object_repr=f"{len(cases)}: {references[0]} … {references[-1]}",
        after={"count": len(cases), "references": references},
    )


# Unsaved records of a row: what the checks read, and what the batch writes.


def _case(spec: CaseSpec, make=Case):
    return make(
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


def _exhibit(case, spec: ExhibitSpec, make=Exhibit):
    return make(
        case=case,
        created_by=case.created_by,
        label=spec.label,
        form=spec.form,
        colour=spec.colour,
        logo=spec.logo,
        unit_count=spec.unit_count,
        diameter_mm=spec.diameter_mm,
        gross_mass_g=spec.gross_mass_g,
        net_mass_g=spec.net_mass_g,
        packaging=spec.packaging,
    )


def _examination(exhibit, spec: CaseSpec, exhibit_spec: ExhibitSpec, now=None, make=Examination):
    reviewed = exhibit_spec.status != ExaminationStatus.DRAFT
    approved = exhibit_spec.status == ExaminationStatus.APPROVED
    return make(
        exhibit=exhibit,
        laboratory=spec.owner,
        examiner=spec.examiner,
        created_by=spec.examiner,
        received_date=exhibit_spec.received_date,
        completed_date=exhibit_spec.completed_date,
        conclusion=exhibit_spec.conclusion,
        status=exhibit_spec.status,
        submitted_by=spec.examiner if reviewed else None,
        submitted_at=now if reviewed else None,
        approved_by=spec.reviewer if approved else None,
        approved_at=now if approved else None,
    )


def _write_batch(actor, specs: list[CaseSpec]) -> None:
    cases = _write_records(specs)
    case_index.refresh(case.pk for case in cases)
    for case, spec in zip(cases, specs, strict=True):
        record(audit_events.CASE_IMPORTED, actor=actor, obj=case, after=_summary(spec))
    emit(events.CASES_IMPORTED, actor=actor, cases=[str(case.global_id) for case in cases])


def _write_records(specs: list[CaseSpec]) -> list[Case]:
    """The cases, exhibits, examinations, their methods and findings of checked rows: one insert per table
    (Django splits it where the database limits the parameters of one statement)."""
    now = timezone.now()
    cases = Case.objects.bulk_create([_case(spec) for spec in specs])
    exhibit_specs = [(spec, exhibit) for spec in specs for exhibit in spec.exhibits]
    exhibits = Exhibit.objects.bulk_create(
        [
            _exhibit(case, exhibit)
            for case, spec in zip(cases, specs, strict=True)
            for exhibit in spec.exhibits
        ]
    )
    examinations = Examination.objects.bulk_create(
        [
            _examination(exhibit, spec, exhibit_spec, now)
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
    return cases


def _finding(examination, exhibit_spec: ExhibitSpec, spec: FindingSpec, position: int, make=Finding):
    finding = make(
        examination=examination,
        substance=spec.substance,
        result_type=spec.result_type,
        role=spec.role,
        purity_percent=spec.purity_percent,
        position=position,
    )
    compute_amounts(finding, exhibit_spec.net_mass_g)
    return finding


def _summary(spec: CaseSpec) -> dict:
    return {
        "reference": spec.reference,
        "seizure_date": spec.seizure_date.isoformat(),
        "seizure_country": spec.seizure_country.code,
        "seizure_region": spec.seizure_region.code if spec.seizure_region else None,
        "seizure_context": spec.seizure_context,
        "distribution_level": spec.distribution_level,
        "examiner": spec.examiner.username,
        "reviewer": spec.reviewer.username if spec.reviewer is not None else None,
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
