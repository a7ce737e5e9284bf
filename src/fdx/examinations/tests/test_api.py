import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import StreamingHttpResponse

from fdx.audit.models import AuditEvent
from fdx.examinations.tests.builders import add_exhibit, add_meth_finding, draft_examination, open_case
from fdx.substances.models import Substance

pytestmark = pytest.mark.django_db

CASE = {
    "reference": "KZ-API-1",
    "seizure_date": "2025-02-10",
    "seizure_country": "KZ",
    "seizure_region": "KZ-ALA",
    "locality": "Almaty",
    "seizure_context": "border",
    "distribution_level": "regional",
    "border_crossing_point": "kz-almaty-airport",
}


def record_and_approve(api, persona):
    chemist, head = persona("kz_lab_chemist"), persona("kz_lab_head")
    case = api.post("/cases", CASE, user=chemist)
    assert case.status_code == 201, case.json()
    case_id = case.json()["id"]
    exhibit = api.post(
        f"/cases/{case_id}/exhibits",
        {"label": "1", "form": "powder", "colour": "white", "gross_mass_g": "105.2", "net_mass_g": "100"},
        user=chemist,
    )
    exhibit_id = exhibit.json()["id"]
    examination = api.post(
        f"/exhibits/{exhibit_id}/examinations",
        {
            "request_number": "R-1",
            "received_date": "2025-02-11",
            "completed_date": "2025-02-20",
            "methods": ["gc_ms", "ftir"],
            "conclusion": "Mephedrone identified.",
        },
        user=chemist,
    )
    examination_id = examination.json()["id"]
    mephedrone_hcl = Substance.objects.get(key="mephedrone-hydrochloride")
    finding = api.post(
        f"/examinations/{examination_id}/findings",
        {"substance": str(mephedrone_hcl.global_id), "result_type": "quantitative", "purity_percent": "82.5"},
        user=chemist,
    )
    assert finding.status_code == 201, finding.json()
    assert api.post(f"/examinations/{examination_id}/submit", user=chemist).json()["status"] == "submitted"
    approved = api.post(f"/examinations/{examination_id}/approve", user=head)
    assert approved.json()["status"] == "approved", approved.json()
    return case_id, exhibit_id, examination_id, finding.json()


def test_a_whole_examination_through_the_api(api, persona):
    case_id, _exhibit_id, _examination_id, finding = record_and_approve(api, persona)

    assert finding["amount_g"] == "82.5000"
    assert finding["base_equivalent_g"].startswith("68.")
    detail = api.get(f"/cases/{case_id}", user=persona("uz_police_analyst")).json()
    assert detail["seizure_region"] == "KZ-75"  # the former code KZ-ALA, resolved
    assert (
        detail["exhibits"][0]["examinations"][0]["findings"][0]["substance_name"]
        == "Mephedrone hydrochloride"
    )
    assert AuditEvent.objects.filter(
        action="examinations.case.viewed", actor_username="uz_police_analyst"
    ).exists()


def test_validation_errors_name_the_field(api, persona):
    response = api.post("/cases", {**CASE, "seizure_region": "UZ-TK"}, user=persona("kz_lab_chemist"))

    assert response.status_code == 422
    assert "seizure_region" in response.json()["error"]["fields"]


def test_unknown_codes_are_named(api, persona):
    response = api.post(
        "/cases", {**CASE, "border_crossing_point": "nowhere"}, user=persona("kz_lab_chemist")
    )

    assert response.json()["error"]["fields"] == {
        "border_crossing_point": ["unknown border crossing point 'nowhere'"]
    }


def test_four_eyes_through_the_api(api, persona):
    head = persona("kz_lab_head")
    case_id = api.post("/cases", CASE, user=head).json()["id"]
    exhibit_id = api.post(f"/cases/{case_id}/exhibits", {"label": "1", "form": "tablet"}, user=head).json()[
        "id"
    ]
    examination_id = api.post(
        f"/exhibits/{exhibit_id}/examinations",
        {
            "received_date": "2025-02-11",
            "completed_date": "2025-02-12",
            "methods": ["gc_ms"],
            "conclusion": "No controlled substance detected.",
        },
        user=head,
    ).json()["id"]
    api.post(f"/examinations/{examination_id}/submit", user=head)

    response = api.post(f"/examinations/{examination_id}/approve", user=head)

    assert response.status_code == 403
    assert "Four eyes" in response.json()["error"]["message"]


def test_other_organisations_cannot_change_and_drafts_are_invisible(api, persona):
    chemist = persona("kz_lab_chemist")
    case_id = api.post("/cases", CASE, user=chemist).json()["id"]

    assert api.get(f"/cases/{case_id}", user=persona("uz_police_analyst")).status_code == 404
    assert (
        api.patch(f"/cases/{case_id}", {"locality": "X"}, user=persona("kg_lab_chemist")).status_code == 404
    )
    assert (
        api.post(
            f"/cases/{case_id}/exhibits", {"label": "2", "form": "powder"}, user=persona("kz_lab_viewer")
        ).status_code
        == 404
    )


