"""Route by route: a user of another organisation neither reads a record its level does not reach nor
changes any record, through the API or the pages — and a refused request changes nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from fdx.audit.models import AuditEvent
from fdx.examinations import actions
from fdx.examinations.models import Attachment, Case, Examination, Exhibit, Finding
from fdx.examinations.tests.builders import approved_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(persona):
    """An approved examination and a draft revision of it, in a case shared nationally (not with UZ)."""
    chemist = persona("kz_lab_chemist")
    case, exhibit, approved = approved_case(persona, distribution_level="national")
    revision = actions.revise_examination(chemist, approved, reason="recalculation")
    attachment = actions.attach_file(
        chemist,
        case,
        SimpleUploadedFile("r.pdf", b"%PDF-1.7 x"),
        kind="report",
        examination=approved,
        reason="signed report",
    )
    return {
        "case": case.global_id,
        "exhibit": exhibit.global_id,
        "examination": approved.global_id,
        "revision": revision.global_id,
        "finding": revision.findings.get().global_id,
        "attachment": attachment.global_id,
    }


def state():
    return (
        list(Case.objects.order_by("pk").values_list("pk", "locality", "distribution_level", "retracted_at")),
        list(Exhibit.objects.order_by("pk").values_list("pk", "label", "net_mass_g")),
        list(Examination.objects.order_by("pk").values_list("pk", "status", "conclusion")),
        list(Finding.objects.order_by("pk").values_list("pk", "purity_percent", "note")),
        Attachment.objects.count(),
        AuditEvent.objects.exclude(action__in=["accounts.token.created"]).count(),
    )


API_READS = [
    "/cases/{case}",
    "/cases/{case}/exhibits",
    "/cases/{case}/attachments",
    "/examinations/{examination}",
    "/examinations/{examination}/report",
    "/attachments/{attachment}/download",
]
API_WRITES = [
    ("patch", "/cases/{case}", {"locality": "changed"}),
    ("post", "/cases/{case}/retract", {"reason": "x"}),
    ("post", "/cases/{case}/exhibits", {"label": "9", "form": "powder"}),
    ("patch", "/exhibits/{exhibit}", {"label": "changed", "reason": "x"}),
    ("delete", "/exhibits/{exhibit}", None),
    ("post", "/exhibits/{exhibit}/examinations", {"received_date": "2025-03-20"}),
    ("patch", "/examinations/{revision}", {"conclusion": "changed"}),
    ("post", "/examinations/{revision}/submit", {}),
    ("post", "/examinations/{examination}/retract", {"reason": "x"}),
    ("post", "/examinations/{examination}/revise", {"reason": "x"}),
    ("delete", "/examinations/{revision}", None),
    (
        "post",
        "/examinations/{revision}/findings",
        {"unidentified_description": "x", "result_type": "qualitative"},
    ),
    ("patch", "/findings/{finding}", {"note": "changed"}),
    ("delete", "/findings/{finding}", None),
]
PAGE_WRITES = [
    "/cases/{case}/edit/",
    "/cases/{case}/exhibits/",
    "/cases/exhibits/{exhibit}/edit/",
    "/cases/exhibits/{exhibit}/examinations/",
    "/cases/examinations/{revision}/edit/",
    "/cases/examinations/{revision}/findings/",
    "/cases/examinations/{revision}/submit/",
    "/cases/examinations/{examination}/retract/",
    "/cases/examinations/{revision}/discard/",
    "/cases/findings/{finding}/delete/",
    "/cases/{case}/attachments/",
]


@pytest.mark.parametrize("path", API_READS)
def test_a_case_not_shared_with_you_is_not_found(api, persona, records, path):
    response = api.get(path.format(**records), user=persona("uz_police_analyst"))

    assert response.status_code == 404


def test_a_case_shared_with_you_shows_no_draft(api, persona, records):
    reader = persona("kz_police_analyst")

    assert api.get("/cases/{case}".format(**records), user=reader).status_code == 200
    assert api.get("/examinations/{revision}".format(**records), user=reader).status_code == 404
    assert api.get("/examinations/{examination}".format(**records), user=reader).status_code == 200


@pytest.mark.parametrize(
    "name", ["kz_police_analyst", "uz_police_analyst", "kg_lab_chemist", "kz_lab_viewer"]
)
@pytest.mark.parametrize(("method", "path", "body"), API_WRITES, ids=[f"{m} {p}" for m, p, _b in API_WRITES])
def test_nobody_but_the_owner_changes_anything_through_the_api(
    api, persona, records, name, method, path, body
):
    user = persona(name)
    api.get("/me", user=user)
    before = state()

    response = (
        getattr(api, method)(path.format(**records), body, user=user)
        if body is not None
        else getattr(api, method)(path.format(**records), user=user)
    )

    assert response.status_code in (403, 404), response.content
    assert state() == before


@pytest.mark.parametrize(
    "name", ["kz_police_analyst", "uz_police_analyst", "kg_lab_chemist", "kz_lab_viewer"]
)
@pytest.mark.parametrize("path", PAGE_WRITES)
def test_nobody_but_the_owner_changes_anything_through_the_pages(client, persona, records, name, path):
    client.force_login(persona(name))
    before = state()

    response = client.post(
        path.format(**records), {"locality": "x", "reason": "x", "label": "x", "form": "powder"}
    )

    assert response.status_code in (403, 404)
    assert state() == before
