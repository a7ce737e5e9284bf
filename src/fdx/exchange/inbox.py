"""Receiving: a signed change record from a peer is verified, checked against the sender's right and the
sharing rules, and applied idempotently — or refused, with the reason — and a receipt is written either way.

The checks, in order (each refusal has a code, shown on the pages and returned to a pushing peer):

* ``bad_message`` and the named signature failures of ``fdx.exchange.messages.verify`` (malformed, unknown
  key, bad origin signature, tampered payload, bad countersignature);
* ``not_from_sender``: the last node on the message's path (the origin, or the hub that countersigned it
  last) is not the peer it came from;
* ``own_record``: a node never takes its own records back;
* ``not_the_origin``: this node holds the record from another origin (only the origin changes a record);
* ``not_for_this_node``: the sharing rules do not let this node hold the record on that path;
* ``missing_parent``: a record whose parent (the case of an exhibit, …) is not here — a gap, which the
  transport fetches from the sender before it tries again;
* ``unknown_reference``: a substance or country that this node's registry lacks.

Applying: an older or equal version than the one held changes nothing (a receipt says so); a change
creates or updates the local copy, read-only here; a withdrawal or a tombstone removes the copy and its
received descendants (the owner no longer lets this node hold them). The received-record row keeps the
version floor, so that an older message can never bring a removed copy back.

An onward withdrawal (``fdx.exchange.messages``) sent by its origin to this node, a relaying hub, is not
applied here: the hub keeps the newest with the record's floor and forwards it to the peers holding a copy
through it that the record's version no longer reaches (``outbox.relay``). A node that does not relay
refuses one sent to it directly (``not_for_this_node``); one received through a relay is a withdrawal.

A page at a time (``receive_many``; ``receive`` is a page of one): every message is verified, then the rows
the page needs are read in a few queries — the version floors (locked on PostgreSQL), the local copies and
the parents the messages name, per model, the organisations and substances they name — and each message is
decided in order against them (a copy made by an earlier message of the page is a parent for a later one).
A message refused changes nothing. The page's new copies are then written together, parents first, with
their floors. Should writing clash with the database (a value too long for a column, a number already used),
the page is received again a message at a time, each in a savepoint of its own, so that only the message at
fault is refused. A withdrawal or a tombstone is received on its own (it removes rows the page may name),
and so is a second message for a record already in the page.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import cache, cached_property

from django.db import DEFAULT_DB_ALIAS, DataError, IntegrityError, transaction
from django.utils import timezone

from fdx.accounts.models import Organisation
from fdx.core import bulk_rows
from fdx.core.node import local_node_id
from fdx.examinations import case_index
from fdx.examinations.models import Case, Examination, Exhibit, Finding
from fdx.exchange import copies, dossier, messages, network, outbox, pseudonymise, rules
from fdx.exchange import received as reference_data
from fdx.exchange.copies import Refused
from fdx.exchange.models import Peer, Receipt, ReceiptOutcome, ReceivedRecord
from fdx.substances.models import Substance

__all__ = [
    "Checked",
    "Context",
    "Outcome",
    "Refused",
    "check",
    "message_in_line",
    "read_lines",
    "receive",
    "receive_many",
    "verify_read",
]

#: How a line of a pulled page or of a bundle starts: ``{"message":<the signed message>,"sequence":S}``.
LINE_START = b'{"message":'
LINE_SEQUENCE = b',"sequence":'
#: How such a line ends as a node writes it: the sequence (a JSON whole number), the object's end, and the
#: white space JSON allows after it.
_LINE_END = re.compile(rb',"sequence":(?:0|-?[1-9][0-9]*)\}[ \t\r\n]*\Z')


class _Creates(Exception):
    """Deciding a message needs a row created (an organisation, a sharing group): it is decided again in a
    savepoint of its own, so that a refusal takes the row back."""


@dataclass(frozen=True)
class Outcome:
    """What became of one message."""

    outcome: str  # ReceiptOutcome
    code: str = ""
    reason: str = ""
    global_id: str = ""
    version: int | None = None
    missing: str = ""

    def as_dict(self) -> dict:
        return {
            "outcome": self.outcome,
            "code": self.code,
            "reason": self.reason,
            "global_id": self.global_id,
            "version": self.version,
        }


class Context:
    """One batch of receiving (a page pulled, a push, a bundle): this node, the keys it trusts, the rows
    already looked up (organisations, substances, copies and parents; ``absent``: the keys looked up and not
    found), and the work left for the end of the batch — the receipts, written together, and the case index
    of the cases touched, refreshed once per case. The caller runs the batch in one transaction and calls
    ``flush`` before it commits."""

    def __init__(self):
        self.this = network.this_node()
        self.keys = network.keyring()
        self.peers_by_node = {str(p.node_id): p for p in Peer.objects.prefetch_related("organisations")}
        self.nodes: dict[str, rules.Node] = {}
        self.rows: dict[tuple, object] = {}
        self.absent: set[tuple] = set()
        self.cases: set[int] = set()
        self.receipts: list[dict] = []  # rows of ``Receipt``
        self.hosted_codes: set[str] | None = None
        self.may_create = False

    def this_for(self, group: rules.Group | None) -> rules.Node:
        """This node, also hosting the group's supranational members that have the code of one it hosts
        (the same regional centre, recorded on each node under its own id)."""
        if group is None or self.this.role == rules.NodeRole.NATIONAL:
            return self.this
        if self.hosted_codes is None:
            hosted = Organisation.objects.filter(global_id__in=list(self.this.organisations))
            self.hosted_codes = set(hosted.values_list("code", flat=True))
        same = {m.organisation for m in group.members if m.code and m.code in self.hosted_codes}
        return replace(self.this, organisations=self.this.organisations | same) if same else self.this

    def cached(self, key: tuple, find):
        """``find()``, once per batch for ``key``; a row not found is not looked for again until one is
        remembered under its key."""
        found = self.rows.get(key)
        if found is None and key not in self.absent:
            found = find()
            if found is None:
                self.absent.add(key)
            else:
                self.rows[key] = found
        return found

    def remember(self, key: tuple, row) -> None:
        """A row created or read here, found under ``key`` from now on."""
        self.rows[key] = row
        self.absent.discard(key)

    def creating(self) -> None:
        """Called before a row is created for the message being decided; see ``_Creates``."""
        if not self.may_create:
            raise _Creates

    def forget_records(self) -> None:
        """A copy was removed (or a page taken back): no case, exhibit or examination remembered may be
        used as a parent any more, and none found missing is missing for sure."""
        self.rows = {key: row for key, row in self.rows.items() if key[0] not in dossier.TRAVELLING_MODELS}
        self.absent = {key for key in self.absent if key[0] not in dossier.TRAVELLING_MODELS}

    def flush(self) -> None:
        """Write the receipts and refresh the case index of the cases touched; the copies remembered are let
        go (a long import holds no more than a page of them)."""
        if self.receipts:
            bulk_rows.insert_rows(_columns(Receipt), self.receipts, now=timezone.now(), with_ids=False)
            self.receipts = []
        if self.cases:
            case_index.refresh(sorted(self.cases))
            self.cases = set()
        self.forget_records()


def receive(data: bytes, *, sender: Peer, channel: str, context: Context | None = None) -> Outcome:
    """Verify and apply one message from ``sender``, with its receipt. Never raises for a bad message: the
    outcome says what became of it. Without a ``context``, a batch of one (flushed at once)."""
    return receive_many([data], sender=sender, channel=channel, context=context)[0]


def receive_many(
    datas: Sequence[bytes | Checked],
    *,
    sender: Peer,
    channel: str,
    context: Context | None = None,
    on_gap: Callable[[bytes, Outcome], Outcome] | None = None,
) -> list[Outcome]:
    """Verify and apply a page of messages from ``sender`` in order, each with its receipt; returns what
    became of each. The rows the page needs are read in a few queries for the whole page (the module's
    docstring says how). ``on_gap(data, outcome)`` is called for a message refused as ``missing_parent``,
    once the messages before it are applied (a transport fetches the parent and tries the message again);
    what it returns is the message's outcome. Without a ``context``, a batch of its own (flushed at once).
    A message of ``datas`` may come checked already (``check``, against the keys of this node)."""
    if context is None:
        with transaction.atomic():
            context = Context()
            outcomes = receive_many(datas, sender=sender, channel=channel, context=context, on_gap=on_gap)
            context.flush()
        return outcomes
    items = [data if isinstance(data, Checked) else _verified(data, context.keys) for data in datas]
    page = _Page(context, sender, channel, stop_at_gap=on_gap is not None)
    start = 0
    while start < len(items):
        segment = _segment(items, start)
        done = page.receive(segment)
        start += done
        if done < len(segment):  # stopped at a gap (its refusal has its receipt): the caller fills it
            item = segment[done]
            item.outcome = on_gap(item.data, item.outcome)
            start += 1
    return [item.outcome for item in items]


def message_in_line(raw: bytes, line: dict) -> bytes:
    """The signed message a JSON line ``{"message": …, "sequence": S}`` carries (a pulled page, a bundle),
    ``line`` being ``raw`` parsed: the message's own bytes in the line when the line is as a node writes it
    (canonical JSON, the message first), which spares making it canonical again; else the message made
    canonical."""
    end = raw.rfind(LINE_SEQUENCE) if raw.startswith(LINE_START) else -1
    if end > 0:
        data = raw[len(LINE_START) : end]
        try:
            text = data.decode("utf-8")
            value, length = _DECODER.raw_decode(text)
        except ValueError:  # not one JSON value (a UnicodeDecodeError is a ValueError too)
            pass
        else:
            if length == len(text) and value == line.get("message"):
                return data
    return messages.canonical(line["message"])


_DECODER = json.JSONDecoder()


def read_lines(lines: Sequence[bytes], parse_line: Callable[[bytes], dict]) -> list[Checked]:
    """The messages the JSON lines ``lines`` carry (``{"message": …, "sequence": S}``, a pulled page), read
    and their form checked (``messages.parse``) but not their keys and signatures (``verify_read``), each
    line parsed once where it can be.

    A line as a node writes it (the message first, then the sequence) is not parsed as a whole: the bytes
    between are parsed as the message (one canonical JSON value, so that the line around it is JSON too, and
    ``message_in_line`` would find the same bytes). Only a line written otherwise, or whose message is not
    one, is read with ``parse_line`` (which raises for a line that is not a JSON object) and its message taken
    as ``message_in_line`` takes it, parsed again when those are other bytes (the message made canonical):
    every line comes to what ``check`` of ``message_in_line``'s bytes comes to."""
    read = []
    for raw in lines:
        data = _message_bytes(raw)
        item = _parsed(data) if data is not None else None
        if item is None or item.outcome is not None:
            other = message_in_line(raw, parse_line(raw))
            if other != data:
                item = _parsed(other)
        read.append(item)
    return read


