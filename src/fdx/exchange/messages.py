"""The signed change record: what one change to one record looks like on the wire (Django-free).

A message is one canonical JSON object (RFC 8785, the ``rfc8785`` package)::

    {
      "format": 1,
      "header": {
        "kind": "fdx.exchange.change",
        "origin_node": "<uuid>",          the node that created the record, and alone may change it
        "global_id": "<uuid>",
        "model": "examinations.case",
        "version": 3,                     rises with every change on the origin node
        "state": "active",                active | retracted | deleted (a tombstone: empty payload)
        "level": "regional",              the record's distribution level
        "group": null,                    the sharing group's definition, for the sharing-group level
        "fields": ["agency_case_number", ...],   the fields allowed to travel, sorted
        "payload_sha256": "<hex>"         SHA-256 of the payload's canonical JSON
      },
      "payload": {"agency_case_number": "<hmac>", ...},
      "signature": {"key": "<fingerprint>", "value": "<base64>"},   the origin's, over the header
      "relays": [{"node": "<uuid>", "key": "<fingerprint>", "value": "<base64>"}, ...]
    }

The origin signs the header's canonical JSON with its Ed25519 key; the header holds the payload's digest,
so the signature covers the payload without a relay having to touch either. A relaying hub appends a
countersignature over the header's digest, the origin's signature and the countersignatures before its
own: the origin's signature is never re-made, so it survives every hop.

An **onward withdrawal** is a withdrawal whose header's kind is ``fdx.exchange.onward_withdrawal``. The
origin sends it to a relaying hub with a change that narrows a record's audience: the hub keeps it, and does
not apply it to itself, and forwards it (countersigned, as any relayed message) to the nodes that hold a copy
through the hub and that the new version no longer reaches. The hub cannot sign a withdrawal for the origin;
this is the origin's own, signed ahead. Received through a relay, it is a withdrawal like any other.

``verify`` names what failed with its own exception class (all ``VerificationError``): the message is
malformed or not canonical, a key is unknown, the origin's signature is bad, the payload was changed, a
countersignature is wrong. Keys are passed in (``KeyRing``); the node's own key is ``fdx.core.node``.
"""

from __future__ import annotations

import base64
import binascii
import enum
import functools
import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from fdx.core.signing import fingerprint, verify_with
from fdx.exchange import pseudonymise, rules

FORMAT = 1
KIND = "fdx.exchange.change"
ONWARD_KIND = "fdx.exchange.onward_withdrawal"
RELAY_KIND = "fdx.exchange.relay"


class RecordState(enum.StrEnum):
    """A record's state as it travels (``fdx.core.models.RecordState``)."""

    ACTIVE = "active"
    RETRACTED = "retracted"
    DELETED = "deleted"
    # Not a state of the record on its origin: this receiver may no longer hold a copy (the level was
    # lowered, the result is no longer shared). A tombstone for this receiver only, with no payload.
    WITHDRAWN = "withdrawn"


#: States that carry no payload.
TOMBSTONES = frozenset({RecordState.DELETED, RecordState.WITHDRAWN})


# What went wrong


class VerificationError(Exception):
    """A message that may not be applied; the subclass says why."""

    code = "invalid"


class MessageFormatError(VerificationError):
    """Not a change record: not canonical JSON, a field missing, extra or of the wrong type."""

    code = "malformed"


class UnknownKeyError(VerificationError):
    """Signed with a key that is not known for the node that claims it."""

    code = "unknown_key"


class BadOriginSignatureError(VerificationError):
    """The origin's signature does not match the header."""

    code = "bad_origin_signature"


class TamperedPayloadError(VerificationError):
    """The header is signed, but the payload is not the one whose digest it holds."""

    code = "tampered_payload"


class BadCountersignatureError(VerificationError):
    """A relay's countersignature does not match what it should cover."""

    code = "bad_countersignature"


# The record


