"""What this node owes each peer: one queue per peer, filled by comparing what the rules allow the peer to
hold now with what it holds (``PeerCopy``), and read in order by pull, push and bundles.

Filling (``refresh_case``), after every change to case data (a subscriber of the examinations' domain
events, in the background, after commit):

* a record the rules let the peer hold, and that it does not hold at this version and content, is queued
  as a **change**;
* a record the peer holds and may no longer hold (the level was lowered, the group no longer includes the
  peer's organisations, the case was retracted from sharing) is queued as a **withdrawal**, and a record
  deleted here as its **tombstone**; neither is ever coalesced away;
* a relaying hub that still may hold a record whose audience narrowed (its level lowered, its group lost a
  member: ``rules.narrowed``, against the audience recorded in ``PeerCopy``) is queued, after the change, an
  **onward withdrawal**: the same record's withdrawal, signed here, that the hub keeps and forwards to the
  nodes holding a copy through it that the new version no longer reaches (``relay``). Only the origin signs
  a withdrawal its receivers accept, so the hub could not tell them otherwise;
* what the peer holds is compared by version *and* content: a copy whose content would change without its
  version moving (a group's members, a level, a marked field) is given a new version first, so that every
  receiver can keep "an older or equal version changes nothing" strictly. Nothing is queued when nothing
  changed: no timestamp is ever bumped for nothing.

Reading (``build``): the message is made when it is sent, from the record as it is then, and the rules are
asked again, so nothing leaves that they do not allow at that moment.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from django.conf import settings
from django.db import transaction
from django.db.models import F

from fdx.core.node import local_node_id
from fdx.examinations.models import Case, Examination, Finding
from fdx.examinations.querysets import SHARED_STATUSES
from fdx.exchange import dossier, messages, network, publications, rules
from fdx.exchange.models import RELAYED_KINDS, CopyKind, OutboxEntry, Peer, PeerCopy, ReceivedRecord
from fdx.exchange.secret import node_secret

logger = logging.getLogger(__name__)

#: States a peer is told of with no payload.
TOLD_GONE = frozenset({messages.RecordState.WITHDRAWN.value, messages.RecordState.DELETED.value})


def region() -> frozenset[str]:
    return frozenset(settings.FDX_REGION_COUNTRIES)


def active_peers() -> list[Peer]:
    return list(Peer.objects.filter(suspended=False).prefetch_related("organisations").order_by("pk"))


# Filling the queues


#: Cases whose records and copies ``refresh_cases`` reads together, before refreshing each in its own
#: transaction (few, so that what is read is as it was a moment before).
REFRESH_CHUNK = 50


def refresh_cases(case_ids: Iterable[int], peers: list[Peer] | None = None) -> int:
    """Queue what each peer is owed for each case; returns how many entries were queued. The cases, their
    records and what the peers hold of them are read ``REFRESH_CHUNK`` cases at a time, in a few queries."""
    peers = active_peers() if peers is None else peers
    if not peers:
        return 0
    case_ids = list(case_ids)
    queued = 0
    for start in range(0, len(case_ids), REFRESH_CHUNK):
        chunk = case_ids[start : start + REFRESH_CHUNK]
        cases = {
            case.pk: case
            for case in Case.with_tombstones()
            .select_related(*dossier.REFERENCES[Case])
            .prefetch_related("sharing_group__organisations")
            .filter(pk__in=chunk, origin_node=local_node_id())
        }
        records = dossier.shared_records_of(list(cases.values()))
        held = _held(peers, list(cases))
        for case_id in chunk:
            if case_id in cases:
                queued += refresh_case(cases[case_id], peers, records=records[case_id], held=held[case_id])
    return queued


def _held(peers: list[Peer], case_ids: list[int]) -> dict[int, dict[int, dict[uuid.UUID, PeerCopy]]]:
    """What each peer holds of each case: case → peer → global id → copy, in the order they were made."""
    held: dict[int, dict[int, dict[uuid.UUID, PeerCopy]]] = {
        case_id: {peer.pk: {} for peer in peers} for case_id in case_ids
    }
    copies = PeerCopy.objects.filter(peer__in=[peer.pk for peer in peers], case_id__in=case_ids).order_by(
        "pk"
    )
    for copy in copies:
        held[copy.case_id][copy.peer_id][copy.global_id] = copy
    return held


@transaction.atomic
def refresh_case(
    case: Case,
    peers: list[Peer],
    *,
    records: list | None = None,
    held: dict[int, dict[uuid.UUID, PeerCopy]] | None = None,
) -> int:
    """Queue, for each of ``peers``, the changes, withdrawals and tombstones of ``case`` (see the module);
    ``records`` (``dossier.shared_records``) and ``held`` (``_held``) when the caller read them already."""
    records = list(dossier.shared_records(case)) if records is None else records
    case_group = dossier.case_group(case)
    return queue_records(
        records,
        peers,
        seen_as={
            obj.global_id: dossier.rules_record(case, dossier.label(obj), obj, group=case_group)
            for obj in records
        },
        group=dossier.group_definition(case, case_group),
        held=_held(peers, [case.pk])[case.pk] if held is None else held,
        scope={"case_id": case.pk},
    )


def queue_records(
    records: list,
    peers: list[Peer],
    *,
    seen_as: dict[uuid.UUID, rules.Record],
    group: dict | None,
    held: dict[int, dict[uuid.UUID, PeerCopy]],
    scope: dict[str, int],
    takes: Callable[[Peer], bool] | None = None,
    relayed: bool = True,
) -> int:
    """Queue, for each of ``peers``, what it is owed of one set of records that travel together (a case's,
    a publication's): ``seen_as`` is how the rules see each record, ``group`` the sharing group's definition
    that travels with them, ``held`` what each peer holds of the set (peer → global id → copy), ``scope``
    the copies' column naming the set, ``takes`` whether a peer takes the set at all (a subscription;
    every peer when None), ``relayed`` whether a relaying hub passes the set's records on (a publication goes
    only to its own subscribers: no onward withdrawal is owed). Returns how many entries were queued.

    In two passes: first what each peer is owed, and which records need a new version; then, the versions
    moved once, every entry is queued at the record's final version (an entry queued for one peer before
    another peer's withdrawal moved the version would otherwise be passed over when read). The second pass
    writes the entries and copies in a few statements, the entries in the order the passes made."""
    this = network.this_node()
    instances = {obj.global_id: obj for obj in records}
    secret = node_secret()
    values: dict[uuid.UUID, dict] = {}  # each record's values, the same for every peer
    audiences: dict[uuid.UUID, dict] = {}  # whom each record is for (``audience``), the same too
    contents: dict[tuple, str] = {}  # peers the rules treat alike are owed the same content
    plans = []
    needs_version: set[uuid.UUID] = set()
    for peer in peers:
        node = peer.as_rules_node()
        peer_held = held.get(peer.pk, {})
        wanted: dict[uuid.UUID, str] = {}
        for obj in records if takes is None or takes(peer) else ():
            record = seen_as[obj.global_id]
            decision = rules.decide(record, [this], node, region=region())
            if decision:
                key = (obj.global_id, decision.leaves_country, tuple(sorted(decision.fields.items())))
                if key not in contents:
                    if obj.global_id not in values:
                        values[obj.global_id] = dossier.values(obj)
                    contents[key] = _content_sha256(
                        obj, record, decision, secret, group, values[obj.global_id]
                    )
                wanted[obj.global_id] = contents[key]
        changes = []
        for global_id, content in wanted.items():
            obj, copy = instances[global_id], peer_held.get(global_id)
            if copy is not None and (copy.version, copy.state, copy.content_sha256) == (
                obj.record_version,
                obj.record_state,
                content,
            ):
                continue
            if copy is not None and copy.version >= obj.record_version:
                needs_version.add(global_id)
            seen_by, onward = None, False
            if (
                node.relays and relayed
            ):  # only a relay passes copies on: only its copies' audience is compared
                if global_id not in audiences:
                    audiences[global_id] = audience(seen_as[global_id])
                seen_by, onward = audiences[global_id], _narrows(copy, seen_as[global_id])
            changes.append((global_id, content, seen_by, onward))
        gone = []
        for copy in reversed(list(peer_held.values())):
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
    _bump([instances[global_id] for global_id in needs_version])
    entries: list[OutboxEntry] = []
    copies: list[PeerCopy] = []
    withdrawn: list[PeerCopy] = []
    for peer, changes, gone in plans:
        for global_id, content, seen_by, onward in changes:
            obj = instances[global_id]
            model = dossier.label(obj)
            entries.append(
                OutboxEntry(
                    peer=peer,
                    model=model,
                    global_id=global_id,
                    version=obj.record_version,
                    kind=CopyKind.CHANGE,
                )
            )
            if onward:
                entries.append(
                    OutboxEntry(
                        peer=peer,
                        model=model,
                        global_id=global_id,
                        version=obj.record_version,
                        kind=CopyKind.ONWARD,
                    )
                )
            copies.append(
                PeerCopy(
                    peer=peer,
                    global_id=global_id,
                    model=model,
                    version=obj.record_version,
                    state=obj.record_state,
                    content_sha256=content,
                    audience=seen_by,
                    **scope,
                )
            )
        for copy in gone:
            obj = instances.get(copy.global_id)
            state = messages.RecordState.DELETED if obj is None or obj.is_tombstone else None
            version = obj.record_version if obj is not None else copy.version + 1
            entries.append(
                OutboxEntry(
                    peer=peer,
                    model=copy.model,
                    global_id=copy.global_id,
                    version=version,
                    kind=CopyKind.WITHDRAWAL,
                )
            )
            copy.version, copy.state, copy.content_sha256 = (
                version,
                str(state or messages.RecordState.WITHDRAWN),
                "",
            )
            withdrawn.append(copy)
    # One statement for the entries (their sequences follow the list's order), one upsert for the copies
    # the changes leave (a copy held under another set is updated as ``update_or_create`` would), one
    # update for the copies withdrawn.
    OutboxEntry.objects.bulk_create(entries)
    if copies:
        PeerCopy.objects.bulk_create(
            copies,
            update_conflicts=True,
            unique_fields=["peer", "global_id"],
            update_fields=["model", "version", "state", "content_sha256", "audience", *scope],
        )
    if withdrawn:
        PeerCopy.objects.bulk_update(withdrawn, ["version", "state", "content_sha256"])
    return len(entries)


def audience(record: rules.Record) -> dict:
    """Whom ``record`` is for, as ``PeerCopy.audience`` keeps it: its level and its group's definition."""
    group = record.group if record.level == rules.Level.SHARING_GROUP else None
    return {
        "level": str(record.level),
        "group": messages.group_definition(group) if group is not None else None,
    }


