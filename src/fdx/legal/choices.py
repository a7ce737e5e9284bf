from django.db import models
from django.utils.translation import gettext_lazy as _


class JurisdictionKind(models.TextChoices):
    INTERNATIONAL = "international", _("International conventions")
    NATIONAL = "national", _("State")


class ListKind(models.TextChoices):
    NARCOTIC = "narcotic", _("Narcotic drugs")
    PSYCHOTROPIC = "psychotropic", _("Psychotropic substances")
    PRECURSOR = "precursor", _("Precursors")
    MIXED = "mixed", _("Narcotic drugs and psychotropic substances")
    ANALOGUE = "analogue", _("Analogues")


class GenericKind(models.TextChoices):
    SUBSTITUENTS = "substituents", _("Named parents with a list of allowed substituents")
    DERIVATIVES = "derivatives", _("Derivatives of named parents (formal substitution)")
    CLASS = "class", _("Class-wide definition (core structure and allowed variations)")
    ANALOGUE_SIMILARITY = (
        "analogue_similarity",
        _("Analogue clause (similar structure and effect, needs an expert)"),
    )


class BasisKind(models.TextChoices):
    EXPLICIT = "explicit", _("Listed explicitly")
    SALT = "salt", _("Salt of a listed substance")
    STEREOISOMER = "stereoisomer", _("Stereoisomer of a listed substance")
    ESTER_ETHER = "ester_ether", _("Ester or ether of a listed substance")
    GENERIC = "generic", _("Generic definition")
    DERIVATIVE = "derivative", _("Derivative of a listed substance")
    ANALOGUE_POSSIBLE = "analogue_possible", _("Possible analogue (an expert must decide)")


class AmountBasis(models.TextChoices):
    MIXTURE = "mixture", _("Mass of the whole mixture")
    PURE = "pure", _("Mass of the pure substance")
    DRY_RESIDUE = "dry_residue", _("Mass of the dry residue")
    UNKNOWN = "unknown", _("Not known")


class Comparison(models.TextChoices):
    ABOVE = "above", _("Above the value (>)")
    AT_LEAST = "at_least", _("At or above the value (≥)")


class StereoScope(models.TextChoices):
    """Which stereoisomers the name of an entry designates, where its list has no stereoisomer clause."""

    LIST = "list", _("As the list says (a name without stereochemistry covers every form)")
    ENANTIOMERS = "enantiomers", _("This form, its mirror image and the racemate (not other diastereomers)")
