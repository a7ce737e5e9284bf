import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from fdx.audit.models import AuditEvent
from fdx.examinations.models import Case, Examination
from fdx.examinations.tests.builders import approved_case

pytestmark = pytest.mark.django_db


def test_recording_a_whole_examination_through_the_pages(client, persona):
    chemist, head = persona("kz_lab_chemist"), persona("kz_lab_head")
    client.force_login(chemist)

    response = client.post(
        "/cases/new/",
        {
            "reference": "KZ-WEB-1",
            "seizure_date": "2025-04-02",
            "seizure_country": "KZ",
            "seizure_region": "KZ-33",
            "locality": "Taldykorgan",
            "seizure_context": "internal",
            "distribution_level": "national",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    case = Case.objects.get(reference="KZ-WEB-1")
    client.post(
        f"/cases/{case.global_id}/exhibits/",
        {
            "exhibit-label": "1",
            "exhibit-form": "powder",
            "exhibit-gross_mass_g": "2.1",
            "exhibit-net_mass_g": "1.95",
        },
    )
    exhibit = case.exhibits.get()
    response = client.post(
        f"/cases/exhibits/{exhibit.global_id}/examinations/",
        {
            "examination-received_date": "2025-04-03",
            "examination-completed_date": "2025-04-05",
            "examination-methods": ["gc_ms"],
            "examination-conclusion": "alpha-PVP identified",
        },
    )
    examination = Examination.objects.get(exhibit=exhibit)
    assert response["Location"] == f"/cases/examinations/{examination.global_id}/"
    client.post(
        f"/cases/examinations/{examination.global_id}/findings/",
        {
            "substance": "альфа-пирролидиновалерофенон (альфа-PVP)",
            "result_type": "quantitative",
            "role": "main",
            "purity_percent": "64.2",
        },
    )
    assert examination.findings.get().substance.key == "alpha-pvp"
    client.post(f"/cases/examinations/{examination.global_id}/submit/")
    client.force_login(head)
    confirm = client.post(f"/cases/examinations/{examination.global_id}/approve/")
    examination.refresh_from_db()
    assert confirm.status_code == 200 and examination.status == "submitted"  # asked first, nothing done
    client.post(f"/cases/examinations/{examination.global_id}/approve/", {"confirm": "yes", "comment": "ok"})

    examination.refresh_from_db()
    assert examination.status == "approved"
    page = client.get(f"/cases/{case.global_id}/").content.decode()
    assert "alpha-PVP" in page and "Approved" in page


def test_an_unknown_substance_name_is_reported(client, persona):
    _case, _exhibit, approved = approved_case(persona)
    chemist = persona("kz_lab_chemist")
    from fdx.examinations import actions

    revision = actions.revise_examination(chemist, approved, reason="check")
    client.force_login(chemist)

    response = client.post(
        f"/cases/examinations/{revision.global_id}/findings/",
        {"substance": "unobtainium", "result_type": "qualitative", "role": "main"},
        follow=True,
    )

    assert "No substance of the registry is called unobtainium" in response.content.decode()


def test_region_errors_are_shown_on_the_form(client, persona):
    client.force_login(persona("kz_lab_chemist"))

    response = client.post(
        "/cases/new/",
        {
            "reference": "KZ-WEB-2",
            "seizure_date": "2021-04-02",
            "seizure_country": "KZ",
            "seizure_region": "KZ-33",
            "seizure_context": "internal",
            "distribution_level": "national",
        },
    )

    assert response.status_code == 200
    assert "did not exist on 2021-04-02" in response.content.decode()


def test_the_case_page_is_audited_and_hidden_from_outsiders(client, persona):
    case, _exhibit, _examination = approved_case(persona, distribution_level="national")
    client.force_login(persona("kz_police_analyst"))

    assert client.get(f"/cases/{case.global_id}/").status_code == 200
    assert AuditEvent.objects.filter(
        action="examinations.case.viewed", actor_username="kz_police_analyst"
    ).exists()
    client.force_login(persona("uz_police_analyst"))
    assert client.get(f"/cases/{case.global_id}/").status_code == 404


def test_case_list_filters(client, persona):
    approved_case(persona, distribution_level="regional")
    client.force_login(persona("uz_police_analyst"))

    assert b"KZ-2025-0001" in client.get("/cases/", {"substance_class": "amphetamines"}).content
    assert b"KZ-2025-0001" not in client.get("/cases/", {"substance_class": "opioids"}).content


def test_a_filter_that_cannot_be_read_lists_and_exports_nothing(client, persona):
    # Given a visible case, and a list asked with a date that is not a date
    approved_case(persona, distribution_level="regional")
    client.force_login(persona("uz_police_analyst"))
    asked = {"seized_from": "2025-01-01", "seized_to": "garbage"}

    listed = client.get("/cases/", asked)
    exported = client.get("/cases/export.csv", asked)

    # Then neither the list nor the export falls back to every case
    assert b"KZ-2025-0001" not in listed.content
    assert exported.status_code == 400
    exported = client.get("/cases/export.csv", {"seized_from": "2025-01-01"})
    assert b"KZ-2025-0001" in b"".join(exported.streaming_content)


def test_roles_without_case_data_get_403(client, persona):
    client.force_login(persona("kz_lab_admin"))

    assert client.get("/cases/").status_code == 403


def test_attachment_upload_and_download_from_the_page(client, persona):
    case, _exhibit, _examination = approved_case(persona)
    client.force_login(persona("kz_lab_chemist"))

    client.post(
        f"/cases/{case.global_id}/attachments/",
        {"file": SimpleUploadedFile("photo.png", b"\x89PNG\r\n\x1a\n" + b"0" * 100), "kind": "photograph"},
    )
    attachment = case.attachments.get()
    download = client.get(f"/cases/attachments/{attachment.global_id}/")

    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"\x89PNG")
