"""The examination report: its content, issue, access, PDF, fingerprint and verification (web, API, CLI)."""

import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from pypdf import PdfReader
from typer.testing import CliRunner

from fdx.audit.models import AuditEvent
from fdx.cli import app
from fdx.examinations import actions, reports
from fdx.examinations.models import IssuedReport
from fdx.examinations.tests.builders import (
    add_exhibit,
    add_meth_finding,
    approved_case,
    draft_examination,
    open_case,
)

pytestmark = pytest.mark.django_db
runner = CliRunner()


@pytest.fixture
def approved(persona):
    case, _exhibit, examination = approved_case(persona)
    actions.attach_file(
        persona("kz_lab_chemist"),
        case,
        SimpleUploadedFile("gcms.csv", b"time,abundance\n1,2\n", content_type="text/csv"),
        kind="spectrum",
        description="",
    )
    return examination


def _report_url(examination, suffix="report/"):
    return f"/cases/examinations/{examination.global_id}/{suffix}"


def _revise_and_approve(persona, examination, purity="65.0"):
    chemist, head = persona("kz_lab_chemist"), persona("kz_lab_head")
    revision = actions.revise_examination(chemist, examination, reason="Content re-measured")
    finding = revision.findings.get()
    actions.update_finding(chemist, finding, purity_percent=purity)
    actions.submit_examination(chemist, revision)
    actions.approve_examination(head, revision)
    revision.refresh_from_db()
    return revision


def test_the_report_page_in_english_names_everything_a_court_needs(client, persona, approved):
    client.force_login(persona("kz_lab_chemist"))

    response = client.get(_report_url(approved), {"lang": "en"})

    assert response.status_code == 200
    page = response.content.decode()
    issued = IssuedReport.objects.get(examination=approved)
    for expected in (
        "KZ-2025-0001",  # the case
        "Methamphetamine hydrochloride",  # the finding
        "70 %",  # its content
        "controlled",  # its legal status on the seizure date
        "GC-MS",  # a method
        "Approved (four eyes)",
        "gcms.csv",
        str(approved.global_id),
        reports.grouped(issued.digest),
        "/reports/verify/?examination=",
        "@media print",
        "size: A4",
    ):
        assert expected in page, expected
    sequence = issued.content["examination"]["approval_audit_sequence"]
    assert (
        sequence
        == AuditEvent.objects.get(
            action="examinations.examination.approved", object_id=str(approved.global_id)
        ).sequence
    )
    assert issued.content["attachments"][0]["sha256"] in page


def test_the_report_in_russian_has_the_same_digest(client, persona, approved):
    client.force_login(persona("kz_lab_chemist"))
    english = client.get(_report_url(approved), {"lang": "en"}).content.decode()

    page = client.get(_report_url(approved), {"lang": "ru"}).content.decode()

    assert "Метамфетамина гидрохлорид".lower() in page.lower() or "метамфетамин" in page.lower()
    assert "Заключение" in page or "заключение" in page
    digest = IssuedReport.objects.get(examination=approved).digest
    assert reports.grouped(digest) in page and reports.grouped(digest) in english
    assert IssuedReport.objects.count() == 1  # issued once, shown twice


def test_issuing_is_audited_once_and_the_digest_is_over_the_canonical_content(client, persona, approved):
    client.force_login(persona("kz_lab_chemist"))
    client.get(_report_url(approved))
    client.get(_report_url(approved))

    issued = IssuedReport.objects.get(examination=approved)
    assert issued.digest == reports.report_digest(issued.content)
    events = AuditEvent.objects.filter(action="examinations.report.issued", object_id=str(approved.global_id))
    assert events.count() == 1
    assert events.get().after["digest"] == issued.digest


def test_a_draft_has_no_report(client, persona):
    chemist = persona("kz_lab_chemist")
    examination = draft_examination(chemist, add_exhibit(chemist, open_case(chemist)))
    add_meth_finding(chemist, examination)
    client.force_login(chemist)

    response = client.get(_report_url(examination), follow=True)

    assert response.redirect_chain[-1][0].endswith(f"/examinations/{examination.global_id}/")
    assert "only of an approved examination" in response.content.decode()
    assert not IssuedReport.objects.exists()


def test_someone_who_cannot_see_the_case_gets_404(client, api, persona, approved):
    outsider = persona("kg_lab_chemist")
    client.force_login(outsider)

    assert client.get(_report_url(approved)).status_code == 404
    assert client.get(_report_url(approved, "report.pdf")).status_code == 404
    assert api.get(f"/examinations/{approved.global_id}/report", user=outsider).status_code == 404
    assert not IssuedReport.objects.exists()