def _narrows(copy: PeerCopy | None, record: rules.Record) -> bool:
    """Whether ``record`` reaches fewer nodes than the copy a peer holds (an unknown audience: as if so)."""
    if copy is None or copy.state in TOLD_GONE:
        return False
    if not copy.audience:
        return True
    try:
        group = copy.audience.get("group")
        before = rules.Record(
            model=record.model,
            level=rules.Level(copy.audience["level"]),
            origin_node=record.origin_node,
            owner_country=record.owner_country,
            group=messages.group_from_definition(group) if group else None,
        )
    except (KeyError, TypeError, ValueError, messages.MessageFormatError):
        return True
    return rules.narrowed(before, record, region())


def _content_sha256(
    obj, record: rules.Record, decision: rules.Decision, secret: bytes, group, values: dict | None = None
) -> str:
    change = messages.outgoing(
        record,
        decision,
        global_id=str(obj.global_id),
        version=1,
        state=messages.RecordState(obj.record_state),
        values=dossier.values(obj) if values is None else values,
        secret=secret,
        group=group if record.level == rules.Level.SHARING_GROUP else None,
    )
    header = change.header()
    del header["version"]
    return hashlib.sha256(messages.canonical(header)).hexdigest()


def _bump(objs: list) -> None:
    """A new version for records whose content for a peer changed without one (module docstring): one
    update per model."""
    by_model: dict[type, list] = {}
    for obj in objs:
        by_model.setdefault(type(obj), []).append(obj)
    for cls, same in by_model.items():
        cls.with_tombstones().filter(pk__in=[obj.pk for obj in same]).update(
            record_version=F("record_version") + 1
        )
        for obj in same:
            obj.record_version += 1


