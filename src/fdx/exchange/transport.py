"""Synchronising with a peer over HTTPS: pull its queue for this node, push this node's queue for it.

* **Pull** asks the peer for the changes after this node's cursor, page by page, and applies each page in
  its own transaction together with the cursor, so that a sync killed at any moment resumes where it
  stopped and applies nothing twice. The page's messages are received together (``inbox.receive_many``:
  a few queries for the page). A change whose parent is missing (a gap) makes this node fetch the
  parent's current message first.
* **Push** sends this node's queue for the peer, a page at a time; the peer answers what became of each
  message; refusals are kept on the entry (shown to the node administrator), the rest leave the queue.
* A failure backs off (30 s, doubling, at most an hour); one peer's failure never holds up another's.

The responses are read line by line (JSON lines): no more than two pages of messages are held in memory
(the page being applied, and the next one, read ahead).
"""

from __future__ import annotations

import datetime
import http.client
import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from fdx.exchange import inbox, network, outbox
from fdx.exchange.messages import KeyRing
from fdx.exchange.models import OutboxEntry, Peer, Receipt, ReceiptOutcome, ReceivedRecord

logger = logging.getLogger(__name__)

PAGE = 500
TIMEOUT_S = 60
FIRST_RETRY_S = 30
MAX_RETRY_S = 3600
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
#: Between two syncs with a peer that is well.
INTERVAL_S = 60


class SyncError(Exception):
    """The peer could not be reached or answered wrongly; says which peer and what happened."""


class NotCallable(SyncError):
    """This node cannot call the peer as it is set up: suspended, or no address or token for calling it."""


@dataclass
class SyncResult:
    """What one sync with one peer did."""

    peer: str
    pulled: int = 0
    applied: int = 0
    unchanged: int = 0
    refused: int = 0
    pushed: int = 0
    push_refused: int = 0
    retried: int = 0  # records refused for a reference this node lacked, fetched again and applied
    error: str = ""
    refusals: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def sync(peer: Peer, *, page: int = PAGE) -> SyncResult:
    """Pull then push with ``peer``; records the outcome (and the back-off) on the peer."""
    result = SyncResult(peer.name)
    now = timezone.now()
    Peer.objects.filter(pk=peer.pk).update(last_attempt_at=now)
    try:
        if peer.suspended:
            raise SyncError(f"{peer.name}: the peer is suspended")
        if not peer.url or not peer.outgoing_token:
            raise SyncError(f"{peer.name}: no address or no token for calling the peer")
        pull(peer, result, page=page)
        retry_unknown_references(peer, result)
        push(peer, result, page=page)
    except SyncError as exc:
        result.error = str(exc)
    _record(peer, result)
    return result


def due_peers(now: datetime.datetime | None = None) -> list[Peer]:
    """The peers to sync now: not suspended, with an address and a token, and not waiting out a back-off."""
    now = now or timezone.now()
    due = (
        Peer.objects.filter(suspended=False)
        .exclude(url="")
        .exclude(outgoing_token="")
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .order_by("pk")
    )
    return list(due)


def _record(peer: Peer, result: SyncResult) -> None:
    now = timezone.now()
    peer.refresh_from_db(fields=["failures"])
    if result.error:
        failures = peer.failures + 1
        wait = min(FIRST_RETRY_S * 2 ** (failures - 1), MAX_RETRY_S)
        Peer.objects.filter(pk=peer.pk).update(
            failures=failures,
            last_error=result.error[:2000],
            next_attempt_at=now + datetime.timedelta(seconds=wait),
        )
        logger.warning("exchange sync with %s failed: %s", peer.name, result.error)
    else:
        Peer.objects.filter(pk=peer.pk).update(
            failures=0,
            last_error="",
            last_success_at=now,
            next_attempt_at=now + datetime.timedelta(seconds=INTERVAL_S),
        )


# Pull


def pull(peer: Peer, result: SyncResult, *, page: int = PAGE) -> None:
    """Apply the peer's queue for this node, from this node's cursor on: each page in one transaction with
    the cursor, so that a sync stopped at any moment resumes after the last page applied.

    While a page is applied, the next one is read (its messages parsed once and their signatures checked)
    in a thread beside it, one page ahead at most: the peer makes the next page while this node applies the
    last. (Checking the signatures in the applying thread instead was measured slower on a quiet machine:
    1,681 and 1,880 against 1,994 records/s.) The peer is
    asked after the page being applied, and told (``ack``) only the cursor this node has committed, so that
    it keeps every entry this node may still have to ask for again."""
    peer.refresh_from_db(fields=["pulled_through"])
    committed = peer.pulled_through
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"fdx-pull-{peer.pk}") as reader:
        ahead: Future[_Page] | None = reader.submit(
            _read_page, peer, committed, committed, page, network.keyring()
        )
        try:
            while ahead is not None:
                fetched = ahead.result()
                ahead = None
                if fetched.more:
                    ahead = reader.submit(_read_page, peer, fetched.next, committed, page, network.keyring())
                with transaction.atomic():
                    context = inbox.Context()
                    _receive_page(peer, fetched.items, context, result)
                    context.flush()
                    _advance(peer, fetched.next)
                committed = fetched.next
        finally:
            if ahead is not None:
                ahead.cancel()  # a page asked for and not applied: asked again next time