def verify_read(items: list[Checked], keys: messages.KeyRing) -> list[Checked]:
    """The messages ``read_lines`` read, their keys and signatures checked against ``keys`` (what ``check``
    checks besides their form), ready for ``receive_many``.

    Apart from ``read_lines`` so that a transport may read a page in a thread and check its signatures in the
    thread that receives it: the signature check lets go of Python's lock, and a thread beside one that is
    busy with Python waits for the lock again after each one (up to the interpreter's switch interval, 5 ms
    by default, against the tenth of a millisecond the check takes)."""
    for item in items:
        if item.parsed is not None:
            try:
                item.message = messages.verify(item.parsed, keys)
            except messages.VerificationError as exc:
                item.outcome = Outcome(ReceiptOutcome.REFUSED, exc.code, str(exc))
            item.parsed = None
    return items


def _parsed(data: bytes) -> _Item:
    item = _Item(data)
    try:
        item.parsed = messages.parse(data)
    except messages.VerificationError as exc:  # a MessageFormatError, as ``verify`` raises it
        item.outcome = Outcome(ReceiptOutcome.REFUSED, exc.code, str(exc))
    return item


def _message_bytes(raw: bytes) -> bytes | None:
    """The bytes between the start and the sequence of a line as a node writes it; None for another line."""
    if not raw.startswith(LINE_START):
        return None
    end = _LINE_END.search(raw, len(LINE_START))
    return raw[len(LINE_START) : end.start()] if end is not None else None


