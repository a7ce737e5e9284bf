"""Countries (ISO 3166-1), their regions (ISO 3166-2) with validity dates and successions, border points."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from fdx.geo.choices import CrossingKind, RegionType, SuccessionKind
from fdx.geo.querysets import RegionQuerySet


def _localised(obj) -> str:
    return obj.name_ru if (get_language() or "").startswith("ru") and obj.name_ru else obj.name_en


class Country(models.Model):
    """A country, keyed by its ISO 3166-1 alpha-2 code."""

    code = models.CharField(_("ISO 3166-1 alpha-2 code"), max_length=2, primary_key=True)
    alpha_3 = models.CharField(_("ISO 3166-1 alpha-3 code"), max_length=3, unique=True)
    numeric = models.CharField(_("ISO 3166-1 numeric code"), max_length=3, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_ru = models.CharField(_("name (Russian)"), max_length=200, blank=True)

    audit_fields = ("code", "alpha_3", "numeric", "name_en", "name_ru")

    class Meta:
        verbose_name = _("country")
        verbose_name_plural = _("countries")
        ordering = ["name_en"]
        permissions = [("manage_geography", _("Maintain countries, regions and border crossing points"))]

    def __str__(self):
        return _localised(self)

    @property
    def name(self) -> str:
        return _localised(self)


class Region(models.Model):
    """A first-level subdivision. Abolished regions stay, with ``valid_to`` set, so old records stay valid."""

    code = models.CharField(_("ISO 3166-2 code"), max_length=12, unique=True)
    country = models.ForeignKey(
        Country, verbose_name=_("country"), on_delete=models.PROTECT, related_name="regions"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_ru = models.CharField(_("name (Russian)"), max_length=200, blank=True)
    name_local = models.CharField(_("name (national language)"), max_length=200, blank=True)
    region_type = models.CharField(
        _("type"), max_length=30, choices=RegionType.choices, default=RegionType.REGION
    )
    iso_type = models.CharField(_("type in ISO 3166-2"), max_length=60, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    successors = models.ManyToManyField(
        "self",
        verbose_name=_("successors"),
        through="RegionSuccession",
        through_fields=("predecessor", "successor"),
        symmetrical=False,
        related_name="predecessors",
        blank=True,
    )

    objects = RegionQuerySet.as_manager()

    audit_fields = (
        "code",
        "country",
        "parent",
        "name_en",
        "name_ru",
        "name_local",
        "region_type",
        "iso_type",
        "valid_from",
        "valid_to",
        "note",
    )

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["country_id", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_to__isnull=True)
                | Q(valid_from__lte=models.F("valid_to")),
                name="geo_region_valid_period",
                violation_error_message=_("A region cannot end before it begins."),
            )
        ]

    def __str__(self):
        return _localised(self)

    @property
    def name(self) -> str:
        return _localised(self)

    def clean(self):
        if self.code and self.country_id and not self.code.startswith(f"{self.country_id}-"):
            raise ValidationError(
                {"code": _("A region's code must start with its country's code and a hyphen.")}
            )

    def is_valid_on(self, day: datetime.date) -> bool:
        """Whether this region existed on ``day``."""
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


class RegionSuccession(models.Model):
    """A reform: on ``effective_date`` territory of ``predecessor`` passed to ``successor``."""

    predecessor = models.ForeignKey(
        Region, verbose_name=_("predecessor"), on_delete=models.CASCADE, related_name="succession_to"
    )
    successor = models.ForeignKey(
        Region, verbose_name=_("successor"), on_delete=models.CASCADE, related_name="succession_from"
    )
    effective_date = models.DateField(_("effective date"))
    kind = models.CharField(_("kind"), max_length=20, choices=SuccessionKind.choices)
    legal_basis = models.CharField(_("legal basis"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("region succession")
        verbose_name_plural = _("region successions")
        ordering = ["effective_date", "predecessor__code"]
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="geo_region_succession_unique"),
        ]

    def __str__(self):
        return f"{self.predecessor.code} → {self.successor.code} ({self.effective_date})"


class RegionAlias(models.Model):
    """A former code of a region (e.g. Kazakhstan's pre-2020 letter codes), so old data still resolves."""

    code = models.CharField(_("code"), max_length=12, unique=True)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.CASCADE, related_name="aliases"
    )
    valid_from = models.DateField(
        _("applies from"),
        null=True,
        blank=True,
        help_text=_("The code means this region for dates from this day."),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("former region code")
        verbose_name_plural = _("former region codes")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} → {self.region.code}"


class BorderCrossingPoint(models.Model):
    """A border crossing point, airport or postal exchange where seizures are made."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_ru = models.CharField(_("name (Russian)"), max_length=200, blank=True)
    country = models.ForeignKey(
        Country, verbose_name=_("country"), on_delete=models.PROTECT, related_name="border_crossing_points"
    )
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    neighbour_country = models.ForeignKey(
        Country,
        verbose_name=_("neighbouring country"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=CrossingKind.choices)
    latitude = models.DecimalField(_("latitude"), max_digits=8, decimal_places=5, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=8, decimal_places=5, null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("border crossing point")
        verbose_name_plural = _("border crossing points")
        ordering = ["country_id", "code"]

    def __str__(self):
        return _localised(self)

    def clean(self):
        if self.region_id and self.country_id and self.region.country_id != self.country_id:
            raise ValidationError({"region": _("The region must lie in the crossing point's country.")})
