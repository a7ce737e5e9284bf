"""An examination of an exhibit by a laboratory: methods, dates, examiner, conclusion, and its workflow."""

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from fdx.core.models import DistributedRecord
from fdx.core.querysets import DistributedManager
from fdx.examinations.choices import ExaminationStatus
from fdx.examinations.models.marking import MarkedShareable
from fdx.examinations.querysets import ExaminationQuerySet


class AnalyticalMethod(models.Model):
    """An analytical technique (GC-MS, FTIR, a colour test …); reference data."""

    code = models.SlugField(_("code"), max_length=30, primary_key=True)
    name_en = models.CharField(_("name (English)"), max_length=120)
    name_ru = models.CharField(_("name (Russian)"), max_length=120)
    confirmatory = models.BooleanField(
        _("confirmatory"), default=False, help_text=_("A SWGDRUG category A technique (high discrimination).")
    )

    class Meta:
        verbose_name = _("analytical method")
        verbose_name_plural = _("analytical methods")
        ordering = ["code"]

    def __str__(self):
        return self.name_ru if (get_language() or "").startswith("ru") else self.name_en


class Examination(MarkedShareable, DistributedRecord):
    """One revision of an examination. An approved revision is never edited: ``revise`` starts a new one."""

    exhibit = models.ForeignKey(
        "examinations.Exhibit",
        verbose_name=_("exhibit"),
        on_delete=models.CASCADE,
        related_name="examinations",
    )
    laboratory = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("laboratory"), on_delete=models.PROTECT, related_name="+"
    )
    request_number = models.CharField(
        _("request number"),
        max_length=64,
        blank=True,  # 64: a received copy holds a keyed hash
    )
    received_date = models.DateField(_("date received"))
    completed_date = models.DateField(_("date completed"), null=True, blank=True)
    examiner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("examiner"),
        on_delete=models.PROTECT,
        related_name="+",
        # Empty only on a copy received from another node: people's accounts do not travel.
        null=True,
        blank=True,
    )
    methods = models.ManyToManyField(
        AnalyticalMethod, verbose_name=_("methods"), blank=True, related_name="+"
    )
    conclusion = models.TextField(_("conclusion"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ExaminationStatus.choices,
        default=ExaminationStatus.DRAFT,
        db_index=True,
    )
    revision = models.PositiveIntegerField(_("revision"), default=1)
    previous_revision = models.OneToOneField(
        "self",
        verbose_name=_("previous revision"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="next_revision",
    )
    revision_reason = models.TextField(_("reason for the revision"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,  # as the examiner: empty only on a received copy
        blank=True,
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    retracted_at = models.DateTimeField(_("retracted at"), null=True, blank=True)
    retracted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("retracted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    retraction_reason = models.TextField(_("reason for retraction"), blank=True)

    objects = DistributedManager.from_queryset(ExaminationQuerySet)()

    audit_fields = (
        "request_number",
        "received_date",
        "completed_date",
        "examiner",
        "methods",
        "conclusion",
        "status",
        "revision",
        "revision_reason",
        "retraction_reason",
        "shareable_fields",
    )

    class Meta:
        verbose_name = _("examination")
        verbose_name_plural = _("examinations")
        ordering = ["exhibit_id", "-revision"]
        # Keyset pages of the examination list: most recently changed first, ties by id.
        indexes = [models.Index(fields=["-updated_at", "-id"], name="examination_updated_key")]

    def __str__(self):
        return f"{self.exhibit} — {self.request_number or self.global_id} r{self.revision}"

    @property
    def is_editable(self) -> bool:
        return self.status == ExaminationStatus.DRAFT
