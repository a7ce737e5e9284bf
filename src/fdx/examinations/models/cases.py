"""A case: one seizure (or submission) sent to a laboratory, with where, when and how it was seized."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from fdx.core.distribution import DistributionLevel
from fdx.core.models import OwnedRecord
from fdx.core.querysets import DistributedManager
from fdx.examinations.choices import SeizureContext
from fdx.examinations.models.marking import MarkedShareable
from fdx.examinations.querysets import CaseQuerySet


class Case(MarkedShareable, OwnedRecord):
    reference = models.CharField(_("laboratory case number"), max_length=64)
    submitting_agency = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("submitting agency"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    agency_case_number = models.CharField(_("agency's case number"), max_length=100, blank=True)
    seizure_date = models.DateField(_("seizure date"))
    seizure_country = models.ForeignKey(
        "geo.Country", verbose_name=_("country of seizure"), on_delete=models.PROTECT, related_name="+"
    )
    seizure_region = models.ForeignKey(
        "geo.Region",
        verbose_name=_("region of seizure"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    locality = models.CharField(_("locality"), max_length=200, blank=True)
    border_crossing_point = models.ForeignKey(
        "geo.BorderCrossingPoint",
        verbose_name=_("border crossing point"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    seizure_context = models.CharField(_("seizure context"), max_length=30, choices=SeizureContext.choices)
    description = models.TextField(_("description"), blank=True)
    distribution_level = models.CharField(
        _("distribution level"),
        max_length=20,
        choices=DistributionLevel.choices,
        default=DistributionLevel.ORGANISATION,
    )
    sharing_group = models.ForeignKey(
        "accounts.SharingGroup",
        verbose_name=_("sharing group"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
    )
    is_demo = models.BooleanField(_("demo data"), default=False)
    # Derived, kept by the actions that change an examination's status (``refresh_shared_flags``): whether
    # any examination of the case was ever approved, so that the visibility rule is a test of this row.
    has_shared_result = models.BooleanField(
        _("has a shared result"),
        default=False,
        editable=False,
        help_text=_("An examination of the case is approved (or superseded or retracted after approval)."),
    )
    # Derived, kept by ``fdx.examinations.case_index``: the case's and its exhibits' words a text search
    # looks in (case numbers, locality, description, logos, colours), one column for one trigram index.
    search_text = models.TextField(_("search text"), blank=True, default="", editable=False)
    retracted_at = models.DateTimeField(_("retracted at"), null=True, blank=True)
    retraction_reason = models.TextField(_("reason for retraction"), blank=True)

    objects = DistributedManager.from_queryset(CaseQuerySet)()

    audit_fields = (
        "reference",
        "submitting_agency",
        "agency_case_number",
        "seizure_date",
        "seizure_country",
        "seizure_region",
        "locality",
        "border_crossing_point",
        "latitude",
        "longitude",
        "seizure_context",
        "description",
        "distribution_level",
        "sharing_group",
        "retracted_at",
        "retraction_reason",
        "shareable_fields",
    )

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-seizure_date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner_organisation", "reference"], name="examinations_case_reference"
            ),
        ]
        indexes = [
            models.Index(fields=["seizure_country", "seizure_date"]),
            # Keyset pages of the case list (newest seizure first, ties by id), whole and per owner.
            models.Index(
                fields=["owner_organisation", "-seizure_date", "-id"], name="case_owner_seizure_key"
            ),
            models.Index(fields=["-seizure_date", "-id"], name="case_seizure_key"),
        ]
        permissions = [
            ("view_case_data", _("Read the case data one's organisation may see")),
            ("record_case_data", _("Record cases, exhibits, examinations and findings")),
            ("review_examination", _("Review and approve examinations")),
        ]

    def __str__(self):
        return self.reference
