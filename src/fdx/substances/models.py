"""The substance registry: substances with structure, names in several languages, classes and salt forms."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from fdx.core.models import DistributedRecord
from fdx.substances.choices import NameKind, NameLanguage, SubstanceSource


class SubstanceClass(models.Model):
    """A class of substances (amphetamines, synthetic cathinones …), defined in ``substances/classes.py``."""

    code = models.SlugField(_("code"), max_length=40, primary_key=True)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_ru = models.CharField(_("name (Russian)"), max_length=200)
    description = models.TextField(_("definition"), blank=True)
    description_ru = models.TextField(_("definition (Russian)"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("substance class")
        verbose_name_plural = _("substance classes")
        ordering = ["position"]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return self.name_ru if (get_language() or "").startswith("ru") else self.name_en

    @property
    def definition(self) -> str:
        """The class's definition in the active language (English where no Russian one is recorded)."""
        russian = (get_language() or "").startswith("ru") and self.description_ru
        return self.description_ru if russian else self.description


class Substance(DistributedRecord):
    """A substance of the registry. Structure fields are empty for the rare substance without one
    (a plant material); a salt or solvate points at its parent with the base conversion factor."""

    key = models.SlugField(_("reference key"), max_length=100, unique=True, null=True, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=300)
    name_ru = models.CharField(_("name (Russian)"), max_length=300, blank=True)
    cas_number = models.CharField(_("CAS number"), max_length=20, blank=True, db_index=True)
    smiles = models.TextField(_("SMILES"), blank=True)
    inchi = models.TextField(_("InChI"), blank=True)
    inchikey = models.CharField(_("InChIKey"), max_length=27, blank=True, db_index=True)
    skeleton = models.CharField(
        _("skeleton (InChIKey first block of the parent)"), max_length=14, blank=True, db_index=True
    )
    formula = models.CharField(_("formula"), max_length=100, blank=True)
    average_mass = models.FloatField(_("average mass (g/mol)"), null=True, blank=True)
    monoisotopic_mass = models.FloatField(_("monoisotopic mass (Da)"), null=True, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent (free base or acid)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="salt_forms",
    )
    base_conversion_factor = models.DecimalField(
        _("base conversion factor"),
        max_digits=5,
        decimal_places=4,
        default=1,
        help_text=_("Mass of the parent in one unit mass of this form (1 for a free base)."),
    )
    classes = models.ManyToManyField(
        SubstanceClass, verbose_name=_("classes"), blank=True, related_name="substances"
    )
    source = models.CharField(_("source"), max_length=20, choices=SubstanceSource.choices)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Derived search data (of the parent structure), kept so the search index loads without recomputing.
    search_smiles = models.TextField(_("parent SMILES for search"), blank=True)
    morgan_fingerprint = models.BinaryField(_("Morgan fingerprint"), null=True, blank=True)
    pattern_fingerprint = models.BinaryField(_("pattern fingerprint"), null=True, blank=True)

    audit_fields = (
        "key",
        "name_en",
        "name_ru",
        "cas_number",
        "smiles",
        "inchikey",
        "parent",
        "base_conversion_factor",
        "classes",
        "note",
    )

    class Meta:
        verbose_name = _("substance")
        verbose_name_plural = _("substances")
        ordering = ["name_en"]
        # Keyset pages of the registry (by English name, ties by id; tests/test_query_plans.py).
        indexes = [models.Index(fields=["name_en", "id"], name="substance_name_key")]
        constraints = [
            models.UniqueConstraint(
                fields=["inchikey"], condition=~Q(inchikey=""), name="substances_unique_inchikey"
            ),
            models.CheckConstraint(
                condition=Q(base_conversion_factor__gt=0) & Q(base_conversion_factor__lte=1),
                name="substances_conversion_factor_range",
            ),
        ]
        permissions = [("import_substances", _("Import substances from files"))]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        """The preferred name in the active language."""
        return self.name_ru if (get_language() or "").startswith("ru") and self.name_ru else self.name_en

    @property
    def is_salt_form(self) -> bool:
        return self.parent_id is not None


class SubstanceName(models.Model):
    """A name of a substance in one language; ``normalised`` is what name search compares."""

    substance = models.ForeignKey(
        Substance, verbose_name=_("substance"), on_delete=models.CASCADE, related_name="names"
    )
    name = models.CharField(_("name"), max_length=500)
    language = models.CharField(_("language"), max_length=2, choices=NameLanguage.choices)
    kind = models.CharField(_("kind"), max_length=20, choices=NameKind.choices)
    normalised = models.CharField(_("normalised form"), max_length=500, db_index=True)

    class Meta:
        verbose_name = _("substance name")
        verbose_name_plural = _("substance names")
        ordering = ["substance_id", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["substance", "name", "language"], name="substances_unique_name"),
        ]
        # The name search's exact-name rank (``name__iexact``: ``UPPER(name) = UPPER(text)``); containment
        # of ``normalised`` has a trigram index on PostgreSQL (migration 0005), its prefix the ``_like`` one.
        indexes = [models.Index(Upper("name"), name="substance_name_upper")]

    def __str__(self):
        return self.name
