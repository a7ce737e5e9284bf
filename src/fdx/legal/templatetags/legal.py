"""Showing legal answers: words for basis kinds, amount categories and the three-valued status."""

from django import template
from django.utils.translation import gettext_lazy as _

from fdx.legal.choices import BasisKind

register = template.Library()

AMOUNT_CATEGORIES = {
    "small": _("small amount"),
    "significant": _("significant amount"),
    "large": _("large amount"),
    "especially_large": _("especially large amount"),
    "none": _("below every threshold"),
    "unknown": _("unknown (no verified threshold)"),
}
AMOUNT_BASES = {
    "mixture": _("mass of the whole mixture"),
    "pure": _("mass of the pure substance"),
    "dry_residue": _("mass of the dry residue"),
    "unknown": _("what is weighed is not recorded"),
}


@register.filter
def basis_kind(kind: str) -> str:
    try:
        return BasisKind(kind).label
    except ValueError:
        return kind


@register.filter
def amount_category(category: str) -> str:
    return AMOUNT_CATEGORIES.get(category, category)


@register.filter
def amount_basis(basis: str) -> str:
    return AMOUNT_BASES.get(basis, basis)


@register.inclusion_tag("legal/status_tag.html")
def legal_status(controlled):
    """A coloured word for controlled (true), not controlled (false) or cannot decide (None)."""
    return {"controlled": controlled}
