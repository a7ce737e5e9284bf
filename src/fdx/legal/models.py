"""Legal status: jurisdictions, instruments, control lists, listings, generic definitions and thresholds.

Every legal fact carries its source and a ``verified`` flag. A listing is never edited in place: a
correction closes the old record (``recorded_to``) and writes a new one, so that what the database said,
and what the law said on any date (``effective_from``/``effective_to``), both stay answerable.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from fdx.core.models import DistributedRecord, TimestampedModel
from fdx.core.querysets import DistributedManager
from fdx.legal.choices import AmountBasis, Comparison, GenericKind, JurisdictionKind, ListKind, StereoScope
from fdx.legal.querysets import ListingQuerySet


def _localised(obj, field="name") -> str:
    russian = getattr(obj, f"{field}_ru", "")
    return russian if (get_language() or "").startswith("ru") and russian else getattr(obj, f"{field}_en")


class MaintainedLocally(models.Model):
    """A fact FDX ships that a node administrator may change: once changed here, a reload of the reference
    content leaves it alone (``legal.actions.load_legal_reference``)."""

    maintained_locally = models.BooleanField(
        _("changed on this node"),
        default=False,
        help_text=_(
            "Once a node administrator has changed it, a new release of the reference content leaves "
            "it alone. Clear it to take the shipped content back at the next load."
        ),
    )

    class Meta:
        abstract = True


class Jurisdiction(models.Model):
    """``UN`` for the conventions, else a state by its ISO 3166-1 code."""

    code = models.CharField(_("code"), max_length=10, primary_key=True)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_ru = models.CharField(_("name (Russian)"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=JurisdictionKind.choices)
    country = models.ForeignKey(
        "geo.Country",
        verbose_name=_("country"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    position = models.PositiveSmallIntegerField(_("position"), default=100)
    note = models.TextField(_("note"), blank=True)
    lists_complete = models.BooleanField(
        _("lists recorded in full"),
        default=False,
        help_text=_(
            "Only then does FDX answer 'not controlled' for a structure it finds in no list; until then "
            "such an answer is 'cannot decide'."
        ),
    )

    class Meta:
        verbose_name = _("jurisdiction")
        verbose_name_plural = _("jurisdictions")
        ordering = ["position", "code"]
        permissions = [("maintain_legal_lists", _("Maintain the control lists of one's own jurisdiction"))]

    def __str__(self):
        return _localised(self)


class Instrument(MaintainedLocally):
    """A convention, law, decree or decision that lists substances or sets thresholds."""

    code = models.SlugField(_("code"), max_length=80, unique=True)
    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="instruments"
    )
    title_en = models.CharField(_("title (English)"), max_length=500)
    title_ru = models.CharField(_("title (Russian)"), max_length=500, blank=True)
    number = models.CharField(_("number"), max_length=60, blank=True)
    adopted_on = models.DateField(_("adopted on"), null=True, blank=True)
    in_force_from = models.DateField(_("in force from"), null=True, blank=True)
    issuing_body = models.CharField(_("issuing body"), max_length=200, blank=True)
    url = models.URLField(_("source"), max_length=500, blank=True)
    verified = models.BooleanField(_("verified"), default=False)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("legal instrument")
        verbose_name_plural = _("legal instruments")
        ordering = ["jurisdiction_id", "adopted_on", "code"]

    def __str__(self):
        return _localised(self, "title")


class ControlList(MaintainedLocally):
    """A schedule, table or national list, with what it covers beyond its explicit entries."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="lists"
    )
    name_en = models.CharField(_("name (English)"), max_length=300)
    name_ru = models.CharField(_("name (Russian)"), max_length=300)
    kind = models.CharField(_("kind"), max_length=20, choices=ListKind.choices)
    position = models.PositiveSmallIntegerField(_("position"), default=100)
    covers_salts = models.BooleanField(_("covers salts"), default=True)
    covers_stereoisomers = models.BooleanField(_("covers stereoisomers"), default=True)
    covers_esters_ethers = models.BooleanField(_("covers esters and ethers"), default=False)
    instrument = models.ForeignKey(
        Instrument,
        verbose_name=_("instrument"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lists",
    )
    description = models.TextField(_("description"), blank=True)
    description_ru = models.TextField(_("description (Russian)"), blank=True)
    source_url = models.URLField(_("source"), max_length=500, blank=True)
    verified = models.BooleanField(_("verified"), default=False)

    class Meta:
        verbose_name = _("control list")
        verbose_name_plural = _("control lists")
        ordering = ["jurisdiction__position", "position", "code"]

    def __str__(self):
        return f"{self.code} — {_localised(self)}"

    @property
    def localised_description(self) -> str:
        """The description in the reader's language (English where no Russian one is recorded)."""
        russian = (get_language() or "").startswith("ru") and self.description_ru
        return self.description_ru if russian else self.description


class ListIncorporation(MaintainedLocally, TimestampedModel):
    """A national list that takes in an international schedule as it stands from time to time."""

    national_list = models.ForeignKey(
        ControlList, verbose_name=_("national list"), on_delete=models.CASCADE, related_name="incorporations"
    )
    incorporated_list = models.ForeignKey(
        ControlList,
        verbose_name=_("incorporated list"),
        on_delete=models.PROTECT,
        related_name="incorporated_by",
    )
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective to"), null=True, blank=True)
    instrument = models.ForeignKey(
        Instrument,
        verbose_name=_("instrument"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    lag_days = models.PositiveIntegerField(
        _("days until the national effect"),
        null=True,
        blank=True,
        help_text=_("When the national list follows an international decision after a known delay."),
    )
    source_url = models.URLField(_("source"), max_length=500, blank=True)
    verified = models.BooleanField(_("verified"), default=False)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("incorporation of a list")
        verbose_name_plural = _("incorporations of lists")

    def __str__(self):
        return f"{self.national_list.code} ⊇ {self.incorporated_list.code}"


class Listing(DistributedRecord):
    """One entry of a list: a substance (registry or a structure as listed) or, when ``is_exclusion``, a
    structure the list's coverage of isomers, salts, esters or ethers expressly leaves out."""

    control_list = models.ForeignKey(
        ControlList, verbose_name=_("list"), on_delete=models.PROTECT, related_name="listings"
    )
    name_en = models.CharField(_("name as listed (English)"), max_length=300)
    name_ru = models.CharField(_("name as listed (Russian)"), max_length=300, blank=True)
    substance = models.ForeignKey(
        "substances.Substance",
        verbose_name=_("substance"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="listings",
    )
    smiles = models.TextField(_("structure as listed (SMILES)"), blank=True)
    inchikey = models.CharField(_("InChIKey of the parent"), max_length=27, blank=True, db_index=True)
    skeleton = models.CharField(_("skeleton"), max_length=14, blank=True, db_index=True)
    is_exclusion = models.BooleanField(_("exclusion"), default=False)
    stereo_scope = models.CharField(
        _("stereoisomers the name designates"),
        max_length=20,
        choices=StereoScope.choices,
        default=StereoScope.LIST,
        help_text=_(
            "Matters only where the list does not cover stereoisomers. Ephedrine names one diastereomer: "
            "it covers (1R,2S)- and (1S,2R)-ephedrine, not pseudoephedrine."
        ),
    )
    decision = models.CharField(_("decision"), max_length=100, blank=True)
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    effective_from = models.DateField(
        _("in force from"), help_text=_("The first day the listing is certainly in force.")
    )
    effective_from_earliest = models.DateField(
        _("in force at the earliest from"),
        null=True,
        blank=True,
        help_text=_(
            "Only when the start is not known to the day (for example only the year): the earliest day it "
            "can be. Answers between the two dates stay open."
        ),
    )
    effective_to = models.DateField(_("effective to"), null=True, blank=True)
    instrument = models.ForeignKey(
        Instrument,
        verbose_name=_("instrument"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="listings",
    )
    note = models.TextField(_("note"), blank=True)
    source_url = models.URLField(_("source"), max_length=500, blank=True)
    verified = models.BooleanField(_("verified"), default=False)
    recorded_to = models.DateTimeField(_("superseded by a correction at"), null=True, blank=True)
    corrects = models.OneToOneField(
        "self",
        verbose_name=_("corrects"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrected_by",
    )
    change_reason = models.CharField(_("reason for the change"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reference_key = models.CharField(
        _("shipped reference entry"),
        max_length=200,
        blank=True,
        db_index=True,
        help_text=_(
            "The entry of FDX's reference content this listing comes from; kept through corrections."
        ),
    )
    maintained_locally = models.BooleanField(
        _("changed on this node"),
        default=False,
        help_text=_(
            "Once a node administrator has changed it, a new release of the reference content leaves "
            "it alone."
        ),
    )

    objects = DistributedManager.from_queryset(ListingQuerySet)()

    audit_fields = (
        "control_list",
        "name_en",
        "name_ru",
        "substance",
        "smiles",
        "inchikey",
        "is_exclusion",
        "stereo_scope",
        "decision",
        "decision_date",
        "effective_from",
        "effective_from_earliest",
        "effective_to",
        "instrument",
        "note",
        "source_url",
        "verified",
        "recorded_to",
        "change_reason",
    )

    class Meta:
        verbose_name = _("listing")
        verbose_name_plural = _("listings")
        ordering = ["control_list__jurisdiction__position", "control_list__position", "name_en"]
        # The entries of one list in the order they are shown (tests/test_query_plans.py).
        indexes = [
            models.Index(fields=["control_list", "name_en", "-created_at"], name="listing_list_name_key")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=models.F("effective_from")),
                name="legal_listing_period",
            ),
            models.CheckConstraint(
                condition=Q(effective_from_earliest__isnull=True)
                | Q(effective_from_earliest__lte=models.F("effective_from")),
                name="legal_listing_start_range",
            ),
        ]

    def __str__(self):
        return f"{self.control_list.code}: {self.name_en}"


class GenericDefinition(MaintainedLocally, DistributedRecord):
    """A structure-based clause of a list: named parents with allowed substituents, derivatives, a class
    definition, or an analogue clause. ``rule`` holds the machine-readable definition (``legal/engine``)."""

    code = models.SlugField(_("code"), max_length=80, unique=True)
    control_list = models.ForeignKey(
        ControlList, verbose_name=_("list"), on_delete=models.PROTECT, related_name="generic_definitions"
    )
    name_en = models.CharField(_("name (English)"), max_length=300)
    name_ru = models.CharField(_("name (Russian)"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=30, choices=GenericKind.choices)
    rule = models.JSONField(_("machine-readable rule"))
    legal_text = models.TextField(_("what the instrument says"), blank=True)
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective to"), null=True, blank=True)
    instrument = models.ForeignKey(
        Instrument,
        verbose_name=_("instrument"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    source_url = models.URLField(_("source"), max_length=500, blank=True)
    verified = models.BooleanField(_("verified"), default=False)

    audit_fields = (
        "code",
        "control_list",
        "name_en",
        "name_ru",
        "kind",
        "rule",
        "legal_text",
        "effective_from",
        "effective_to",
        "instrument",
        "source_url",
        "verified",
        "maintained_locally",
    )

    class Meta:
        verbose_name = _("generic definition")
        verbose_name_plural = _("generic definitions")
        ordering = ["control_list__jurisdiction__position", "code"]

    def __str__(self):
        return _localised(self)


class GenericExample(models.Model):
    """A worked example kept with its definition: a structure that must, or must not, match it."""

    definition = models.ForeignKey(
        GenericDefinition, verbose_name=_("definition"), on_delete=models.CASCADE, related_name="examples"
    )
    name = models.CharField(_("name"), max_length=200)
    smiles = models.TextField(_("SMILES"))
    must_match = models.BooleanField(_("must match"))
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("worked example")
        verbose_name_plural = _("worked examples")
        ordering = ["definition_id", "-must_match", "name"]

    def __str__(self):
        return self.name


class QuantityThreshold(MaintainedLocally, DistributedRecord):
    """The amount categories of a substance or list entry in one jurisdiction. A value nobody verified is
    stored with ``verified`` off; a value nobody knows is left empty and reported as unknown."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="thresholds"
    )
    entry_name = models.CharField(_("entry as named in the table"), max_length=300)
    substance = models.ForeignKey(
        "substances.Substance",
        verbose_name=_("substance"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="thresholds",
    )
    inchikey = models.CharField(_("InChIKey of the parent"), max_length=27, blank=True, db_index=True)
    reference_key = models.CharField(
        _("shipped reference entry"),
        max_length=200,
        blank=True,
        db_index=True,
        editable=False,
        help_text=_(
            "The row of FDX's reference content this threshold comes from, whatever is edited since."
        ),
    )
    includes_derivatives = models.BooleanField(
        _("applies to its derivatives and analogues"),
        default=True,
        help_text=_("Substances controlled as derivatives or analogues of this entry take its amounts."),
    )
    small_max_g = models.DecimalField(
        _("small: at most (g)"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    significant_min_g = models.DecimalField(
        _("significant: from (g)"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    large_min_g = models.DecimalField(
        _("large: from (g)"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    especially_large_min_g = models.DecimalField(
        _("especially large: from (g)"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    comparison = models.CharField(
        _("bounds"), max_length=10, choices=Comparison.choices, default=Comparison.ABOVE
    )
    basis = models.CharField(
        _("what is weighed"), max_length=20, choices=AmountBasis.choices, default=AmountBasis.UNKNOWN
    )
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective to"), null=True, blank=True)
    instrument = models.ForeignKey(
        Instrument,
        verbose_name=_("instrument"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    source_url = models.URLField(_("source"), max_length=500, blank=True)
    verified = models.BooleanField(_("verified"), default=False)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("quantity threshold")
        verbose_name_plural = _("quantity thresholds")
        ordering = ["jurisdiction__position", "entry_name"]

    def __str__(self):
        return f"{self.jurisdiction_id}: {self.entry_name}"


class LegalDataVersion(models.Model):
    """A counter every change of legal data moves on, so that each process knows when its compiled engine is
    stale with a single cheap query."""

    number = models.PositiveBigIntegerField(default=0)
    # A fresh token with every change: a change rolled back never leaves a token that a later change reuses
    # (a counter alone would, and a process could then keep an engine built from data that never existed).
    token = models.UUIDField(default=uuid.uuid4)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("version of the legal data")
        verbose_name_plural = _("versions of the legal data")

    def __str__(self):
        return str(self.number)