def _current(model: str, global_id: uuid.UUID):
    cls = dossier.TRAVELLING_BY_LABEL.get(model)
    return cls.with_tombstones().filter(global_id=global_id).first() if cls is not None else None


# Relaying (a hub)


def relay(received: ReceivedRecord, origin: Peer | None, sender: Peer | None) -> int:
    """Queue a received record for the peers the hub may forward it to (and its withdrawal or tombstone for
    those that hold a copy through the hub); returns how many entries were queued.

    A peer holding a copy through the hub that the version received no longer reaches (the origin lowered
    the level, or took the peer's member out of the group, and the hub still qualifies) is forwarded the
    origin's onward withdrawal the hub holds (``ReceivedRecord.onward_withdrawal``), when it is newer than
    the peer's copy; without one (an origin that sent none) the peer is skipped, as before. Asked again
    when an onward withdrawal arrives after its change, it queues only what was not queued yet.

    Reference data is not relayed: a publication goes from its origin to its own subscribers only (a node
    that did not subscribe is not sent it by the hub)."""
    this = network.this_node()
    if not this.relays or not received.message or received.model not in dossier.MODEL_BY_LABEL:
        return 0
    message = messages.parse(bytes(received.message))
    change = message.record
    onward = _onward(received)
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
            if not allowed:
                held = copy is not None and copy.state not in TOLD_GONE
                if held and onward is not None and copy.version < onward.version:
                    _queue_relay(peer, received, onward, CopyKind.RELAY_ONWARD)
                    queued += 1
                continue
        if not allowed or (copy is not None and copy.version >= change.version):
            continue
        _queue_relay(peer, received, change, CopyKind.RELAY)
        queued += 1
    return queued


