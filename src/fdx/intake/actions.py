"""Checking and importing a laboratory's file of cases, and saving the mappings of its files.

Every row is checked before anything is written: first as the file's cells (``fdx.intake.rows``), then as
records with the same rules as the web forms and the API (``fdx.examinations.bulk``). A dry run writes
nothing but its record; an import writes everything or nothing, or (``partial``) the cases whose rows have
no problem, refusing each case with a problem as a whole and saying which rows. The imported examinations
are drafts: the laboratory reviews and approves them as it would any other. Every run is recorded (who,
when, the file's name, size and SHA-256, the mapping as used, the counts, the problems) and audited.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from fdx.audit.actions import record
from fdx.core.actors import is_system, require_permission
from fdx.examinations import bulk
from fdx.examinations.choices import ExaminationStatus
from fdx.examinations.models import Case
from fdx.intake import audit_events, schema
from fdx.intake.choices import ImportRunState
from fdx.intake.models import ImportedCase, ImportMapping, ImportRun
from fdx.intake.reading import IntakeFileError, read_table
from fdx.intake.rows import IntakeProblem, Mapping, Reading, RowReader, locate

#: Who may import: whoever may record case data for their laboratory.
IMPORT = bulk.RECORD
#: The examination states that mean someone worked on an imported case since.
_NOT_DRAFT = [state for state in ExaminationStatus.values if state != ExaminationStatus.DRAFT]
#: How many problems a run keeps (the count is kept whole; a file with more is not worth reading on).
KEPT_PROBLEMS = 10_000


@dataclass
class Outcome:
    """A run and everything it found (all the problems, not only those the run keeps)."""

    run: ImportRun
    problems: list[IntakeProblem] = field(default_factory=list)
    reading: Reading | None = None


def import_file(
    actor,
    handle,
    filename: str,
    *,
    laboratory=None,
    examiner=None,
    mapping: ImportMapping | None = None,
    dry_run: bool = False,
    partial: bool = False,
) -> Outcome:
    """Check a file of cases and (unless ``dry_run``) import it for ``laboratory`` with ``examiner`` as the
    examiner of its draft examinations (a user: their own laboratory and themselves)."""
    require_permission(actor, IMPORT)
    laboratory, examiner = _who(actor, laboratory, examiner)
    if mapping is not None and mapping.organisation_id != laboratory.pk:
        raise PermissionDenied(_("This mapping belongs to another laboratory."))
    started = time.monotonic()
    size, sha256 = _measure(handle)
    run = ImportRun(
        organisation=laboratory,
        created_by=None if is_system(actor) else actor,
        file_name=filename[:255],
        file_sha256=sha256,
        file_size_bytes=size,
        mapping=mapping,
        mapping_used=_mapping(mapping).as_json(),
        dry_run=dry_run,
        partial=partial,
    )
    try:
        table = read_table(handle, filename, max_bytes=settings.FDX_INTAKE_MAX_BYTES)
    except IntakeFileError as exc:
        problem = IntakeProblem(filename, exc.line, exc.column, "", exc.message)
        return _finish(actor, run, [problem], None, ImportRunState.REFUSED, started)
    reading = RowReader(table, _mapping(mapping), laboratory=laboratory, examiner=examiner).read()
    problems = list(reading.problems)
    replaceable = _replaceable(laboratory, [spec.reference for spec in reading.specs])
    replacing = frozenset((laboratory.pk, reference) for reference in replaceable)
    checked = bulk.check(reading.specs, replacing=replacing) if reading.specs else []
    for problem in checked:
        line, column = locate(problem, reading.located[problem.row - 1], reading.columns)
        problems.append(IntakeProblem(filename, line, column, problem.value, problem.message))
    problems.sort(key=lambda p: (p.line or 0, p.column))
    refused_lines = _refused_lines(reading, problems)
    run.rows_read = reading.rows
    run.rows_refused = len(refused_lines)
    if dry_run:
        return _finish(actor, run, problems, reading, ImportRunState.CHECKED, started)
    valid = [
        spec
        for spec, located in zip(reading.specs, reading.located, strict=True)
        if not refused_lines.intersection(located.lines)
    ]
    if (problems and not partial) or not valid:
        run.rows_refused = reading.rows
        return _finish(actor, run, problems, reading, ImportRunState.REFUSED, started)
    state = ImportRunState.PARTLY_IMPORTED if problems else ImportRunState.IMPORTED
    with transaction.atomic():
        replaced = [replaceable[spec.reference] for spec in valid if spec.reference in replaceable]
        if replaced:
            reason = _("Replaced by the cases of %(file)s.") % {"file": filename}
            run.cases_replaced = len(bulk.remove_draft_cases(actor, replaced, reason=reason))
        # The batched path: one statement per table (COPY on PostgreSQL), one audit event per batch naming
        # its cases; inside this transaction its batches are savepoints, so the import stays all or nothing.
        report = bulk.load_cases_in_batches(actor, valid, batch_size=2000)
        if report.refused:  # checked above already: a refusal now is a change made meanwhile
            raise bulk.BulkRefused(report.refused)
        run.cases_written = len(valid)
        run.findings_written = sum(len(e.findings) for spec in valid for e in spec.exhibits)
        outcome = _finish(actor, run, problems, reading, state, started)
        cases = Case.objects.filter(owner_organisation=laboratory, reference__in=[s.reference for s in valid])
        ImportedCase.objects.bulk_create(ImportedCase(run=run, case=case) for case in cases)
    return outcome


def _replaceable(laboratory, references: list[str]) -> dict[str, Case]:
    """The laboratory's cases with these numbers that an earlier import wrote and nobody has worked on since
    (every examination a draft, no file, no note): a corrected file replaces them instead of being refused."""
    imported = Case.objects.filter(
        owner_organisation=laboratory,
        reference__in=references,
        pk__in=ImportedCase.objects.values("case_id"),
    )
    worked = imported.filter(
        Q(exhibits__examinations__status__in=_NOT_DRAFT)
        | Q(attachments__isnull=False)
        | Q(notes__isnull=False)
    )
    return {case.reference: case for case in imported.exclude(pk__in=worked.values("pk"))}


@transaction.atomic
def undo_run(actor, run: ImportRun, *, reason: str) -> ImportRun:
    """Undo an import while nobody has worked on its cases: they are removed (every examination still a
    draft, no file, no note; refused, naming the cases, otherwise)."""
    require_permission(actor, IMPORT)
    run = ImportRun.objects.select_for_update().get(pk=run.pk)
    if not is_system(actor) and run.organisation_id != actor.organisation_id:
        raise PermissionDenied(_("You may undo only your own laboratory's imports."))
    if run.state not in (ImportRunState.IMPORTED, ImportRunState.PARTLY_IMPORTED):
        raise ValidationError(_("Only an import that wrote cases can be undone."))
    if not reason.strip():
        raise ValidationError(_("Say why the import is undone."))
    cases = list(Case.objects.filter(pk__in=run.cases.values("case_id")))
    removed = bulk.remove_draft_cases(actor, cases, reason=reason)
    run.state = ImportRunState.UNDONE
    run.save(update_fields=["state", "updated_at"])
    record(audit_events.RUN_UNDONE, actor=actor, obj=run, after={"cases": removed}, reason=reason)
    return run


def _who(actor, laboratory, examiner):
    """The laboratory and examiner of an import: a user's own (no other may be named), or those the system
    names (an operator's run from the command line)."""
    if is_system(actor):
        if laboratory is None or examiner is None:
            raise ValidationError(_("Name the laboratory and the examiner of the imported examinations."))
        if examiner.organisation_id != laboratory.pk:
            raise ValidationError(
                _("%(person)s is not staff of %(organisation)s.")
                % {"person": examiner.username, "organisation": laboratory.code}
            )
        return laboratory, examiner
    if actor.organisation is None:
        raise PermissionDenied(_("You belong to no laboratory."))
    if laboratory is not None and laboratory.pk != actor.organisation_id:
        raise PermissionDenied(_("You may import only for your own laboratory."))
    if examiner is not None and examiner.pk != actor.pk:
        raise PermissionDenied(_("The imported examinations are yours: you cannot name another examiner."))
    return actor.organisation, actor


def _mapping(mapping: ImportMapping | None) -> Mapping:
    if mapping is None:
        return Mapping()
    return Mapping(
        columns=mapping.columns, units=mapping.units, values=mapping.values, substances=mapping.substances
    )


def _measure(handle) -> tuple[int, str]:
    """The file's size and SHA-256, read in blocks (never whole), the handle put back at its start."""
    digest = hashlib.sha256()
    size = 0
    handle.seek(0)
    while block := handle.read(1024 * 1024):
        digest.update(block)
        size += len(block)
    handle.seek(0)
    return size, digest.hexdigest()


def _refused_lines(reading: Reading, problems: list[IntakeProblem]) -> set[int]:
    """Every file row refused: the rows with a problem, and every row of a case one of them belongs to (a
    case is imported whole or not at all)."""
    lines = {problem.line for problem in problems if problem.line is not None}
    refused = set(lines)
    for located in reading.located:
        if lines.intersection(located.lines):
            refused.update(located.lines)
    return refused


def _finish(actor, run: ImportRun, problems, reading, state: str, started: float) -> Outcome:
    run.state = state
    run.problem_count = len(problems)
    run.problems = [problem.as_dict() for problem in problems[:KEPT_PROBLEMS]]
    run.unresolved_names = reading.unresolved_names if reading is not None else []
    run.ignored_columns = reading.ignored_columns if reading is not None else []
    run.duration_s = round(time.monotonic() - started, 3)
    run.save()
    event = {
        ImportRunState.CHECKED: audit_events.FILE_CHECKED,
        ImportRunState.REFUSED: audit_events.FILE_REFUSED,
    }.get(state, audit_events.FILE_IMPORTED)
    record(
        event,
        actor=actor,
        obj=run,
        after={
            "file": run.file_name,
            "sha256": run.file_sha256,
            "size_bytes": run.file_size_bytes,
            "mapping": run.mapping.name if run.mapping else None,
            "rows_read": run.rows_read,
            "rows_refused": run.rows_refused,
            "cases_written": run.cases_written,
            "cases_replaced": run.cases_replaced,
            "problems": run.problem_count,
        },
    )
    return Outcome(run, problems, reading)


# Mappings


@transaction.atomic
def save_mapping(actor, laboratory, name: str, mapping: Mapping) -> ImportMapping:
    """Create or replace a laboratory's named mapping, checked: every field key known, every unit and FDX
    value one the format allows, every substance a registry substance."""
    require_permission(actor, IMPORT)
    if not is_system(actor) and laboratory.pk != actor.organisation_id:
        raise PermissionDenied(_("You may keep mappings only for your own laboratory."))
    _check_mapping(mapping)
    saved, _created = ImportMapping.objects.update_or_create(
        organisation=laboratory,
        name=name,
        defaults={
            "columns": mapping.columns,
            "units": mapping.units,
            "values": mapping.values,
            "substances": mapping.substances,
            "created_by": None if is_system(actor) else actor,
        },
    )
    record(audit_events.MAPPING_SAVED, actor=actor, obj=saved, after=mapping.as_json())
    return saved


def _check_mapping(mapping: Mapping) -> None:
    from fdx.substances.models import Substance

    errors = []
    for header, key in mapping.columns.items():
        if key not in schema.BY_KEY:
            errors.append(
                _("The column %(header)s names no field (%(key)s).") % {"header": header, "key": key}
            )
    for key, unit in mapping.units.items():
        allowed = {"mass_g": ("mg", "g", "kg"), "percent": ("percent", "fraction")}.get(
            schema.BY_KEY[key].kind if key in schema.BY_KEY else "", ()
        )
        if unit not in allowed:
            errors.append(_("%(unit)s is not a unit of %(key)s.") % {"unit": unit, "key": key})
    for key, table in mapping.values.items():
        column = schema.BY_KEY.get(key)
        allowed = set(schema.allowed_values(column)) if column is not None else set()
        for local, value in table.items():
            if value not in allowed:
                errors.append(
                    _("%(value)s (for %(local)s) is not a value of %(key)s.")
                    % {"value": value, "local": local, "key": key}
                )
    ids = [_uuid(value) for value in mapping.substances.values()]
    chosen = Substance.objects.filter(global_id__in=[value for value in ids if value is not None])
    known = {str(value) for value in chosen.values_list("global_id", flat=True)}
    for name, global_id in mapping.substances.items():
        if str(_uuid(global_id)) not in known:
            errors.append(_("%(name)s is mapped to no registry substance.") % {"name": name})
    if errors:
        raise ValidationError(errors)


def _uuid(value):
    import uuid

    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None
