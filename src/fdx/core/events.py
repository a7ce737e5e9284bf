"""Domain events: the one way a lower app lets the apps above react to its changes, after commit.

* **Vocabulary.** Each app declares the events it emits in ``<app>/events.py`` with ``register``: a stable
  code (``app.object.verb``, never changed once used) and a sentence. ``docs/en/development.md`` lists
  them all (a test checks that it does).
* **Emitting.** An action calls ``emit`` inside its transaction. The event is written to the outbox
  (``OutboxEvent``) with one ``EventDelivery`` per subscriber, in that transaction: a change that rolls
  back emits nothing, and a change that commits cannot lose its event.
* **Subscribing.** An app above registers a handler in its ``AppConfig.ready`` with ``subscribe``; no app
  below ever imports it. A handler takes the ``OutboxEvent`` (ids, not objects) and must be idempotent.
* **Delivering.** After commit each delivery runs as a background task (``fdx.core.tasks.deliver_event``,
  drained by ``fdx worker``), in its own transaction: a failing handler is retried with back-off and never
  holds up the others; after ``MAX_ATTEMPTS`` it is given up and shown to the node administrator. A
  sweep (``deliver_due``, run by ``fdx worker`` and ``fdx events deliver``) picks up what a crash between
  commit and enqueue, or a back-off, left waiting.
"""

from __future__ import annotations

import datetime
import logging
import re
import traceback
from collections.abc import Callable
from dataclasses import dataclass

from django.db import models, transaction
from django.utils import timezone
from django.utils.functional import Promise

from fdx.core.models import DeliveryState, EventDelivery, OutboxEvent

logger = logging.getLogger(__name__)

_CODE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*){2}$")
MAX_ATTEMPTS = 8
FIRST_RETRY_S = 30  # then doubled: 30 s, 1 min, 2 min, … about an hour before the last attempt


@dataclass(frozen=True)
class DomainEventType:
    """One kind of domain event: ``code`` is stable forever (subscribers and peers know it)."""

    code: str
    sentence: str | Promise

    def __str__(self) -> str:
        return self.code


@dataclass(frozen=True)
class Subscriber:
    name: str  # stable: it is stored with every delivery
    handler: Callable[[OutboxEvent], object]


_registry: dict[str, DomainEventType] = {}
_subscribers: dict[str, list[Subscriber]] = {}


def register(code: str, sentence: str | Promise) -> DomainEventType:
    """Declare a domain event type; codes are ``app.object.verb`` and unique."""
    if not _CODE.match(code):
        raise ValueError(f"domain event code {code!r} must look like 'app.object.verb'")
    if code in _registry:
        raise ValueError(f"domain event code {code!r} is registered twice")
    event = DomainEventType(code, sentence)
    _registry[code] = event
    return event


def all_event_types() -> list[DomainEventType]:
    return sorted(_registry.values(), key=lambda event: event.code)


def subscribe(event: DomainEventType | str, name: str, handler: Callable[[OutboxEvent], object]) -> None:
    """Have ``handler`` receive every ``event`` after commit, as the subscriber ``name`` (stable, unique per
    event: registering the same name again replaces the handler, as a reloaded module does)."""
    code = _known(event).code
    subscribers = _subscribers.setdefault(code, [])
    subscribers[:] = [s for s in subscribers if s.name != name] + [Subscriber(name, handler)]


def unsubscribe(event: DomainEventType | str, name: str) -> None:
    """Remove the subscriber ``name`` of ``event`` (tests; an app that is switched off)."""
    code = _known(event).code
    _subscribers[code] = [s for s in _subscribers.get(code, []) if s.name != name]


def subscribers_of(event: DomainEventType | str) -> list[Subscriber]:
    return list(_subscribers.get(_known(event).code, []))


def emit(
    event: DomainEventType | str,
    *,
    obj: models.Model | None = None,
    organisation=None,
    actor=None,
    **payload,
) -> OutboxEvent:
    """Write ``event`` to the outbox in the caller's transaction, with a delivery for each subscriber, and
    have the deliveries run after commit. ``obj`` names the record (type, global id, version);
    ``payload`` holds JSON-safe facts the subscribers need (ids, never secrets)."""
    event_type = _known(event)
    now = timezone.now()
    with transaction.atomic():
        outbox = OutboxEvent.objects.create(
            code=event_type.code,
            occurred_at=now,
            object_type=obj._meta.label_lower if obj is not None else "",
            object_id=str(getattr(obj, "global_id", None) or getattr(obj, "pk", ""))
            if obj is not None
            else "",
            object_version=getattr(obj, "record_version", None),
            organisation_id=getattr(organisation, "pk", organisation),
            actor=_actor_label(actor),
            payload=payload,
        )
        deliveries = EventDelivery.objects.bulk_create(
            [
                EventDelivery(event=outbox, subscriber=subscriber.name, next_attempt_at=now)
                for subscriber in subscribers_of(event_type)
            ]
        )
        ids = [delivery.pk for delivery in deliveries]
        if ids:
            transaction.on_commit(lambda: _enqueue(ids))
    return outbox


