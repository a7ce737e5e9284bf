"""The peers' queues: what each peer is owed of this node's cases, decided by the rules and by what it holds,
and the signed messages read from them."""

import pytest

from fdx.accounts.models import SharingGroup
from fdx.core.events import deliver_due
from fdx.examinations import actions as case_actions
from fdx.examinations.models import Case, Examination, Exhibit, Finding
from fdx.examinations.tests.builders import add_exhibit, approved_case, open_case
from fdx.exchange import messages, network, outbox
from fdx.exchange.models import CopyKind, OutboxEntry, PeerCopy
from fdx.exchange.tests.conftest import HUB_NODE, UZ_NODE  # noqa: F401 (fixtures' node ids)
from fdx.testing.personas import organisation

pytestmark = pytest.mark.django_db


def queue(peer):
    return list(OutboxEntry.objects.filter(peer=peer).order_by("sequence"))


def kinds(peer):
    return [(e.model.split(".")[1], e.kind) for e in queue(peer)]


def read(peer):
    """The verified messages of the peer's queue, as the peer would receive them."""
    ring = network.keyring()
    return [messages.verify(item.message, ring) for item in outbox.pending(peer, 0, 1000)]


def refresh(case):
    return outbox.refresh_cases([case.pk])


def regional_case(persona, **overrides):
    return approved_case(persona, distribution_level="regional", **overrides)


def test_an_approved_regional_case_is_queued_for_the_hub_and_a_region_state_parents_first(
    persona, uz_peer, hub_peer
):
    case, exhibit, _examination = regional_case(
        persona, agency_case_number="POL-77", description="seized at home"
    )

    assert refresh(case) == 8
    for peer in (uz_peer, hub_peer):
        assert kinds(peer) == [
            ("case", CopyKind.CHANGE),
            ("exhibit", CopyKind.CHANGE),
            ("examination", CopyKind.CHANGE),
            ("finding", CopyKind.CHANGE),
        ]
    received = read(uz_peer)
    case_message = received[0].record
    assert case_message.global_id == str(case.global_id)
    assert case_message.version == Case.objects.get(pk=case.pk).record_version
    # Leaving the country: the numbers are keyed hashes, the free text stays home, no user travels.
    assert len(case_message.payload["reference"]) == 64
    assert case_message.payload["reference"] != case.reference
    assert case_message.payload["agency_case_number"] != "POL-77"
    assert "description" not in case_message.payload
    assert "locality" not in case_message.payload
    assert "created_by" not in case_message.payload
    assert case_message.payload["owner_organisation"]["code"] == "demo-kz-forensic-centre"
    assert case_message.payload["seizure_country"] == "KZ"
    examination_message = received[2].record
    assert "examiner" not in examination_message.payload
    assert "conclusion" not in examination_message.payload
    assert examination_message.payload["exhibit"] == str(exhibit.global_id)
    assert examination_message.payload["methods"] == ["ftir", "gc_ms"]
    finding_message = received[3].record
    assert finding_message.payload["substance"]["key"] == "methamphetamine-hydrochloride"
    assert finding_message.payload["purity_percent"] == "70.000"


def test_the_same_number_gives_the_same_hash_on_this_node(persona, uz_peer):
    first, *_ = regional_case(persona, agency_case_number="POL-77")
    second, *_ = regional_case(persona, reference="KZ-2025-0002", agency_case_number=" pol-77 ")
    refresh(first)
    refresh(second)
    payloads = [m.record.payload for m in read(uz_peer) if m.record.model == "examinations.case"]
    assert payloads[0]["agency_case_number"] == payloads[1]["agency_case_number"]
    assert payloads[0]["reference"] != payloads[1]["reference"]


@pytest.mark.parametrize("level", ["organisation", "national"])
def test_a_case_that_may_not_leave_is_never_queued(persona, uz_peer, hub_peer, level):
    case, *_ = approved_case(persona, distribution_level=level)
    assert refresh(case) == 0
    assert not OutboxEntry.objects.exists()


def test_a_case_without_an_approved_result_is_not_queued(persona, uz_peer):
    chemist = persona("kz_lab_chemist")
    case = open_case(chemist, distribution_level="regional")
    add_exhibit(chemist, case)
    assert refresh(case) == 0


def test_nothing_is_queued_again_when_nothing_changed(persona, uz_peer):
    case, *_ = regional_case(persona)
    refresh(case)
    versions = {c.global_id: c.version for c in PeerCopy.objects.all()}
    assert refresh(case) == 0
    assert {c.global_id: c.version for c in PeerCopy.objects.all()} == versions


def test_a_change_goes_out_as_its_new_version(persona, uz_peer):
    case, *_ = regional_case(persona)
    refresh(case)
    case_actions.update_case(persona("kz_lab_chemist"), case, seizure_context="border", reason="corrected")
    assert refresh(case) == 1
    last = queue(uz_peer)[-1]
    assert (last.model, last.version) == ("examinations.case", Case.objects.get(pk=case.pk).record_version)


