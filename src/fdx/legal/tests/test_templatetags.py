from django.utils import translation

from fdx.legal.templatetags.legal import amount_category, basis_kind, explanation


def test_engine_explanations_are_shown_in_russian_part_by_part():
    text = "an ester or ether of Morphine; through UN-1961-I; something new"

    with translation.override("ru"):
        shown = explanation(text)
        kind = basis_kind("salt")
        category = amount_category("especially_large")

    assert shown == "сложный или простой эфир вещества Morphine; через UN-1961-I; something new"
    assert kind != "Salt of a listed substance" and category != "especially large amount"


def test_explanations_stay_english_in_english():
    with translation.override("en"):
        assert explanation("through KZ-LIST-II") == "through KZ-LIST-II"
        assert explanation("") == ""
