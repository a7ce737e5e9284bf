"""An issued examination report: the digest of what the report said when it was first made, kept so that a
report can be verified long after (and after a revision has superseded it)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class IssuedReport(models.Model):
    """The report of one approved revision, as first issued on this node: its canonical content and digest.

    One per examination revision; the content is frozen at issue (legal data and files added later do not
    change a report already handed out). Local to the node that issued it: it never leaves it."""

    examination = models.OneToOneField(
        "examinations.Examination",
        verbose_name=_("examination"),
        on_delete=models.PROTECT,
        related_name="issued_report",
    )
    revision = models.PositiveIntegerField(_("revision"))
    digest = models.CharField(_("report digest (SHA-256)"), max_length=64, db_index=True)
    content = models.JSONField(_("report content"))
    issued_at = models.DateTimeField(_("issued at"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    language = models.CharField(_("language"), max_length=8)

    class Meta:
        verbose_name = _("issued report")
        verbose_name_plural = _("issued reports")
        ordering = ["-issued_at"]

    def __str__(self):
        return f"{self.examination_id} r{self.revision} {self.digest[:12]}"
