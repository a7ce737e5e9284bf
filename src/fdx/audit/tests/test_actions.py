import datetime
import decimal

import pytest

from fdx.audit import chain
from fdx.audit.actions import changes, record, snapshot
from fdx.audit.models import AuditChainHead, AuditEvent
from fdx.core import request_context
from fdx.core.actors import system

pytestmark = pytest.mark.django_db


def test_record_links_to_the_previous_event_and_moves_the_head(persona):
    # Given the chain as the test database left it
    head = AuditChainHead.objects.get()
    chemist = persona("kz_lab_chemist")

    # When two events are recorded
    first = record("accounts.user.changed", actor=chemist, obj=chemist, before={"a": 1}, after={"a": 2})
    second = record("accounts.user.changed", actor=chemist, obj=chemist, reason="typo")

    # Then each links to the one before, and the head names the last
    assert first.sequence == head.last_sequence + 1
    assert first.previous_hash == head.last_hash
    assert second.previous_hash == first.hash
    assert AuditChainHead.objects.get().last_hash == second.hash
    assert first.hash == chain.event_hash({name: getattr(first, name) for name in chain.HASHED_FIELDS})


def test_record_takes_actor_organisation_and_object(persona):
    chemist = persona("kz_lab_chemist")

    event = record("accounts.user.changed", actor=chemist, obj=chemist)

    assert event.actor == chemist
    assert event.actor_username == "kz_lab_chemist"
    assert event.organisation_code == "demo-kz-forensic-centre"
    assert event.object_type == "accounts.user"
    assert event.object_id == str(chemist.global_id)


def test_system_actor_is_recorded_by_label():
    event = record("geo.reference.loaded", actor=system("cli:root"), object_type="geo.reference")

    assert event.actor is None
    assert event.actor_username == "cli:root"


def test_request_id_and_address_come_from_the_request_context():
    token = request_context.bind(
        request_context.RequestContext(request_id="req-12345678", ip_address="10.1.2.3")
    )
    try:
        event = record("geo.reference.loaded", actor=system("setup"))
    finally:
        request_context.reset(token)

    assert (event.request_id, event.ip_address) == ("req-12345678", "10.1.2.3")


def test_unknown_event_code_is_refused_and_nothing_is_written():
    count = AuditEvent.objects.count()

    with pytest.raises(KeyError, match="no.such.event"):
        record("no.such.event", actor=system("test"))

    assert AuditEvent.objects.count() == count


def test_values_are_stored_exactly_as_hashed():
    event = record(
        "geo.reference.loaded",
        actor=system("test"),
        after={"when": datetime.date(2022, 6, 8), "mass": decimal.Decimal("1.250"), "text": "мефедрон"},
    )

    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.after == {"when": "2022-06-08", "mass": "1.250", "text": "мефедрон"}
    assert chain.event_hash({name: getattr(stored, name) for name in chain.HASHED_FIELDS}) == stored.hash


def test_snapshot_names_related_objects_by_their_stable_keys(persona):
    chemist = persona("kz_lab_chemist")

    data = snapshot(chemist, ["username", "organisation", "is_active"])

    assert data == {
        "username": "kz_lab_chemist",
        "organisation": str(chemist.organisation.global_id),
        "is_active": True,
    }


def test_changes_keeps_only_what_differs():
    assert changes({"a": 1, "b": 2}, {"a": 1, "b": 3}) == ({"b": 2}, {"b": 3})
    assert changes({"a": 1}, {"a": 1}) == ({}, {})