def deliver(delivery_id: int, now: datetime.datetime | None = None) -> str:
    """Run one delivery if it is due (idempotent: a delivery done, given up or not yet due is left alone);
    returns its state afterwards."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            delivery = (
                EventDelivery.objects.select_for_update()
                .select_related("event")
                .filter(pk=delivery_id)
                .first()
            )
            if delivery is None or delivery.state != DeliveryState.PENDING or delivery.next_attempt_at > now:
                return delivery.state if delivery is not None else "missing"
            handler = _handler(delivery)
            handler(delivery.event)
            delivery.state, delivery.delivered_at = DeliveryState.DONE, timezone.now()
            delivery.attempts += 1
            delivery.last_error = ""
            delivery.save(update_fields=["state", "delivered_at", "attempts", "last_error"])
            return delivery.state
    except Exception as exc:  # the handler's failure is recorded, retried later, and never spreads
        logger.warning("domain event delivery %s failed: %s", delivery_id, exc)
        return _record_failure(delivery_id, traceback.format_exc(limit=8), now)


def deliver_due(now: datetime.datetime | None = None, limit: int = 1000) -> dict[str, int]:
    """Run every pending delivery that is due (the sweep), oldest first; counts by resulting state."""
    now = now or timezone.now()
    due = EventDelivery.objects.filter(state=DeliveryState.PENDING, next_attempt_at__lte=now)
    counts: dict[str, int] = {}
    for delivery_id in due.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit]:
        state = deliver(delivery_id, now)
        counts[state] = counts.get(state, 0) + 1
    return counts


def retry_delay(attempts: int) -> datetime.timedelta:
    """The wait after the ``attempts``-th failure: 30 s, doubling, at most a day."""
    return datetime.timedelta(seconds=min(FIRST_RETRY_S * 2 ** max(attempts - 1, 0), 86400))


def _record_failure(delivery_id: int, error: str, now: datetime.datetime) -> str:
    with transaction.atomic():
        delivery = EventDelivery.objects.select_for_update().get(pk=delivery_id)
        if delivery.state != DeliveryState.PENDING:  # another run delivered (or gave up) meanwhile
            return delivery.state
        delivery.attempts += 1
        delivery.last_error = error[-4000:]
        if delivery.attempts >= MAX_ATTEMPTS:
            delivery.state = DeliveryState.FAILED
        else:
            delivery.next_attempt_at = now + retry_delay(delivery.attempts)
        delivery.save(update_fields=["attempts", "last_error", "state", "next_attempt_at"])
    if delivery.state == DeliveryState.PENDING:
        _enqueue([delivery_id], run_after=delivery.next_attempt_at)
    return delivery.state


def _handler(delivery: EventDelivery) -> Callable[[OutboxEvent], object]:
    for subscriber in _subscribers.get(delivery.event.code, []):
        if subscriber.name == delivery.subscriber:
            return subscriber.handler
    raise LookupError(f"no subscriber {delivery.subscriber!r} of {delivery.event.code} is registered")


def _enqueue(delivery_ids: list[int], run_after: datetime.datetime | None = None) -> None:
    """Hand deliveries to the task backend. A backend that cannot defer (the test backend) leaves a retry to
    the sweep; one that fails to enqueue leaves everything to it."""
    from fdx.core.tasks import deliver_event

    task = deliver_event
    if run_after is not None:
        if not task.get_backend().supports_defer:
            return
        task = task.using(run_after=run_after)
    for delivery_id in delivery_ids:
        try:
            task.enqueue(delivery_id)
        except Exception:  # the outbox row is committed: the sweep delivers it later
            logger.exception("could not enqueue domain event delivery %s", delivery_id)


def _known(event: DomainEventType | str) -> DomainEventType:
    try:
        return _registry[str(event)]
    except KeyError:
        raise KeyError(f"unknown domain event {event!r}; declare it in an events module") from None


def _object_id(obj) -> str:
    if obj is None:
        return ""
    return str(getattr(obj, "global_id", None) or obj.pk)


def _actor_label(actor) -> str:
    if actor is None:
        return ""
    label = getattr(actor, "label", None)  # a SystemActor
    if label:
        return label
    return actor.get_username() if getattr(actor, "is_authenticated", False) else ""
