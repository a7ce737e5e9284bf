"""Running the node: its identity and signing key, and the domain events its apps deliver to each other.

The primitives are in ``fdx.core.node`` and ``fdx.core.events``; these are the audited actions and the reads
a node administrator (``accounts.manage_node``) uses from the node page, the API and ``fdx node``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fdx.accounts import audit_events
from fdx.audit.actions import record
from fdx.core import node
from fdx.core.actors import require_permission
from fdx.core.models import DeliveryState, EventDelivery
from fdx.core.paging import Total, bounded_total

MANAGE_NODE = "accounts.manage_node"


def describe_node(actor) -> node.NodeDescription:
    """This node's identity and key, for a node administrator."""
    require_permission(actor, MANAGE_NODE)
    return node.describe()


@transaction.atomic
def ensure_node_key(actor):
    """Give the node its signing key on first set-up (audited); later, check that the key file is still the
    one the database knows. Returns ``(NodeKey, created)``; ``NodeKeyError`` names what is wrong."""
    require_permission(actor, MANAGE_NODE)
    key, created = node.create_key()
    if created:
        record(
            audit_events.NODE_KEY_CREATED,
            actor=actor,
            object_type="core.nodekey",
            object_id=key.fingerprint,
            after={"node_id": str(node.local_node_id()), "fingerprint": key.fingerprint},
        )
    return key, created


@transaction.atomic
def rotate_node_key(actor, *, reason: str):
    """Replace the node's signing key (it was lost, exposed, or is due): the old public key is kept for
    verifying what it signed; peers must check the new fingerprint out of band. Returns the new key."""
    require_permission(actor, MANAGE_NODE)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the node's key is replaced.")})
    new, retired = node.rotate_key(reason.strip())
    record(
        audit_events.NODE_KEY_ROTATED,
        actor=actor,
        object_type="core.nodekey",
        object_id=new.fingerprint,
        before={"fingerprint": retired.fingerprint if retired else None},
        after={"fingerprint": new.fingerprint},
        reason=reason.strip(),
    )
    return new


@dataclass(frozen=True)
class DeliveryStatus:
    """How the domain events of this node stand: deliveries by state, and the last ones given up.

    The totals are bounded (``fdx.core.paging.bounded_total``): each state is counted up to
    ``COUNT_BOUND`` rows through the ``(state, next_attempt_at)`` index, never by grouping the whole
    delivery table (which only grows: every delivered event stays ``done``); a large total is kept a minute
    in the cache, so it may be that old."""

    totals: dict[str, Total]
    failed: list[EventDelivery]

    @property
    def counts(self) -> dict[str, int]:
        """Deliveries by state; a state holding more than ``COUNT_BOUND`` shows the bound (see ``more``)."""
        return {state: total.value for state, total in self.totals.items()}

    @property
    def more(self) -> list[str]:
        """The states holding more deliveries than their count says (more than ``COUNT_BOUND``)."""
        return [state for state, total in self.totals.items() if total.more]


def delivery_status(actor, *, failed_limit: int = 50) -> DeliveryStatus:
    require_permission(actor, MANAGE_NODE)
    totals = {
        state: bounded_total(EventDelivery.objects.filter(state=state)) for state in DeliveryState.values
    }
    failed = list(
        EventDelivery.objects.filter(state=DeliveryState.FAILED)
        .select_related("event")
        .order_by("-next_attempt_at")[:failed_limit]
    )
    return DeliveryStatus(totals, failed)


@transaction.atomic
def retry_failed_deliveries(actor, *, reason: str) -> int:
    """Give every delivery that was given up a fresh start (after the subscriber's fault is mended); they run
    with the next sweep. Audited; returns how many."""
    require_permission(actor, MANAGE_NODE)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the deliveries are retried.")})
    failed = EventDelivery.objects.select_for_update().filter(state=DeliveryState.FAILED)
    ids = list(failed.values_list("pk", flat=True))
    EventDelivery.objects.filter(pk__in=ids).update(
        state=DeliveryState.PENDING, attempts=0, next_attempt_at=timezone.now()
    )
    if ids:
        record(
            audit_events.EVENT_DELIVERIES_RETRIED,
            actor=actor,
            object_type="core.eventdelivery",
            after={"deliveries": len(ids)},
            reason=reason.strip(),
        )
    return len(ids)
