"""Which fields of a case record its owner may mark *shareable*: allowed to leave the country.

When a record is shared with a node of another country, its personal and free-text fields (places, exact
coordinates, descriptions, notes, file names) are removed from the copy unless the owner marked them; each
record keeps the names it marks in ``shareable_fields``. ``SHAREABLE_CANDIDATES`` names, per model label,
the fields that may be marked; the exchange app's pseudonymisation table (``drop_unless_shareable``) says
the same from its side, and a test there holds the two equal (this app sits below ``exchange`` and never
reads it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext as _

SHAREABLE_CANDIDATES: Mapping[str, tuple[str, ...]] = {
    "examinations.case": (
        "submitting_agency",
        "locality",
        "latitude",
        "longitude",
        "description",
        "retraction_reason",
    ),
    "examinations.exhibit": ("packaging", "description"),
    "examinations.examination": ("conclusion", "revision_reason", "retraction_reason"),
    "examinations.finding": ("unidentified_description", "note"),
    "examinations.attachment": ("original_name", "description"),
}

FIELD = "shareable_fields"


def candidates(model_label: str) -> tuple[str, ...]:
    """The fields of the model ``model_label`` (``examinations.case``) that its owner may mark."""
    return SHAREABLE_CANDIDATES[model_label]


def cleaned(model_meta, names) -> list[str]:
    """``names`` as a record keeps them: sorted, each once; a ``ValidationError`` on ``shareable_fields``
    naming every name that is not a candidate of the model (``model_meta`` is the model's ``_meta``)."""
    allowed = candidates(model_meta.label_lower)
    if names is None:
        return []
    if not isinstance(names, (list, tuple, set, frozenset)):
        raise ValidationError({FIELD: _("Give a list of field names.")})
    names = list(names)
    if any(not isinstance(name, str) for name in names):
        raise ValidationError({FIELD: _("Give a list of field names.")})
    unknown = sorted({name for name in names if name not in allowed})
    if unknown:
        raise ValidationError({FIELD: [_unknown_message(model_meta, name, allowed) for name in unknown]})
    return sorted(set(names))


def _unknown_message(model_meta, name: str, allowed: tuple[str, ...]) -> str:
    return _(
        "“%(name)s” cannot be marked to leave the country: "
        "the fields of a %(model)s that can are %(allowed)s."
    ) % {
        "name": name,
        "model": model_meta.verbose_name,
        "allowed": ", ".join(allowed),
    }


def labelled(model_meta, names: Iterable[str]) -> list[str]:
    """The verbose names of ``names`` (fields of the model), in the active language and in the order of the
    model's candidates, as pages show them."""
    marked = set(names)
    return [
        str(capfirst(model_meta.get_field(name).verbose_name))
        for name in candidates(model_meta.label_lower)
        if name in marked
    ]
