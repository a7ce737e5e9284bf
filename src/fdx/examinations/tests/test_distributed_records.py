"""Case data as distributed records: every record knows its origin node, its version moves on every local
change, nothing is hard-deleted (tombstones, hidden from every reader), a record received from another node
is read-only here, and each change emits its domain event with the change."""

import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction

from fdx.audit.models import AuditEvent
from fdx.core.models import OutboxEvent, RecordState
from fdx.core.node import local_node_id
from fdx.examinations import actions
from fdx.examinations.models import Attachment, Case, Examination, Exhibit, Finding
from fdx.examinations.tests.builders import (
    add_exhibit,
    add_meth_finding,
    approved_case,
    draft_examination,
    open_case,
)

pytestmark = pytest.mark.django_db
ELSEWHERE = uuid.UUID("7c1b6a8e-5e1f-4c57-9d0e-000000000001")


def received(*records):
    """Make ``records`` look as if another node had sent them (as the exchange will write them)."""
    for record in records:
        type(record).with_tombstones().filter(pk=record.pk).update(origin_node=ELSEWHERE, record_version=7)
        record.refresh_from_db()


def test_a_new_record_comes_from_this_node_at_version_one(persona):
    chemist = persona("kz_lab_chemist")
    case = open_case(chemist)

    assert (case.origin_node, case.record_version, case.record_state) == (local_node_id(), 1, "active")
    assert case.is_local


def test_every_local_change_moves_the_version_on(persona):
    chemist = persona("kz_lab_chemist")
    case = open_case(chemist)
    exhibit = add_exhibit(chemist, case)

    actions.update_case(chemist, case, locality="Shymkent")
    actions.update_exhibit(chemist, exhibit, colour="white")
    Exhibit.objects.filter(pk=exhibit.pk).update(packaging="a zip bag")  # a bulk change too
    exhibit.refresh_from_db()
    Exhibit.objects.bulk_update([exhibit], ["colour"])
    case.refresh_from_db()
    exhibit.refresh_from_db()

    assert case.record_version == 2
    assert exhibit.record_version == 4


def test_a_received_record_keeps_its_origins_version_on_a_bulk_change(persona):
    chemist = persona("kz_lab_chemist")
    case = open_case(chemist)
    received(case)

    Case.objects.filter(pk=case.pk).update(description="annotated")
    case.refresh_from_db()

    assert case.record_version == 7


def test_a_removed_exhibit_is_a_tombstone_gone_for_every_reader(persona):
    chemist = persona("kz_lab_chemist")
    case = open_case(chemist)
    exhibit = add_exhibit(chemist, case, label="7")

    actions.remove_exhibit(chemist, exhibit)

    stone = Exhibit.with_tombstones().get(pk=exhibit.pk)
    assert (stone.record_state, stone.record_version) == (RecordState.DELETED, 2)
    assert stone.record_state_changed_at is not None
    assert not Exhibit.objects.filter(pk=exhibit.pk).exists()
    assert list(case.exhibits.all()) == []
    assert not Exhibit.objects.restrict(chemist).filter(pk=exhibit.pk).exists()
    assert add_exhibit(chemist, case, label="7").label == "7"  # the label is free again
    assert OutboxEvent.objects.filter(code="examinations.exhibit.removed", object_id=str(exhibit.global_id))


def test_a_discarded_draft_leaves_tombstones_and_its_content_in_the_audit_chain(persona):
    chemist = persona("kz_lab_chemist")
    case = open_case(chemist)
    examination = draft_examination(chemist, add_exhibit(chemist, case))
    finding = add_meth_finding(chemist, examination)

    actions.discard_examination(chemist, examination)

    assert Examination.with_tombstones().get(pk=examination.pk).record_state == RecordState.DELETED
    assert Finding.with_tombstones().get(pk=finding.pk).record_state == RecordState.DELETED
    assert not Examination.objects.filter(pk=examination.pk).exists()
    assert not Finding.objects.filter(pk=finding.pk).exists()
    event = AuditEvent.objects.get(action="examinations.examination.discarded")
    assert event.before["findings"][0]["purity_percent"] == "70.000"


def test_an_abandoned_revision_lets_the_approved_examination_be_revised_again(persona):
    chemist = persona("kz_lab_chemist")
    _case, _exhibit, approved = approved_case(persona)
    revision = actions.revise_examination(chemist, approved, reason="a typo in the conclusion")

    actions.discard_examination(chemist, revision)
    approved.refresh_from_db()
    again = actions.revise_examination(chemist, approved, reason="the typo, this time")

    assert again.previous_revision == approved and again.revision == 2


