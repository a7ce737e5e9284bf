"""The chemist's and the head of laboratory's pages: refused forms keep what was typed and name fields by
label in the user's language; regions follow the country; contents read "72.4 % ± 2.1"; the home page lists
the work waiting; approve and return ask for confirmation and a comment, and never reach the author."""

import re
from decimal import Decimal

import pytest
from django.contrib.staticfiles import finders
from django.template import Context, Template
from django.utils import translation

from fdx.audit.models import AuditEvent
from fdx.examinations import actions
from fdx.examinations.models import AnalyticalMethod, Examination
from fdx.examinations.tests.builders import add_exhibit, add_meth_finding, draft_examination, open_case

pytestmark = pytest.mark.django_db


def _submitted(persona, reference="KZ-2025-0001"):
    chemist = persona("kz_lab_chemist")
    case = open_case(chemist, reference=reference)
    examination = draft_examination(chemist, add_exhibit(chemist, case))
    add_meth_finding(chemist, examination)
    return actions.submit_examination(chemist, examination)


def _messages(page: str) -> list[str]:
    return re.findall(r'<li class="message error">(.*?)</li>', page)


# Refused forms


@pytest.mark.parametrize(("language", "label"), [("en", "Net mass (g)"), ("ru", "Масса нетто (г)")])
def test_a_refused_exhibit_keeps_what_was_typed_and_names_the_field(client, persona, language, label):
    chemist = persona("kz_lab_chemist")
    case = open_case(chemist)
    client.force_login(chemist)

    response = client.post(
        f"/cases/{case.global_id}/exhibits/",
        {
            "exhibit-label": "7",
            "exhibit-form": "powder",
            "exhibit-colour": "beige",
            "exhibit-net_mass_g": "1,9x",
        },
        HTTP_ACCEPT_LANGUAGE=language,
    )
    page = response.content.decode()

    assert response.status_code == 400
    assert any(message.startswith(f"{label}: ") for message in _messages(page)), _messages(page)
    assert 'value="7"' in page and 'value="beige"' in page and 'value="1,9x"' in page
    assert "net_mass_g:" not in page
    assert not case.exhibits.exists()


def test_a_refused_examination_keeps_its_input_under_its_own_exhibit(client, persona):
    chemist = persona("kz_lab_chemist")
    case = open_case(chemist)
    first, second = add_exhibit(chemist, case, label="1"), add_exhibit(chemist, case, label="2")
    client.force_login(chemist)

    response = client.post(
        f"/cases/exhibits/{second.global_id}/examinations/",
        {"examination-request_number": "R-99", "examination-received_date": "not a date"},
    )
    page = response.content.decode()

    assert response.status_code == 400
    assert page.count('value="R-99"') == 1  # only the second exhibit's form is the refused one
    assert f'id="id_exhibit{second.pk}_examination-request_number"' in page
    assert f'id="id_exhibit{first.pk}_examination-request_number"' in page
    assert any(message.startswith("Date received: ") for message in _messages(page))
    assert not Examination.objects.exists()