@dataclass(frozen=True)
class ChangeRecord:
    """One change to one record, before it is signed."""

    origin_node: str
    global_id: str
    model: str
    version: int
    state: RecordState
    level: rules.Level
    fields: tuple[str, ...]
    payload: Mapping[str, Any]
    group: Mapping[str, Any] | None = None
    #: An onward withdrawal (the module's docstring): held by the relaying hub it is sent to, for the copies
    #: it forwarded that the record's new audience no longer reaches.
    onward: bool = False

    def __post_init__(self):
        problem = _record_problem(self)
        if problem:
            raise ValueError(problem)
        # Plain copies, so that the record (and the bytes cached from it) cannot change under the caller.
        object.__setattr__(self, "payload", _plain(self.payload))
        object.__setattr__(self, "group", _plain(self.group))
        object.__setattr__(self, "fields", tuple(self.fields))

    @functools.cached_property
    def payload_bytes(self) -> bytes:
        """The payload's canonical JSON (what ``payload_sha256`` is the digest of)."""
        return canonical(self.payload)

    @functools.cached_property
    def header_bytes(self) -> bytes:
        """The header's canonical JSON: what the origin signs."""
        return canonical(self.header())

    def header(self) -> dict[str, Any]:
        """The header the origin signs.

        Returns
        -------
        dict
            The record's identity, version, state, level, group, field list and the payload's digest.
        """
        return {
            "kind": ONWARD_KIND if self.onward else KIND,
            "origin_node": self.origin_node,
            "global_id": self.global_id,
            "model": self.model,
            "version": self.version,
            "state": str(self.state),
            "level": str(self.level),
            "group": self.group,
            "fields": sorted(self.fields),
            "payload_sha256": hashlib.sha256(self.payload_bytes).hexdigest(),
        }

    def rules_group(self) -> rules.Group | None:
        """The travelling group definition, as the sharing rules take it.

        Returns
        -------
        rules.Group or None
            The group, or None when the record carries none.
        """
        return group_from_definition(self.group) if self.group is not None else None


def outgoing(
    record: rules.Record,
    decision: rules.Decision,
    *,
    global_id: str,
    version: int,
    state: RecordState,
    values: Mapping[str, Any],
    secret: bytes,
    group: Mapping[str, Any] | None = None,
) -> ChangeRecord:
    """The change record for a copy that ``decision`` allows.

    Parameters
    ----------
    record
        The record, as the rules see it.
    decision
        ``rules.decide``'s answer for this copy (``ValueError`` when it refuses).
    global_id
        The record's global id.
    version
        Its version.
    state
        Its state; a tombstone carries no payload.
    values
        Its field values, ready for JSON.
    secret
        The node's pseudonymisation secret.
    group
        The sharing group's definition (``group_definition``), for the sharing-group level.

    Returns
    -------
    ChangeRecord
        Only the travelling fields, pseudonymised as the table says.
    """
    if not decision.allowed:
        raise ValueError(f"this copy may not go ({decision.refusal})")
    payload = {}
    if state not in TOMBSTONES:
        payload = pseudonymise.pseudonymise(
            record.model,
            values,
            secret=secret,
            leaves_country=decision.leaves_country,
            shareable=record.shareable,
        )
    return ChangeRecord(
        origin_node=record.origin_node,
        global_id=global_id,
        model=record.model,
        version=version,
        state=state,
        level=record.level,
        fields=tuple(sorted(decision.fields)),
        payload=payload,
        group=group,
    )


def group_definition(group: rules.Group, **described: str) -> dict[str, Any]:
    """A sharing group's definition as it travels with a record.

    Parameters
    ----------
    group
        The group as the rules see it.
    **described
        Its code and names, carried along for the receiver's pages.

    Returns
    -------
    dict
        The group's id, whether it is active, and its members sorted by organisation.
    """
    members = sorted(
        (
            {"organisation": m.organisation, "country": m.country, "kind": str(m.kind)}
            | ({"code": m.code} if m.code else {})
            for m in group.members
        ),
        key=lambda member: member["organisation"],
    )
    return {"group_id": group.group_id, "active": group.active, "members": members, **described}


