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
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace

from django.db import DataError, IntegrityError, transaction
from django.utils import timezone

from fdx.accounts.models import Organisation, SharingGroup
from fdx.core.node import local_node_id
from fdx.examinations import case_index
from fdx.examinations.models import AnalyticalMethod, Case, Examination, Exhibit, Finding
from fdx.exchange import dossier, groups, messages, network, outbox, pseudonymise, rules
from fdx.exchange.models import Peer, Receipt, ReceiptOutcome, ReceivedRecord
from fdx.geo.models import BorderCrossingPoint, Country, Region
from fdx.substances.models import Substance


class Refused(Exception):
    """A message this node does not apply: ``code`` for machines, the message for people."""

    def __init__(self, code: str, message: str, *, missing: str = ""):
        super().__init__(message)
        self.code = code
        self.missing = missing  # the global id of a missing parent (``missing_parent``)


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
    already looked up (organisations, substances, parents), and the work left for the end of the batch —
    the receipts, written together, and the case index of the cases touched, refreshed once per case.
    The caller runs the batch in one transaction and calls ``flush`` before it commits."""

    def __init__(self):
        self.this = network.this_node()
        self.keys = network.keyring()
        self.peers_by_node = {str(p.node_id): p for p in Peer.objects.prefetch_related("organisations")}
        self.rows: dict[tuple, object] = {}
        self.cases: set[int] = set()
        self.receipts: list[Receipt] = []
        self.hosted_codes: set[str] | None = None

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
        """``find()``, once per batch for ``key`` (None is not kept: it may be created meanwhile)."""
        found = self.rows.get(key)
        if found is None:
            found = find()
            if found is not None:
                self.rows[key] = found
        return found

    def forget_records(self) -> None:
        """A copy was removed: no cached case, exhibit or examination may be used as a parent any more."""
        self.rows = {key: row for key, row in self.rows.items() if key[0] not in dossier.MODELS}

    def flush(self) -> None:
        """Write the receipts and refresh the case index of the cases touched."""
        if self.receipts:
            Receipt.objects.bulk_create(self.receipts, batch_size=1000)
            self.receipts = []
        if self.cases:
            case_index.refresh(sorted(self.cases))
            self.cases = set()


def receive(data: bytes, *, sender: Peer, channel: str, context: Context | None = None) -> Outcome:
    """Verify and apply one message from ``sender``, with its receipt. Never raises for a bad message: the
    outcome says what became of it. Without a ``context``, a batch of one (flushed at once)."""
    if context is None:
        with transaction.atomic():
            context = Context()
            outcome = receive(data, sender=sender, channel=channel, context=context)
            context.flush()
        return outcome
    try:
        message = messages.verify(data, context.keys)
    except messages.VerificationError as exc:
        return _receipt(context, sender, channel, None, Outcome(ReceiptOutcome.REFUSED, exc.code, str(exc)))
    change = message.record
    try:
        with transaction.atomic():
            outcome = _apply(message, data, sender, context)
    except DataError as exc:  # a value the column cannot hold (too long, out of range)
        outcome = Outcome(
            ReceiptOutcome.REFUSED,
            "bad_message",
            f"{change.model} {change.global_id}: a value does not fit this node ({exc})"[:400],
            global_id=change.global_id,
            version=change.version,
        )
    except IntegrityError as exc:  # a copy that clashes with a record here (a reference already used)
        outcome = Outcome(
            ReceiptOutcome.REFUSED,
            "conflict",
            f"{change.model} {change.global_id}: clashes with a record of this node ({exc})"[:400],
            global_id=change.global_id,
            version=change.version,
        )
    except Refused as exc:
        outcome = Outcome(
            ReceiptOutcome.REFUSED,
            exc.code,
            str(exc),
            global_id=change.global_id,
            version=change.version,
            missing=exc.missing,
        )
    return _receipt(context, sender, channel, change, outcome)


def _receipt(context: Context, sender, channel, change, outcome: Outcome) -> Outcome:
    context.receipts.append(
        Receipt(
            peer=sender,
            channel=channel,
            model=change.model if change else "",
            global_id=change.global_id if change else None,
            version=change.version if change else None,
            state=str(change.state) if change else "",
            outcome=outcome.outcome,
            reason=(f"{outcome.code}: {outcome.reason}" if outcome.code else "")[:500],
            received_at=timezone.now(),
        )
    )
    return outcome


def _apply(message: messages.SignedMessage, data: bytes, sender: Peer, context: Context) -> Outcome:
    change = message.record
    path = message.path
    if path[-1] != str(sender.node_id):
        raise Refused("not_from_sender", f"the message's last node {path[-1]} is not the peer {sender.name}")
    if change.origin_node == str(local_node_id()):
        raise Refused("own_record", "this node's own record came back")
    if change.model not in dossier.MODEL_BY_LABEL:
        raise Refused("not_for_this_node", f"records of type {change.model} are not received")
    gone = change.state in messages.TOMBSTONES
    if not gone:
        nodes = [_node(node_id, context) for node_id in path]
        record = rules.Record(
            model=change.model,
            level=change.level,
            origin_node=change.origin_node,
            owner_country="",
            group=change.rules_group(),
        )
        decision = rules.decide(record, nodes, context.this_for(record.group), region=outbox.region())
        if not decision:
            raise Refused(
                "not_for_this_node", f"the sharing rules do not let this node hold it ({decision.refusal})"
            )
    floor = ReceivedRecord.objects.select_for_update().filter(global_id=change.global_id).first()
    if floor is not None and str(floor.origin_node) != change.origin_node:
        raise Refused("not_the_origin", "this record is held here from another origin node")
    cls = dossier.MODEL_BY_LABEL[change.model]
    local = cls.with_tombstones().filter(global_id=change.global_id).first()
    if floor is None and local is not None:
        raise Refused("not_the_origin", "a record with this global id was created on this node")
    if floor is not None and change.version <= floor.version:
        return Outcome(ReceiptOutcome.UNCHANGED, global_id=change.global_id, version=change.version)
    now = timezone.now()
    if gone:
        case_id = _remove(cls, local)
        context.forget_records()
    else:
        case_id = _store(cls, local, change, context)
    values = {
        "model": change.model,
        "origin_node": change.origin_node,
        "version": change.version,
        "state": str(change.state),
        "level": str(change.level),
        "path": list(path),
        "sender": sender,
        "received_at": now,
        "message": bytes(data),
    }
    if floor is None:
        floor = ReceivedRecord.objects.create(global_id=change.global_id, **values)
    else:
        for name, value in values.items():
            setattr(floor, name, value)
        floor.save()
    if case_id is not None:
        context.cases.add(case_id)
    if context.this.relays:
        outbox.relay(floor, context.peers_by_node.get(change.origin_node), sender)
    return Outcome(ReceiptOutcome.APPLIED, global_id=change.global_id, version=change.version)


def _node(node_id: str, context: Context) -> rules.Node:
    if node_id == context.this.node_id:
        return context.this
    peer = context.peers_by_node.get(node_id)
    if peer is not None:
        return peer.as_rules_node()
    return rules.Node(node_id, rules.NodeRole.NATIONAL)


# Writing the copy


def _remove(cls, local) -> int | None:
    """Remove a received copy and its received descendants; returns the case to re-index (None when the
    case itself went)."""
    if local is None:
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


def _store(cls, local, change: messages.ChangeRecord, context: Context) -> int:
    """Create or update the local copy from the change's payload; returns its case's primary key."""
    obj = local if local is not None else cls(global_id=change.global_id, origin_node=change.origin_node)
    obj.record_version = change.version
    obj.record_state = str(change.state)
    m2m: dict[str, list] = {}
    travelling = set(change.fields)
    for name in pseudonymise.rules_for(change.model):
        field = cls._meta.get_field(name)
        if name not in travelling:
            if field.many_to_many:
                m2m[name] = []
            elif not field.is_relation or field.null:
                setattr(obj, field.attname, _empty(field))
            continue
        value = change.payload.get(name)
        if field.many_to_many:
            m2m[name] = _methods(value, context)
        elif field.is_relation:
            setattr(obj, name, _resolve(field, value, change, context))
        else:
            setattr(obj, field.attname, _scalar(field, value, change))
    # Every record of a sharing-group case carries the group as its origin defines it now: the group here
    # follows it (``fdx.exchange.groups``).
    group = groups.received_group(change)
    if isinstance(obj, Case) and obj.sharing_group_id is None and group is not None:
        obj.sharing_group = group
    obj.save()
    for name, value in m2m.items():
        getattr(obj, name).set(value)
    context.rows[(cls, str(obj.global_id))] = obj
    return _case_id(obj)


def _case_id(obj) -> int:
    if isinstance(obj, Case):
        return obj.pk
    if isinstance(obj, Exhibit):
        return obj.case_id
    if isinstance(obj, Examination):
        return obj.exhibit.case_id
    return obj.examination.exhibit.case_id


def _empty(field):
    if field.null:
        return None
    return "" if field.get_internal_type() in {"CharField", "TextField", "SlugField"} else field.get_default()


def _scalar(field, value, change):
    try:
        return field.to_python(value) if value is not None else _empty(field)
    except Exception as exc:  # a ValidationError or a type error: the field names what is wrong
        raise Refused("bad_message", f"{change.model}.{field.name}: {exc}") from None


def _methods(codes, context: Context) -> list:
    found = [
        context.cached(
            (AnalyticalMethod, str(code)),
            lambda code=code: AnalyticalMethod.objects.filter(pk=str(code)).first(),
        )
        for code in codes or []
    ]
    return [method for method in found if method is not None]


def _resolve(field, value, change: messages.ChangeRecord, context: Context):
    """The local row a reference names (see ``fdx.exchange.dossier``), looked up once per batch."""
    if value is None:
        return None
    target = field.related_model
    if target is Organisation:
        key = (Organisation, value.get("global_id") if isinstance(value, dict) else None)
        return context.cached(key, lambda: _organisation(value, change))
    if target is SharingGroup:
        return SharingGroup.objects.filter(global_id=value).first() or groups.received_group(change)
    if target is Substance:
        key = (Substance, value.get("global_id") if isinstance(value, dict) else None)
        return context.cached(key, lambda: _substance(value, change))
    if target in (Country, Region, BorderCrossingPoint):
        lookup = {"pk" if target is Country else "code": value}
        found = context.cached((target, str(value)), lambda: target.objects.filter(**lookup).first())
        if found is None and not field.null:
            raise Refused("unknown_reference", f"{change.model}.{field.name}: {value} is not known here")
        return found
    if target in dossier.MODEL_BY_LABEL.values():
        found = context.cached(
            (target, str(value)), lambda: target.with_tombstones().filter(global_id=value).first()
        )
        if found is None:
            raise Refused(
                "missing_parent", f"{change.model}.{field.name}: {value} is not here yet", missing=str(value)
            )
        return found
    if field.null:
        return None
    raise Refused("unknown_reference", f"{change.model}.{field.name} cannot be received")


def _organisation(value, change) -> Organisation:
    """An organisation by global id, else by code; a new one (its directory entry) when neither is known."""
    if not isinstance(value, dict) or not value.get("global_id"):
        raise Refused("bad_message", f"{change.model}: an organisation reference is not one")
    found = Organisation.objects.filter(global_id=value["global_id"]).first()
    found = found or Organisation.objects.filter(code=value.get("code", "")).first()
    if found is not None:
        return found
    country = Country.objects.filter(pk=value.get("country", "")).first()
    if country is None:
        raise Refused(
            "unknown_reference", f"{change.model}: the country of {value.get('code')} is not known here"
        )
    return Organisation.objects.create(
        global_id=uuid.UUID(value["global_id"]),
        code=str(value.get("code", ""))[:50] or str(value["global_id"]),
        name_en=str(value.get("name_en", ""))[:250],
        name_ru=str(value.get("name_ru", ""))[:250],
        country=country,
        org_type=str(value.get("type", "")),
    )


def _substance(value, change) -> Substance:
    if not isinstance(value, dict):
        raise Refused("bad_message", f"{change.model}: a substance reference is not one")
    found = Substance.objects.filter(global_id=value.get("global_id")).first()
    if found is None and value.get("key"):
        found = Substance.objects.filter(key=value["key"]).first()
    if found is None and value.get("inchikey"):
        found = Substance.objects.filter(inchikey=value["inchikey"]).order_by("pk").first()
    if found is None:
        raise Refused(
            "unknown_reference",
            f"{change.model}: the substance {value.get('name_en') or value.get('global_id')} is not in this "
            "node's registry",
        )
    return found