@dataclass
class _Item:
    """One message of a page: its bytes, the message once verified, and what became of it."""

    data: bytes
    message: messages.SignedMessage | None = None
    outcome: Outcome | None = None
    parsed: messages.SignedMessage | None = None  # read, its signatures not checked yet (``read_lines``)

    @property
    def change(self) -> messages.ChangeRecord | None:
        return self.message.record if self.message is not None else None

    @cached_property
    def gid(self) -> str | None:
        """The record's global identifier in the form rows are remembered under (None: not one)."""
        return copies.global_id(self.message.record.global_id) if self.message is not None else None


def check(datas: Sequence[bytes], keys: messages.KeyRing) -> list[Checked]:
    """The messages ``datas`` verified against ``keys`` (``network.keyring()``), ready for ``receive_many``:
    what is checked before any row is read, so that a transport may do it beside the receiving of the page
    before (no database here; a message that fails is refused by ``receive_many`` with the reason)."""
    return [_verified(data, keys) for data in datas]


def _verified(data: bytes, keys: messages.KeyRing) -> _Item:
    item = _Item(data)
    try:
        item.message = messages.verify(data, keys)
    except messages.VerificationError as exc:
        item.outcome = Outcome(ReceiptOutcome.REFUSED, exc.code, str(exc))
    return item