def _queue_relay(peer: Peer, received: ReceivedRecord, change: messages.ChangeRecord, kind: CopyKind) -> None:
    OutboxEntry.objects.create(
        peer=peer, model=change.model, global_id=received.global_id, version=change.version, kind=kind
    )
    PeerCopy.objects.update_or_create(
        peer=peer,
        global_id=received.global_id,
        defaults={"model": change.model, "version": change.version, "state": str(change.state)},
    )


def _onward(received: ReceivedRecord) -> messages.ChangeRecord | None:
    """The onward withdrawal the hub holds of a received record (verified when it was received)."""
    data = bytes(received.onward_withdrawal or b"")
    return messages.parse(data).record if data else None


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


#: Entries built together: each chunk of a page loads its records in a fixed number of queries.
CHUNK = 500


class QueuedEntry(NamedTuple):
    """What building a message reads of an outbox entry (a page reads its entries as plain rows)."""

    sequence: int
    model: str
    global_id: uuid.UUID
    version: int
    kind: str


def pending(peer: Peer, after: int, limit: int) -> Iterator[Outgoing]:
    """The messages of ``peer``'s queue after the cursor ``after``, in order, at most ``limit`` entries read
    (an entry the rules no longer allow is passed over: a later entry says what the peer must know).

    The page's entries are read in one query (one snapshot of the queue), then built ``CHUNK`` at a time by
    a ``PageBuilder``: each chunk's records are loaded together, so the queries do not grow with the page."""
    rows = (
        OutboxEntry.objects.filter(peer=peer, sequence__gt=after)
        .order_by("sequence")
        .values_list("sequence", "model", "global_id", "version", "kind")
    )
    entries = [QueuedEntry(*row) for row in rows[:limit]]
    if not entries:
        return
    builder = PageBuilder(peer)
    for start in range(0, len(entries), CHUNK):
        chunk = entries[start : start + CHUNK]
        for entry, data in zip(chunk, builder.build(chunk), strict=True):
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
    return PageBuilder(peer, signer).build([entry])[0]


