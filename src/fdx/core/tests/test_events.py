"""The one after-commit event path: what rolls back emits nothing, each subscriber gets each event once, a
failing subscriber is retried with back-off without holding up the others, and a real worker drains them."""

import datetime

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from fdx.core import events
from fdx.core.events import DomainEventType, deliver, deliver_due, emit
from fdx.core.models import DeliveryState, EventDelivery, OutboxEvent

pytestmark = pytest.mark.django_db

PROBE = "core.probe.sent"


@pytest.fixture
def probe(monkeypatch):
    """A domain event type of the tests' own, with no subscriber yet (both undone after the test)."""
    monkeypatch.setitem(events._registry, PROBE, DomainEventType(PROBE, "A probe was sent"))
    monkeypatch.setitem(events._subscribers, PROBE, [])
    return PROBE


class Recorder:
    """A subscriber that remembers what it received, and fails its first ``failures`` deliveries."""

    def __init__(self, failures: int = 0):
        self.failures = failures
        self.received: list[int] = []

    def __call__(self, event: OutboxEvent) -> None:
        if self.failures:
            self.failures -= 1
            raise RuntimeError("the subscriber's store is away")
        self.received.append(event.sequence)


def test_a_rolled_back_change_emits_nothing(probe, django_capture_on_commit_callbacks):
    # Given a subscriber
    recorder = Recorder()
    events.subscribe(probe, "tests.recorder", recorder)

    # When an event is emitted in a transaction that rolls back
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        emit(probe, case="abc")
        raise RuntimeError("the change failed")

    # Then nothing was written, nothing scheduled, nothing delivered
    assert not OutboxEvent.objects.filter(code=probe).exists()
    assert not EventDelivery.objects.exists()
    assert callbacks == []
    assert recorder.received == []


def test_a_committed_event_reaches_every_subscriber_once(probe, django_capture_on_commit_callbacks):
    first, second = Recorder(), Recorder()
    events.subscribe(probe, "tests.first", first)
    events.subscribe(probe, "tests.second", second)

    with django_capture_on_commit_callbacks(execute=True):
        event = emit(probe, organisation=7, case="abc")

    assert first.received == second.received == [event.sequence]
    assert event.payload == {"case": "abc"} and event.organisation_id == 7
    assert set(EventDelivery.objects.values_list("subscriber", "state")) == {
        ("tests.first", DeliveryState.DONE),
        ("tests.second", DeliveryState.DONE),
    }
    # Delivering again (a duplicate task, a sweep) changes nothing: each delivery runs once
    for delivery in EventDelivery.objects.all():
        deliver(delivery.pk)
    assert first.received == second.received == [event.sequence]


def test_a_failing_subscriber_is_retried_and_does_not_block_the_others(
    probe, django_capture_on_commit_callbacks
):
    # Given a subscriber whose store is away for one attempt, and a healthy one
    flaky, healthy = Recorder(failures=1), Recorder()
    events.subscribe(probe, "tests.flaky", flaky)
    events.subscribe(probe, "tests.healthy", healthy)

    # When an event is committed
    with django_capture_on_commit_callbacks(execute=True):
        event = emit(probe)

    # Then the healthy subscriber has it, and the flaky one's delivery waits for its retry
    assert healthy.received == [event.sequence] and flaky.received == []
    waiting = EventDelivery.objects.get(subscriber="tests.flaky")
    assert (waiting.state, waiting.attempts) == (DeliveryState.PENDING, 1)
    assert "the subscriber's store is away" in waiting.last_error
    assert waiting.next_attempt_at > timezone.now()
    assert deliver_due() == {}  # not due yet

    # When the sweep runs after the back-off
    counts = deliver_due(now=waiting.next_attempt_at + datetime.timedelta(seconds=1))

    # Then the retry delivers it, once
    assert counts == {DeliveryState.DONE: 1}
    assert flaky.received == [event.sequence] and healthy.received == [event.sequence]
    assert EventDelivery.objects.get(subscriber="tests.flaky").attempts == 2


def test_the_back_off_doubles_and_a_delivery_is_given_up_after_the_last_attempt(
    probe, django_capture_on_commit_callbacks
):
    events.subscribe(probe, "tests.broken", Recorder(failures=100))
    with django_capture_on_commit_callbacks(execute=True):
        emit(probe)
    delivery = EventDelivery.objects.get()
    waits = []

    while delivery.state == DeliveryState.PENDING:
        previous = delivery.next_attempt_at
        deliver_due(now=previous + datetime.timedelta(microseconds=1))
        delivery.refresh_from_db()
        waits.append((delivery.next_attempt_at - previous).total_seconds())

    assert delivery.state == DeliveryState.FAILED and delivery.attempts == events.MAX_ATTEMPTS
    assert [round(wait) for wait in waits[:4]] == [60, 120, 240, 480]  # after the first retry's 30 s
    assert events.retry_delay(1) == datetime.timedelta(seconds=30)


def test_a_subscriber_that_is_gone_is_retried_not_lost(probe, django_capture_on_commit_callbacks):
    events.subscribe(probe, "tests.leaving", Recorder())
    with transaction.atomic():
        emit(probe)
    events.unsubscribe(probe, "tests.leaving")  # say, an app switched off before the worker ran

    deliver_due()

    delivery = EventDelivery.objects.get()
    assert delivery.state == DeliveryState.PENDING and "no subscriber 'tests.leaving'" in delivery.last_error


def test_an_unknown_or_malformed_event_is_refused(probe):
    with pytest.raises(KeyError, match="core.nothing.happened"):
        emit("core.nothing.happened")
    with pytest.raises(ValueError, match="app.object.verb"):
        events.register("Not a code", "nothing")
    with pytest.raises(ValueError, match="registered twice"):
        events.register(PROBE, "again")


def test_every_registered_event_is_well_formed():
    codes = [event.code for event in events.all_event_types()]

    assert codes == sorted(set(codes))
    assert {"examinations.examination.approved", "substances.substance.changed"} <= set(codes)
    assert all(str(event.sentence) for event in events.all_event_types())


def test_the_database_worker_drains_the_deliveries(
    probe, settings, monkeypatch, django_capture_on_commit_callbacks
):
    # The worker drops connections that are not in autocommit mode, as the test's own transaction is not:
    # on PostgreSQL that would end the test's transaction under it.
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None)
    # Given the production task backend (django-tasks' database backend) and a committed event
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    recorder = Recorder()
    events.subscribe(probe, "tests.recorder", recorder)
    with django_capture_on_commit_callbacks(execute=True):
        event = emit(probe)
    assert recorder.received == []  # enqueued, not yet run

    # When the worker runs (what `fdx worker` runs, here until the queue is empty)
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")

    # Then the subscriber received the event
    assert recorder.received == [event.sequence]
    assert EventDelivery.objects.get().state == DeliveryState.DONE
