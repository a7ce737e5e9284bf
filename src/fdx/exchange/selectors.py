"""Reads of the exchange set-up, for node administrators."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from fdx.core.actors import require_permission
from fdx.exchange.actions import MANAGE_PEERS
from fdx.exchange.models import FollowedPublication, OutboxEntry, Peer, Publication, Receipt, ReceivedRecord


def list_peers(actor) -> QuerySet[Peer]:
    """Every peer, by name."""
    require_permission(actor, MANAGE_PEERS)
    return Peer.objects.select_related("country").prefetch_related("organisations").order_by("name")


def get_peer(actor, name: str) -> Peer:
    """The peer called ``name`` (``Peer.DoesNotExist`` when there is none)."""
    require_permission(actor, MANAGE_PEERS)
    return Peer.objects.get(name=name)


@dataclass(frozen=True)
class SyncStatus:
    """One peer's synchronisation, as the node administrator sees it."""

    peer: str
    suspended: bool
    callable: bool  # an address and a token for calling it
    pending: int  # entries of its queue it does not hold yet
    refused: int  # entries it refused (kept with the reason)
    oldest_pending_at: datetime.datetime | None
    last_attempt_at: datetime.datetime | None
    last_success_at: datetime.datetime | None
    next_attempt_at: datetime.datetime | None
    failures: int
    last_error: str
    pulled_through: int
    acknowledged_through: int

    @property
    def lag(self) -> datetime.timedelta | None:
        """How long the oldest change it does not hold has waited."""
        return timezone.now() - self.oldest_pending_at if self.oldest_pending_at else None

    def as_dict(self) -> dict:
        lag = self.lag
        return {
            "peer": self.peer,
            "suspended": self.suspended,
            "callable": self.callable,
            "pending": self.pending,
            "refused": self.refused,
            "oldest_pending_at": _iso(self.oldest_pending_at),
            "last_attempt_at": _iso(self.last_attempt_at),
            "last_success_at": _iso(self.last_success_at),
            "next_attempt_at": _iso(self.next_attempt_at),
            "failures": self.failures,
            "last_error": self.last_error,
            "lag": str(lag).split(".")[0] if lag is not None else "",
            "lag_s": round(lag.total_seconds()) if lag is not None else None,
            "pulled_through": self.pulled_through,
            "acknowledged_through": self.acknowledged_through,
        }


def _iso(value):
    return value.isoformat() if value else None


def sync_status(actor, peer: Peer) -> SyncStatus:
    """``peer``'s synchronisation now."""
    require_permission(actor, MANAGE_PEERS)
    waiting = OutboxEntry.objects.filter(peer=peer, sequence__gt=peer.acknowledged_through, refusal="")
    oldest = waiting.order_by("sequence").values_list("enqueued_at", flat=True).first()
    return SyncStatus(
        peer=peer.name,
        suspended=peer.suspended,
        callable=bool(peer.url and peer.outgoing_token),
        pending=waiting.count(),
        refused=OutboxEntry.objects.filter(peer=peer).exclude(refusal="").count(),
        oldest_pending_at=oldest,
        last_attempt_at=peer.last_attempt_at,
        last_success_at=peer.last_success_at,
        next_attempt_at=peer.next_attempt_at,
        failures=peer.failures,
        last_error=peer.last_error,
        pulled_through=peer.pulled_through,
        acknowledged_through=peer.acknowledged_through,
    )


def sync_statuses(actor) -> list[SyncStatus]:
    """Every peer's synchronisation, by name."""
    return [sync_status(actor, peer) for peer in list_peers(actor)]


def queue_entries(actor, peer: Peer, *, refused: bool = False) -> QuerySet[OutboxEntry]:
    """``peer``'s queue in order: what it does not hold yet, or (``refused``) what it refused."""
    require_permission(actor, MANAGE_PEERS)
    entries = OutboxEntry.objects.filter(peer=peer)
    if refused:
        return entries.exclude(refusal="").order_by("sequence")
    return entries.filter(sequence__gt=peer.acknowledged_through, refusal="").order_by("sequence")


def receipts(actor, peer: Peer | None = None) -> QuerySet[Receipt]:
    """What this node received, newest first (from one peer, or from all)."""
    require_permission(actor, MANAGE_PEERS)
    found = Receipt.objects.select_related("peer").order_by("-sequence")
    return found.filter(peer=peer) if peer is not None else found


def provenance(global_id) -> ReceivedRecord | None:
    """Where a received record came from: its origin, path and when it arrived (None for this node's own).
    Not restricted: it says nothing the record itself, which the caller was allowed to read, does not."""
    return ReceivedRecord.objects.select_related("sender").filter(global_id=global_id).first()


# Reference data


def list_publications(actor) -> QuerySet[Publication]:
    """This node's publications, by code, with their subscribers."""
    require_permission(actor, MANAGE_PEERS)
    return (
        Publication.objects.select_related(
            "owner_organisation", "sharing_group", "spectral_library", "jurisdiction"
        )
        .prefetch_related("subscriptions__peer")
        .order_by("code")
    )


def get_publication(actor, code: str) -> Publication:
    """The publication ``code`` (``Publication.DoesNotExist`` when there is none)."""
    return list_publications(actor).get(code=code)


def followed_publications(actor, peer: Peer | None = None) -> QuerySet[FollowedPublication]:
    """The publications of other nodes this node subscribed to (of ``peer`` only, when given)."""
    require_permission(actor, MANAGE_PEERS)
    followed = FollowedPublication.objects.select_related("peer").order_by("peer__name", "code")
    return followed.filter(peer=peer) if peer is not None else followed


def publication_size(publication: Publication) -> int:
    """How many records the publication carries now."""
    from fdx.exchange import publications

    return len(publications.records_of(publication))
