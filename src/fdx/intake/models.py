"""Saved column mappings of a laboratory's files, and the record of every file checked or imported."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fdx.core.models import GlobalRecord
from fdx.intake.choices import ImportRunState


class ImportMapping(models.Model):
    """How one laboratory's files differ from FDX's template, saved once and reused: which file column
    fills which field, the unit of its masses or purities, its own words for FDX's values, and its own
    names for registry substances (see ``fdx.intake.rows.Mapping``)."""

    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("laboratory"),
        on_delete=models.CASCADE,
        related_name="import_mappings",
    )
    name = models.SlugField(_("name"), max_length=60)
    columns = models.JSONField(_("file column → field"), default=dict, blank=True)
    units = models.JSONField(_("units"), default=dict, blank=True)
    values = models.JSONField(_("local values → FDX values"), default=dict, blank=True)
    substances = models.JSONField(_("local names → registry substances"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("import mapping")
        verbose_name_plural = _("import mappings")
        ordering = ["organisation_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="intake_one_mapping_name_per_lab")
        ]

    def __str__(self):
        return self.name


class ImportRun(GlobalRecord):
    """One file checked or imported: who, when, which file (name, size, SHA-256), with which mapping (as it
    was then), what came of it (counts) and every problem found, by file row and column."""

    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("laboratory"),
        on_delete=models.PROTECT,
        related_name="import_runs",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("run by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    file_name = models.CharField(_("file name"), max_length=255)
    file_sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    file_size_bytes = models.PositiveBigIntegerField(_("size (bytes)"))
    mapping = models.ForeignKey(
        ImportMapping,
        verbose_name=_("mapping"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="runs",
    )
    mapping_used = models.JSONField(_("mapping as used"), default=dict, blank=True)
    dry_run = models.BooleanField(_("dry run"), default=False)
    partial = models.BooleanField(_("valid rows only"), default=False)
    state = models.CharField(_("state"), max_length=20, choices=ImportRunState.choices)
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    rows_refused = models.PositiveIntegerField(_("rows refused"), default=0)
    cases_written = models.PositiveIntegerField(_("cases written"), default=0)
    findings_written = models.PositiveIntegerField(_("findings written"), default=0)
    cases_replaced = models.PositiveIntegerField(
        _("cases replaced"),
        default=0,
        help_text=_("Draft cases an earlier import wrote, replaced by this file's version of them."),
    )
    problem_count = models.PositiveIntegerField(_("problems"), default=0)
    problems = models.JSONField(_("problems (the first ones)"), default=list, blank=True)
    unresolved_names = models.JSONField(_("names no substance was found for"), default=list, blank=True)
    ignored_columns = models.JSONField(_("the file's columns that fill no field"), default=list, blank=True)
    duration_s = models.FloatField(_("duration (s)"), null=True, blank=True)

    class Meta:
        verbose_name = _("import run")
        verbose_name_plural = _("import runs")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organisation", "-created_at"], name="importrun_lab_idx")]

    def __str__(self):
        return f"{self.file_name} ({self.created_at:%Y-%m-%d %H:%M})"


class ImportedCase(models.Model):
    """A case an import run wrote: what re-importing the file finds, and what undoing the run removes."""

    run = models.ForeignKey(
        ImportRun, verbose_name=_("import run"), on_delete=models.CASCADE, related_name="cases"
    )
    case = models.OneToOneField(
        "examinations.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = _("imported case")
        verbose_name_plural = _("imported cases")

    def __str__(self):
        return f"{self.run_id} → {self.case_id}"
