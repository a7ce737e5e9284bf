"""Amount categories: the tier an amount reaches under a threshold's bounds, ``above`` or ``at_least`` them,
and ``unknown`` wherever a missing bound could matter. How the engine chooses the threshold is tested with the
answers, in ``test_engine_assess``."""

import datetime
from decimal import Decimal

import pytest

from fdx.legal.engine.amounts import _category
from fdx.legal.engine.data import ThresholdInfo


def threshold(comparison="above", small=None, significant=0.5, large=2.5, especially_large=1000.0):
    return ThresholdInfo(
        "XX",
        "heroin",
        "",
        True,
        small,
        significant,
        large,
        especially_large,
        comparison,
        "mixture",
        datetime.date(2013, 1, 1),
        None,
        "",
        "",
        False,
    )


@pytest.mark.parametrize(
    ("amount", "comparison", "category"),
    [
        ("0.4", "above", "none"),
        ("0.5", "above", "none"),
        ("0.5", "at_least", "significant"),
        ("0.51", "above", "significant"),
        ("2.5", "above", "significant"),
        ("2.5", "at_least", "large"),
        ("1000", "above", "large"),
        ("1000.001", "above", "especially_large"),
    ],
)
def test_an_amount_falls_into_the_highest_tier_it_reaches(amount, comparison, category):
    assert _category(threshold(comparison), Decimal(amount)) == category


def test_an_amount_within_the_small_amount_is_small():
    tiers = threshold(small=0.02, significant=None, large=None, especially_large=None)

    assert _category(tiers, Decimal("0.02")) == "small"
    assert _category(tiers, Decimal("0.5")) == "unknown"  # above the small amount, but how far is not known


@pytest.mark.parametrize(
    ("tiers", "amount", "category"),
    [
        ({"large": None}, "3", "unknown"),  # reaches "significant" but could be "large"
        ({"large": None}, "0.1", "unknown"),  # below "significant", but an unknown tier could lie below it
        ({"especially_large": None}, "1001", "unknown"),
        ({"significant": None}, "0.1", "unknown"),
        ({"significant": None}, "3", "large"),  # every tier above a missing lowest one is known
    ],
)
def test_a_missing_tier_value_makes_the_category_unknown_where_it_could_matter(tiers, amount, category):
    values = {"significant": 0.5, "large": 2.5, "especially_large": 1000.0, **tiers}

    assert _category(threshold(**values), Decimal(amount)) == category