#: A message verified (or refused by the verification) before its page is received (``check``).
Checked = _Item


def _segment(items: list[_Item], start: int) -> list[_Item]:
    """The messages from ``start`` decided and written together: up to a withdrawal or a tombstone (alone
    in its segment) or a second message for a record already in the segment."""
    seen: set[str] = set()
    end = start
    while end < len(items):
        change = items[end].change
        if change is not None:
            if change.state in messages.TOMBSTONES:
                return items[start : end + 1] if end == start else items[start:end]
            key = items[end].gid or change.global_id
            if key in seen:
                break
            seen.add(key)
        end += 1
    return items[start:end]


class _Page:
    """Receiving the segments of one page, with their receipts in the page's order."""

    def __init__(self, context: Context, sender: Peer, channel: str, *, stop_at_gap: bool):
        self.context = context
        self.sender = sender
        self.channel = channel
        self.stop_at_gap = stop_at_gap

    def receive(self, segment: list[_Item]) -> int:
        """Decide and write ``segment``; returns how many of its messages were received (fewer than all when
        it stopped at a gap, whose refusal is the last receipt written)."""
        context = self.context
        rows, absent = dict(context.rows), set(context.absent)
        try:
            with transaction.atomic():
                plan = _Plan(context, self.sender)
                done = plan.decide(segment, stop_at_gap=self.stop_at_gap)
                plan.write()
        except (DataError, IntegrityError) as exc:
            # Taken back: the rows remembered are those from before the segment, and no copy (they may have
            # been changed in memory by the plan).
            context.rows, context.absent = rows, absent
            context.forget_records()
            if len(segment) > 1:
                return self._one_by_one(segment)
            segment[0].outcome = _clash(segment[0].change, exc)
            done = 1
        for item in segment[: done + 1]:
            _receipt(context, self.sender, self.channel, item)
        return done

    def _one_by_one(self, segment: list[_Item]) -> int:
        for position, item in enumerate(segment):
            if self.receive([item]) == 0:
                return position
        return len(segment)


