"""Background tasks of the core: delivering domain events to their subscribers (``fdx.core.events``)."""

from django_tasks import task

from fdx.core.events import deliver


@task()
def deliver_event(delivery_id: int) -> str:
    """Run one subscriber's delivery of one domain event (idempotent; retried with back-off on failure)."""
    return deliver(delivery_id)
