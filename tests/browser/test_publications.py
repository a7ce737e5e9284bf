"""A node administrator publishes the node's registered substances, in Russian then in English, in a real
Chromium: the form, the publication's page with its level and subscribers, and the list."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import outside_requests

pytestmark = pytest.mark.browser


def test_a_node_administrator_publishes_reference_data_in_russian_and_reads_it_in_english(
    signed_in, served_fdx, tmp_path_factory
):
    page = signed_in("node_admin", "ru")

    page.goto("/exchange/peers/")
    page.click("#publications-link")
    page.wait_for_url(re.compile(r".*/exchange/publications/$"))
    assert page.locator("h1").inner_text() == "Публикации справочных данных"
    assert "Этот узел пока ничего не публикует." in page.locator("#publications").inner_text()
    page.click("#publication-new")
    page.fill("#id_code", "browser-registry")
    page.fill("#id_name_en", "Substances registered here")
    page.fill("#id_name_ru", "Вещества, зарегистрированные здесь")
    page.select_option("#id_kind", "substances")
    page.select_option("#id_owner_organisation", index=1)
    page.select_option("#id_distribution_level", "regional")
    page.click("#publication-save")
    page.wait_for_url(re.compile(r".*/exchange/publications/browser-registry/$"))

    assert "Публикация browser-registry опубликована." in page.locator(".messages").inner_text()
    assert page.locator("#publication-state").inner_text() == "опубликована"
    assert page.locator("#publication-level").inner_text().startswith("Региональный")
    assert "Подписчиков пока нет." in page.locator("#subscribers").inner_text()
    assert outside_requests(page, served_fdx) == []
    _screenshot(page, tmp_path_factory, "publication-ru")

    english = signed_in("node_admin", "en")
    english.goto("/exchange/publications/")
    row = english.locator("#publication-browser-registry").inner_text()
    assert "Substances registered here" in row and "published" in row
    _screenshot(english, tmp_path_factory, "publications-en")


def test_a_node_administrator_publishes_the_country_s_control_lists(signed_in, served_fdx, tmp_path_factory):
    page = signed_in("node_admin", "en")

    page.goto("/exchange/publications/")
    page.click("#publication-new")
    page.fill("#id_code", "browser-lists")
    page.fill("#id_name_en", "Control lists kept here")
    page.fill("#id_name_ru", "Списки контроля, которые ведутся здесь")
    page.select_option("#id_kind", "legal_lists")
    page.select_option("#id_jurisdiction", "KZ")
    page.select_option("#id_owner_organisation", index=1)
    page.click("#publication-save")
    page.wait_for_url(re.compile(r".*/exchange/publications/browser-lists/$"))

    assert "The control lists of a jurisdiction: Kazakhstan" in page.locator("main").inner_text()
    assert outside_requests(page, served_fdx) == []
    _screenshot(page, tmp_path_factory, "publication-lists-en")
    russian = signed_in("node_admin", "ru")
    russian.goto("/exchange/publications/browser-lists/")
    assert "Списки контроля юрисдикции: Казахстан" in russian.locator("main").inner_text()
    _screenshot(russian, tmp_path_factory, "publication-lists-ru")


def _screenshot(page, tmp_path_factory, name):
    """Keep a screenshot of the page (looked at when the pages change; CI keeps none)."""
    page.screenshot(path=str(tmp_path_factory.getbasetemp() / f"{name}.png"), full_page=True)