def test_list_filters_and_shape(api, persona):
    record_and_approve(api, persona)
    reader = persona("kg_court_viewer")

    by_class = api.get("/cases", user=reader, substance_class="cathinones").json()
    by_other = api.get("/cases", user=reader, substance_class="opioids").json()
    by_date = api.get("/cases", user=reader, seized_from="2025-03-01").json()

    assert by_class["count"] == 1 and by_class["items"][0]["reference"] == "KZ-API-1"
    assert by_other["count"] == 0 and by_date["count"] == 0


def test_revision_through_the_api(api, persona):
    _case_id, _exhibit_id, examination_id, _finding = record_and_approve(api, persona)
    chemist = persona("kz_lab_chemist")

    refused = api.post(f"/examinations/{examination_id}/revise", {"reason": ""}, user=chemist)
    revision = api.post(
        f"/examinations/{examination_id}/revise", {"reason": "Recalibrated"}, user=chemist
    ).json()

    assert refused.status_code == 422
    assert revision["revision"] == 2 and revision["previous_revision"] == examination_id
    assert api.patch(f"/examinations/{examination_id}", {"conclusion": "x"}, user=chemist).status_code == 422


def test_attachment_upload_and_download_keep_the_hash(api, persona):
    case_id, _exhibit_id, examination_id, _finding = record_and_approve(api, persona)
    content = b"%PDF-1.7\n% a report\n"
    upload = SimpleUploadedFile("report.pdf", content, content_type="application/pdf")

    token = api.token_for(persona("kz_lab_chemist"))
    without_reason = api.client.post(
        f"/api/v1/cases/{case_id}/attachments",
        {"file": upload, "kind": "report", "examination": examination_id},
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    upload.seek(0)
    created = api.client.post(
        f"/api/v1/cases/{case_id}/attachments",
        {"file": upload, "kind": "report", "examination": examination_id, "reason": "signed report"},
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert without_reason.status_code == 422 and "reason" in without_reason.json()["error"]["fields"]
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["sha256"] == hashlib.sha256(content).hexdigest() and body["size_bytes"] == len(content)

    download = api.get(f"/attachments/{body['id']}/download", user=persona("uz_police_analyst"))
    assert b"".join(download.streaming_content) == content
    assert download["Digest"] == f"sha-256={body['sha256']}"
    assert AuditEvent.objects.filter(action="examinations.attachment.downloaded").count() == 1


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        ("virus.exe", b"MZ\x90\x00", "not an accepted file"),
        ("photo.pdf", b"\x89PNG\r\n\x1a\nxxxx", "is a image/png file"),
        ("empty.csv", b"", "empty"),
    ],
)
def test_attachments_are_type_checked(api, persona, name, content, fragment):
    case_id = api.post("/cases", CASE, user=persona("kz_lab_chemist")).json()["id"]

    response = api.client.post(
        f"/api/v1/cases/{case_id}/attachments",
        {"file": SimpleUploadedFile(name, content), "kind": "other"},
        HTTP_AUTHORIZATION=f"Bearer {api.token_for(persona('kz_lab_chemist'))}",
    )

    assert response.status_code == 422
    assert fragment in str(response.json()["error"]["fields"])


def test_export_is_restricted_and_audited(api, persona):
    record_and_approve(api, persona)
    draft_only = api.post(
        "/cases", {**CASE, "reference": "KZ-API-DRAFT"}, user=persona("kz_lab_chemist")
    ).json()
    assert draft_only["reference"] == "KZ-API-DRAFT"

    outsider = api.get("/findings/export.csv", user=persona("uz_police_analyst"))
    nobody = api.get("/findings/export.csv", user=persona("intl_analyst"))

    assert isinstance(outsider, StreamingHttpResponse)
    lines = b"".join(outsider.streaming_content).decode().splitlines()
    assert lines[0].startswith("case,owner,seizure_date,country,region")
    assert len(lines) == 2 and "KZ-API-1" in lines[1] and "Mephedrone hydrochloride" in lines[1]
    assert b"".join(nobody.streaming_content).decode().splitlines()[1:] == []
    event = AuditEvent.objects.filter(
        action="examinations.cases.exported", actor_username="uz_police_analyst"
    ).get()
    assert event.after["rows"] == 1


def test_a_patch_with_an_explicit_null_is_refused_by_name_where_the_field_takes_none(api, persona):
    # Given a draft finding
    chemist = persona("kz_lab_chemist")
    examination = draft_examination(chemist, add_exhibit(chemist, open_case(chemist)))
    finding = add_meth_finding(chemist, examination)

    # When a client sends null for a text field, for the result type, and for the (nullable) purity
    text = api.patch(f"/findings/{finding.global_id}", {"note": None}, user=chemist)
    kind = api.patch(f"/findings/{finding.global_id}", {"result_type": None}, user=chemist)
    emptied = api.patch(f"/findings/{finding.global_id}", {"note": ""}, user=chemist)

    # Then the nulls are refused naming the field (not a 500); an empty text empties the note
    for response, field in ((text, "note"), (kind, "result_type")):
        assert response.status_code == 422
        assert response.json()["error"]["fields"][field] == ["This field cannot be null."]
    assert emptied.status_code == 200 and emptied.json()["note"] == ""
