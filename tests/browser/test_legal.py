"""A prosecutor's question in a real Chromium: is this structure controlled, where, since when, and why?"""

import pytest

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def test_legal_status_of_a_pasted_structure_in_every_jurisdiction(page, served_fdx):
    sign_in(page, served_fdx)

    page.click("nav.main-nav >> text=Legal status")
    page.fill("#id_structure", "CNC(C)C(=O)c1ccc(C)cc1.Cl")
    page.fill("#id_date", "2024-05-01")
    page.fill("#id_amount_g", "0.5")
    page.click("#legal-status-form button[type=submit]")

    page.wait_for_selector("table.legal-answers")
    un = page.locator('tr[data-jurisdiction="UN"]').inner_text()
    kz = page.locator('tr[data-jurisdiction="KZ"]').inner_text()
    assert "controlled" in un and "UN-1971-II" in un and "Salt of a listed substance" in un
    assert "KZ-LIST-II" in kz and "through UN-1971-II" in kz
    assert page.locator("table.legal-answers tbody tr").count() >= 6

    # The list the answer cites, and its entry
    page.click('tr[data-jurisdiction="UN"] >> a:text("UN-1971-II")')
    page.wait_for_selector("#listings")
    assert "mephedrone" in page.locator("#listings").inner_text()
    outside = [url for url in page.fdx_requests if not url.startswith((served_fdx, "data:"))]
    assert outside == []
