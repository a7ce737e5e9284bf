import pytest

from fdx.audit.actions import record
from fdx.audit.models import AuditChainHead, AuditEvent
from fdx.audit.tests.tampering import triggers_disabled
from fdx.audit.verify import verify_chain
from fdx.core.actors import system

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_events():
    return [record("geo.reference.loaded", actor=system("test"), after={"n": n}) for n in range(3)]


def test_intact_chain_verifies(three_events):
    result = verify_chain()

    assert result.ok
    assert result.events_checked == AuditEvent.objects.count()
    assert result.last_sequence == three_events[-1].sequence


def test_changed_event_is_named(three_events):
    middle = three_events[1]
    with triggers_disabled():
        AuditEvent.objects.filter(pk=middle.pk).update(after={"n": 99})

    result = verify_chain()

    assert not result.ok
    assert result.broken_sequence == middle.sequence
    assert "changed after it was written" in result.problem


def test_changed_actor_snapshot_is_found(three_events):
    with triggers_disabled():
        AuditEvent.objects.filter(pk=three_events[0].pk).update(actor_username="someone-else")

    assert verify_chain().broken_sequence == three_events[0].sequence


def test_removed_event_is_named(three_events):
    with triggers_disabled():
        AuditEvent.objects.filter(pk=three_events[1].pk).delete()

    result = verify_chain()

    assert not result.ok
    assert result.broken_sequence == three_events[1].sequence
    assert "missing" in result.problem


def test_event_rehashed_after_a_change_still_breaks_the_next_link(three_events):
    # An attacker who recomputes the changed event's own hash still breaks the link from the next one.
    from fdx.audit import chain

    first = three_events[0]
    fields = {name: getattr(first, name) for name in chain.HASHED_FIELDS} | {"reason": "forged"}
    with triggers_disabled():
        AuditEvent.objects.filter(pk=first.pk).update(reason="forged", hash=chain.event_hash(fields))

    result = verify_chain()

    assert result.broken_sequence == three_events[1].sequence
    assert "does not link" in result.problem


def test_cut_tail_is_found_by_the_head(three_events):
    with triggers_disabled():
        AuditEvent.objects.filter(pk=three_events[-1].pk).delete()

    result = verify_chain()

    assert not result.ok
    assert "chain head names event" in result.problem


def test_missing_head_is_reported(three_events):
    with triggers_disabled():
        AuditChainHead.objects.all().delete()

    assert verify_chain().problem == "the chain head is missing"
