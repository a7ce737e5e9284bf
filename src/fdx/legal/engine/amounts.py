"""Amount categories.

The threshold in force that applies to a controlled structure, and the category (small, significant,
large, especially large) a mass falls into under it.
"""

from __future__ import annotations

from decimal import Decimal

from fdx.legal.engine.answers import Basis
from fdx.legal.engine.data import ThresholdInfo
from fdx.legal.engine.structure import Query


def amount_category(chosen: ThresholdInfo | None, amount_g: Decimal) -> dict:
    """The category of ``amount_g`` under ``chosen``; ``unknown`` when no value is known — never a guess.

    Parameters
    ----------
    chosen : ThresholdInfo or None
        The threshold ``threshold_for`` found for this substance (or the entry it is a derivative of);
        None when there is none.
    amount_g : decimal.Decimal
        The amount in grams.

    Returns
    -------
    dict
        What ``describe_category`` gives; without a threshold, the category ``unknown`` and the reason.
    """
    if chosen is None:
        return {"category": "unknown", "reason": "no quantity threshold is recorded for this substance"}
    return describe_category(chosen, amount_g)


def threshold_for(
    thresholds: list[ThresholdInfo], query: Query, day, decisive: list[Basis]
) -> ThresholdInfo | None:
    """The threshold in force that applies to the structure.

    Its own (by structure) first, then one named as the entry it is listed under, then that of the parent it
    is a derivative of; of several of one rank, the first.

    Parameters
    ----------
    thresholds : list of ThresholdInfo
        The thresholds of the jurisdiction, in their order.
    query : Query
        The structure.
    day : datetime.date
        The day asked about.
    decisive : list of Basis
        The bases that make the structure controlled (their entries and derivative parents are looked up).

    Returns
    -------
    ThresholdInfo or None
        The threshold; None when none applies.
    """
    parents = {b.parent_skeleton for b in decisive if b.parent_skeleton}
    names = {b.entry.casefold() for b in decisive}
    ranked = []
    for position, threshold in enumerate(thresholds):
        if not threshold.in_force(day):
            continue
        own = threshold.inchikey[:14]
        if own and own == query.skeleton:
            ranked.append((0, position, threshold))
        elif threshold.entry_name.casefold() in names:
            ranked.append((1, position, threshold))
        elif own and threshold.includes_derivatives and own in parents:
            ranked.append((2, position, threshold))
    return min(ranked, key=lambda item: item[:2])[2] if ranked else None


def describe_category(chosen: ThresholdInfo, amount_g: Decimal) -> dict:
    """The category of ``amount_g`` under ``chosen``, with the threshold it was read from.

    Parameters
    ----------
    chosen : ThresholdInfo
        The threshold.
    amount_g : decimal.Decimal
        The amount in grams.

    Returns
    -------
    dict
        ``category`` (``none``, ``small``, ``significant``, ``large``, ``especially_large`` or
        ``unknown``: the highest tier the amount reaches, ``unknown`` where a tier that could apply has no
        known value), and the threshold's name, basis, instrument, verification, source and bounds.
    """
    category = _category(chosen, amount_g)
    return {
        "category": category,
        "threshold": chosen.entry_name,
        "basis": chosen.basis,
        "instrument": chosen.instrument,
        "verified": chosen.verified,
        "source_url": chosen.source_url,
        "bounds": {
            "small_max_g": chosen.small_max_g,
            "significant_min_g": chosen.significant_min_g,
            "large_min_g": chosen.large_min_g,
            "especially_large_min_g": chosen.especially_large_min_g,
            "comparison": chosen.comparison,
        },
    }


def _category(threshold: ThresholdInfo, amount: Decimal) -> str:
    """The highest tier ``amount`` reaches; ``small`` within the small amount; ``none`` below every tier
    that applies; ``unknown`` when a tier that could apply has no known value."""

    def reaches(bound):
        bound = Decimal(str(bound))
        return amount > bound if threshold.comparison == "above" else amount >= bound

    tiers = [
        ("especially_large", threshold.especially_large_min_g),
        ("large", threshold.large_min_g),
        ("significant", threshold.significant_min_g),
    ]
    unknown_above = False
    for name, bound in tiers:
        if bound is None:
            unknown_above = unknown_above or name != "significant" or threshold.small_max_g is None
            continue
        if reaches(bound):
            return "unknown" if unknown_above else name
    if threshold.small_max_g is not None and amount <= Decimal(str(threshold.small_max_g)):
        return "small"
    return "unknown" if unknown_above else "none"
