"""Findings exports prepared in the background: started by a reader, written by ``fdx worker`` into the node's
file store through the same row builder as the streamed export, read back by the reader who asked.

* ``start_export_run`` — permission-checked (a reader of case data) and audited; the run is queued and the
  task enqueued after commit.
* ``run_export`` — the task's body: the rows the requester may see *when it runs*, written block by block;
  every ``FDX_EXPORT_PROGRESS_ROWS`` rows the progress is saved in a short transaction of its own (which also
  notices a cancel). A failure is recorded on the run, never half a file.
* ``cancel_export_run``, ``record_run_download`` (audited, the owner only), ``remove_expired_runs``.
* ``get_run``, ``list_runs`` — the owner's runs only: another user's run is a 404, as if it did not exist.
"""

from __future__ import annotations

import dataclasses
import datetime
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from fdx.audit.actions import record
from fdx.core import filestore
from fdx.examinations import audit_events, exports, selectors
from fdx.examinations.choices import ExportFormat, ExportRunState
from fdx.examinations.models import Attachment, ExportRun
from fdx.examinations.models.export_runs import ACTIVE_STATES
from fdx.examinations.querysets import can_view_case_data

logger = logging.getLogger(__name__)


class RunCancelled(Exception):
    """The run was cancelled while it was being written."""


# Filters kept on the run (JSON) and read back by the task


def filters_to_json(filters: selectors.CaseFilters) -> dict:
    values = dataclasses.asdict(filters)
    return {
        key: value.isoformat() if isinstance(value, datetime.date) else value for key, value in values.items()
    }


def filters_from_json(values: dict) -> selectors.CaseFilters:
    known = {field.name: field for field in dataclasses.fields(selectors.CaseFilters)}
    read = {key: value for key, value in values.items() if key in known}
    for key in ("seized_from", "seized_to"):
        if read.get(key):
            read[key] = datetime.date.fromisoformat(read[key])
    return selectors.CaseFilters(**read)


# How many rows: a bounded count (cheap) decides between streaming and a background run


def exceeds(viewer, filters: selectors.CaseFilters, limit: int) -> bool:
    """Whether the export would hold more than ``limit`` rows: the database counts at most ``limit + 1``."""
    rows = exports.visible_findings(viewer, filters).order_by().values("pk")[: limit + 1]
    return rows.count() > limit


# Actions


def _require_reader(actor) -> None:
    if not can_view_case_data(actor):
        raise PermissionDenied(_("Your roles do not include reading case data."))


@transaction.atomic
def start_export_run(actor, filters: selectors.CaseFilters, file_format: str) -> ExportRun:
    """Queue an export of the findings ``actor`` may see for ``filters``; the worker writes it."""
    _require_reader(actor)
    if file_format not in ExportFormat.values:
        raise ValidationError({"format": _("Choose CSV or JSON.")})
    run = ExportRun.objects.create(
        requested_by=actor, file_format=file_format, filters=filters_to_json(filters)
    )
    record(
        audit_events.EXPORT_RUN_STARTED,
        actor=actor,
        obj=run,
        organisation=actor.organisation,
        after={"format": file_format, "filters": exports.filters_as_text(filters)},
    )
    transaction.on_commit(lambda: _enqueue(run.pk))
    return run


def _enqueue(run_id: int) -> None:
    from fdx.examinations.tasks import run_export_task

    run_export_task.enqueue(run_id)


def run_export(run_id: int) -> str:
    """Write run ``run_id``'s file (the task's body; idempotent: a run not queued is left as it is)."""
    now = timezone.now()
    taken = ExportRun.objects.filter(pk=run_id, state=ExportRunState.QUEUED).update(
        state=ExportRunState.RUNNING, started_at=now, updated_at=now
    )
    if not taken:
        return "not queued"
    run = ExportRun.objects.select_related("requested_by").get(pk=run_id)
    owner, filters = run.requested_by, filters_from_json(run.filters)
    try:
        _progress(run, rows_expected=exports.visible_findings(owner, filters).count())
        written = _Written(run)
        stored = filestore.store(written.chunks(owner, filters), settings.FDX_EXPORT_MAX_BYTES)
    except RunCancelled:
        return ExportRunState.CANCELLED.value
    except Exception as exc:  # recorded on the run for its owner to see; the worker's log has the trace
        logger.exception("export run %s failed", run.global_id)
        _finish(run, ExportRunState.FAILED, error=_error_text(exc))
        return ExportRunState.FAILED.value
    finished = _finish(
        run,
        ExportRunState.DONE,
        rows_written=written.rows,
        sha256=stored.sha256,
        size_bytes=stored.size_bytes,
        expires_at=timezone.now() + datetime.timedelta(hours=settings.FDX_EXPORT_KEEP_HOURS),
    )
    if not finished:  # cancelled after its last row: its file is nobody's
        _unlink_unless_held(stored.sha256)
        return ExportRunState.CANCELLED.value
    return ExportRunState.DONE.value


class _Written:
    """The run's text as bytes, block by block; the progress saved every ``FDX_EXPORT_PROGRESS_ROWS`` rows."""

    def __init__(self, run: ExportRun):
        self.run = run
        self.rows = 0

    def chunks(self, owner, filters):
        saved = 0
        for text, rows in exports.BLOCKS[self.run.file_format](owner, filters):
            self.rows += rows
            if self.rows - saved >= settings.FDX_EXPORT_PROGRESS_ROWS:
                _progress(self.run, rows_written=self.rows)
                saved = self.rows
            yield text.encode()