def test_the_case_page_forms_follow_the_language_and_the_methods(client, persona):
    # The blank forms of the case page are rendered once and reused: each language and each list of
    # methods still has its own
    chemist = persona("kz_lab_chemist")
    case = open_case(chemist)
    first, second = add_exhibit(chemist, case, label="1"), add_exhibit(chemist, case, label="2")
    client.force_login(chemist)
    english = client.get(f"/cases/{case.global_id}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    russian = client.get(f"/cases/{case.global_id}/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    AnalyticalMethod.objects.create(code="zz_spot", name_en="Spot test Z", name_ru="Капельный тест Z")
    after = client.get(f"/cases/{case.global_id}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert 'for="id_exhibit-label">Exhibit number:' in english and "Номер объекта" not in english
    assert 'for="id_exhibit-label">Номер объекта:' in russian
    assert "Spot test Z" not in english
    for exhibit in (first, second):
        assert after.count(f'id="id_exhibit{exhibit.pk}_examination-methods_') == (
            english.count(f'id="id_exhibit{exhibit.pk}_examination-methods_') + 1
        )
    assert after.count('value="zz_spot"') == after.count("Spot test Z") == 2  # in each exhibit's form


def test_a_refused_finding_keeps_its_input(client, persona):
    chemist = persona("kz_lab_chemist")
    examination = draft_examination(chemist, add_exhibit(chemist, open_case(chemist)))
    client.force_login(chemist)

    response = client.post(
        f"/cases/examinations/{examination.global_id}/findings/",
        {"substance": "unobtainium", "result_type": "quantitative", "role": "main", "purity_percent": "42.5"},
        HTTP_ACCEPT_LANGUAGE="ru",
    )
    page = response.content.decode()

    assert response.status_code == 400
    assert 'value="unobtainium"' in page and 'value="42.5"' in page
    assert any(message.startswith("Вещество: ") for message in _messages(page)), _messages(page)
    assert not examination.findings.exists()


def test_a_refused_examination_change_keeps_its_input(client, persona):
    chemist = persona("kz_lab_chemist")
    examination = draft_examination(chemist, add_exhibit(chemist, open_case(chemist)))
    client.force_login(chemist)

    response = client.post(
        f"/cases/examinations/{examination.global_id}/edit/",
        {"received_date": "2025-03-17", "completed_date": "2025-03-01", "conclusion": "typed, not lost"},
    )
    page = response.content.decode()

    assert response.status_code == 400
    assert "typed, not lost" in page
    assert re.search(r"<details class=\"card\" open><summary>Change the examination", page)
    examination.refresh_from_db()
    assert examination.conclusion != "typed, not lost"


def test_a_refused_submission_names_fields_by_label(client, persona):
    chemist = persona("kz_lab_chemist")
    examination = draft_examination(chemist, add_exhibit(chemist, open_case(chemist)), methods=[])
    client.force_login(chemist)

    page = client.post(f"/cases/examinations/{examination.global_id}/submit/", follow=True).content.decode()

    messages = _messages(page)
    assert messages and not any(re.match(r"^[a-z_]+: ", message) for message in messages), messages


# The case form


def test_a_new_case_asks_no_reason_but_an_edit_does(client, persona):
    chemist = persona("kz_lab_chemist")
    case = open_case(chemist)
    client.force_login(chemist)

    assert 'name="reason"' not in client.get("/cases/new/").content.decode()
    assert 'name="reason"' in client.get(f"/cases/{case.global_id}/edit/").content.decode()


def test_the_region_list_follows_the_country(client, persona):
    client.force_login(persona("kz_lab_chemist"))

    page = client.get("/cases/new/").content.decode()

    assert 'data-country-from="id_seizure_country"' in page
    assert re.search(r'<option value="KZ-75" data-country="KZ"', page)
    assert re.search(r'<option value="KG-[A-Z0-9]+" data-country="KG"', page)
    assert "/static/fdx/js/region-filter.js" in page and "//cdn" not in page
    assert finders.find("fdx/js/region-filter.js")


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "is in Kyrgyzstan, not in Kazakhstan"), ("ru", "находится в стране Кыргызстан, а не Казахстан")],
)
def test_a_region_of_another_country_is_refused_clearly(client, persona, language, expected):
    client.force_login(persona("kz_lab_chemist"))
    region = persona("kg_lab_chemist").organisation.country.regions.filter(parent__isnull=True).first()

    response = client.post(
        "/cases/new/",
        {
            "reference": "KZ-WEB-9",
            "seizure_date": "2025-04-02",
            "seizure_country": "KZ",
            "seizure_region": region.code,
            "locality": "kept as typed",
            "seizure_context": "internal",
            "distribution_level": "national",
        },
        HTTP_ACCEPT_LANGUAGE=language,
    )
    page = response.content.decode()

    assert response.status_code == 200
    assert expected in page and "kept as typed" in page


# Contents


@pytest.mark.parametrize(
    ("language", "expected"), [("en", "72.4 % ± 2.1"), ("ru", "72,4 % ± 2,1"), ("en", "70 %")]
)
def test_a_content_reads_with_its_uncertainty_in_the_users_language(language, expected):
    uncertainty = None if expected == "70 %" else Decimal("2.10")
    value = Decimal("70.000") if expected == "70 %" else Decimal("72.400")
    with translation.override(language):
        text = Template("{% load fdx_format %}{{ value|percent:uncertainty }}").render(
            Context({"value": value, "uncertainty": uncertainty})
        )
    assert text == expected


def test_the_examination_page_shows_content_with_uncertainty(client, persona):
    chemist = persona("kz_lab_chemist")
    examination = draft_examination(chemist, add_exhibit(chemist, open_case(chemist)))
    finding = add_meth_finding(chemist, examination, purity="72.4")
    actions.update_finding(chemist, finding, purity_uncertainty_percent=Decimal("2.1"))
    client.force_login(chemist)

    page = client.get(
        f"/cases/examinations/{examination.global_id}/", HTTP_ACCEPT_LANGUAGE="ru"
    ).content.decode()

    assert "72,4 % ± 2,1" in page


# The workflow section


def test_no_empty_workflow_heading_on_a_chemists_submitted_examination(client, persona):
    examination = _submitted(persona)
    client.force_login(persona("kz_lab_chemist"))

    page = client.get(f"/cases/examinations/{examination.global_id}/").content.decode()

    assert "<h2>Workflow</h2>" not in page


def test_the_author_never_sees_approve_and_the_action_refuses_them(client, persona):
    examination = _submitted(persona)
    chemist = persona("kz_lab_chemist")
    client.force_login(chemist)

    page = client.get(f"/cases/examinations/{examination.global_id}/").content.decode()
    assert "approve-examination" not in page
    response = client.post(
        f"/cases/examinations/{examination.global_id}/approve/", {"confirm": "yes", "comment": "mine"}
    )
    assert response.status_code == 403
    with pytest.raises(Exception) as refused:
        actions.approve_examination(chemist, examination)
    assert refused.type.__name__ == "PermissionDenied"
    examination.refresh_from_db()
    assert examination.status == "submitted"