def test_a_downgrade_withdraws_every_copy_children_first_and_an_upgrade_sends_them_again(
    persona, uz_peer, hub_peer
):
    chemist = persona("kz_lab_chemist")
    case, _exhibit, _examination = regional_case(persona)
    refresh(case)
    held = {c.global_id: c.version for c in PeerCopy.objects.filter(peer=uz_peer)}

    case_actions.update_case(chemist, case, distribution_level="national", reason="court order")
    assert refresh(case) == 8
    withdrawals = queue(uz_peer)[4:]
    assert [(e.model.split(".")[1], e.kind) for e in withdrawals] == [
        ("finding", CopyKind.WITHDRAWAL),
        ("examination", CopyKind.WITHDRAWAL),
        ("exhibit", CopyKind.WITHDRAWAL),
        ("case", CopyKind.WITHDRAWAL),
    ]
    # Each withdrawal is a newer version than the copy it withdraws: a receiver applies it strictly.
    assert all(e.version > held[e.global_id] for e in withdrawals)
    gone = read(uz_peer)  # the changes before them may no longer go: they are passed over
    assert len(gone) == 4
    assert {m.record.state for m in gone} == {messages.RecordState.WITHDRAWN}
    assert all(m.record.payload == {} for m in gone)

    case_actions.update_case(chemist, case, distribution_level="regional", reason="order lifted")
    assert refresh(case) == 8
    again = queue(uz_peer)[8:]
    withdrawn = {e.global_id: e.version for e in withdrawals}
    assert all(e.kind == CopyKind.CHANGE and e.version > withdrawn[e.global_id] for e in again)


def test_a_removed_exhibit_goes_out_as_its_tombstone(persona, uz_peer):
    chemist = persona("kz_lab_chemist")
    case, _exhibit, _examination = regional_case(persona)
    second = add_exhibit(chemist, case, label="2")
    refresh(case)
    case_actions.remove_exhibit(chemist, second)
    refresh(case)
    last = read(uz_peer)[-1].record
    assert (last.global_id, last.state) == (str(second.global_id), messages.RecordState.DELETED)
    assert last.version == Exhibit.with_tombstones().get(pk=second.pk).record_version


def test_a_sharing_group_case_goes_only_to_its_members_nodes(persona, uz_peer, hub_peer):
    group = SharingGroup.objects.create(code="kz-uz", name_en="KZ-UZ", name_ru="КЗ-УЗ")
    group.organisations.set(
        [organisation("demo-kz-forensic-centre"), organisation("demo-uz-forensic-centre")]
    )
    case, *_ = approved_case(persona, distribution_level="sharing_group", sharing_group=group)
    refresh(case)
    assert len(queue(uz_peer)) == 4
    assert queue(hub_peer) == []  # the regional centre is not in the group
    definition = read(uz_peer)[0].record.group
    assert definition["code"] == "kz-uz"
    assert {m["organisation"] for m in definition["members"]} == {
        str(organisation("demo-kz-forensic-centre").global_id),
        str(organisation("demo-uz-forensic-centre").global_id),
    }


def test_a_group_member_removed_is_withdrawn_and_one_added_is_sent(persona, uz_peer, hub_peer):
    group = SharingGroup.objects.create(code="kz-uz", name_en="KZ-UZ", name_ru="КЗ-УЗ")
    group.organisations.set(
        [organisation("demo-kz-forensic-centre"), organisation("demo-uz-forensic-centre")]
    )
    case, *_ = approved_case(persona, distribution_level="sharing_group", sharing_group=group)
    refresh(case)

    group.organisations.add(organisation("demo-regional-centre"))
    refresh(case)
    assert len(queue(hub_peer)) == 4
    # The members changed, so what the Uzbek node holds changed too: it gets the new definition.
    assert len(queue(uz_peer)) == 8
    assert len(read(uz_peer)[-1].record.group["members"]) == 3

    group.organisations.remove(organisation("demo-uz-forensic-centre"))
    refresh(case)
    assert [e.kind for e in queue(uz_peer)[8:]] == [CopyKind.WITHDRAWAL] * 4


def test_an_entry_the_rules_no_longer_allow_is_passed_over_when_read(persona, uz_peer):
    case, *_ = regional_case(persona)
    refresh(case)
    Case.objects.filter(pk=case.pk).update(distribution_level="national")  # not refreshed yet
    assert read(uz_peer) == []


def test_a_suspended_peer_is_owed_nothing(persona, uz_peer):
    from fdx.core.actors import system
    from fdx.exchange import actions

    actions.suspend_peer(system("setup"), uz_peer, reason="link down")
    case, *_ = regional_case(persona)
    assert refresh(case) == 0


