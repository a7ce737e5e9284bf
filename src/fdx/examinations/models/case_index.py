"""Rows derived from a case's contents, kept so that the case list's filters are index lookups.

A filter by substance, class or examination status asked "has this case a finding of …" through the
findings, examinations and exhibits: a join over the three largest tables for each case, which at a
hundred thousand cases cost half a second per count. These rows say it per case, one row per substance
found and per examination status, and are rewritten by ``fdx.examinations.case_index.refresh`` in the
transaction of every action that changes them (and by the bulk writers). They are not records: they have
no global id, never leave the node, and are rebuilt from the records by ``fdx cases reindex``.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from fdx.examinations.choices import ExaminationStatus
from fdx.examinations.models.cases import Case


class CaseSubstance(models.Model):
    """A substance found in a case: a finding of it in an examination of the case (neither a tombstone).

    ``shared`` when one of those examinations has a shared status: a reader of another organisation sees
    only those findings. ``owner_organisation`` is the case's (it never changes), so that "the reader's
    own case, or a shared finding" is a test of this row alone."""

    # No index of its own: the unique constraint's index begins with the case.
    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="+", db_index=False
    )
    substance = models.ForeignKey(
        "substances.Substance", verbose_name=_("substance"), on_delete=models.CASCADE, related_name="+"
    )
    owner_organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("owner organisation"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    shared = models.BooleanField(_("shared"), default=False)

    class Meta:
        verbose_name = _("substance found in a case")
        verbose_name_plural = _("substances found in cases")
        constraints = [
            models.UniqueConstraint(fields=["case", "substance"], name="examinations_case_substance"),
        ]
        indexes = [models.Index(fields=["substance", "case"], name="case_substance_by_substance")]

    def __str__(self):
        return f"{self.case_id}: {self.substance_id}"


class CaseStatus(models.Model):
    """An examination status present in a case (an examination of the case, not a tombstone, has it)."""

    # No index of its own: the unique constraint's index begins with the case.
    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="+", db_index=False
    )
    status = models.CharField(_("status"), max_length=20, choices=ExaminationStatus.choices)
    owner_organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("owner organisation"),
        on_delete=models.CASCADE,
        related_name="+",
    )

    class Meta:
        verbose_name = _("examination status of a case")
        verbose_name_plural = _("examination statuses of cases")
        constraints = [
            models.UniqueConstraint(fields=["case", "status"], name="examinations_case_status"),
        ]
        indexes = [models.Index(fields=["status", "case"], name="case_status_by_status")]

    def __str__(self):
        return f"{self.case_id}: {self.status}"
