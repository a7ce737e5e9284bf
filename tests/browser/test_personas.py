"""Each persona's main job, walked in a real Chromium in English and in Russian, on a node that requires
two-factor sign-in: the chemist records and submits an examination, the head of laboratory approves it and
prints the report, the judge's assistant checks the legal status by any name and verifies the report, the
node administrator creates an organisation and a sharing group and reads the audit log as sentences.

The tests of one language run in this order and hand on what the earlier ones made (``HANDED_ON``)."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import outside_requests

pytestmark = pytest.mark.browser

LANGUAGES = ["en", "ru"]
# What an earlier job made, for the next persona of the same language.
HANDED_ON: dict[str, dict] = {language: {} for language in LANGUAGES}

WORDS = {
    "en": {
        "net mass": "Net mass",
        "purity": "72.4 % ± 2.1",
        "submitted": "Submitted for review",
        "approved": "Approved",
        "matches": "The report matches the current record.",
        "to review": "Examinations to review",
        "controlled": "controlled",
        "undecided": "cannot decide",
        "lists searched": "Lists searched:",
        "organisation saved": "Customs post Dostyk",
        "audit sentence": "signed in",
    },
    "ru": {
        "net mass": "Масса нетто",
        "purity": "72,4 % ± 2,1",
        "submitted": "Передана на проверку",
        "approved": "Утверждена",
        "matches": "Заключение совпадает с текущей записью.",
        "to review": "Экспертизы на проверку",
        "controlled": "контролируется",
        "undecided": "невозможно определить",
        "lists searched": "Просмотренные списки:",
        "organisation saved": "Customs post Dostyk",
        "audit sentence": "вош",
    },
}


def _screenshot(page, tmp_path_factory, name):
    """Keep a screenshot of each job's last page (looked at when a job changes; CI keeps none)."""
    page.screenshot(path=str(tmp_path_factory.getbasetemp() / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("language", LANGUAGES)
def test_1_chemist_records_and_submits_an_examination(signed_in, served_fdx, language, tmp_path_factory):
    page = signed_in("chemist", language)
    words = WORDS[language]
    reference = f"KZ-PERSONA-{language.upper()}"

    # A new case asks for no reason for a change, and the region list follows the country
    page.goto("/cases/new/")
    assert page.locator("#id_reason").count() == 0
    page.fill("#id_reference", reference)
    page.fill("#id_seizure_date", "2025-09-14")
    page.select_option("#id_seizure_country", "KZ")
    regions = page.eval_on_selector_all(
        "#id_seizure_region option", "options => options.filter(o => !o.hidden && o.value).map(o => o.value)"
    )
    assert regions and all(code.startswith("KZ-") for code in regions)
    page.select_option("#id_seizure_region", "KZ-75")
    page.select_option("#id_seizure_context", "border_crossing")
    page.select_option("#id_distribution_level", "national")
    page.click("form.form button[type=submit]")
    page.wait_for_url(re.compile(r".*/cases/[0-9a-f-]{36}/$"))
    case_url = page.url

    # An exhibit whose net mass exceeds its gross mass is refused by label, and what was typed stays
    page.click("#add-exhibit summary, text=Add an exhibit, text=Добавить объект >> nth=0")
    page.fill("#id_exhibit-label", "1")
    page.select_option("#id_exhibit-form", "tablet")
    page.fill("#id_exhibit-gross_mass_g", "2.5")
    page.fill("#id_exhibit-net_mass_g", "3.5")
    page.click("#exhibit-form button[type=submit], form:has(#id_exhibit-label) button[type=submit] >> nth=0")
    assert (
        words["net mass"] in page.locator(".errorlist, .messages").first.inner_text()
        or words["net mass"] in page.content()
    )
    assert page.input_value("#id_exhibit-gross_mass_g") == "2.5"
    assert page.input_value("#id_exhibit-label") == "1"
    page.fill("#id_exhibit-net_mass_g", "2.1")
    page.click("form:has(#id_exhibit-label) button[type=submit] >> nth=0")
    page.wait_for_url(case_url)

    # An examination, a finding with its purity and uncertainty, submitted for review
    page.click("form:has(#id_examination-received_date) summary, details:has(#id_examination-received_date)")
    page.fill("#id_examination-received_date", "2025-09-15")
    page.fill("#id_examination-completed_date", "2025-09-19")
    page.check("input[name=examination-methods][value=gc_ms]")
    page.fill("#id_examination-conclusion", "MDMA hydrochloride identified and quantified.")
    page.click("form:has(#id_examination-received_date) button[type=submit]")
    page.wait_for_url(re.compile(r".*/cases/examinations/[0-9a-f-]{36}/$"))
    examination_url = page.url
    page.fill("#id_substance", "MDMA hydrochloride")
    page.select_option("#id_result_type", "quantitative")
    page.fill("#id_purity_percent", "72.4" if language == "en" else "72,4")
    page.fill("#id_purity_uncertainty_percent", "2.1" if language == "en" else "2,1")
    page.click("#finding-form button[type=submit]")
    row = page.locator("table.data tbody tr").first.inner_text()
    assert words["purity"] in row
    page.click("#submit-examination")
    assert page.locator("#examination-status").inner_text() == words["submitted"]
    # The author is never offered the approval of their own work
    assert page.locator("#approve-examination").count() == 0

    HANDED_ON[language].update(case_url=case_url, examination_url=examination_url, reference=reference)
    _screenshot(page, tmp_path_factory, f"chemist-{language}")
    assert outside_requests(page, served_fdx) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_2_head_of_laboratory_approves_with_a_comment_and_prints_the_report(
    signed_in, served_fdx, language, tmp_path_factory
):
    handed = HANDED_ON[language]
    if "examination_url" not in handed:
        pytest.skip("the chemist's job of this language did not finish")
    page = signed_in("head", language)
    words = WORDS[language]

    # The home page lists the work waiting for a reviewer, the chemist's submission among it
    page.goto("/")
    waiting = page.locator("#work-to-review").inner_text()
    assert words["to review"] in waiting and handed["reference"] in waiting

    # Approve asks for a comment and a confirmation
    page.goto(handed["examination_url"])
    page.click("#approve-examination")
    page.fill("#id_comment", "Checked against the raw data.")
    page.click("#confirm-review")
    page.wait_for_url(handed["examination_url"])
    assert page.locator("#examination-status").inner_text() == words["approved"]

    # The report: printable, with its digest; the PDF is made on the server
    page.click("#report-link")
    page.wait_for_selector("#report-digest")
    report = page.locator("#report").inner_text()
    assert "MDMA" in report and words["purity"] in report
    digest = page.locator("#report-digest").inner_text()
    pdf = page.request.get(page.locator("#report-pdf").get_attribute("href"))
    assert pdf.ok and pdf.body().startswith(b"%PDF")
    global_id = re.search(r"examinations/([0-9a-f-]{36})/", handed["examination_url"]).group(1)
    handed.update(digest=digest, examination_id=global_id)
    _screenshot(page, tmp_path_factory, f"head-report-{language}")
    assert outside_requests(page, served_fdx) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_3_judge_finds_the_legal_status_by_any_name_and_verifies_the_report(
    signed_in, served_fdx, language, tmp_path_factory
):
    page = signed_in("judge", language)
    words = WORDS[language]

    # A transliterated name finds the substance; each answer explains itself
    page.goto("/legal/")
    page.fill("#id_substance", "mefedron")
    page.fill("#id_date", "2025-09-14")
    page.click("#legal-status-form button[type=submit]")
    page.wait_for_selector("table.legal-answers")
    assert words["controlled"] in page.locator('tr[data-jurisdiction="KZ"]').inner_text()
    assert page.locator("dl.legal-legend dd").count() == 3

    # Caffeine is in no list of a jurisdiction whose lists are incomplete: the lists searched are named
    page.fill("#id_substance", "кофеин")
    page.click("#legal-status-form button[type=submit]")
    kz = page.locator('tr[data-jurisdiction="KZ"]').inner_text()
    assert words["undecided"] in kz and words["lists searched"] in kz and "KZ-LIST-I" in kz

    # The report handed over by the laboratory is checked on the node
    handed = HANDED_ON[language]
    if "digest" in handed:
        page.goto("/reports/verify/")
        page.fill("#id_examination", handed["examination_id"])
        page.fill("#id_digest", handed["digest"])
        page.click("#verify-form button[type=submit]")
        assert page.locator("#verification-result").get_attribute("data-outcome") == "current"
        assert words["matches"] in page.locator("#verification-result").inner_text()
    _screenshot(page, tmp_path_factory, f"judge-{language}")
    assert outside_requests(page, served_fdx) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_4_node_administrator_keeps_organisations_sharing_groups_and_reads_the_audit_log(
    signed_in, served_fdx, language, tmp_path_factory
):
    page = signed_in("node_admin", language)
    code = f"customs-dostyk-{language}"

    page.goto("/accounts/organisations/new/")
    page.fill("#id_code", code)
    page.fill("#id_name", f"Customs post Dostyk ({language})")
    page.select_option("#id_country", "KZ")
    page.select_option("#id_org_type", "customs")
    page.click("form.form button[type=submit]")
    page.wait_for_url(re.compile(r".*/accounts/organisations/$"))
    assert f"Customs post Dostyk ({language})" in page.locator("main").inner_text()

    page.goto("/accounts/sharing-groups/new/")
    page.fill("#id_code", f"border-{language}")
    page.fill("#id_name", f"Border laboratories ({language})")
    page.locator("#id_organisations input[type=checkbox], #id_organisations option").first.wait_for(
        state="attached"
    )
    if page.locator("select#id_organisations").count():
        page.select_option("#id_organisations", [code, "demo-kz-forensic-centre"])
    else:
        page.check(f"#id_organisations input[value={code}]")
        page.check("#id_organisations input[value=demo-kz-forensic-centre]")
    page.click("form.form button[type=submit]")
    page.wait_for_url(re.compile(r".*/accounts/sharing-groups/$"))
    assert f"Border laboratories ({language})" in page.locator("main").inner_text()

    # The audit log reads as sentences in the reader's language, the codes one click away
    page.goto("/audit/")
    log = page.locator("main").inner_text()
    assert WORDS[language]["audit sentence"] in log
    _screenshot(page, tmp_path_factory, f"node-admin-{language}")
    assert outside_requests(page, served_fdx) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_5_everyone_sees_styled_error_pages_in_their_language(signed_in, served_fdx, language):
    page = signed_in("chemist", language)

    response = page.goto("/cases/00000000-0000-0000-0000-000000000000/")
    assert response.status == 404
    assert page.locator("nav.main-nav").count() == 1
    assert ("Not found" if language == "en" else "не найдена") in page.locator("main").inner_text()
    page.goto("/admin/")
    assert page.url.rstrip("/").endswith("/admin")  # no loop: a 403 page, not a redirect
    assert outside_requests(page, served_fdx) == []