class _Plan:
    """The writes one segment comes to, decided message by message against rows read once, then written
    together: the new copies of each model in one statement per many rows (parents first), the changed
    ones one by one, the floors, the hub's relaying."""

    def __init__(self, context: Context, sender: Peer):
        self.context = context
        self.sender = sender
        self.here = str(local_node_id())
        self.floors: dict[str, ReceivedRecord] = {}
        self.new: dict[type, list] = defaultdict(list)
        self.changed: dict[type, list] = defaultdict(list)
        self.m2m: list[tuple[object, dict[str, list], bool]] = []
        self.new_floors: list[dict] = []  # rows of ``ReceivedRecord``
        self.changed_floors: list[ReceivedRecord] = []
        self.applied: list[tuple[messages.ChangeRecord, object, ReceivedRecord | dict, int | None]] = []
        self.onward: list[tuple[messages.ChangeRecord, ReceivedRecord, bytes]] = []  # kept, to forward

    # Deciding

    def decide(self, segment: list[_Item], *, stop_at_gap: bool) -> int:
        """Decide each message of ``segment`` in order; returns how many were decided (at a gap, when
        ``stop_at_gap``, the position of the message refused as ``missing_parent``)."""
        candidates = []
        for item in segment:
            if item.message is None:
                continue  # refused when verified
            item.outcome = None
            try:
                self._check(item.message)
            except Refused as exc:
                item.outcome = _refusal(item.change, exc)
            else:
                candidates.append(item)
        self._prefetch(candidates)
        for position, item in enumerate(segment):
            if item.message is None or item.outcome is not None:
                continue
            try:
                item.outcome = self._decide_one(item)
            except Refused as exc:
                item.outcome = _refusal(item.change, exc)
                if exc.code == "missing_parent" and stop_at_gap:
                    return position
        return len(segment)

    def _check(self, message: messages.SignedMessage) -> None:
        """The checks that need no row: who sent it, whose it is, whether the rules let this node hold it."""
        change = message.record
        path = message.path
        context = self.context
        if path[-1] != str(self.sender.node_id):
            raise Refused(
                "not_from_sender", f"the message's last node {path[-1]} is not the peer {self.sender.name}"
            )
        if change.origin_node == self.here:
            raise Refused("own_record", "this node's own record came back")
        if change.model not in dossier.TRAVELLING_BY_LABEL:
            raise Refused("not_for_this_node", f"records of type {change.model} are not received")
        if change.onward and len(path) == 1 and not context.this.relays:
            raise Refused("not_for_this_node", "an onward withdrawal is for a relaying hub")
        if change.state in messages.TOMBSTONES:
            return
        record = rules.Record(
            model=change.model,
            level=change.level,
            origin_node=change.origin_node,
            owner_country="",
            group=change.rules_group(),
        )
        nodes = [_node(node_id, context) for node_id in path]
        decision = rules.decide(record, nodes, context.this_for(record.group), region=outbox.region())
        if not decision:
            raise Refused(
                "not_for_this_node", f"the sharing rules do not let this node hold it ({decision.refusal})"
            )

    def _decide_one(self, item: _Item) -> Outcome:
        try:
            return self._decide(item)
        except _Creates:
            pass
        context = self.context
        rows, absent = dict(context.rows), set(context.absent)
        context.may_create = True
        try:
            with transaction.atomic():
                return self._decide(item)
        except (DataError, IntegrityError) as exc:  # the organisation or group it creates clashes
            context.rows, context.absent = rows, absent
            return _clash(item.change, exc)
        except Refused:
            context.rows, context.absent = rows, absent
            raise
        finally:
            context.may_create = False

    def _decide(self, item: _Item) -> Outcome:
        """One message: refused (``Refused``), unchanged, or applied to the plan. Nothing is planned before
        every check has passed (a withdrawal, alone in its segment, removes the copy at once)."""
        context = self.context
        change = item.change
        gid = item.gid
        if gid is None:
            raise Refused("bad_message", f"{change.model}: {change.global_id!r} is not a global identifier")
        floor = self.floors.get(gid)
        if floor is not None and str(floor.origin_node) != change.origin_node:
            raise Refused("not_the_origin", "this record is held here from another origin node")
        cls = dossier.TRAVELLING_BY_LABEL[change.model]
        local = context.cached((cls, gid), lambda: copies.of_model(cls).filter(global_id=gid).first())
        if floor is None and local is not None and not copies.adoptable(local):
            raise Refused("not_the_origin", "a record with this global id was created on this node")
        if change.onward and len(item.message.path) == 1:
            return self._keep_onward(item, floor)
        if floor is not None and change.version <= floor.version:
            return Outcome(ReceiptOutcome.UNCHANGED, global_id=change.global_id, version=change.version)
        if change.state in messages.TOMBSTONES:
            obj, case_id = None, _remove(cls, local)
            context.forget_records()
        else:
            assignments, m2m = copies.values(cls, local, change, context)
            # Every check passed: from here on the message is part of the plan.
            obj = local if local is not None else cls(global_id=gid, origin_node=change.origin_node)
            # An entry of FDX's shipped content this node held as its own becomes the copy of its
            # jurisdiction's node's version (``copies.adoptable``).
            obj.origin_node = change.origin_node
            obj.record_version = change.version
            obj.record_state = str(change.state)
            for name, value in assignments:
                setattr(obj, name, value)
            copies.derive(obj, local, change, context)
            (self.new if local is None else self.changed)[cls].append(obj)
            if m2m:
                self.m2m.append((obj, m2m, local is None))
            context.remember((cls, gid), obj)
            case_id = None
        self.applied.append((change, obj, self._floor(floor, gid, item), case_id))
        return Outcome(ReceiptOutcome.APPLIED, global_id=change.global_id, version=change.version)

    def _keep_onward(self, item: _Item, floor: ReceivedRecord | None) -> Outcome:
        """An onward withdrawal sent to this hub by the origin: kept with the record's floor when it is newer
        than the one held (nothing to keep when no copy is held here), never applied here."""
        change = item.change
        unchanged = Outcome(ReceiptOutcome.UNCHANGED, global_id=change.global_id, version=change.version)
        if floor is None or floor.state in outbox.TOLD_GONE:
            return unchanged
        held = bytes(floor.onward_withdrawal or b"")
        if held and messages.parse(held).record.version >= change.version:
            return unchanged
        self.onward.append((change, floor, bytes(item.data)))
        return Outcome(ReceiptOutcome.APPLIED, global_id=change.global_id, version=change.version)

    def _floor(self, floor: ReceivedRecord | None, gid: str, item: _Item) -> ReceivedRecord | dict:
        """The record's floor, changed, or a new row of it."""
        change = item.change
        values = {
            "model": change.model,
            "origin_node": change.origin_node,
            "version": change.version,
            "state": str(change.state),
            "level": str(change.level),
            "path": list(item.message.path),
            "received_at": timezone.now(),
            "message": bytes(item.data),
        }
        if floor is None:
            row = _columns(ReceivedRecord).new_values()
            row.update(values, global_id=gid, sender_id=self.sender.pk)
            self.new_floors.append(row)
            return row
        for name, value in values.items():
            setattr(floor, name, value)
        floor.sender = self.sender
        self.changed_floors.append(floor)
        return floor

    # Reading what the segment names, in a few queries

    def _prefetch(self, items: list[_Item]) -> None:
        """The floors of the segment's records (locked on PostgreSQL, as one message's floor is), their local
        copies and the parents they name, per model, and the organisations and substances they name."""
        gids = {item.gid for item in items if item.gid}
        floors = ReceivedRecord.objects.select_for_update()
        self.floors = {str(floor.global_id): floor for floor in copies.rows_in(floors, "global_id", gids)}
        wanted: dict[type, set[str]] = defaultdict(set)
        coded: dict[type, set[str]] = defaultdict(set)
        named: dict[type, dict[str, dict]] = {Organisation: {}, Substance: {}}  # by the global id they carry
        for item in items:
            change = item.change
            cls = dossier.TRAVELLING_BY_LABEL[change.model]
            if item.gid:
                wanted[cls].add(item.gid)
            for name, target in _references(change.model):
                value = change.payload.get(name) if name in change.fields else None
                if target in copies.PARENTS:
                    parent = copies.global_id(value) if value is not None else None
                    if parent:
                        wanted[target].add(parent)
                elif target in copies.CODED:  # a code, or a list of codes (the methods)
                    codes = value if isinstance(value, list) else [value]
                    coded[target].update(code for code in codes if isinstance(code, str))
                elif target in named and isinstance(value, dict) and isinstance(value.get("global_id"), str):
                    named[target][value["global_id"]] = value
        for cls, ids in wanted.items():
            copies.read_records(self.context, cls, ids)
        for cls, codes in coded.items():
            copies.read_coded(self.context, cls, codes)
        copies.read_organisations(self.context, named[Organisation])
        copies.read_substances(self.context, named[Substance])

    # Writing

    def write(self) -> None:
        """Write the plan: per model, parents first, the new copies together, then the changed ones; the
        analytical methods of examinations; the floors; then the hub relays each record applied."""
        now = timezone.now()
        for cls in dossier.TRAVELLING_MODELS:
            _create(cls, self.new.get(cls, []), now)
            for obj in self.changed.get(cls, []):
                obj.save()
        self._write_methods(now)
        reference_data.after_write(self.new, self.changed)
        bulk_rows.insert_rows(_columns(ReceivedRecord), self.new_floors, now=now, with_ids=False)
        for floor in self.changed_floors:
            floor.save()
        context = self.context
        for change, obj, floor, case_id in self.applied:
            case_id = copies.case_id(obj) if obj is not None else case_id
            if case_id is not None:
                context.cases.add(case_id)
            if context.this.relays:
                received = floor if isinstance(floor, ReceivedRecord) else ReceivedRecord(**floor)
                outbox.relay(received, context.peers_by_node.get(change.origin_node), self.sender)
        for change, floor, data in self.onward:
            floor.onward_withdrawal = data
            floor.save(update_fields=["onward_withdrawal"])
            # The change it goes with was relayed already (or comes later, and is relayed then).
            outbox.relay(floor, context.peers_by_node.get(change.origin_node), self.sender)

    def _write_methods(self, now) -> None:
        rows = defaultdict(list)
        for obj, m2m, new in self.m2m:
            for name, related in m2m.items():
                if not new:
                    getattr(obj, name).set(related)
                    continue
                field = type(obj)._meta.get_field(name)
                through = field.remote_field.through
                source, target = f"{field.m2m_field_name()}_id", f"{field.m2m_reverse_field_name()}_id"
                for row in related:
                    link = _columns(through).new_values()
                    link.update({source: obj.pk, target: row.pk})
                    rows[through].append(link)
        for through, links in rows.items():
            bulk_rows.insert_rows(_columns(through), links, now=now, with_ids=False)