def test_the_changes_reach_the_queue_through_the_domain_events(persona, uz_peer):
    _case, *_ = regional_case(persona)
    deliver_due()
    assert len(queue(uz_peer)) == 4
    assert {e.model for e in queue(uz_peer)} == {
        "examinations.case",
        "examinations.exhibit",
        "examinations.examination",
        "examinations.finding",
    }


def test_acknowledged_entries_leave_the_queue_and_refused_ones_stay(persona, uz_peer):
    case, *_ = regional_case(persona)
    refresh(case)
    entries = queue(uz_peer)
    OutboxEntry.objects.filter(pk=entries[1].pk).update(refusal="unknown_reference: no such substance")
    outbox.acknowledge(uz_peer, entries[2].sequence)
    assert [e.sequence for e in queue(uz_peer)] == [entries[1].sequence, entries[3].sequence]
    assert [item.sequence for item in outbox.pending(uz_peer, entries[2].sequence, 100)] == [
        entries[3].sequence
    ]


def test_only_approved_examinations_and_their_findings_leave(persona, uz_peer):
    chemist = persona("kz_lab_chemist")
    case, _exhibit, examination = regional_case(persona)
    case_actions.start_examination(
        chemist, add_exhibit(chemist, case, label="2"), received_date=examination.received_date, methods=[]
    )
    refresh(case)
    models = [e.model for e in queue(uz_peer)]
    assert models.count("examinations.examination") == 1
    assert models.count("examinations.exhibit") == 2
    assert Examination.objects.count() == 2 and Finding.objects.count() == 1


def test_a_field_the_owner_marked_shareable_travels_and_unmarking_it_sends_a_version_without_it(
    persona, uz_peer
):
    chemist = persona("kz_lab_chemist")
    case, *_ = regional_case(persona, description="Found in a car at the Zhibek Zholy crossing.")
    refresh(case)
    assert "description" not in read(uz_peer)[0].record.payload

    case_actions.update_case(chemist, case, shareable_fields=["description"], reason="agreed with the police")
    refresh(case)
    marked = [m.record for m in read(uz_peer) if m.record.model == "examinations.case"][-1]
    assert marked.payload["description"] == "Found in a car at the Zhibek Zholy crossing."
    assert "shareable_fields" not in marked.payload

    case_actions.update_case(chemist, case, shareable_fields=[], reason="withdrawn by the police")
    refresh(case)
    unmarked = [m.record for m in read(uz_peer) if m.record.model == "examinations.case"][-1]
    assert "description" not in unmarked.payload and unmarked.version > marked.version


def test_a_group_s_members_changed_through_its_action_reach_the_queues_through_the_domain_event(
    persona, uz_peer, hub_peer
):
    from fdx.accounts import actions as account_actions

    group = SharingGroup.objects.create(code="kz-uz", name_en="KZ-UZ", name_ru="КЗ-УЗ")
    group.organisations.set(
        [organisation("demo-kz-forensic-centre"), organisation("demo-uz-forensic-centre")]
    )
    _case, *_ = approved_case(persona, distribution_level="sharing_group", sharing_group=group)
    deliver_due()
    assert len(queue(uz_peer)) == 4

    account_actions.update_sharing_group(
        persona("hub_admin_deputy"),
        group,
        organisations=[organisation("demo-kz-forensic-centre"), organisation("demo-regional-centre")],
        reason="the Uzbek laboratory left the project",
    )
    deliver_due()
    assert [e.kind for e in queue(uz_peer)[4:]] == [CopyKind.WITHDRAWAL] * 4
    assert len(queue(hub_peer)) == 4


def test_every_entry_of_one_refresh_is_queued_at_the_record_s_final_version_whatever_the_peers_order(
    persona, uz_peer, hub_peer
):
    """The hub is refreshed before Uzbekistan here: Uzbekistan's withdrawal moves the versions, and the
    hub's new entries must carry the moved versions, or they would be passed over when read."""
    from fdx.accounts import actions as account_actions

    group = SharingGroup.objects.create(code="kz-uz", name_en="KZ-UZ", name_ru="КЗ-УЗ")
    group.organisations.set(
        [organisation("demo-kz-forensic-centre"), organisation("demo-uz-forensic-centre")]
    )
    case, *_ = approved_case(persona, distribution_level="sharing_group", sharing_group=group)
    outbox.refresh_cases([case.pk], [hub_peer, uz_peer])
    account_actions.update_sharing_group(
        persona("hub_admin_deputy"),
        group,
        organisations=[organisation("demo-kz-forensic-centre"), organisation("demo-regional-centre")],
        reason="the Uzbek laboratory left the project",
    )
    outbox.refresh_cases([case.pk], [hub_peer, uz_peer])
    assert len(read(hub_peer)) == 4
    assert [m.record.state for m in read(uz_peer)] == [messages.RecordState.WITHDRAWN] * 4
