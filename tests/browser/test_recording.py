"""A chemist records an examination in a real Chromium: case, exhibit, examination, a finding chosen with the
substance autocomplete (typed in Russian), and submission for review."""

import re

import pytest

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def test_record_an_examination_with_the_substance_autocomplete(page, served_fdx):
    sign_in(page, served_fdx)

    # A new case
    page.goto("/cases/new/")
    page.fill("#id_reference", "KZ-BROWSER-1")
    page.fill("#id_seizure_date", "2025-06-03")
    page.select_option("#id_seizure_country", "KZ")
    page.select_option("#id_seizure_region", "KZ-75")
    page.select_option("#id_seizure_context", "online_purchase")
    page.select_option("#id_distribution_level", "national")
    page.click("form.form button[type=submit]")
    page.wait_for_url(re.compile(r".*/cases/[0-9a-f-]{36}/$"))
    assert "KZ-BROWSER-1" in page.locator("h1").inner_text()

    # An exhibit, then an examination of it
    page.click("text=Add an exhibit")
    page.fill("#id_exhibit-label", "1")
    page.select_option("#id_exhibit-form", "powder")
    page.fill("#id_exhibit-gross_mass_g", "1.32")
    page.fill("#id_exhibit-net_mass_g", "1.05")
    page.click("text=Add the exhibit")
    page.click("text=Start an examination of this exhibit")
    page.fill("#id_examination-received_date", "2025-06-04")
    page.fill("#id_examination-completed_date", "2025-06-09")
    page.check("input[name=examination-methods][value=gc_ms]")
    page.fill("#id_examination-conclusion", "Mephedrone hydrochloride identified and quantified.")
    page.click("text=Start the examination")
    page.wait_for_url(re.compile(r".*/cases/examinations/[0-9a-f-]{36}/$"))

    # The autocomplete offers registry names while a Russian name is typed
    page.locator("#id_substance").press_sequentially("мефедр", delay=40)
    page.wait_for_selector("#substance-options option", state="attached")
    offered = page.eval_on_selector_all("#substance-options option", "options => options.map(o => o.value)")
    assert "Mephedrone hydrochloride" in offered
    page.fill("#id_substance", "Mephedrone hydrochloride")
    page.select_option("#id_result_type", "quantitative")
    page.fill("#id_purity_percent", "78.4")
    page.click("#finding-form button[type=submit]")

    row = page.locator("table.data tbody tr").first.inner_text()
    assert "Mephedrone hydrochloride" in row and "78.4" in row and "0.8232 g" in row
    # ...with its legal status in the country of seizure on the seizure date
    assert "controlled" in row and "KZ, 2025-06-03" in row and "KZ-LIST-II" in row

    # Submitted for review
    page.click("#submit-examination")
    assert page.locator("#examination-status").inner_text() == "Submitted for review"
    outside = [url for url in page.fdx_requests if not url.startswith((served_fdx, "data:"))]
    assert outside == []