def _create(cls, objs: list, now) -> None:
    """Insert new copies of one model in one statement (``COPY`` on PostgreSQL): their primary keys are
    drawn first, so that a copy naming another new one (its parent, an examination's previous revision)
    holds its key."""
    if not objs:
        return
    columns = _columns(cls)
    rows = [obj.__dict__ for obj in objs]
    bulk_rows.assign_ids(columns, rows)
    for obj in objs:
        _link(obj)
    bulk_rows.insert_rows(columns, rows, now=now, with_ids=True)
    for obj in objs:
        obj._state.adding = False
        obj._state.db = DEFAULT_DB_ALIAS


def _link(obj) -> None:
    """Set the copy's references from the rows it names (a parent new in the page got its key since)."""
    for field in _references_of(type(obj)):
        if field.is_cached(obj):
            related = field.get_cached_value(obj)
            if related is not None:
                # Through ``__dict__``: the descriptor would let go of the row it names.
                obj.__dict__[field.attname] = getattr(related, field.target_field.attname)


@cache
def _references_of(cls) -> tuple:
    return tuple(field for field in cls._meta.concrete_fields if field.is_relation)


@cache
def _columns(model) -> bulk_rows.Columns:
    return bulk_rows.Columns(model)


def _receipt(context: Context, sender: Peer, channel: str, item: _Item) -> None:
    change, outcome = item.change, item.outcome
    row = _columns(Receipt).new_values()
    row.update(
        peer_id=sender.pk,
        channel=channel,
        model=change.model if change else "",
        global_id=item.gid,
        version=change.version if change else None,
        state=str(change.state) if change else "",
        outcome=outcome.outcome,
        reason=(f"{outcome.code}: {outcome.reason}" if outcome.code else "")[:500],
        received_at=timezone.now(),
    )
    context.receipts.append(row)


