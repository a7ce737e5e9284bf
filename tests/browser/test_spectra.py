"""A chemist's library search in a real Chromium: paste an unknown's peaks, read the hits, see the
head-to-tail plot drawn by the locally served Plotly, and the best hit's legal status."""

import pytest

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

UNKNOWN = """40 35
42 28
56 45
58 999
65 80
91 170
134 25
"""


def test_identify_a_pasted_spectrum_with_its_head_to_tail_plot_and_legal_status(page, served_fdx):
    sign_in(page, served_fdx)

    page.click("nav.main-nav >> text=Spectra")
    page.fill("#id_peaks", UNKNOWN)
    page.fill("#id_name", "Exhibit 1 unknown")
    page.click("#spectrum-search-form button[type=submit]")

    page.wait_for_selector("table.hits")
    first = page.locator("table.hits tbody tr").first.inner_text()
    assert "Methamphetamine" in first and "Browser reference" in first
    score = int(page.locator("table.hits tbody tr").first.locator("td").nth(3).locator("strong").inner_text())
    assert 800 <= score <= 999
    # The head-to-tail plot of the first hit is drawn (Plotly's SVG), with nothing fetched from outside.
    page.wait_for_selector("#result-0 details[open] .plot .main-svg")
    assert "controlled" in page.locator('#result-0 tr[data-jurisdiction="UN"]').inner_text()
    outside = [url for url in page.fdx_requests if not url.startswith((served_fdx, "data:", "blob:"))]
    assert outside == []
