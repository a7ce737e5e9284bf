"""A file attached to a case (spectrum, photograph, report), kept in the content-addressed store."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fdx.core.models import DistributedRecord
from fdx.core.querysets import DistributedManager
from fdx.examinations.choices import AttachmentKind
from fdx.examinations.models.marking import MarkedShareable
from fdx.examinations.querysets import AttachmentQuerySet


class Attachment(MarkedShareable, DistributedRecord):
    case = models.ForeignKey(
        "examinations.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="attachments"
    )
    exhibit = models.ForeignKey(
        "examinations.Exhibit",
        verbose_name=_("exhibit"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
    )
    examination = models.ForeignKey(
        "examinations.Examination",
        verbose_name=_("examination"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=AttachmentKind.choices)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size_bytes = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )

    objects = DistributedManager.from_queryset(AttachmentQuerySet)()

    audit_fields = (
        "kind",
        "original_name",
        "content_type",
        "size_bytes",
        "sha256",
        "description",
        "shareable_fields",
    )

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["case_id", "created_at"]

    def __str__(self):
        return self.original_name
