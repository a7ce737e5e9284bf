"""A findings export prepared in the background: who asked, for which filters and format, how far it got, and
the file it wrote to the node's content-addressed store. Local to the node: it never leaves it."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fdx.core.models import GlobalRecord
from fdx.examinations.choices import ExportFormat, ExportRunState

#: States in which a run may still change: the worker has it, or will.
ACTIVE_STATES = (ExportRunState.QUEUED, ExportRunState.RUNNING)


class ExportRun(GlobalRecord):
    """One export of the findings of the cases a user may see, run by ``fdx worker``.

    The rows are those the requester could see when the run ran (``started_at``); the file is read back
    only by the requester, until ``expires_at``."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="export_runs",
    )
    file_format = models.CharField(_("format"), max_length=8, choices=ExportFormat.choices)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    state = models.CharField(
        _("state"), max_length=12, choices=ExportRunState.choices, default=ExportRunState.QUEUED
    )
    rows_written = models.PositiveBigIntegerField(_("rows written"), default=0)
    rows_expected = models.PositiveBigIntegerField(_("rows expected (estimate)"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    size_bytes = models.PositiveBigIntegerField(_("size (bytes)"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    expires_at = models.DateTimeField(_("file kept until"), null=True, blank=True)

    class Meta:
        verbose_name = _("export run")
        verbose_name_plural = _("export runs")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["requested_by", "-created_at", "-id"], name="exportrun_owner_idx"),
            models.Index(fields=["state", "expires_at"], name="exportrun_expiry_idx"),
        ]

    def __str__(self):
        return f"{self.file_format} {self.global_id}"

    @property
    def file_name(self) -> str:
        return f"fdx-findings-{self.created_at:%Y%m%d-%H%M%S}.{self.file_format}"

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_STATES

    @property
    def percent(self) -> int | None:
        """How far the run is, 0–100 (100 only when done); None while nothing is known."""
        if self.state == ExportRunState.DONE:
            return 100
        if not self.rows_expected:
            return None
        return min(99, self.rows_written * 100 // self.rows_expected)

    def speed(self) -> tuple[int | None, int | None]:
        """Rows per second so far, and the seconds left while it runs (None where not known)."""
        if not (self.started_at and self.rows_written):
            return None, None
        elapsed = ((self.finished_at or timezone.now()) - self.started_at).total_seconds()
        rows_per_s = round(self.rows_written / max(elapsed, 0.001))
        if self.state != ExportRunState.RUNNING or not self.rows_expected:
            return rows_per_s, None
        return rows_per_s, max(0, round((self.rows_expected - self.rows_written) / max(rows_per_s, 1)))