def _refusal(change: messages.ChangeRecord, exc: Refused) -> Outcome:
    return Outcome(
        ReceiptOutcome.REFUSED,
        exc.code,
        str(exc),
        global_id=change.global_id,
        version=change.version,
        missing=exc.missing,
    )


def _clash(change: messages.ChangeRecord, exc: Exception) -> Outcome:
    """The refusal of a message whose writing the database refused."""
    if isinstance(exc, DataError):  # a value the column cannot hold (too long, out of range)
        code, what = "bad_message", "a value does not fit this node"
    else:  # a copy that clashes with a record here (a reference already used)
        code, what = "conflict", "clashes with a record of this node"
    return Outcome(
        ReceiptOutcome.REFUSED,
        code,
        f"{change.model} {change.global_id}: {what} ({exc})"[:400],
        global_id=change.global_id,
        version=change.version,
    )


def _node(node_id: str, context: Context) -> rules.Node:
    if node_id == context.this.node_id:
        return context.this
    node = context.nodes.get(node_id)
    if node is None:
        peer = context.peers_by_node.get(node_id)
        node = peer.as_rules_node() if peer is not None else rules.Node(node_id, rules.NodeRole.NATIONAL)
        context.nodes[node_id] = node
    return node


@cache
def _references(model: str) -> tuple[tuple[str, type], ...]:
    """The fields of ``model`` that name another row, with the model they name (the analytical methods of an
    examination, each by its code, among them)."""
    cls = dossier.TRAVELLING_BY_LABEL[model]
    table = pseudonymise.rules_for(model)
    fields = (
        cls._meta.get_field(name) for name, treatment in table.items() if treatment != pseudonymise.DROP
    )
    return tuple((f.name, f.related_model) for f in fields if f.is_relation)


