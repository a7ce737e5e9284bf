"""What this node owes each peer: one queue per peer, filled by comparing what the rules allow the peer to
hold now with what it holds (``PeerCopy``), and read in order by pull, push and bundles.

Filling (``refresh_case``), after every change to case data (a subscriber of the examinations' domain
events, in the background, after commit):

* a record the rules let the peer hold, and that it does not hold at this version and content, is queued
  as a **change**;
* a record the peer holds and may no longer hold (the level was lowered, the group no longer includes the
  peer's organisations, the case was retracted from sharing) is queued as a **withdrawal**, and a record
  deleted here as its **tombstone**; neither is ever coalesced away;
* what the peer holds is compared by version *and* content: a copy whose content would change without its
  version moving (a group's members, a level, a marked field) is given a new version first, so that every
  receiver can keep "an older or equal version changes nothing" strictly. Nothing is queued when nothing
  changed: no timestamp is ever bumped for nothing.

Reading (``build``): the message is made when it is sent, from the record as it is then, and the rules are
asked again, so nothing leaves that they do not allow at that moment.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F

from fdx.core.node import local_node_id
from fdx.examinations.models import Case, Examination, Finding
from fdx.examinations.querysets import SHARED_STATUSES
from fdx.exchange import dossier, messages, network, rules
from fdx.exchange.models import CopyKind, OutboxEntry, Peer, PeerCopy, ReceivedRecord
from fdx.exchange.secret import node_secret

logger = logging.getLogger(__name__)

#: States a peer is told of with no payload.
TOLD_GONE = frozenset({messages.RecordState.WITHDRAWN.value, messages.RecordState.DELETED.value})


def region() -> frozenset[str]:
    return frozenset(settings.FDX_REGION_COUNTRIES)


def active_peers() -> list[Peer]:
    return list(Peer.objects.filter(suspended=False).prefetch_related("organisations").order_by("pk"))


# Filling the queues


def refresh_cases(case_ids: Iterable[int], peers: list[Peer] | None = None) -> int:
    """Queue what each peer is owed for each case; returns how many entries were queued."""
    peers = active_peers() if peers is None else peers
    if not peers:
        return 0
    queued = 0
    for case_id in case_ids:
        case = (
            Case.with_tombstones()
            .select_related("owner_organisation", "sharing_group")
            .filter(pk=case_id, origin_node=local_node_id())
            .first()
        )
        if case is not None:
            queued += refresh_case(case, peers)
    return queued


@transaction.atomic
def refresh_case(case: Case, peers: list[Peer]) -> int:
    """Queue, for each of ``peers``, the changes, withdrawals and tombstones of ``case`` (see the module).

    In two passes: first what each peer is owed, and which records need a new version; then, the versions
    moved once, every entry is queued at the record's final version (an entry queued for one peer before
    another peer's withdrawal moved the version would otherwise be passed over when read)."""
    this = network.this_node()
    instances = {obj.global_id: obj for obj in dossier.shared_records(case)}
    records = list(instances.values())
    secret = node_secret()
    group = dossier.group_definition(case)
    plans = []
    needs_version: set[uuid.UUID] = set()
    for peer in peers:
        node = peer.as_rules_node()
        held = {copy.global_id: copy for copy in PeerCopy.objects.filter(peer=peer, case_id=case.pk)}
        wanted: dict[uuid.UUID, str] = {}
        for obj in records:
            record = dossier.rules_record(case, dossier.label(obj), obj)
            decision = rules.decide(record, [this], node, region=region())
            if decision:
                wanted[obj.global_id] = _content_sha256(obj, record, decision, secret, group)
        changes = []
        for global_id, content in wanted.items():
            obj, copy = instances[global_id], held.get(global_id)
            if copy is not None and (copy.version, copy.state, copy.content_sha256) == (
                obj.record_version,
                obj.record_state,
                content,
            ):
                continue
            if copy is not None and copy.version >= obj.record_version:
                needs_version.add(global_id)
            changes.append((global_id, content))
        gone = []
        for copy in reversed(list(held.values())):
            if copy.global_id in wanted or copy.state in TOLD_GONE:
                continue
            if copy.global_id not in instances:
                current = _current(copy.model, copy.global_id)
                if current is not None:
                    instances[copy.global_id] = current
            obj = instances.get(copy.global_id)
            if obj is not None and copy.version >= obj.record_version:
                needs_version.add(copy.global_id)
            gone.append(copy)
        plans.append((peer, changes, gone))
    for global_id in needs_version:
        _bump(instances[global_id])
    queued = 0
    for peer, changes, gone in plans:
        for global_id, content in changes:
            obj = instances[global_id]
            _queue(peer, case, obj, CopyKind.CHANGE, obj.record_state, content)
            queued += 1
        for copy in gone:
            obj = instances.get(copy.global_id)
            state = messages.RecordState.DELETED if obj is None or obj.is_tombstone else None
            version = obj.record_version if obj is not None else copy.version + 1
            _queue_gone(peer, case, copy, version, state or messages.RecordState.WITHDRAWN)
            queued += 1
    return queued