class PageBuilder:
    """Builds the signed messages of entries of one peer's queue, a chunk at a time: what every message of
    the page shares (the key, the secret, this node and the peer as the rules see them) is read once, each
    chunk's records, their cases and received messages in a few queries, and each case's sharing group
    once. Every message is made as ``build`` of its entry alone makes it, from the records as they are
    now, and the rules are asked again for each (module docstring)."""

    def __init__(self, peer: Peer, signer: _Signer | None = None):
        self.peer = peer
        self.signer = signer or _Signer()
        self.loader = dossier.PageLoader()
        self._groups: dict[int, tuple[rules.Group | None, dict | None]] = {}

    @functools.cached_property
    def this(self) -> rules.Node:
        return network.this_node()

    @functools.cached_property
    def node(self) -> rules.Node:
        return self.peer.as_rules_node()

    @functools.cached_property
    def secret(self) -> bytes:
        return node_secret()

    @functools.cached_property
    def region(self) -> frozenset[str]:
        return region()

    def build(self, entries: Sequence[OutboxEntry | QueuedEntry]) -> list[bytes | None]:
        """The message of each of ``entries``, in their order (None for one that may not go now)."""
        received = self._received([e.global_id for e in entries if e.kind in RELAYED_KINDS])
        wanted: dict[str, list[uuid.UUID]] = {}
        reference: dict[str, list[uuid.UUID]] = {}
        for entry in entries:
            if entry.kind not in RELAYED_KINDS:
                chosen = wanted if entry.model in dossier.MODEL_BY_LABEL else reference
                chosen.setdefault(entry.model, []).append(entry.global_id)
        records, cases = self.loader.load(wanted)
        records.update(publications.load(reference) if reference else {})
        built: list[bytes | None] = []
        for entry in entries:
            if entry.kind == CopyKind.RELAY:
                built.append(self._relay(entry, received.get(entry.global_id)))
                continue
            if entry.kind == CopyKind.RELAY_ONWARD:
                built.append(self._relay_onward(entry, received.get(entry.global_id)))
                continue
            obj = records.get(entry.model, {}).get(entry.global_id)
            if obj is None:
                built.append(None)
            elif entry.model in dossier.MODEL_BY_LABEL:
                built.append(self._record(entry, obj, cases))
            else:
                built.append(self._reference(entry, obj))
        return built

    @functools.cached_property
    def scope(self) -> publications.PageScope:
        return publications.PageScope(self.peer)

    def _reference(self, entry: OutboxEntry | QueuedEntry, obj) -> bytes | None:
        """The message of a reference record (``fdx.exchange.publications``): as ``_record``'s, its level and
        group its publication's."""
        if entry.kind == CopyKind.WITHDRAWAL:
            return _seal(self._withdrawal(entry, obj, self.scope.level_of(obj)), self.signer)
        publication = self.scope.publication_of(obj)
        if obj.record_version > entry.version or not self.scope.may_go(obj, publication):
            return None  # a later entry carries the newer version, or a withdrawal follows
        audience = self.scope.audience(publication.pk)
        record = audience.record(entry.model)
        decision = rules.decide(record, [self.this], self.node, region=self.region)
        if not decision:
            return None
        return self._change(obj, record, decision, audience.definition)

    @staticmethod
    def _withdrawal(
        entry: OutboxEntry | QueuedEntry, obj, level: rules.Level, *, onward: bool = False
    ) -> messages.ChangeRecord:
        """A withdrawal (or, for a record deleted here, its tombstone; ``onward``: the withdrawal a relaying
        hub keeps for the copies held through it): no payload, at the record's version now (the change it
        goes with may have been passed over for a newer one)."""
        deleted = obj.is_tombstone and not onward
        return messages.ChangeRecord(
            origin_node=str(obj.origin_node),
            global_id=str(obj.global_id),
            model=entry.model,
            version=max(entry.version, obj.record_version),
            state=messages.RecordState.DELETED if deleted else messages.RecordState.WITHDRAWN,
            level=level,
            fields=(),
            payload={},
            onward=onward,
        )

    def _change(self, obj, record: rules.Record, decision: rules.Decision, group: dict | None) -> bytes:
        """The signed change of ``obj`` as the rules' ``decision`` lets it go to the peer."""
        change = messages.outgoing(
            record,
            decision,
            global_id=str(obj.global_id),
            version=obj.record_version,
            state=messages.RecordState(obj.record_state),
            values=dossier.values(obj),
            secret=self.secret,
            group=group,
        )
        return _seal(change, self.signer)

    def _record(self, entry: OutboxEntry | QueuedEntry, obj, cases: dict[int, Case]) -> bytes | None:
        case = _case_from(obj, cases)
        if entry.kind == CopyKind.ONWARD:
            if obj.is_tombstone:
                return None  # its tombstone goes to the hub, which forwards it to every copy
            level = rules.Level(case.distribution_level)
            return _seal(self._withdrawal(entry, obj, level, onward=True), self.signer)
        if entry.kind == CopyKind.WITHDRAWAL:
            return _seal(self._withdrawal(entry, obj, rules.Level(case.distribution_level)), self.signer)
        if obj.record_version > entry.version or not _still_shared(obj, case):
            return None  # a later entry carries the newer version, or a withdrawal follows
        group, definition = self._group(case)
        record = dossier.rules_record(case, entry.model, obj, group=group)
        decision = rules.decide(record, [self.this], self.node, region=self.region)
        if not decision:
            return None
        return self._change(obj, record, decision, definition)

    def _group(self, case: Case) -> tuple[rules.Group | None, dict | None]:
        """The case's sharing group as the rules see it and as it travels, made once per case."""
        if case.pk not in self._groups:
            group = dossier.case_group(case)
            self._groups[case.pk] = (group, dossier.group_definition(case, group))
        return self._groups[case.pk]

    def _received(self, global_ids: list[uuid.UUID]) -> dict[uuid.UUID, ReceivedRecord]:
        if not global_ids:
            return {}
        return {r.global_id: r for r in ReceivedRecord.objects.filter(global_id__in=global_ids)}

    def _relay(self, entry: OutboxEntry | QueuedEntry, received: ReceivedRecord | None) -> bytes | None:
        if received is None or received.version != entry.version or not received.message:
            return None  # a later entry forwards the newer message
        message = messages.parse(bytes(received.message))
        return messages.countersign(message, self.signer.node_id, self.signer.key).to_bytes()

    def _relay_onward(
        self, entry: OutboxEntry | QueuedEntry, received: ReceivedRecord | None
    ) -> bytes | None:
        """The origin's withdrawal of the peer's copy, countersigned: its own withdrawal or tombstone when the
        hub holds one, else its onward withdrawal — the newest held, at or above the entry's version (a newer
        one replaced it, and a later entry may not follow: the peer's copy is already counted as gone)."""
        if received is None:
            return None
        held = [bytes(received.onward_withdrawal or b"")]
        if received.state in TOLD_GONE:
            held.insert(0, bytes(received.message or b""))
        for data in held:
            if data:
                message = messages.parse(data)
                if message.record.state in messages.TOMBSTONES and message.record.version >= entry.version:
                    return messages.countersign(message, self.signer.node_id, self.signer.key).to_bytes()
        return None


def _seal(change: messages.ChangeRecord, signer: _Signer) -> bytes:
    return messages.seal(change, signer.key).to_bytes()


def _case_from(obj, cases: dict[int, Case]) -> Case:
    """``case_of`` from the cases a chunk loaded (asked of the database only for one it did not)."""
    if isinstance(obj, Case):
        return obj
    parent = obj.examination if isinstance(obj, Finding) else obj
    exhibit = parent.exhibit if isinstance(parent, Examination) else parent
    return cases.get(exhibit.case_id) or case_of(obj)


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
    """The peer holds everything of its queue up to ``through`` (the ``ack`` of a pull, or the cursor a pull
    without one asks after, or a push it answered): the delivered entries leave the queue."""
    with transaction.atomic():
        updated = Peer.objects.filter(pk=peer.pk, acknowledged_through__lt=through).update(
            acknowledged_through=through
        )
        if updated:
            # Refused entries stay, with the peer's reason, for the node administrator.
            OutboxEntry.objects.filter(peer=peer, sequence__lte=through, refusal="").delete()
            peer.acknowledged_through = through
