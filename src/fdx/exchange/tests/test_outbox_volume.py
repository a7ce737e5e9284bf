"""The queues at volume. Read a page at a time, they give the messages each entry built alone gives, byte
for byte, in a fixed number of queries however many entries a page holds; filled, a case costs the same
queries however many records it has."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fdx.accounts.models import SharingGroup
from fdx.examinations import actions as case_actions
from fdx.examinations.models import Case
from fdx.examinations.tests.builders import add_exhibit, approved_case
from fdx.exchange import outbox
from fdx.exchange.models import CopyKind, OutboxEntry, ReceivedRecord
from fdx.testing.personas import organisation

pytestmark = pytest.mark.django_db


def queue(peer):
    return list(OutboxEntry.objects.filter(peer=peer).order_by("sequence"))


def regional_cases(persona, count):
    cases = []
    for number in range(count):
        case, *_ = approved_case(persona, distribution_level="regional", reference=f"KZ-PAGE-{number:04}")
        cases.append(case)
    outbox.refresh_cases([case.pk for case in cases])
    return cases


def queries_to_read(peer, limit):
    with CaptureQueriesContext(connection) as captured:
        items = list(outbox.pending(peer, 0, limit))
    return len(items), len(captured)


def test_a_page_of_forty_entries_costs_the_queries_of_a_page_of_five(persona, uz_peer):
    group = SharingGroup.objects.create(code="kz-uz", name_en="KZ-UZ", name_ru="КЗ-УЗ")
    group.organisations.set(
        [organisation("demo-kz-forensic-centre"), organisation("demo-uz-forensic-centre")]
    )
    grouped, *_ = approved_case(persona, distribution_level="sharing_group", sharing_group=group)
    outbox.refresh_cases([grouped.pk])
    regional_cases(persona, 10)
    assert len(queue(uz_peer)) == 44

    five = queries_to_read(uz_peer, 5)
    forty = queries_to_read(uz_peer, 40)

    assert (five[0], forty[0]) == (5, 40)
    assert forty[1] == five[1]


def test_every_record_of_a_chunk_is_read_in_a_fixed_number_of_queries(persona, uz_peer):
    regional_cases(persona, 3)
    entries = queue(uz_peer)
    builder = outbox.PageBuilder(uz_peer)
    first = builder.build(entries)  # and what a page reads once: the peer, organisations, places, substances

    with CaptureQueriesContext(connection) as captured:
        again = builder.build(entries)

    assert again == first and all(again) and len(again) == 12
    # The cases, exhibits, examinations and findings (a query each) and the examinations' methods.
    assert len(captured) == 5


def test_a_page_gives_the_bytes_each_entry_built_alone_gives(persona, uz_peer):
    chemist = persona("kz_lab_chemist")
    group = SharingGroup.objects.create(code="kz-uz", name_en="KZ-UZ", name_ru="КЗ-УЗ")
    group.organisations.set(
        [organisation("demo-kz-forensic-centre"), organisation("demo-uz-forensic-centre")]
    )
    grouped, *_ = approved_case(persona, distribution_level="sharing_group", sharing_group=group)
    first, *_ = regional_cases(persona, 2)
    withdrawn, *_ = approved_case(persona, distribution_level="regional", reference="KZ-PAGE-0777")
    removed = add_exhibit(chemist, withdrawn, label="2")
    outbox.refresh_cases([grouped.pk, withdrawn.pk])
    # Withdrawals (a level lowered), a tombstone (an exhibit removed), a change passed over (newer version).
    case_actions.remove_exhibit(chemist, removed)
    case_actions.update_case(chemist, withdrawn, distribution_level="national", reason="court order")
    outbox.refresh_cases([withdrawn.pk])
    Case.objects.filter(pk=first.pk).update(record_version=99)
    # Relays: one whose message is current, one a later entry replaces.
    message = next(item.message for item in outbox.pending(uz_peer, 0, 1000))
    relayed = ReceivedRecord.objects.create(
        global_id=uuid.uuid4(),
        model="examinations.case",
        origin_node=uuid.uuid4(),
        version=3,
        state="active",
        level="regional",
        received_at=first.created_at,
        message=message,
    )
    for version in (3, 2):
        OutboxEntry.objects.create(
            peer=uz_peer,
            model="examinations.case",
            global_id=relayed.global_id,
            version=version,
            kind=CopyKind.RELAY,
        )
    entries = queue(uz_peer)
    assert {e.kind for e in entries} == {CopyKind.CHANGE, CopyKind.WITHDRAWAL, CopyKind.RELAY}

    alone = [outbox.build(entry, uz_peer) for entry in entries]
    paged = outbox.PageBuilder(uz_peer).build(entries)
    read = {item.sequence: item.message for item in outbox.pending(uz_peer, 0, 1000)}

    assert paged == alone
    assert read == {e.sequence: data for e, data in zip(entries, alone, strict=True) if data is not None}
    assert None in alone and alone.count(None) < len(alone)  # some passed over, most go


def test_a_page_longer_than_a_chunk_reads_every_entry_in_order(persona, uz_peer, monkeypatch):
    monkeypatch.setattr(outbox, "CHUNK", 3)
    regional_cases(persona, 2)
    entries = queue(uz_peer)

    read = list(outbox.pending(uz_peer, entries[0].sequence, 6))

    assert [item.sequence for item in read] == [e.sequence for e in entries[1:7]]


def test_filling_the_queues_costs_the_same_queries_however_many_records_a_case_has(
    persona, uz_peer, hub_peer
):
    chemist = persona("kz_lab_chemist")
    small, *_ = approved_case(persona, distribution_level="regional", reference="KZ-FILL-1")
    large, *_ = approved_case(persona, distribution_level="regional", reference="KZ-FILL-2")
    for label in ("2", "3", "4", "5"):
        add_exhibit(chemist, large, label=label)

    with CaptureQueriesContext(connection) as for_small:
        assert outbox.refresh_cases([small.pk]) == 8
    with CaptureQueriesContext(connection) as for_large:
        assert outbox.refresh_cases([large.pk]) == 16

    assert len(for_large) == len(for_small)
