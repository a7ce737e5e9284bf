"""A finding: one substance identified (or an unidentified one described) in an examination."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fdx.core.models import DistributedRecord
from fdx.core.querysets import DistributedManager
from fdx.examinations.choices import FindingRole, ResultType
from fdx.examinations.models.marking import MarkedShareable
from fdx.examinations.querysets import FindingQuerySet


class Finding(MarkedShareable, DistributedRecord):
    examination = models.ForeignKey(
        "examinations.Examination",
        verbose_name=_("examination"),
        on_delete=models.CASCADE,
        related_name="findings",
    )
    substance = models.ForeignKey(
        "substances.Substance",
        verbose_name=_("substance"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="findings",
    )
    unidentified_description = models.CharField(
        _("description of an unidentified substance"), max_length=300, blank=True
    )
    result_type = models.CharField(_("result"), max_length=20, choices=ResultType.choices)
    role = models.CharField(_("role"), max_length=20, choices=FindingRole.choices, default=FindingRole.MAIN)
    purity_percent = models.DecimalField(
        _("content (% by mass)"),
        max_digits=6,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_(
            "Content of the substance as recorded (salt or base), by mass of the exhibit's material."
        ),
    )
    purity_uncertainty_percent = models.DecimalField(
        _("expanded uncertainty (± % points)"),
        max_digits=6,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    amount_g = models.DecimalField(
        _("amount of the substance (g)"),
        max_digits=14,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("Net mass × content, computed when both are known."),
    )
    base_equivalent_g = models.DecimalField(
        _("base equivalent (g)"),
        max_digits=14,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("The amount expressed as the free base, with the salt's conversion factor."),
    )
    note = models.TextField(_("note"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    objects = DistributedManager.from_queryset(FindingQuerySet)()

    audit_fields = (
        "substance",
        "unidentified_description",
        "result_type",
        "role",
        "purity_percent",
        "purity_uncertainty_percent",
        "amount_g",
        "base_equivalent_g",
        "note",
        "shareable_fields",
    )

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["examination_id", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(substance__isnull=False) | ~Q(unidentified_description=""),
                name="examinations_finding_names_something",
            ),
            models.CheckConstraint(
                condition=Q(purity_percent__isnull=True)
                | (Q(purity_percent__gte=0) & Q(purity_percent__lte=100)),
                name="examinations_purity_range",
            ),
        ]
        # Keyset pages of the findings of one substance (newest first): the filter, then the order.
        indexes = [models.Index(fields=["substance", "-id"], name="finding_substance_key")]

    def __str__(self):
        return str(self.substance) if self.substance_id else self.unidentified_description
