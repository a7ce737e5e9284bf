"""The fields an owner may mark shareable (``examinations.shareable``, declared below this app) are exactly
the fields the pseudonymisation table sends only when marked (``drop_unless_shareable``)."""

import pytest
from django.apps import apps

from fdx.examinations.shareable import SHAREABLE_CANDIDATES
from fdx.exchange.pseudonymise import TABLE, Treatment


def _sent_if_marked(model: str) -> set[str]:
    return {name for name, how in TABLE[model].items() if how == Treatment.DROP_UNLESS_SHAREABLE}


def test_the_same_models_have_fields_that_may_be_marked():
    assert set(SHAREABLE_CANDIDATES) == {model for model in TABLE if _sent_if_marked(model)}


@pytest.mark.parametrize("model", sorted(SHAREABLE_CANDIDATES))
def test_the_candidates_are_the_fields_sent_only_when_marked(model):
    candidates = SHAREABLE_CANDIDATES[model]

    assert len(candidates) == len(set(candidates))
    assert set(candidates) == _sent_if_marked(model)


@pytest.mark.parametrize("model", sorted(SHAREABLE_CANDIDATES))
def test_each_model_with_candidates_keeps_its_marking(model):
    field = apps.get_model(model)._meta.get_field("shareable_fields")

    assert field.get_internal_type() == "JSONField" and field.default is list