# Removing a copy


def _remove(cls, local) -> int | None:
    """Remove a received copy and its received descendants; returns the case to re-index (None when the
    case itself went)."""
    if local is None:
        return None
    if cls in dossier.REFERENCE_MODELS:
        reference_data.remove(local)
        return None
    if isinstance(local, Case):
        findings = Finding.with_tombstones().filter(examination__exhibit__case=local)
        examinations = Examination.with_tombstones().filter(exhibit__case=local)
        exhibits = Exhibit.with_tombstones().filter(case=local)
        _forget(findings, examinations, exhibits)
        findings.delete()
        _delete_examinations(examinations)
        exhibits.delete()
        cls.with_tombstones().filter(pk=local.pk).delete()
        return None
    case_id = outbox.case_of(local).pk
    if isinstance(local, Exhibit):
        findings = Finding.with_tombstones().filter(examination__exhibit=local)
        examinations = Examination.with_tombstones().filter(exhibit=local)
        _forget(findings, examinations)
        findings.delete()
        _delete_examinations(examinations)
    elif isinstance(local, Examination):
        findings = Finding.with_tombstones().filter(examination=local)
        _forget(findings)
        findings.delete()
        _delete_examinations(Examination.with_tombstones().filter(pk=local.pk))
        return case_id
    cls.with_tombstones().filter(pk=local.pk).delete()
    return case_id


def _delete_examinations(queryset) -> None:
    # A revision points at the examination it replaced (protected): the later revisions go first.
    for examination in queryset.order_by("-revision", "-pk"):
        Examination.with_tombstones().filter(previous_revision=examination).update(previous_revision=None)
        Examination.with_tombstones().filter(pk=examination.pk).delete()


def _forget(*querysets) -> None:
    """The descendants removed with their parent are gone here too: their floors say so (their own
    withdrawals, sent before the parent's, normally did this already)."""
    for queryset in querysets:
        ids = list(queryset.values_list("global_id", flat=True))
        ReceivedRecord.objects.filter(global_id__in=ids).update(
            state=messages.RecordState.WITHDRAWN.value, message=b""
        )
