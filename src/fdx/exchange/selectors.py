"""Reads of the exchange set-up, for node administrators."""

from __future__ import annotations

from django.db.models import QuerySet

from fdx.core.actors import require_permission
from fdx.exchange.actions import MANAGE_PEERS
from fdx.exchange.models import Peer


def list_peers(actor) -> QuerySet[Peer]:
    """Every peer, by name."""
    require_permission(actor, MANAGE_PEERS)
    return Peer.objects.select_related("country").prefetch_related("organisations").order_by("name")


def get_peer(actor, name: str) -> Peer:
    """The peer called ``name`` (``Peer.DoesNotExist`` when there is none)."""
    require_permission(actor, MANAGE_PEERS)
    return Peer.objects.get(name=name)