def _content_sha256(obj, record: rules.Record, decision: rules.Decision, secret: bytes, group) -> str:
    change = messages.outgoing(
        record,
        decision,
        global_id=str(obj.global_id),
        version=1,
        state=messages.RecordState(obj.record_state),
        values=dossier.values(obj),
        secret=secret,
        group=group if record.level == rules.Level.SHARING_GROUP else None,
    )
    header = change.header()
    del header["version"]
    return hashlib.sha256(messages.canonical(header)).hexdigest()


def _bump(obj) -> None:
    """A new version for a record whose content for a peer changed without one (module docstring)."""
    type(obj).with_tombstones().filter(pk=obj.pk).update(record_version=F("record_version") + 1)
    obj.record_version += 1


def _current(model: str, global_id: uuid.UUID):
    cls = dossier.MODEL_BY_LABEL.get(model)
    return cls.with_tombstones().filter(global_id=global_id).first() if cls is not None else None


def _queue(peer: Peer, case: Case, obj, kind: str, state: str, content: str) -> None:
    OutboxEntry.objects.create(
        peer=peer, model=dossier.label(obj), global_id=obj.global_id, version=obj.record_version, kind=kind
    )
    PeerCopy.objects.update_or_create(
        peer=peer,
        global_id=obj.global_id,
        defaults={
            "model": dossier.label(obj),
            "version": obj.record_version,
            "state": state,
            "content_sha256": content,
            "case_id": case.pk,
        },
    )


def _queue_gone(peer: Peer, case: Case, copy: PeerCopy, version: int, state: messages.RecordState) -> None:
    OutboxEntry.objects.create(
        peer=peer, model=copy.model, global_id=copy.global_id, version=version, kind=CopyKind.WITHDRAWAL
    )
    copy.version, copy.state, copy.content_sha256 = version, str(state), ""
    copy.save(update_fields=["version", "state", "content_sha256"])


# Relaying (a hub)


def relay(received: ReceivedRecord, origin: Peer | None, sender: Peer | None) -> int:
    """Queue a received record for the peers the hub may forward it to (and its withdrawal or tombstone for
    those that hold a copy through the hub); returns how many entries were queued."""
    this = network.this_node()
    if not this.relays:
        return 0
    message = messages.parse(bytes(received.message))
    change = message.record
    path = [_path_node(node_id, origin) for node_id in message.path] + [this]
    queued = 0
    for peer in active_peers():
        if str(peer.node_id) in {*message.path} or (sender is not None and peer.pk == sender.pk):
            continue
        copy = PeerCopy.objects.filter(peer=peer, global_id=received.global_id).first()
        if change.state in (messages.RecordState.WITHDRAWN, messages.RecordState.DELETED):
            allowed = copy is not None and copy.state not in TOLD_GONE
        else:
            record = rules.Record(
                model=change.model,
                level=change.level,
                origin_node=change.origin_node,
                owner_country=origin.country_id if origin is not None and origin.country_id else "",
                group=change.rules_group(),
            )
            allowed = bool(rules.decide(record, [*path[:-1], this], peer.as_rules_node(), region=region()))
        if not allowed or (copy is not None and copy.version >= change.version):
            continue
        OutboxEntry.objects.create(
            peer=peer,
            model=change.model,
            global_id=received.global_id,
            version=change.version,
            kind=CopyKind.RELAY,
        )
        PeerCopy.objects.update_or_create(
            peer=peer,
            global_id=received.global_id,
            defaults={"model": change.model, "version": change.version, "state": str(change.state)},
        )
        queued += 1
    return queued


def _path_node(node_id: str, origin: Peer | None) -> rules.Node:
    if origin is not None and str(origin.node_id) == node_id:
        return origin.as_rules_node()
    peer = Peer.objects.filter(node_id=node_id).first()
    return peer.as_rules_node() if peer is not None else rules.Node(node_id, rules.NodeRole.NATIONAL)


# Reading the queues


@dataclass(frozen=True)
class Outgoing:
    """One queue entry ready to go: its sequence (the cursor) and the signed message's bytes."""

    sequence: int
    message: bytes