def test_a_removed_finding_is_a_tombstone(persona):
    chemist = persona("kz_lab_chemist")
    examination = draft_examination(chemist, add_exhibit(chemist, open_case(chemist)))
    finding = add_meth_finding(chemist, examination)

    actions.remove_finding(chemist, finding)

    assert list(examination.findings.all()) == []
    assert Finding.with_tombstones().get(pk=finding.pk).is_tombstone


def test_retracting_marks_the_record_retracted_and_keeps_it(persona):
    case, _exhibit, examination = approved_case(persona)
    head = persona("kz_lab_head")

    actions.retract_examination(head, examination, reason="a contaminated standard")
    actions.retract_case(head, case, reason="recorded in error")
    case.refresh_from_db()
    examination.refresh_from_db()

    assert case.record_state == examination.record_state == RecordState.RETRACTED
    assert Case.objects.filter(pk=case.pk).exists() and Examination.objects.filter(pk=examination.pk).exists()


def _refused_without_a_trace(change):
    events, outbox = AuditEvent.objects.count(), OutboxEvent.objects.count()
    with pytest.raises(PermissionDenied, match="received from another node"), transaction.atomic():
        change()
    assert (AuditEvent.objects.count(), OutboxEvent.objects.count()) == (events, outbox)


def test_a_received_case_is_read_only(persona):
    # Given a case tree that another node sent (owned, as it would be, by an organisation this node knows)
    chemist = persona("kz_lab_chemist")
    case = open_case(chemist)
    exhibit = add_exhibit(chemist, case)
    examination = draft_examination(chemist, exhibit)
    finding = add_meth_finding(chemist, examination)
    received(case, exhibit, examination, finding)

    # When its owner's staff here change any part of it
    for change in (
        lambda: actions.update_case(chemist, case, locality="Taraz"),
        lambda: actions.retract_case(persona("kz_lab_head"), case, reason="ours now"),
        lambda: actions.add_exhibit(chemist, case, label="9", form="powder"),
        lambda: actions.update_exhibit(chemist, exhibit, colour="white"),
        lambda: actions.remove_exhibit(chemist, exhibit),
        lambda: actions.update_examination(chemist, examination, conclusion="changed"),
        lambda: actions.discard_examination(chemist, examination),
        lambda: actions.add_finding(
            chemist, examination, substance=finding.substance, result_type="qualitative"
        ),
        lambda: actions.update_finding(chemist, finding, purity_percent=Decimal("50")),
        lambda: actions.remove_finding(chemist, finding),
    ):
        # Then it is refused, and nothing is written or emitted
        _refused_without_a_trace(change)

    case.refresh_from_db()
    assert (case.locality, case.record_version) == ("Almaty", 7)
    assert Exhibit.objects.filter(case=case).count() == 1 and Finding.objects.filter(pk=finding.pk).exists()


def test_each_change_emits_its_domain_event_naming_the_record_and_its_version(persona):
    chemist, head = persona("kz_lab_chemist"), persona("kz_lab_head")
    start = OutboxEvent.objects.order_by("-sequence").values_list("sequence", flat=True).first() or 0
    case = open_case(chemist)
    exhibit = add_exhibit(chemist, case)
    examination = draft_examination(chemist, exhibit)
    finding = add_meth_finding(chemist, examination)
    actions.submit_examination(chemist, examination)
    actions.approve_examination(head, examination)

    emitted = list(
        OutboxEvent.objects.filter(sequence__gt=start)
        .order_by("sequence")
        .values_list("code", "object_id", "object_version")
    )

    assert emitted == [
        ("examinations.case.changed", str(case.global_id), 1),
        ("examinations.exhibit.changed", str(exhibit.global_id), 1),
        ("examinations.examination.changed", str(examination.global_id), 1),
        ("examinations.finding.changed", str(finding.global_id), 1),
        ("examinations.examination.changed", str(examination.global_id), 2),
        ("examinations.examination.approved", str(examination.global_id), 3),
    ]
    approved = OutboxEvent.objects.get(code="examinations.examination.approved")
    assert approved.payload == {
        "case": str(case.global_id),
        "exhibit": str(exhibit.global_id),
        "status": "approved",
        "findings": [str(finding.global_id)],
    }
    assert approved.organisation_id == chemist.organisation_id and approved.actor == "kz_lab_head"


