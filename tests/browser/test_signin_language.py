"""Sign in through a real Chromium against a served FDX, switch the language, load nothing from outside."""

import pytest

from tests.browser.conftest import BROWSER_PASSWORD, BROWSER_USER, complete_sign_in

pytestmark = pytest.mark.browser


def test_sign_in_and_switch_language(page, served_fdx):
    # Given a visitor who is not signed in
    page.goto("/")

    # Then FDX sends them to the sign-in page
    assert "/accounts/signin/" in page.url
    assert page.locator("h1").inner_text() == "Sign in to FDX"

    # When they sign in
    page.fill("#id_username", BROWSER_USER)
    page.fill("#id_password", BROWSER_PASSWORD)
    page.click("#signin-submit")
    # ...and their authenticator's code (enrolling it first, when this is their first sign-in)
    complete_sign_in(page, BROWSER_USER, BROWSER_PASSWORD)

    # Then they land on the home page, in English
    page.wait_for_url(served_fdx + "/")
    assert page.locator("h1").inner_text() == "Welcome, Aigerim"
    assert "Centre of Forensic Examinations, Almaty (demo)" in page.content()

    # When they switch to Russian
    page.click("#lang-ru")

    # Then the same page speaks Russian, and the choice sticks
    page.wait_for_selector("html[lang=ru]")
    assert page.locator("h1").inner_text() == "Добро пожаловать, Aigerim"
    assert "Центр судебных экспертиз, Алматы (демо)" in page.content()
    page.goto("/accounts/me/")
    assert page.locator("h1").inner_text() == "Ваша учётная запись"

    # And back to English
    page.click("#lang-en")
    page.wait_for_selector("html[lang=en]")
    assert page.locator("h1").inner_text() == "Your account"

    # Nothing was requested from outside the node
    outside = [url for url in page.fdx_requests if not url.startswith((served_fdx, "data:"))]
    assert outside == []


def test_wrong_password_stays_on_the_sign_in_page(page, served_fdx):
    page.goto("/accounts/signin/")
    page.fill("#id_username", BROWSER_USER)
    page.fill("#id_password", "not the password")
    page.click("#signin-submit")

    assert "/accounts/signin/" in page.url
    assert page.locator(".errorlist").count() == 1


def test_health_through_the_served_node(page, served_fdx):
    response = page.request.get(served_fdx + "/api/v1/health")

    assert response.ok
    assert response.json()["status"] == "ok"
    assert response.json()["node"]["name"] == "Browser test node"
