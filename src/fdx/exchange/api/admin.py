"""Synchronisation API, for node administrators: each peer's status, its queue and refusals, what was
received, syncing now, and the token for calling a peer. The same selectors and actions as the pages and
``fdx exchange sync|queue``."""

from ninja.pagination import paginate

from fdx.core.api.pagination import KeysetPagination
from fdx.exchange import actions, selectors
from fdx.exchange.api.router import router
from fdx.exchange.api.schemas import (
    PeerOut,
    PeerTokenIn,
    QueueEntryOut,
    ReceiptOut,
    SyncResultOut,
    SyncStatusOut,
)


@router.get("/sync-status", response=list[SyncStatusOut], summary="Every peer's synchronisation")
def sync_statuses(request):
    return [status.as_dict() for status in selectors.sync_statuses(request.user)]


@router.get("/peers/{name}/sync-status", response=SyncStatusOut, summary="One peer's synchronisation")
def sync_status(request, name: str):
    return selectors.sync_status(request.user, selectors.get_peer(request.user, name)).as_dict()


@router.get("/peers/{name}/queue", response=list[QueueEntryOut], summary="What the peer does not hold yet")
@paginate(KeysetPagination)
def queue(request, name: str, refused: bool = False):
    return selectors.queue_entries(request.user, selectors.get_peer(request.user, name), refused=refused)


@router.get("/receipts", response=list[ReceiptOut], summary="What this node received, newest first")
@paginate(KeysetPagination)
def receipts(request, peer: str | None = None):
    found = selectors.get_peer(request.user, peer) if peer else None
    return selectors.receipts(request.user, found)


@router.post("/peers/{name}/sync", response=SyncResultOut, summary="Pull from and push to a peer now")
def sync_now(request, name: str):
    return actions.sync_peer(request.user, selectors.get_peer(request.user, name)).as_dict()


@router.post("/peers/{name}/token", response=PeerOut, summary="Record the token for calling a peer")
def set_token(request, name: str, payload: PeerTokenIn):
    return actions.set_outgoing_token(
        request.user, selectors.get_peer(request.user, name), token=payload.token
    )
