"""An exhibit: one item (sample) of a case, as received: its form, appearance, count and masses."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from fdx.core.models import DistributedRecord
from fdx.core.querysets import DistributedManager
from fdx.examinations.choices import ExhibitForm
from fdx.examinations.models.marking import MarkedShareable
from fdx.examinations.querysets import ExhibitQuerySet


class Exhibit(MarkedShareable, DistributedRecord):
    case = models.ForeignKey(
        "examinations.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="exhibits"
    )
    label = models.CharField(_("exhibit number"), max_length=40)
    form = models.CharField(_("form"), max_length=20, choices=ExhibitForm.choices)
    colour = models.CharField(_("colour"), max_length=60, blank=True)
    logo = models.CharField(_("logo or markings"), max_length=120, blank=True, db_index=True)
    diameter_mm = models.DecimalField(
        _("diameter (mm)"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    thickness_mm = models.DecimalField(
        _("thickness (mm)"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    unit_count = models.PositiveIntegerField(_("number of units"), null=True, blank=True)
    gross_mass_g = models.DecimalField(
        _("gross mass (g)"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    net_mass_g = models.DecimalField(
        _("net mass (g)"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    packaging = models.CharField(_("packaging"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = DistributedManager.from_queryset(ExhibitQuerySet)()

    audit_fields = (
        "label",
        "form",
        "colour",
        "logo",
        "diameter_mm",
        "thickness_mm",
        "unit_count",
        "gross_mass_g",
        "net_mass_g",
        "packaging",
        "description",
        "shareable_fields",
    )

    class Meta:
        verbose_name = _("exhibit")
        verbose_name_plural = _("exhibits")
        ordering = ["case_id", "label"]
        constraints = [
            # A removed exhibit stays as a tombstone: its label may be used again.
            models.UniqueConstraint(
                fields=["case", "label"],
                condition=~Q(record_state="deleted"),
                name="examinations_exhibit_label",
                violation_error_message=_("This case already has an exhibit with this number."),
            ),
            models.CheckConstraint(
                condition=Q(gross_mass_g__isnull=True) | Q(gross_mass_g__gte=0),
                name="examinations_gross_mass_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(net_mass_g__isnull=True) | Q(net_mass_g__gte=0),
                name="examinations_net_mass_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(gross_mass_g__isnull=True)
                | Q(net_mass_g__isnull=True)
                | Q(net_mass_g__lte=F("gross_mass_g")),
                name="examinations_net_within_gross",
            ),
        ]

    def __str__(self):
        return f"{self.case.reference} / {self.label}"