@dataclass
class _Page:
    """A page of the peer's queue, read whole: its messages (checked), its end, whether more follow."""

    items: list[inbox.Checked]
    next: int
    more: bool


def _read_page(peer: Peer, after: int, ack: int, page: int, keys: KeyRing) -> _Page:
    """The page after ``after``, telling the peer this node committed everything up to ``ack``. Runs in the
    pull's reading thread: no database here (the messages are checked against ``keys``, this node's keyring
    as it was when the page was asked for)."""
    query = urllib.parse.urlencode({"after": after, "limit": page, "ack": ack})
    changes: list[bytes] = []
    fetched = None
    try:
        with _open(peer, f"changes?{query}") as response:
            for raw in response:
                # A line that starts as a message's does is one (a JSON object whose first member is the
                # message): it is parsed once, when its message is read (``inbox.read_lines``).
                if raw.startswith(inbox.LINE_START):
                    changes.append(raw)
                    continue
                line = _json_line(peer, raw)
                if "message" not in line:
                    fetched = _Page([], _sequence(peer, line.get("next", after)), bool(line.get("more")))
                    break
                changes.append(raw)
    except (OSError, http.client.HTTPException) as exc:
        raise SyncError(
            f"{peer.name}: the page of changes broke off ({exc}; it is pulled again next time)"
        ) from None
    items = inbox.read_lines(changes, lambda raw: _json_line(peer, raw))
    if fetched is None:
        raise SyncError(f"{peer.name}: the page of changes broke off (it is pulled again next time)")
    if fetched.more and fetched.next <= after:
        raise SyncError(f"{peer.name}: answered a page that does not move past {after}")
    fetched.items = inbox.verify_read(items, keys)
    return fetched