def pending(peer: Peer, after: int, limit: int) -> Iterator[Outgoing]:
    """The messages of ``peer``'s queue after the cursor ``after``, in order, at most ``limit`` entries read
    (an entry the rules no longer allow is passed over: a later entry says what the peer must know)."""
    entries = OutboxEntry.objects.filter(peer=peer, sequence__gt=after).order_by("sequence")[:limit]
    signer = _Signer()
    for entry in entries.iterator(chunk_size=200):
        data = build(entry, peer, signer)
        if data is not None:
            yield Outgoing(entry.sequence, data)


def last_sequence(peer: Peer, after: int, limit: int) -> int:
    """The last sequence a page of ``limit`` entries after ``after`` reads (``after`` when none)."""
    sequences = list(
        OutboxEntry.objects.filter(peer=peer, sequence__gt=after)
        .order_by("sequence")
        .values_list("sequence", flat=True)[:limit]
    )
    return sequences[-1] if sequences else after


class _Signer:
    """The node's key, loaded once per page."""

    def __init__(self):
        from fdx.core import node

        self.key = node.load_private_key()
        self.fingerprint = node.current_key().fingerprint
        self.node_id = str(node.local_node_id())


def build(entry: OutboxEntry, peer: Peer, signer: _Signer | None = None) -> bytes | None:
    """The signed message for ``entry`` as it may go now, or None when nothing may (module docstring)."""
    signer = signer or _Signer()
    if entry.kind == CopyKind.RELAY:
        return _build_relay(entry, signer)
    cls = dossier.MODEL_BY_LABEL[entry.model]
    obj = cls.with_tombstones().filter(global_id=entry.global_id).first()
    if obj is None:
        return None
    case = case_of(obj)
    if entry.kind == CopyKind.WITHDRAWAL:
        state = messages.RecordState.DELETED if obj.is_tombstone else messages.RecordState.WITHDRAWN
        change = messages.ChangeRecord(
            origin_node=str(obj.origin_node),
            global_id=str(obj.global_id),
            model=entry.model,
            version=max(entry.version, obj.record_version),
            state=state,
            level=rules.Level(case.distribution_level),
            fields=(),
            payload={},
        )
        return _seal(change, signer)
    if obj.record_version > entry.version or not _still_shared(obj, case):
        return None  # a later entry carries the newer version, or a withdrawal follows
    record = dossier.rules_record(case, entry.model, obj)
    decision = rules.decide(record, [network.this_node()], peer.as_rules_node(), region=region())
    if not decision:
        return None
    change = messages.outgoing(
        record,
        decision,
        global_id=str(obj.global_id),
        version=obj.record_version,
        state=messages.RecordState(obj.record_state),
        values=dossier.values(obj),
        secret=node_secret(),
        group=dossier.group_definition(case),
    )
    return _seal(change, signer)


def _seal(change: messages.ChangeRecord, signer: _Signer) -> bytes:
    return messages.seal(change, signer.key).to_bytes()


def _build_relay(entry: OutboxEntry, signer: _Signer) -> bytes | None:
    received = ReceivedRecord.objects.filter(global_id=entry.global_id).first()
    if received is None or received.version != entry.version or not received.message:
        return None  # a later entry forwards the newer message
    message = messages.parse(bytes(received.message))
    return messages.countersign(message, signer.node_id, signer.key).to_bytes()


def case_of(obj) -> Case:
    """The case a record of case data belongs to (itself, for a case)."""
    if isinstance(obj, Case):
        return obj
    if isinstance(obj, Finding):
        obj = obj.examination
    if isinstance(obj, Examination):
        obj = obj.exhibit
    return Case.with_tombstones().select_related("owner_organisation", "sharing_group").get(pk=obj.case_id)


def _still_shared(obj, case: Case) -> bool:
    if not case.has_shared_result or case.is_tombstone:
        return False
    if isinstance(obj, Examination):
        return obj.status in SHARED_STATUSES
    if isinstance(obj, Finding):
        return obj.examination.status in SHARED_STATUSES
    return True


def acknowledge(peer: Peer, through: int) -> None:
    """The peer holds everything of its queue up to ``through`` (a pull that asks after it, or a push it
    answered): the delivered entries leave the queue."""
    with transaction.atomic():
        updated = Peer.objects.filter(pk=peer.pk, acknowledged_through__lt=through).update(
            acknowledged_through=through
        )
        if updated:
            # Refused entries stay, with the peer's reason, for the node administrator.
            OutboxEntry.objects.filter(peer=peer, sequence__lte=through, refusal="").delete()
            peer.acknowledged_through = through
