"""A node administrator registers a peer and suspends it, in Russian, in a real Chromium: the token is shown
once with its warning, and the peer's page then says it is suspended."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import outside_requests

pytestmark = pytest.mark.browser

PEER_NODE = "4b2f1e0a-3c5d-4e6f-8a9b-0c1d2e3f4a5b"


def test_a_node_administrator_registers_a_peer_and_suspends_it_in_russian(signed_in, served_fdx):
    page = signed_in("node_admin", "ru")

    page.goto("/")
    page.click("#nav-peers")
    page.wait_for_url(re.compile(r".*/exchange/peers/$"))
    assert page.locator("h1").inner_text() == "Узлы-партнёры"
    page.click("#peer-register")
    page.fill("#id_name", "uz-browser")
    page.fill("#id_url", "https://fdx.example.uz")
    page.select_option("#id_role", "national")
    page.select_option("#id_country", "UZ")
    page.fill("#id_node_id", PEER_NODE)
    page.fill("#id_key_fingerprint", "AB12 " * 16)
    page.click("#peer-save")

    warning = page.locator("#peer-token-warning").inner_text()
    assert "показывается только один раз" in warning
    token = page.locator("#peer-token").inner_text().strip()
    assert len(token) > 20
    page.click("#peer-open")
    page.wait_for_url(re.compile(r".*/exchange/peers/uz-browser/$"))
    assert token not in page.content()
    assert page.locator("#peer-fingerprint").inner_text().startswith("ab12 ab12")
    page.fill("#id_reason", "ключ скомпрометирован")
    page.click("#peer-suspend")
    page.wait_for_url(re.compile(r".*/exchange/peers/uz-browser/$"))

    assert page.locator("#peer-state").inner_text() == "приостановлен"
    assert "Обмен с узлом-партнёром uz-browser приостановлен." in page.locator(".messages").inner_text()
    assert "ключ скомпрометирован" in page.content()
    assert page.locator("#peer-resume").count() == 1
    page.goto("/exchange/peers/")
    assert "приостановлен" in page.locator("#peer-uz-browser").inner_text()
    assert outside_requests(page, served_fdx) == []
