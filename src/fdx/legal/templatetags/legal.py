"""Showing legal answers: words for basis kinds, amount categories and the three-valued status."""

import re

from django import template
from django.utils.html import format_html
from django.utils.translation import get_language
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
        return str(BasisKind(kind).label)
    except ValueError:
        return kind


@register.filter
def amount_category(category: str) -> str:
    return str(AMOUNT_CATEGORIES.get(category, category))


@register.filter
def amount_basis(basis: str) -> str:
    return str(AMOUNT_BASES.get(basis, basis))


def russian_form(name: str) -> str:
    """The Russian form of an entry's, definition's or instrument's English name when the active language is
    Russian and one is recorded; empty otherwise."""
    if not name or not (get_language() or "").startswith("ru"):
        return ""
    from fdx.legal.selectors import russian_names

    russian = russian_names().get(str(name), "")
    return "" if russian == name else russian


def legal_name_text(name: str) -> str:
    """``legal_name`` as plain text (for the report and its PDF): "русское (original)"."""
    russian = russian_form(name)
    return f"{russian} ({name})" if russian else name


@register.filter
def legal_name(name: str):
    """A name or title of the legal content as the reader's language has it: in Russian the Russian form, with
    the original after it where they differ (the original is what the instrument says)."""
    russian = russian_form(name)
    if not russian:
        return name
    return format_html('{} <span class="muted original-name" lang="en">({})</span>', russian, name)


@register.inclusion_tag("legal/status_tag.html")
def legal_status(controlled):
    """A coloured word for controlled (true), not controlled (false) or cannot decide (None)."""
    return {"controlled": controlled}


# The engine explains itself in English (it is Django-free, and its JSON answers are a stable English
# contract); pages show the explanation in the reader's language, part by part ("; " separates parts).
_EXPLANATIONS = [
    (re.compile(r"^a stereoisomer of the listed form$"), _("a stereoisomer of the listed form")),
    (re.compile(r"^the listed substance$"), _("the listed substance")),
    (re.compile(r"^the stereochemistry is not given$"), _("the stereochemistry is not given")),
    (re.compile(r"^an ester or ether of (?P<name>.+)$"), _("an ester or ether of %(name)s")),
    (re.compile(r"^through (?P<list>\S+)$"), _("through %(list)s")),
    (
        re.compile(r"^the start is not recorded exactly: between (?P<earliest>\S+) and (?P<certain>\S+)$"),
        _("the start is not recorded exactly: between %(earliest)s and %(certain)s"),
    ),
    (re.compile(r"^nearest listed substances: (?P<names>.+)$"), _("nearest listed substances: %(names)s")),
    (re.compile(r"^an expert decides$"), _("an expert decides")),
    (
        re.compile(r"^derivative of (?P<parent>[^:]+): (?P<changes>.+)$"),
        _("derivative of %(parent)s: %(changes)s"),
    ),
    (re.compile(r"^matches the class definition$"), _("matches the class definition")),
    (
        re.compile(
            r"^a listing may or may not have been in force on this date "
            r"\(its start is not recorded exactly\)$"
        ),
        _("a listing may or may not have been in force on this date (its start is not recorded exactly)"),
    ),
    (
        re.compile(r"^a possible analogue: only an expert can decide$"),
        _("a possible analogue: only an expert can decide"),
    ),
    (
        re.compile(
            r"^not found in the lists recorded for this jurisdiction, which are not marked complete: its "
            r"national additions may be missing$"
        ),
        _(
            "not found in the lists recorded for this jurisdiction, which are not marked complete: its "
            "national additions may be missing"
        ),
    ),
    (
        re.compile(r"^no quantity threshold is recorded for this substance$"),
        _("no quantity threshold is recorded for this substance"),
    ),
    (
        re.compile(r"^the table weighs the pure substance and this finding's content is not measured$"),
        _("the table weighs the pure substance and this finding's content is not measured"),
    ),
    (
        re.compile(r"^the table weighs the dry residue, which is not recorded for this exhibit$"),
        _("the table weighs the dry residue, which is not recorded for this exhibit"),
    ),
    (re.compile(r"^the exhibit's net mass is not recorded$"), _("the exhibit's net mass is not recorded")),
]


@register.filter
def explanation(text: str) -> str:
    """An engine explanation in the reader's language; a part the catalogue does not know stays as it is."""
    if not text:
        return ""
    return "; ".join(_explain_part(part) for part in str(text).split("; "))


def _explain_part(part: str) -> str:
    for pattern, template_text in _EXPLANATIONS:
        found = pattern.match(part)
        if found:
            return str(template_text) % found.groupdict() if found.groupdict() else str(template_text)
    return part