def _sequence(peer: Peer, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise SyncError(f"{peer.name}: answered a page whose end is not a sequence ({value!r})")
    return value


def _json_line(peer: Peer, raw: bytes) -> dict:
    try:
        line = json.loads(raw)
    except ValueError:
        raise SyncError(f"{peer.name}: answered a line that is not JSON") from None
    if not isinstance(line, dict):
        raise SyncError(f"{peer.name}: answered a line that is not a JSON object")
    return line


def _receive_page(
    peer: Peer, changes: list[inbox.Checked], context: inbox.Context, result: SyncResult
) -> None:
    """Apply a page's messages together (a few queries for the page); a gap is filled as it comes."""
    outcomes = inbox.receive_many(
        changes,
        sender=peer,
        channel="pull",
        context=context,
        on_gap=lambda data, outcome: _fill_gap(peer, data, outcome, context),
    )
    for outcome in outcomes:
        _count(result, outcome)
        result.pulled += 1


def _receive_with_gaps(peer: Peer, data: bytes, context: inbox.Context, depth: int = 0) -> inbox.Outcome:
    outcome = inbox.receive(data, sender=peer, channel="pull", context=context)
    return _fill_gap(peer, data, outcome, context, depth)


def _fill_gap(
    peer: Peer, data: bytes, outcome: inbox.Outcome, context: inbox.Context, depth: int = 0
) -> inbox.Outcome:
    """A message refused for a missing parent: fetch the parent's current message from the peer, receive it
    (filling its own gap the same way), then try the message again."""
    if outcome.code == "missing_parent" and outcome.missing and depth < 4:
        with _open(peer, f"records/{outcome.missing}") as response:
            parent = response.read()
        fetched = _receive_with_gaps(peer, parent, context, depth + 1)
        if fetched.outcome != "refused":
            outcome = inbox.receive(data, sender=peer, channel="pull", context=context)
    return outcome


def _advance(peer: Peer, sequence: int) -> None:
    Peer.objects.filter(pk=peer.pk, pulled_through__lt=sequence).update(pulled_through=sequence)


def _count(result: SyncResult, outcome: inbox.Outcome) -> None:
    if outcome.outcome == "applied":
        result.applied += 1
    elif outcome.outcome == "unchanged":
        result.unchanged += 1
    else:
        result.refused += 1
        if len(result.refusals) < 20:
            result.refusals.append(
                f"{outcome.global_id} v{outcome.version}: {outcome.code}: {outcome.reason}"
            )


# Records refused for a reference this node lacked


#: The most such records asked again in one sync (the next sync asks the rest).
RETRY_LIMIT = 500


def retry_unknown_references(peer: Peer, result: SyncResult, *, limit: int = RETRY_LIMIT) -> None:
    """Ask ``peer`` again for the records this node refused from it for a reference it lacked (a finding of
    a substance its registry did not have) and does not hold since: once reference data came (a subscription
    to the peer's substances), each is fetched as a gap is and received again. Nothing is asked when there
    is none; a record the peer no longer offers this node is passed over."""
    refused = (
        Receipt.objects.filter(
            peer=peer,
            outcome=ReceiptOutcome.REFUSED,
            reason__startswith="unknown_reference",
            global_id__isnull=False,
        )
        .exclude(global_id__in=ReceivedRecord.objects.values("global_id"))
        .order_by()
        .values_list("global_id", flat=True)
        .distinct()
    )
    for global_id in list(refused[:limit]):
        try:
            with _open(peer, f"records/{global_id}") as response:
                data = response.read()
        except SyncError:
            continue  # no longer for this node (withdrawn, or the rules changed): its queue says so
        with transaction.atomic():
            context = inbox.Context()
            outcome = _receive_with_gaps(peer, data, context)
            context.flush()
        if outcome.outcome == "applied":
            result.retried += 1


# Push


def push(peer: Peer, result: SyncResult, *, page: int = PAGE) -> None:
    """Send this node's queue for the peer, a page at a time."""
    while True:
        peer.refresh_from_db(fields=["acknowledged_through"])
        after = peer.acknowledged_through
        items = list(outbox.pending(peer, after, page))
        last = outbox.last_sequence(peer, after, page)
        if last == after:
            return
        if items:
            body = b"\n".join(item.message for item in items) + b"\n"
            with _open(peer, "inbox", body=body) as response:
                answer = json.loads(response.read())
            receipts = answer.get("receipts", [])
            if len(receipts) != len(items):
                raise SyncError(f"{peer.name}: answered {len(receipts)} receipts for {len(items)} messages")
            for item, receipt in zip(items, receipts, strict=True):
                result.pushed += 1
                if receipt.get("outcome") == "refused":
                    result.push_refused += 1
                    reason = f"{receipt.get('code', '')}: {receipt.get('reason', '')}"[:500]
                    OutboxEntry.objects.filter(pk=item.sequence).update(refusal=reason)
        outbox.acknowledge(peer, last)


# HTTP


def _open(peer: Peer, path: str, body: bytes | None = None, method: str | None = None):
    url = peer.url.rstrip("/") + "/api/v1/exchange/" + path
    parts = urllib.parse.urlsplit(url)
    # HTTPS between nodes; plain HTTP only to this machine (a test network, a TLS proxy in front).
    if parts.scheme != "https" and not (parts.scheme == "http" and parts.hostname in LOOPBACK):
        raise SyncError(f"{peer.name}: {peer.url} is not an https:// address")
    request = urllib.request.Request(  # noqa: S310 (https, or http to this machine: checked above)
        url,
        data=body,
        method=method or ("POST" if body is not None else "GET"),
        headers={
            "Authorization": f"Bearer {peer.outgoing_token}",
            "Content-Type": "application/x-ndjson",
            "Accept": "application/x-ndjson, application/json",
        },
    )
    try:
        return urllib.request.urlopen(request, timeout=TIMEOUT_S)  # noqa: S310 (a registered peer's URL)
    except urllib.error.HTTPError as exc:
        detail = exc.read()[:300].decode("utf-8", "replace")
        raise SyncError(f"{peer.name}: {url} answered {exc.code}: {detail}") from None
    except (urllib.error.URLError, OSError) as exc:
        raise SyncError(f"{peer.name}: {url} cannot be reached ({exc})") from None


# Reference data: a peer's catalogue of publications, and subscribing to one


def catalogue(peer: Peer) -> list[dict]:
    """The publications ``peer`` offers this node (those the rules let this node hold)."""
    return _call_json(peer, "catalogue", "GET")["publications"]


def subscribe(peer: Peer, publication_id: str) -> dict:
    """Ask ``peer`` for its publication ``publication_id``; returns the publication as the peer describes
    it. Its records then come in the peer's queue for this node, with each pull."""
    return _call_json(peer, f"catalogue/{urllib.parse.quote(publication_id)}/subscription", "POST")


def unsubscribe(peer: Peer, publication_id: str) -> None:
    """End this node's subscription to ``publication_id`` at ``peer`` (the peer withdraws what it sent)."""
    _call_json(peer, f"catalogue/{urllib.parse.quote(publication_id)}/subscription", "DELETE")


def _call_json(peer: Peer, path: str, method: str) -> dict:
    if peer.suspended:
        raise NotCallable(f"{peer.name}: the peer is suspended")
    if not peer.url or not peer.outgoing_token:
        raise NotCallable(f"{peer.name}: no address or no token for calling the peer")
    with _open(peer, path, body=b"" if method != "GET" else None, method=method) as response:
        try:
            answer = json.loads(response.read())
        except ValueError:
            raise SyncError(f"{peer.name}: answered something that is not JSON") from None
    if not isinstance(answer, dict):
        raise SyncError(f"{peer.name}: answered something that is not a JSON object")
    return answer