def test_approval_is_confirmed_and_keeps_its_comment(client, persona):
    examination = _submitted(persona)
    client.force_login(persona("kz_lab_head"))

    page = client.get(f"/cases/examinations/{examination.global_id}/").content.decode()
    assert f'href="/cases/examinations/{examination.global_id}/approve/" id="approve-examination"' in page
    confirm = client.get(f"/cases/examinations/{examination.global_id}/approve/").content.decode()
    assert 'name="confirm" value="yes"' in confirm and 'name="comment"' in confirm
    client.post(
        f"/cases/examinations/{examination.global_id}/approve/", {"confirm": "yes", "comment": "well argued"}
    )

    examination.refresh_from_db()
    assert examination.status == "approved"
    event = AuditEvent.objects.get(
        action="examinations.examination.approved", object_id=examination.global_id
    )
    assert event.reason == "well argued"


@pytest.mark.parametrize(
    ("language", "expected"), [("en", "Say what has to be corrected"), ("ru", "Укажите")]
)
def test_returning_requires_a_comment(client, persona, language, expected):
    examination = _submitted(persona)
    client.force_login(persona("kz_lab_head"))

    response = client.post(
        f"/cases/examinations/{examination.global_id}/return/",
        {"confirm": "yes", "comment": "  "},
        HTTP_ACCEPT_LANGUAGE=language,
    )

    assert response.status_code == 400 and expected in response.content.decode()
    examination.refresh_from_db()
    assert examination.status == "submitted"


# The home page


def test_the_home_page_lists_the_work_waiting_for_each_role(client, persona):
    waiting = _submitted(persona)
    chemist, head = persona("kz_lab_chemist"), persona("kz_lab_head")
    refused = _submitted(persona, reference="KZ-2025-0002")
    actions.return_examination(head, refused, reason="the GC-MS run is missing")
    approved = _submitted(persona, reference="KZ-2025-0003")
    actions.approve_examination(head, approved)
    draft = draft_examination(chemist, add_exhibit(chemist, open_case(chemist, reference="KZ-2025-0004")))

    client.force_login(head)
    page = client.get("/").content.decode()
    to_review = _section(page, "work-to-review")
    assert f"/cases/examinations/{waiting.global_id}/" in to_review
    assert f"/cases/examinations/{refused.global_id}/" not in to_review
    assert '<span class="tag count">1</span>' in to_review
    assert f"/cases/examinations/{approved.global_id}/" in _section(page, "work-approved")

    client.force_login(chemist)
    page = client.get("/").content.decode()
    assert 'id="work-to-review"' not in page  # not a reviewer
    returned = _section(page, "work-returned")
    assert f"/cases/examinations/{refused.global_id}/" in returned and "the GC-MS run is missing" in returned
    drafts = _section(page, "work-drafts")
    assert f"/cases/examinations/{draft.global_id}/" in drafts
    assert f"/cases/examinations/{waiting.global_id}/" not in drafts


def test_the_home_page_shows_no_other_laboratorys_work(client, persona):
    _submitted(persona)
    client.force_login(persona("kg_lab_head"))

    page = client.get("/").content.decode()

    assert "KZ-2025-0001" not in page
    assert "Nothing waits for your review." in _section(page, "work-to-review")


def _section(page: str, element_id: str) -> str:
    match = re.search(rf'<div class="card work-list" id="{element_id}">(.*?)</div>', page, re.S)
    assert match, f"no #{element_id} on the page"
    return match.group(1)


def test_a_returned_draft_shows_what_to_correct(client, persona):
    examination = _submitted(persona)
    actions.return_examination(persona("kz_lab_head"), examination, reason="add the FTIR spectrum")
    client.force_login(persona("kz_lab_chemist"))

    page = client.get(f"/cases/examinations/{examination.global_id}/").content.decode()

    assert "add the FTIR spectrum" in page and 'id="returned-because"' in page


def test_a_missing_reason_is_shown_beside_the_reason_field_and_the_change_is_kept(client, persona):
    examination = _submitted(persona)
    exhibit = examination.exhibit
    client.force_login(persona("kz_lab_chemist"))

    response = client.post(
        f"/cases/exhibits/{exhibit.global_id}/edit/",
        {"label": exhibit.label, "form": "crystal", "colour": "pale pink", "reason": ""},
    )
    page = response.content.decode()

    assert 'value="pale pink"' in page
    reason_field = page[page.index('name="reason"') - 600 : page.index('name="reason"')]
    assert "say why it is changed" in reason_field
    exhibit.refresh_from_db()
    assert exhibit.colour != "pale pink"