def _progress(run: ExportRun, **fields) -> None:
    """Save the progress in a transaction of its own; a run cancelled meanwhile stops here."""
    with transaction.atomic():
        saved = ExportRun.objects.filter(pk=run.pk, state=ExportRunState.RUNNING).update(
            updated_at=timezone.now(), **fields
        )
    if not saved:
        raise RunCancelled


def _finish(run: ExportRun, state: str, **fields) -> int:
    with transaction.atomic():
        return ExportRun.objects.filter(pk=run.pk, state=ExportRunState.RUNNING).update(
            state=state, finished_at=timezone.now(), updated_at=timezone.now(), **fields
        )


def _error_text(exc: Exception) -> str:
    if isinstance(exc, filestore.FileTooLarge):
        return _("The file would be larger than this node allows (%(mb)s MB); narrow the filters.") % {
            "mb": settings.FDX_EXPORT_MAX_BYTES // (1024 * 1024)
        }
    return f"{type(exc).__name__}: {exc}"[:2000]


@transaction.atomic
def cancel_export_run(actor, run: ExportRun) -> ExportRun:
    """Stop a queued or running run of ``actor``'s (the worker notices at its next progress save)."""
    run = ExportRun.objects.select_for_update().get(pk=run.pk, requested_by=actor)
    if run.state not in ACTIVE_STATES:
        raise ValidationError(_("Only a queued or running export can be cancelled."))
    run.state = ExportRunState.CANCELLED
    run.finished_at = timezone.now()
    run.save(update_fields=["state", "finished_at", "updated_at"])
    record(audit_events.EXPORT_RUN_CANCELLED, actor=actor, obj=run, organisation=actor.organisation)
    return run


def record_run_download(actor, run: ExportRun) -> None:
    """Audit a download of a finished run's file: its rows are those the owner could see when it ran."""
    if run.state != ExportRunState.DONE:
        raise ValidationError(_("The export is not ready."))
    record(
        audit_events.EXPORT_RUN_DOWNLOADED,
        actor=actor,
        obj=run,
        organisation=actor.organisation,
        after={
            "format": run.file_format,
            "rows": run.rows_written,
            "sha256": run.sha256,
            "filters": {key: str(value) for key, value in run.filters.items() if value not in (None, True)},
            # The file holds what the owner could see then; access changed since does not change the file.
            "visibility_as_of": run.started_at.isoformat(),
        },
    )


def remove_expired_runs(actor, now: datetime.datetime | None = None) -> int:
    """Remove the files of finished runs past their time (a file another run or an attachment still holds
    stays) and mark the runs expired. Returns how many runs expired."""
    now = now or timezone.now()
    expired = 0
    for run in ExportRun.objects.filter(state=ExportRunState.DONE, expires_at__lt=now).order_by("pk"):
        with transaction.atomic():
            if not ExportRun.objects.filter(pk=run.pk, state=ExportRunState.DONE).update(
                state=ExportRunState.EXPIRED, updated_at=now
            ):
                continue
            transaction.on_commit(lambda sha256=run.sha256: _unlink_unless_held(sha256))
            expired += 1
    _fail_stalled(now)
    if expired:
        record(audit_events.EXPORT_RUNS_EXPIRED, actor=actor, after={"runs": expired})
    return expired


def _fail_stalled(now: datetime.datetime) -> None:
    """A run whose worker stopped (no progress for ``FDX_EXPORT_STALLED_MINUTES``) is marked failed."""
    stalled = now - datetime.timedelta(minutes=settings.FDX_EXPORT_STALLED_MINUTES)
    ExportRun.objects.filter(state=ExportRunState.RUNNING, updated_at__lt=stalled).update(
        state=ExportRunState.FAILED,
        finished_at=now,
        updated_at=now,
        error=_("The worker stopped before the export was written; start it again."),
    )


def _unlink_unless_held(sha256: str) -> None:
    """Remove a file of the store unless a finished run or an attachment still holds the same content."""
    if ExportRun.objects.filter(sha256=sha256, state=ExportRunState.DONE).exists():
        return
    if Attachment.with_tombstones().filter(sha256=sha256).exists():
        return
    filestore.path_for(sha256).unlink(missing_ok=True)


def file_response(actor, run: ExportRun):
    """The run's file as a download (the owner's, finished): audited, with its SHA-256 in ``Digest``."""
    from django.http import FileResponse

    record_run_download(actor, run)
    content_type = "text/csv" if run.file_format == ExportFormat.CSV else "application/json"
    response = FileResponse(
        filestore.open_stored(run.sha256),
        as_attachment=True,
        filename=run.file_name,
        content_type=f"{content_type}; charset=utf-8",
    )
    response["Digest"] = f"sha-256={run.sha256}"
    return response


# Selectors: the owner's runs only


def list_runs(viewer) -> QuerySet[ExportRun]:
    return ExportRun.objects.filter(requested_by=viewer).order_by("-created_at", "-id")


def get_run(viewer, global_id) -> ExportRun:
    """A run of ``viewer``'s; any other (another user's, or none) is a 404."""
    _require_reader(viewer)
    return get_object_or_404(list_runs(viewer), global_id=global_id)


def status(run: ExportRun) -> dict:
    """What the run page polls while it runs: state, progress, speed and time left."""
    rows_per_s, seconds_left = run.speed()
    return {
        "state": run.state,
        "state_label": str(run.get_state_display()),
        "rows_written": run.rows_written,
        "rows_expected": run.rows_expected,
        "percent": run.percent,
        "rows_per_s": rows_per_s,
        "seconds_left": seconds_left,
        "size_bytes": run.size_bytes,
        "error": run.error or None,
        "active": run.is_active,
    }
