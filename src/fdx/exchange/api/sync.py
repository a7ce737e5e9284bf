"""The routes peers call (``/api/v1/exchange/…``), authenticated by the peer token this node gave each.

* ``GET changes?after=C&limit=N&ack=A`` — pull: the caller's queue after its cursor ``C``, as JSON lines
  (one ``{"sequence": S, "message": …}`` per change, streamed, then ``{"next": C2, "more": …}``). ``ack``
  is what the caller has applied and committed: the entries up to ``A`` (at most ``C``) leave the queue,
  those after it stay, so that a caller may ask for the next page while it is still applying this one.
  Without ``ack``, asking after ``C`` acknowledges everything up to ``C`` (OAI-PMH's resumption, as callers
  before ``ack`` do: a pull that broke off resumes where the last applied change left it);
* ``POST inbox`` — push: JSON lines of signed messages; each is received as a pull would receive it, and
  the answer lists what became of each (applied, unchanged, refused with the reason);
* ``GET records/{global_id}`` — a gap: the current message of one record the caller may hold.
"""

from __future__ import annotations

import json
import uuid

from django.db import transaction
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from ninja.errors import AuthenticationError, HttpError
from ninja.security import HttpBearer

from fdx.accounts import tokens
from fdx.exchange import inbox, outbox
from fdx.exchange.api.router import router
from fdx.exchange.models import CopyKind, OutboxEntry, Peer, PeerCopy, ReceivedRecord

MAX_PAGE = 2000
MAX_PUSH_LINES = 2000


class PeerAuth(HttpBearer):
    """A peer's token (``Authorization: Bearer fdx_…``); a suspended peer is refused."""

    def authenticate(self, request, token):
        peer = Peer.objects.filter(token_hash=tokens.hash_token(token)).first()
        if peer is None:
            raise AuthenticationError(401, "not a peer token of this node")
        if peer.suspended:
            raise HttpError(403, "this peer is suspended here")
        request.peer = peer
        return peer


peer_auth = PeerAuth()


@router.get(
    "/changes",
    auth=peer_auth,
    summary="Peers only: the caller's queue after its cursor, as JSON lines (pull)",
    description="Authenticated by the peer token this node gave the caller. Each line is "
    '`{"message": <signed change record>, "sequence": S}`, the last `{"next": C, "more": bool}`. `ack` '
    "(at most `after`) is the cursor the caller has applied and committed: every entry up to it leaves the "
    "queue; without `ack`, every entry up to `after` does.",
)
def changes(request, after: int = 0, limit: int = 500, ack: int | None = None):
    """The caller's queue after ``after`` (JSON lines, streamed); acknowledges up to ``ack`` (``after``
    when not given)."""
    peer: Peer = request.peer
    if after < 0 or not 1 <= limit <= MAX_PAGE:
        raise HttpError(422, f"after is 0 or more; limit is 1 to {MAX_PAGE}")
    if ack is not None and not 0 <= ack <= after:
        raise HttpError(422, "ack is 0 or more and at most after")
    outbox.acknowledge(peer, after if ack is None else ack)
    Peer.objects.filter(pk=peer.pk).update(last_attempt_at=timezone.now())
    last = outbox.last_sequence(peer, after, limit)
    more = OutboxEntry.objects.filter(peer=peer, sequence__gt=last).exists()

    def lines():
        for item in outbox.pending(peer, after, limit):
            yield b'{"message":' + item.message + b',"sequence":' + str(item.sequence).encode() + b"}\n"
        yield json.dumps({"more": more, "next": last}).encode() + b"\n"

    return StreamingHttpResponse(lines(), content_type="application/x-ndjson")


@router.post(
    "/inbox",
    auth=peer_auth,
    summary="Peers only: receive signed change records, one per line (push)",
    description="Authenticated by the peer token. The body is JSON lines of signed change records; the "
    "answer lists what became of each (applied, unchanged, refused with a code).",
)
def push(request):
    """Receive the caller's messages, one per line; answers each one's outcome."""
    peer: Peer = request.peer
    lines = [line for line in request.body.split(b"\n") if line.strip()]
    if len(lines) > MAX_PUSH_LINES:
        raise HttpError(413, f"at most {MAX_PUSH_LINES} messages per push")
    with transaction.atomic():
        context = inbox.Context()
        outcomes = inbox.receive_many(lines, sender=peer, channel="push", context=context)
        context.flush()
    return {"receipts": [outcome.as_dict() for outcome in outcomes]}


@router.get(
    "/records/{global_id}",
    auth=peer_auth,
    summary="Peers only: the current signed change record of one record the caller may hold (a gap)",
)
def record(request, global_id: uuid.UUID):
    """The current message of one record the caller may hold (a gap it found)."""
    peer: Peer = request.peer
    copy = PeerCopy.objects.filter(peer=peer, global_id=global_id).first()
    if copy is None:
        raise HttpError(404, "no such record for this peer")
    received = ReceivedRecord.objects.filter(global_id=global_id).first()
    kind = CopyKind.RELAY if received is not None else CopyKind.CHANGE
    entry = OutboxEntry(peer=peer, model=copy.model, global_id=global_id, version=copy.version, kind=kind)
    if copy.state in outbox.TOLD_GONE:
        # Told to remove its copy: the withdrawal again, never the hub's current copy (which a copy withdrawn
        # by the origin's onward withdrawal may no longer hold).
        entry.kind = CopyKind.RELAY_ONWARD if kind == CopyKind.RELAY else CopyKind.WITHDRAWAL
    data = outbox.build(entry, peer)
    if data is None:
        raise HttpError(404, "no such record for this peer")
    return HttpResponse(data, content_type="application/json")