def test_a_conversion_factor_changed_in_the_registry_reaches_the_draft_findings_only(
    persona, django_capture_on_commit_callbacks
):
    from fdx.core.events import emit
    from fdx.substances.events import SUBSTANCE_CHANGED
    from fdx.substances.models import Substance

    # Given a draft and an approved finding of methamphetamine hydrochloride (10 g at 70 %)
    chemist = persona("kz_lab_chemist")
    draft = add_meth_finding(chemist, draft_examination(chemist, add_exhibit(chemist, open_case(chemist))))
    _case, _exhibit, approved_examination = approved_case(persona, reference="KZ-2025-0002")
    approved = approved_examination.findings.get()
    salt = draft.substance

    # When the registry corrects the salt's conversion factor, and says so
    with django_capture_on_commit_callbacks(execute=True):
        Substance.objects.filter(pk=salt.pk).update(base_conversion_factor=Decimal("0.5"))
        salt.refresh_from_db()
        emit(SUBSTANCE_CHANGED, obj=salt, changed=["base_conversion_factor"])

    # Then the draft finding's base equivalent follows (audited), the approved one stays as approved
    draft.refresh_from_db()
    approved.refresh_from_db()
    assert draft.base_equivalent_g == Decimal("3.5000")
    assert approved.base_equivalent_g != Decimal("3.5000")
    change = AuditEvent.objects.get(action="examinations.finding.changed", object_id=str(draft.global_id))
    assert change.actor_username == "event:substances.substance.changed"
    assert not Attachment.objects.exists()


def test_a_removed_exhibits_files_go_with_it(persona):
    from django.core.files.uploadedfile import SimpleUploadedFile

    chemist = persona("kz_lab_chemist")
    case = open_case(chemist)
    exhibit = add_exhibit(chemist, case, label="7")
    photo = actions.attach_file(
        chemist,
        case,
        SimpleUploadedFile("tablet.jpg", b"\xff\xd8\xff\xe0 a photo"),
        kind="photograph",
        exhibit=exhibit,
    )

    actions.remove_exhibit(chemist, exhibit)

    assert not Attachment.objects.filter(pk=photo.pk).exists()
    assert Attachment.with_tombstones().get(pk=photo.pk).is_tombstone


def test_a_change_that_changes_nothing_keeps_the_version_and_says_nothing(persona):
    chemist = persona("kz_lab_chemist")
    case = open_case(chemist)
    exhibit = add_exhibit(chemist, case)
    examination = draft_examination(chemist, exhibit)
    finding = add_meth_finding(chemist, examination)
    events, outbox = AuditEvent.objects.count(), OutboxEvent.objects.count()

    actions.update_case(chemist, case, locality=case.locality)
    actions.update_exhibit(chemist, exhibit, colour=exhibit.colour)
    actions.update_examination(
        chemist, examination, conclusion=examination.conclusion, methods=["gc_ms", "ftir"]
    )
    actions.update_finding(chemist, finding, purity_percent=finding.purity_percent)

    for record in (case, exhibit, examination, finding):
        record.refresh_from_db()
        assert record.record_version == 1, record
    assert (AuditEvent.objects.count(), OutboxEvent.objects.count()) == (events, outbox)


def test_a_new_net_mass_reaches_the_draft_findings_and_tells_the_apps_above(persona):
    chemist = persona("kz_lab_chemist")
    exhibit = add_exhibit(chemist, open_case(chemist))
    finding = add_meth_finding(chemist, draft_examination(chemist, exhibit))

    actions.update_exhibit(chemist, exhibit, net_mass_g=Decimal("5.0"))

    finding.refresh_from_db()
    assert (finding.amount_g, finding.record_version) == (Decimal("3.5000"), 2)
    assert OutboxEvent.objects.filter(
        code="examinations.finding.changed", object_id=str(finding.global_id), object_version=2
    ).exists()


def test_a_discarded_draft_names_its_findings_and_each_finding_is_told_removed(persona):
    chemist = persona("kz_lab_chemist")
    examination = draft_examination(chemist, add_exhibit(chemist, open_case(chemist)))
    finding = add_meth_finding(chemist, examination)

    actions.discard_examination(chemist, examination)

    discarded = OutboxEvent.objects.get(code="examinations.examination.discarded")
    removed = OutboxEvent.objects.get(code="examinations.finding.removed")
    assert discarded.payload["findings"] == [str(finding.global_id)]
    assert (removed.object_id, removed.object_version) == (str(finding.global_id), 2)
    assert discarded.object_version == Examination.with_tombstones().get(pk=examination.pk).record_version
