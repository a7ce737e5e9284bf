"""Numbers as a forensic report writes them, in the user's language: a content with its uncertainty reads
"72.4 % ± 2.1" in English and "72,4 % ± 2,1" in Russian."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template
from django.utils.formats import number_format

register = template.Library()


def _plain(value) -> str:
    """``value`` without trailing zeros (72.40 → 72.4), with the active language's decimal separator."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    places = max(0, -number.normalize().as_tuple().exponent)
    return number_format(number, decimal_pos=places, use_l10n=True, force_grouping=False)


@register.filter
def percent(value, uncertainty=None) -> str:
    """A percentage, with its expanded uncertainty in percentage points when there is one; "—" for none."""
    if value is None or value == "":
        return "—"
    text = f"{_plain(value)} %"
    if uncertainty is not None and uncertainty != "":
        text += f" ± {_plain(uncertainty)}"
    return text


@register.filter
def purity(finding) -> str:
    """A finding's content with its uncertainty (see ``percent``)."""
    return percent(
        getattr(finding, "purity_percent", None), getattr(finding, "purity_uncertainty_percent", None)
    )