def test_the_pdf_renders_cyrillic(client, persona, approved):
    client.force_login(persona("kz_lab_chemist"))

    response = client.get(_report_url(approved, "report.pdf"), {"lang": "ru"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Заключение" in text or "заключение" in text.lower()
    assert "Метамфетамин" in text or "метамфетамин" in text.lower()
    digest = IssuedReport.objects.get(examination=approved).digest
    assert reports.grouped(digest).split()[0] in text


def test_the_verification_page_says_the_report_matches_the_current_record(client, persona, approved):
    chemist = persona("kz_lab_chemist")
    client.force_login(chemist)
    client.get(_report_url(approved))
    digest = IssuedReport.objects.get(examination=approved).digest
    client.logout()

    response = client.get(
        "/reports/verify/", {"examination": str(approved.global_id), "digest": digest.upper()}
    )

    page = response.content.decode()
    assert 'data-outcome="current"' in page
    assert "KZ-2025-0001" not in page  # no content for someone who cannot see the record
    event = AuditEvent.objects.get(action="examinations.report.verified")
    assert event.after["outcome"] == "current" and event.actor_id is None


def test_a_superseded_report_says_by_which_revision_and_the_new_one_names_it(client, persona, approved):
    client.force_login(persona("kz_lab_chemist"))
    client.get(_report_url(approved))
    first = IssuedReport.objects.get(examination=approved)
    revision = _revise_and_approve(persona, approved)

    page = client.get(_report_url(revision), {"lang": "en"}).content.decode()
    answer = client.get("/reports/verify/", {"examination": str(approved.global_id), "digest": first.digest})

    second = IssuedReport.objects.get(examination=revision)
    assert second.content["supersedes"] == {
        "global_id": str(approved.global_id),
        "revision": 1,
        "digest": first.digest,
        "reason": "Content re-measured",
    }
    assert reports.grouped(first.digest) in page and "supersedes the report of revision 1" in page
    assert 'data-outcome="superseded"' in answer.content.decode()
    assert "superseded by revision 2" in answer.content.decode()
    earlier_page = client.get(_report_url(approved), {"lang": "en"}).content.decode()
    assert "Superseded by revision 2" in earlier_page and reports.grouped(first.digest) in earlier_page


def test_a_revision_issues_the_earlier_report_if_it_never_was(client, persona, approved):
    revision = _revise_and_approve(persona, approved)
    client.force_login(persona("kz_lab_chemist"))

    client.get(_report_url(revision))

    assert (
        IssuedReport.objects.get(examination=approved).digest
        == (IssuedReport.objects.get(examination=revision).content["supersedes"]["digest"])
    )


def test_a_wrong_digest_does_not_match_and_bad_input_is_named(client, persona, approved):
    response = client.get("/reports/verify/", {"examination": str(approved.global_id), "digest": "0" * 64})
    assert 'data-outcome="no_match"' in response.content.decode()

    bad = client.get("/reports/verify/", {"examination": "not-a-uuid", "digest": "abc"})
    assert bad.status_code == 400
    assert "64 hexadecimal digits" in bad.content.decode()


def test_the_api_gives_the_report_and_verifies_it(api, persona, approved):
    chemist = persona("kz_lab_chemist")

    report = api.get(f"/examinations/{approved.global_id}/report", user=chemist)

    assert report.status_code == 200
    body = report.json()
    assert body["digest"] == reports.report_digest(body["content"])
    outsider = persona("kg_lab_chemist")  # verifies without seeing the record
    match = api.post(
        "/reports/verify", {"global_id": str(approved.global_id), "digest": body["digest"]}, user=outsider
    )
    assert match.status_code == 200 and match.json()["outcome"] == "current"
    assert "content" not in match.json()
    miss = api.post(
        "/reports/verify", {"global_id": str(approved.global_id), "digest": "f" * 64}, user=outsider
    )
    assert miss.json()["outcome"] == "no_match"
    bad = api.post("/reports/verify", {"global_id": "x", "digest": "y"}, user=outsider)
    assert bad.status_code == 422 and set(bad.json()["error"]["fields"]) == {"global_id", "digest"}


def test_the_api_refuses_a_report_of_a_draft(api, persona):
    chemist = persona("kz_lab_chemist")
    examination = draft_examination(chemist, add_exhibit(chemist, open_case(chemist)))

    response = api.get(f"/examinations/{examination.global_id}/report", user=chemist)

    assert response.status_code == 409
    assert "approved" in response.json()["error"]["message"]


def test_the_cli_verifies_by_id_and_digest_and_from_a_json_or_pdf_file(client, persona, approved, tmp_path):
    client.force_login(persona("kz_lab_chemist"))
    json_file = tmp_path / "report.json"
    json_file.write_bytes(client.get(_report_url(approved, "report.json")).content)
    pdf_file = tmp_path / "report.pdf"
    pdf_file.write_bytes(client.get(_report_url(approved, "report.pdf")).content)
    digest = IssuedReport.objects.get(examination=approved).digest

    by_id = runner.invoke(app, ["reports", "verify", str(approved.global_id), reports.grouped(digest)])
    from_json = runner.invoke(app, ["reports", "verify", str(json_file), "--json"])
    from_pdf = runner.invoke(app, ["reports", "verify", str(pdf_file)])
    wrong = runner.invoke(app, ["reports", "verify", str(approved.global_id), "a" * 64])

    assert by_id.exit_code == 0 and "matches the current record" in by_id.output
    assert from_json.exit_code == 0 and json.loads(from_json.stdout)["outcome"] == "current"
    assert from_pdf.exit_code == 0, from_pdf.output
    assert wrong.exit_code == 1 and "does not match" in wrong.output
    assert (
        AuditEvent.objects.filter(
            action="examinations.report.verified", actor_username__startswith="cli:"
        ).count()
        == 4
    )


def test_the_cli_catches_an_edited_json_report(client, persona, approved, tmp_path):
    client.force_login(persona("kz_lab_chemist"))
    document = json.loads(client.get(_report_url(approved, "report.json")).content)
    document["content"]["findings"][0]["purity_percent"] = "95.000"
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(document), encoding="utf-8")

    result = runner.invoke(app, ["reports", "verify", str(edited)])

    assert result.exit_code == 1
    assert "was changed" in result.output


def test_the_content_is_language_neutral(persona, approved):
    with translation.override("ru"):
        russian = actions.issue_report(persona("kz_lab_chemist"), approved, language="ru")

    assert russian.content["exhibit"]["form"] == "crystal"
    assert russian.content["findings"][0]["legal_status"]["controlled"] is True


def test_a_retracted_examination_s_report_says_so(client, persona, approved):
    issued = actions.issue_report(persona("kz_lab_chemist"), approved, language="en")
    actions.retract_examination(persona("kz_lab_head"), approved, reason="Sample mix-up")

    answer = reports.verification_of(approved.global_id, issued.digest)
    result = runner.invoke(app, ["reports", "verify", str(approved.global_id), issued.digest])

    assert answer.outcome == "retracted" and answer.retracted_at is not None
    assert result.exit_code == 1 and "retracted" in result.output


def test_a_reader_of_the_record_gets_a_link_others_do_not(client, persona, approved):
    digest = actions.issue_report(persona("kz_lab_chemist"), approved, language="en").digest
    query = {"examination": str(approved.global_id), "digest": digest}
    link = f"/cases/examinations/{approved.global_id}/report/"

    client.force_login(persona("kz_lab_viewer"))
    assert link in client.get("/reports/verify/", query).content.decode()
    client.force_login(persona("kg_lab_chemist"))
    outsider = client.get("/reports/verify/", query).content.decode()
    assert 'data-outcome="current"' in outsider and link not in outsider


def test_the_examination_page_offers_the_report_once_approved(client, persona, approved):
    chemist = persona("kz_lab_chemist")
    client.force_login(chemist)
    draft = draft_examination(chemist, add_exhibit(chemist, open_case(chemist, reference="KZ-2025-0002")))

    assert 'id="report-link"' in client.get(f"/cases/examinations/{approved.global_id}/").content.decode()
    assert 'id="report-link"' not in client.get(f"/cases/examinations/{draft.global_id}/").content.decode()


def test_a_record_received_from_another_node_is_not_issued_here(persona, approved):
    import uuid

    from fdx.examinations.models import Examination

    Examination.objects.filter(pk=approved.pk).update(origin_node=uuid.uuid4())
    approved.refresh_from_db()

    with pytest.raises(ValidationError, match="node"):
        actions.issue_report(persona("kz_lab_chemist"), approved, language="en")


def test_the_pdf_carries_the_global_id_and_digest_in_its_metadata(persona, approved):
    from fdx.examinations.report_render import present, render_pdf

    issued = actions.issue_report(persona("kz_lab_chemist"), approved, language="en")

    reader = PdfReader(io.BytesIO(render_pdf(present(issued, "en"))))

    assert reader.metadata.subject == f"fdx-report:{approved.global_id}:{issued.digest}"


def test_the_open_verification_page_stops_an_address_that_checks_too_often(client, approved, settings):
    from django.core.cache import cache

    from fdx.audit.models import AuditEvent
    from fdx.examinations.views import reports as report_views

    cache.clear()
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    query = {"examination": str(approved.global_id), "digest": "0" * 64}
    for _ in range(report_views.VERIFY_CHECKS_PER_WINDOW):
        assert client.get("/reports/verify/", query).status_code == 200
    audited = AuditEvent.objects.filter(action="examinations.report.verified").count()

    refused = client.get("/reports/verify/", query, HTTP_ACCEPT_LANGUAGE="ru")

    assert refused.status_code == 429
    assert "Слишком много проверок" in refused.content.decode()
    assert AuditEvent.objects.filter(action="examinations.report.verified").count() == audited
    cache.clear()


def test_the_russian_report_gives_the_laws_in_russian_with_the_original(client, persona, approved):
    client.force_login(persona("kz_lab_chemist"))

    russian = client.get(_report_url(approved), {"lang": "ru"}).content.decode()
    english = client.get(_report_url(approved), {"lang": "en"}).content.decode()

    assert "Закон РК от 10 июля 1998 года № 279" in russian
    assert "(Law No. 279 of 10 July 1998" in russian
    assert "Закон РК от 10 июля 1998 года № 279" not in english