def group_from_definition(definition: Mapping[str, Any]) -> rules.Group:
    """Read a travelling group definition back.

    Parameters
    ----------
    definition
        What ``group_definition`` wrote.

    Returns
    -------
    rules.Group
        The group; ``MessageFormatError`` when the definition is not one.
    """
    try:
        members = frozenset(
            rules.Member(
                str(m["organisation"]), str(m["country"]), rules.MemberKind(m["kind"]), str(m.get("code", ""))
            )
            for m in definition["members"]
        )
        return rules.Group(str(definition["group_id"]), members, bool(definition["active"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise MessageFormatError(f"the sharing group's definition is not valid ({exc!r})") from None


#: The states and levels a record may have (made once: every message received is checked against them).
_STATES = frozenset(RecordState)
_LEVELS = frozenset(rules.Level)


def _record_problem(record: ChangeRecord) -> str | None:
    if isinstance(record.version, bool) or not isinstance(record.version, int) or record.version < 1:
        return "the version is a whole number from 1"
    if record.state not in _STATES or record.level not in _LEVELS:
        return "unknown record state or level"
    if len(set(record.fields)) != len(record.fields):
        return "a field is named twice"
    extra = set(record.payload) - set(record.fields)
    if extra:
        return f"the payload holds fields that may not travel: {', '.join(sorted(extra))}"
    if not isinstance(record.onward, bool) or (record.onward and record.state != RecordState.WITHDRAWN):
        return "an onward withdrawal is a withdrawal"
    if record.state in TOMBSTONES and record.payload:
        return "a tombstone carries no payload"
    if record.level == rules.Level.SHARING_GROUP and record.state not in TOMBSTONES and not record.group:
        return "a sharing-group record carries its group's definition"
    return None


# Signed messages


@dataclass(frozen=True)
class Countersignature:
    """A relay's countersignature: the relaying node, its key's fingerprint, the signature in base64."""

    node: str
    key: str
    value: str


@dataclass(frozen=True)
class SignedMessage:
    """A change record with its origin's signature and the countersignatures of the relays it went through."""

    record: ChangeRecord
    key: str  # the origin key's fingerprint
    signature: str  # base64
    relays: tuple[Countersignature, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict[str, Any]:
        """The message as a JSON object.

        Returns
        -------
        dict
            Format, header, payload, signature and relays.
        """
        return {
            "format": FORMAT,
            "header": self.record.header(),
            "payload": _plain(self.record.payload),
            "signature": {"key": self.key, "value": self.signature},
            "relays": [{"node": r.node, "key": r.key, "value": r.value} for r in self.relays],
        }

    def to_bytes(self) -> bytes:
        """The message's canonical JSON.

        Returns
        -------
        bytes
            RFC 8785 JSON, UTF-8 (the same bytes as ``canonical(self.as_dict())``, made from the record's
            cached header and payload).
        """
        return _compose(
            self.record.header_bytes, self.record.payload_bytes, self.key, self.signature, self.relays
        )

    @property
    def path(self) -> tuple[str, ...]:
        """The nodes it has been on: its origin, then each relay."""
        return (self.record.origin_node, *(relay.node for relay in self.relays))


def canonical(value: Any) -> bytes:
    """RFC 8785 canonical JSON.

    Parameters
    ----------
    value
        Plain JSON values (dicts with text keys, lists, text, numbers, booleans, None).

    Returns
    -------
    bytes
        The canonical form; ``ValueError`` for what it cannot hold (floats that are not finite, integers
        beyond ±2**53, keys that are not text).
    """
    if _plain_json(value):
        # The standard library's C encoder writes exactly RFC 8785 for these values (sorted keys that sort
        # alike by code point and by UTF-16 unit, no floats, the same string escapes) at twenty times the
        # speed of the pure-Python canonicaliser, which stays for everything else (a property test
        # compares the two).
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    try:
        return rfc8785.dumps(value)
    except rfc8785.CanonicalizationError as exc:
        raise ValueError(f"cannot be written as canonical JSON: {exc}") from None


#: RFC 8785 sorts keys by UTF-16 code unit, Python by code point: the two agree below the surrogates.
_FIRST_SURROGATE = "\ud800"
#: The integers RFC 8785 (I-JSON) holds exactly.
_MAX_SAFE_INTEGER = 2**53


def _plain_json(value: Any) -> bool:
    """Whether ``value`` is one that ``json.dumps`` writes canonically: dicts with text keys below the
    surrogates, lists, text without lone surrogates, booleans, None and integers within ±2**53.

    A loop over a stack of the values still to look at (not a call per value): a message's header and
    payload are looked at on every message received."""
    stack = [value]
    pop, push = stack.pop, stack.extend
    while stack:
        item = pop()
        kind = type(item)
        if kind is str:
            if not item.isascii() and _SURROGATE.search(item):
                return False
        elif kind is dict:
            for key in item:
                if type(key) is not str or not (key.isascii() or max(key) < _FIRST_SURROGATE):
                    return False
            push(item.values())
        elif kind is list:
            push(item)
        elif kind is int:
            if not -_MAX_SAFE_INTEGER <= item <= _MAX_SAFE_INTEGER:
                return False
        elif kind is not bool and item is not None:
            return False  # floats, tuples, mappings of other kinds: the canonicaliser decides
    return True


_SURROGATE = re.compile("[\ud800-\udfff]")


def digest(value: Any) -> str:
    """SHA-256 of a value's canonical JSON.

    Parameters
    ----------
    value
        Plain JSON values.

    Returns
    -------
    str
        64 hexadecimal digits.
    """
    return hashlib.sha256(canonical(value)).hexdigest()


def seal(record: ChangeRecord, private_key: Ed25519PrivateKey) -> SignedMessage:
    """Sign ``record`` with its origin node's key.

    Parameters
    ----------
    record
        The change record.
    private_key
        The origin node's private key (``fdx.core.node.load_private_key`` on the node).

    Returns
    -------
    SignedMessage
        The record, the key's fingerprint and the signature of the header.
    """
    signature = private_key.sign(record.header_bytes)
    return SignedMessage(record, fingerprint(private_key.public_key()), _b64(signature))


def countersign(message: SignedMessage, relay_node: str, private_key: Ed25519PrivateKey) -> SignedMessage:
    """``message`` with a relay's countersignature added; the origin's signature is left as it is.

    Parameters
    ----------
    message
        The message as received.
    relay_node
        The relaying node's id.
    private_key
        The relaying node's private key.

    Returns
    -------
    SignedMessage
        The same message with one more countersignature.
    """
    key = fingerprint(private_key.public_key())
    header_sha256 = hashlib.sha256(message.record.header_bytes).hexdigest()
    value = _b64(
        private_key.sign(_relay_payload(header_sha256, message, len(message.relays), relay_node, key))
    )
    return SignedMessage(
        message.record,
        message.key,
        message.signature,
        (*message.relays, Countersignature(relay_node, key, value)),
    )


def _relay_payload(header_sha256: str, message: SignedMessage, position: int, node: str, key: str) -> bytes:
    """What the relay at ``position`` (from 0) signs."""
    return canonical(
        {
            "kind": RELAY_KIND,
            "header_sha256": header_sha256,
            "origin_signature": message.signature,
            "previous": [{"node": r.node, "key": r.key, "value": r.value} for r in message.relays[:position]],
            "node": node,
            "key": key,
        }
    )


# Verifying


@dataclass
class KeyRing:
    """The public keys this node trusts: for each node id, its keys by fingerprint (current and retired)."""

    keys: dict[str, dict[str, Ed25519PublicKey]] = field(default_factory=dict)

    def add(self, node_id: str, public_key: Ed25519PublicKey) -> None:
        """Trust ``public_key`` for ``node_id``.

        Parameters
        ----------
        node_id
            The node's id.
        public_key
            One of its keys (its fingerprint was checked out of band).
        """
        self.keys.setdefault(node_id, {})[fingerprint(public_key)] = public_key

    def public_key(self, node_id: str, key_fingerprint: str) -> Ed25519PublicKey | None:
        """The key of ``node_id`` with this fingerprint.

        Parameters
        ----------
        node_id
            The node's id.
        key_fingerprint
            The fingerprint a signature names.

        Returns
        -------
        Ed25519PublicKey or None
            None when the node has no such key here (or the key is another node's).
        """
        return self.keys.get(node_id, {}).get(key_fingerprint)


def verify(message: bytes | SignedMessage, keys: KeyRing) -> SignedMessage:
    """Check a message and return it parsed; a ``VerificationError`` subclass names the first failure.

    The checks, in order: canonical form and fields (``MessageFormatError``); the origin's key is known for
    the origin node (``UnknownKeyError``); its signature of the header (``BadOriginSignatureError``); the
    payload's digest (``TamperedPayloadError``); each relay's key (``UnknownKeyError``) and countersignature
    (``BadCountersignatureError``).

    Parameters
    ----------
    message
        The message's bytes as received, or a message built here.
    keys
        The keys this node trusts.

    Returns
    -------
    SignedMessage
        The verified message; its ``path`` is the origin and the relays it went through.
    """
    parsed = parse(message) if isinstance(message, bytes | bytearray) else message
    record = parsed.record
    origin_key = keys.public_key(record.origin_node, parsed.key)
    if origin_key is None:
        raise UnknownKeyError(f"the key {parsed.key} is not known for the origin node {record.origin_node}")
    if isinstance(parsed, _ParsedMessage):
        header_bytes, signed_digest = parsed.header_bytes_as_sent, parsed.payload_sha256_as_sent
    else:
        header_bytes, signed_digest = record.header_bytes, record.header()["payload_sha256"]
    if not verify_with(origin_key, _unb64(parsed.signature, "origin signature"), header_bytes):
        raise BadOriginSignatureError(
            f"the origin node's signature of {record.global_id} version {record.version} does not match"
        )
    if signed_digest != hashlib.sha256(record.payload_bytes).hexdigest():
        raise TamperedPayloadError(
            f"the payload of {record.global_id} version {record.version} is not the one its origin signed"
        )
    header_sha256 = hashlib.sha256(header_bytes).hexdigest()
    for position, relay in enumerate(parsed.relays):
        relay_key = keys.public_key(relay.node, relay.key)
        if relay_key is None:
            raise UnknownKeyError(f"the key {relay.key} is not known for relay {position + 1} ({relay.node})")
        signed = _relay_payload(header_sha256, parsed, position, relay.node, relay.key)
        if not verify_with(relay_key, _unb64(relay.value, "countersignature"), signed):
            raise BadCountersignatureError(
                f"the countersignature of relay {position + 1} ({relay.node}) does not match"
            )
    return SignedMessage(record, parsed.key, parsed.signature, parsed.relays)


@dataclass(frozen=True)
class _ParsedMessage(SignedMessage):
    """A message read from bytes, with its header as sent (whose digest may disagree with the payload)."""

    header_bytes_as_sent: bytes = b""
    payload_sha256_as_sent: str = ""


_TOP = {"format", "header", "payload", "signature", "relays"}
_HEADER = {
    "kind",
    "origin_node",
    "global_id",
    "model",
    "version",
    "state",
    "level",
    "group",
    "fields",
    "payload_sha256",
}


def parse(data: bytes | bytearray) -> SignedMessage:
    """Read a message without checking its signatures.

    Parameters
    ----------
    data
        The message's bytes.

    Returns
    -------
    SignedMessage
        The message; ``MessageFormatError`` unless it is a change record in canonical JSON.
    """
    data = bytes(data)
    numbers = _Numbers()
    try:
        text = data.decode("utf-8")
        value = json.loads(
            text, parse_float=numbers.other, parse_constant=numbers.other, parse_int=numbers.integer
        )
    except (UnicodeDecodeError, ValueError) as exc:
        raise MessageFormatError(f"not JSON ({exc})") from None
    # What the text holds decides how its parts are made canonical: with no number but integers within
    # ±2**53 and no character from the surrogates up (keys sort alike by code point and by UTF-16 unit, and
    # no text can hold a lone surrogate once made UTF-8 again), every value is one ``_plain_json`` accepts.
    plain = numbers.plain and (text.isascii() or not _FROM_SURROGATES.search(text))
    canonical_form = _dumps if plain else canonical
    _expect(isinstance(value, dict) and set(value) == _TOP, "the message's fields are not those of format 1")
    _expect(value["format"] == FORMAT and type(value["format"]) is int, "unknown message format")
    header, payload, signature = value["header"], value["payload"], value["signature"]
    _expect(
        isinstance(header, dict) and set(header) == _HEADER, "the header's fields are not those of format 1"
    )
    _expect(isinstance(payload, dict), "the payload is not an object")
    _expect(
        isinstance(signature, dict)
        and set(signature) == {"key", "value"}
        and all(isinstance(signature[name], str) for name in signature),
        "bad origin signature entry",
    )
    _expect(isinstance(value["relays"], list), "the relays are not a list")
    relays = []
    for entry in value["relays"]:
        _expect(
            isinstance(entry, dict)
            and set(entry) == {"node", "key", "value"}
            and all(isinstance(entry[name], str) for name in entry),
            "bad countersignature entry",
        )
        relays.append(Countersignature(entry["node"], entry["key"], entry["value"]))
    try:
        header_bytes, payload_bytes = canonical_form(header), canonical_form(payload)
        in_canonical_form = (
            _compose(header_bytes, payload_bytes, signature["key"], signature["value"], relays) == data
        )
    except ValueError:
        in_canonical_form = False
    if not in_canonical_form:
        raise MessageFormatError("not in canonical JSON form (RFC 8785)")
    _expect(header["kind"] in (KIND, ONWARD_KIND), "not a change record")
    _expect(
        isinstance(header["fields"], list) and header["fields"] == sorted(header["fields"]), "bad field list"
    )
    for name in ("origin_node", "global_id", "model", "payload_sha256"):
        _expect(isinstance(header[name], str), f"the header's {name} is not text")
    _expect(header["group"] is None or isinstance(header["group"], dict), "the group is not an object")
    try:
        record = ChangeRecord(
            origin_node=header["origin_node"],
            global_id=header["global_id"],
            model=header["model"],
            version=header["version"],
            state=RecordState(header["state"]),
            level=rules.Level(header["level"]),
            fields=tuple(header["fields"]),
            payload=payload,
            group=header["group"],
            onward=header["kind"] == ONWARD_KIND,
        )
    except (TypeError, ValueError) as exc:
        raise MessageFormatError(f"not a valid change record: {exc}") from None
    if record.group is not None:
        group_from_definition(record.group)
    record.__dict__["payload_bytes"] = payload_bytes  # the cached property, already known
    return _ParsedMessage(
        record,
        signature["key"],
        signature["value"],
        tuple(relays),
        header_bytes_as_sent=header_bytes,
        payload_sha256_as_sent=header["payload_sha256"],
    )


class _Numbers:
    """The numbers of a text being parsed (``json.loads``'s hooks): ``plain`` while every one is an integer
    within ±2**53."""

    def __init__(self):
        self.plain = True

    def integer(self, text: str) -> int:
        number = int(text)
        if not -_MAX_SAFE_INTEGER <= number <= _MAX_SAFE_INTEGER:
            self.plain = False
        return number

    def other(self, text: str) -> float:
        self.plain = False
        return float(text)


#: From the first surrogate up: text that may sort differently by code point and by UTF-16 unit.
_FROM_SURROGATES = re.compile("[\ud800-\U0010ffff]")


def _dumps(value: Any) -> bytes:
    """``canonical`` of a value known to be one ``_plain_json`` accepts (see ``parse``)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _compose(
    header_bytes: bytes, payload_bytes: bytes, key: str, signature: str, relays: Sequence[Countersignature]
) -> bytes:
    """A message's canonical JSON from its canonical header and payload (RFC 8785 sorts the top-level keys
    as written here: format, header, payload, relays, signature)."""
    return b"".join(
        (
            b'{"format":%d,"header":' % FORMAT,
            header_bytes,
            b',"payload":',
            payload_bytes,
            b',"relays":',
            canonical([{"node": r.node, "key": r.key, "value": r.value} for r in relays])
            if relays
            else b"[]",
            b',"signature":',
            canonical({"key": key, "value": signature}),
            b"}",
        )
    )


def _expect(condition: bool, problem: str) -> None:
    if not condition:
        raise MessageFormatError(problem)


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _unb64(text: str, what: str) -> bytes:
    """Decode base64 that is written the one way ``_b64`` writes it (the padding bits too), so that no two
    texts carry the same signature."""
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise MessageFormatError(f"the {what} is not base64") from None
    if _b64(raw) != text:
        raise MessageFormatError(f"the {what} is not in canonical base64")
    return raw


def _plain(value: Any) -> Any:
    """Mappings as plain dicts and sequences as lists, for the JSON writer (a copy)."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    # A scalar member is taken as it is without a call: a payload is mostly scalars, and every message
    # received is copied so.
    if kind is dict or isinstance(value, Mapping):
        return {key: item if type(item) in _SCALARS else _plain(item) for key, item in value.items()}
    if kind is list or kind is tuple or (isinstance(value, Sequence) and not isinstance(value, str | bytes)):
        return [item if type(item) in _SCALARS else _plain(item) for item in value]
    return value


_SCALARS = frozenset({str, int, float, bool, type(None)})
