import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from fdx.audit.models import AuditEvent
from fdx.examinations import actions
from fdx.examinations.models import Attachment, Examination
from fdx.examinations.tests.builders import (
    add_exhibit,
    add_meth_finding,
    approved_case,
    draft_examination,
    open_case,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(persona):
    chemist = persona("kz_lab_chemist")
    examination = draft_examination(chemist, add_exhibit(chemist, open_case(chemist)))
    add_meth_finding(chemist, examination)
    return actions.submit_examination(chemist, examination)


def test_draft_to_submitted_to_approved(persona, submitted):
    approved = actions.approve_examination(persona("kz_lab_head"), submitted)

    assert approved.status == "approved"
    assert approved.approved_by == persona("kz_lab_head")
    trail = list(
        AuditEvent.objects.filter(object_id=str(submitted.global_id))
        .order_by("sequence")
        .values_list("action", flat=True)
    )
    assert trail == [
        "examinations.examination.started",
        "examinations.examination.submitted",
        "examinations.examination.approved",
    ]


def test_an_incomplete_examination_cannot_be_submitted(persona):
    chemist = persona("kz_lab_chemist")
    examination = draft_examination(
        chemist, add_exhibit(chemist, open_case(chemist)), methods=[], conclusion="", completed_date=None
    )

    with pytest.raises(ValidationError) as error:
        actions.submit_examination(chemist, examination)

    assert set(error.value.message_dict) == {"completed_date", "methods", "findings"}
    examination.refresh_from_db()
    assert examination.status == "draft"


def test_four_eyes_the_examiner_cannot_approve(persona):
    # A reviewer who examined the exhibit herself cannot approve her own work.
    head = persona("kz_lab_head")
    examination = draft_examination(head, add_exhibit(head, open_case(head)))
    add_meth_finding(head, examination)
    actions.submit_examination(head, examination)

    with pytest.raises(PermissionDenied, match="Four eyes"):
        actions.approve_examination(head, examination)

    examination.refresh_from_db()
    assert examination.status == "submitted"


@pytest.mark.parametrize("name", ["kz_lab_chemist", "kz_lab_viewer", "kg_lab_admin", "hub_admin"])
def test_only_a_reviewer_of_the_laboratory_approves(persona, submitted, name):
    with pytest.raises(PermissionDenied):
        actions.approve_examination(persona(name), submitted)

    submitted.refresh_from_db()
    assert submitted.status == "submitted"


def test_a_submitted_or_approved_examination_is_not_edited(persona, submitted):
    chemist = persona("kz_lab_chemist")

    with pytest.raises(ValidationError, match="Only a draft"):
        actions.update_examination(chemist, submitted, conclusion="changed")
    with pytest.raises(ValidationError):
        actions.update_finding(chemist, submitted.findings.get(), note="changed")


def test_returned_to_the_author_with_a_reason(persona, submitted):
    with pytest.raises(ValidationError):
        actions.return_examination(persona("kz_lab_head"), submitted, reason=" ")

    returned = actions.return_examination(persona("kz_lab_head"), submitted, reason="Add the FTIR spectrum")

    assert returned.status == "draft" and returned.submitted_by is None
    assert AuditEvent.objects.latest("sequence").reason == "Add the FTIR spectrum"


def test_a_revision_keeps_the_approved_record_until_it_is_approved(persona):
    chemist, head = persona("kz_lab_chemist"), persona("kz_lab_head")
    _case, _exhibit, approved = approved_case(persona)

    revision = actions.revise_examination(
        chemist, approved, reason="Purity recalculated with new calibration"
    )
    finding = revision.findings.get()
    actions.update_finding(chemist, finding, purity_percent="68.5")

    approved.refresh_from_db()
    assert approved.status == "approved" and approved.findings.get().purity_percent == 70
    assert (revision.revision, revision.previous_revision, revision.status) == (2, approved, "draft")
    with pytest.raises(ValidationError, match="already under way"):
        actions.revise_examination(chemist, approved, reason="again")

    actions.submit_examination(chemist, revision)
    actions.approve_examination(head, revision)

    approved.refresh_from_db()
    assert approved.status == "superseded"
    assert Examination.objects.get(pk=revision.pk).findings.get().purity_percent == 68.5


def test_retraction_keeps_the_record_and_the_reason(persona):
    _case, _exhibit, approved = approved_case(persona)

    with pytest.raises(PermissionDenied):
        actions.retract_examination(persona("kz_lab_chemist"), approved, reason="x")
    retracted = actions.retract_examination(
        persona("kz_lab_head"), approved, reason="Sample mix-up at reception"
    )

    assert retracted.status == "retracted" and retracted.retraction_reason == "Sample mix-up at reception"
    assert Examination.objects.filter(pk=approved.pk).exists()


def test_a_draft_is_discarded_but_stays_in_the_audit_chain(persona):
    chemist = persona("kz_lab_chemist")
    examination = draft_examination(chemist, add_exhibit(chemist, open_case(chemist)))
    add_meth_finding(chemist, examination)

    actions.discard_examination(chemist, examination)

    assert not Examination.objects.filter(pk=examination.pk).exists()
    event = AuditEvent.objects.latest("sequence")
    assert event.action == "examinations.examination.discarded"
    assert event.before["findings"][0]["purity_percent"] == "70.000"


def test_changing_a_case_with_approved_work_needs_a_reason(persona):
    case, _exhibit, _examination = approved_case(persona)
    chemist = persona("kz_lab_chemist")

    with pytest.raises(ValidationError):
        actions.update_case(chemist, case, locality="Almaty, Medeu district")
    actions.update_case(
        chemist, case, locality="Almaty, Medeu district", reason="Police corrected the address"
    )

    event = AuditEvent.objects.latest("sequence")
    assert event.before == {"locality": "Almaty"} and event.reason == "Police corrected the address"


def test_a_reviewer_who_wrote_a_finding_cannot_approve_the_examination(persona):
    # Given a chemist's draft to which the laboratory head (a reviewer) added the finding
    chemist, head = persona("kz_lab_chemist"), persona("kz_lab_head")
    examination = draft_examination(chemist, add_exhibit(chemist, open_case(chemist)))
    add_meth_finding(head, examination)
    actions.submit_examination(chemist, examination)

    # When the head approves it
    with pytest.raises(PermissionDenied, match="Four eyes"):
        actions.approve_examination(head, Examination.objects.get(pk=examination.pk))

    # Then it stays submitted
    assert Examination.objects.get(pk=examination.pk).status == "submitted"


def test_a_discarded_draft_takes_its_files_with_it(persona):
    # Given a draft with a file attached
    chemist = persona("kz_lab_chemist")
    case = open_case(chemist)
    examination = draft_examination(chemist, add_exhibit(chemist, case))
    upload = SimpleUploadedFile("draft.pdf", b"%PDF-1.4\n" + b"x" * 100, content_type="application/pdf")
    actions.attach_file(chemist, case, upload, kind="report", examination=examination)

    # When the draft is discarded
    actions.discard_examination(chemist, examination)

    # Then the file is gone from the case (it would read as a case file, shared with the case), and the
    # audit event keeps its name and hash
    assert not Attachment.objects.filter(case=case).exists()
    event = AuditEvent.objects.latest("sequence")
    assert event.before["attachments"][0]["original_name"] == "draft.pdf"


def test_the_seizure_date_cannot_move_after_the_examination(persona):
    # Given an approved examination, begun on the day its exhibit was received
    case, _exhibit, approved = approved_case(persona)
    first = approved.received_date or approved.completed_date

    # When the case's seizure date is moved past it
    with pytest.raises(ValidationError) as refused:
        actions.update_case(
            persona("kz_lab_chemist"), case, seizure_date=first + datetime.timedelta(days=3), reason="typo"
        )

    # Then the change is refused, naming the day the examination began
    assert first.isoformat() in refused.value.message_dict["seizure_date"][0]


def test_a_file_added_to_an_approved_examination_needs_a_reason_which_the_audit_keeps(persona):
    # Given an approved examination
    case, _exhibit, examination = approved_case(persona)
    chemist = persona("kz_lab_chemist")

    def upload():
        return SimpleUploadedFile("signed.pdf", b"%PDF-1.4\n" + b"s" * 100, content_type="application/pdf")

    # When its signed report is attached without a reason, it is refused; with one, it is kept and audited
    with pytest.raises(ValidationError) as refused:
        actions.attach_file(chemist, case, upload(), kind="report", examination=examination)
    attached = actions.attach_file(
        chemist,
        case,
        upload(),
        kind="report",
        examination=examination,
        reason="signed report of the approval",
    )

    assert "reason" in refused.value.message_dict
    assert attached.examination_id == examination.pk
    assert AuditEvent.objects.latest("sequence").reason == "signed report of the approval"
