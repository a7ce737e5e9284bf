"""Bundles: the same signed change records, carried by file between nodes that never talk (air-gapped).

A bundle is a file of JSON lines:

1. a header: ``{"kind": "fdx.exchange.bundle", "format": 1, "bundle_id", "from_node", "to_node", "after",
   "through", "acknowledges", "created_at"}`` — the queue entries after ``after`` up to ``through`` of
   ``from_node``'s queue for ``to_node``; ``acknowledges`` is the last entry of ``to_node``'s queue that
   ``from_node`` has applied (so bundles carried back acknowledge those that came);
2. one line per change: ``{"message": <the signed change record>, "sequence": S}``;
3. a trailer: ``{"kind": "fdx.exchange.bundle.end", "count", "sha256", "key", "signature"}`` — the SHA-256
   of every line before it, signed (Ed25519) by the exporting node with the bundle's id and count.

Importing reads the file twice and never holds it whole: first the header, the trailer's signature by the
sender's checked key and the digest of every line (so a tampered, truncated, foreign-signed or replayed
bundle is refused before anything changes), then the changes are received as a pull receives them, a page
of them together (the next page's messages checked beside it), all in one transaction. A bundle is applied
once; the same file again is refused as a replay and changes nothing.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from django.db import transaction
from django.utils import timezone

from fdx.core import node, signing
from fdx.exchange import inbox, messages, outbox
from fdx.exchange.models import ImportedBundle, OutboxEntry, Peer

KIND = "fdx.exchange.bundle"
END = "fdx.exchange.bundle.end"
FORMAT = 1
PAGE = 1000


class BundleError(Exception):
    """A bundle that is refused; ``code`` says what failed (the message names the file and line)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclass
class ExportResult:
    bundle_id: str
    peer: str
    records: int
    after: int
    through: int
    sha256: str


@dataclass
class ImportResult:
    bundle_id: str
    peer: str
    records: int
    applied: int
    unchanged: int
    refused: int
    through: int
    refusals: list[str]


# Export


class BundleWriter:
    """Writes one bundle: the header at once, then each change, then the signed trailer (``close``)."""

    def __init__(
        self, handle: BinaryIO, *, from_node: str, to_node: str, after: int, through: int, acknowledges: int
    ):
        self.handle = handle
        self.bundle_id = str(uuid.uuid4())
        self.digest = hashlib.sha256()
        self.count = 0
        self._write(
            messages.canonical(
                {
                    "kind": KIND,
                    "format": FORMAT,
                    "bundle_id": self.bundle_id,
                    "from_node": from_node,
                    "to_node": to_node,
                    "after": after,
                    "through": through,
                    "acknowledges": acknowledges,
                    "created_at": timezone.now().isoformat(),
                }
            )
            + b"\n"
        )

    def _write(self, line: bytes) -> None:
        self.digest.update(line)
        self.handle.write(line)

    def add(self, sequence: int, message: bytes) -> None:
        self._write(b'{"message":' + message + b',"sequence":' + str(sequence).encode() + b"}\n")
        self.count += 1

    def close(self, key_fingerprint: str, sign) -> str:
        """Write the trailer, signed by ``sign`` (bytes → signature); returns the lines' SHA-256."""
        sha = self.digest.hexdigest()
        signature = sign(_trailer_payload(self.bundle_id, self.count, sha))
        self.handle.write(
            messages.canonical(
                {
                    "kind": END,
                    "count": self.count,
                    "sha256": sha,
                    "key": key_fingerprint,
                    "signature": base64.b64encode(signature).decode("ascii"),
                }
            )
            + b"\n"
        )
        return sha


def export(peer: Peer, handle: BinaryIO, *, since: int | None = None) -> ExportResult:
    """Write ``peer``'s queue after ``since`` (default: what it acknowledged) as a signed bundle."""
    after = peer.acknowledged_through if since is None else since
    through = (
        OutboxEntry.objects.filter(peer=peer, sequence__gt=after)
        .order_by("-sequence")
        .values_list("sequence", flat=True)
        .first()
        or after
    )
    writer = BundleWriter(
        handle,
        from_node=str(node.local_node_id()),
        to_node=str(peer.node_id),
        after=after,
        through=through,
        acknowledges=peer.pulled_through,
    )
    cursor = after
    while cursor < through:
        page_end = min(outbox.last_sequence(peer, cursor, PAGE), through)
        for item in outbox.pending(peer, cursor, PAGE):
            if item.sequence > through:
                break
            writer.add(item.sequence, item.message)
        cursor = page_end
    sha = writer.close(node.current_key().fingerprint, node.sign)
    return ExportResult(writer.bundle_id, peer.name, writer.count, after, through, sha)


def _trailer_payload(bundle_id: str, count: int, sha256: str) -> bytes:
    return messages.canonical({"kind": END, "bundle_id": bundle_id, "count": count, "sha256": sha256})


# Import


def check(path: Path) -> tuple[dict, Peer, str]:
    """The first reading: header, trailer, digest, signature, replay. Returns the header, the sending peer
    and the file's SHA-256; ``BundleError`` names what failed."""
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise BundleError("unreadable", f"{path}: cannot be read ({exc.strerror})") from None
    with handle:
        first = handle.readline()
        header = _json(path, 1, first)
        if header.get("kind") != KIND or header.get("format") != FORMAT:
            raise BundleError(
                "not_a_bundle", f"{path}, line 1: not an FDX exchange bundle of format {FORMAT}"
            )
        for name in ("bundle_id", "from_node", "to_node", "after", "through", "acknowledges"):
            if name not in header:
                raise BundleError("malformed", f"{path}, line 1: the header has no {name}")
        if header["to_node"] != str(node.local_node_id()):
            raise BundleError(
                "not_for_this_node", f"{path}: the bundle is for node {header['to_node']}, not this one"
            )
        peer = Peer.objects.filter(node_id=_uuid(path, header["from_node"])).first()
        if peer is None:
            raise BundleError(
                "unknown_sender", f"{path}: node {header['from_node']} is not a peer of this node"
            )
        if peer.suspended:
            raise BundleError("unknown_sender", f"{path}: the peer {peer.name} is suspended here")
        digest = hashlib.sha256(first)
        whole = hashlib.sha256(first)
        count = 0
        trailer = None
        line_number = 1
        for line in handle:
            line_number += 1
            whole.update(line)
            if not line.startswith(
                b'{"message":'
            ):  # canonical JSON: keys sorted, the trailer's first is "count"
                trailer = _json(path, line_number, line)
                if handle.readline():
                    raise BundleError("malformed", f"{path}, line {line_number + 1}: lines after the trailer")
                break
            if not line.endswith(b"\n"):
                raise BundleError(
                    "truncated", f"{path}, line {line_number}: the file ends in the middle of a line"
                )
            digest.update(line)
            count += 1
        if trailer is None or trailer.get("kind") != END:
            raise BundleError("truncated", f"{path}: the bundle has no trailer (it was cut short)")
        if trailer.get("count") != count or trailer.get("sha256") != digest.hexdigest():
            raise BundleError("tampered", f"{path}: the lines are not those the sender signed")
        _check_signature(path, peer, header["bundle_id"], trailer)
    # Last: a changed or cut-off copy of a bundle imported before is refused for what is wrong with it.
    if ImportedBundle.objects.filter(bundle_id=_uuid(path, header["bundle_id"])).exists():
        raise BundleError("replayed", f"{path}: bundle {header['bundle_id']} was imported already")
    return header, peer, whole.hexdigest()


def _check_signature(path: Path, peer: Peer, bundle_id: str, trailer: dict) -> None:
    if not peer.public_key:
        raise BundleError("unknown_key", f"{path}: the key of {peer.name} is not recorded here")
    if trailer.get("key") != peer.key_fingerprint:
        raise BundleError(
            "foreign_signed", f"{path}: signed by key {trailer.get('key')}, not {peer.name}'s key"
        )
    try:
        signature = base64.b64decode(str(trailer.get("signature", "")), validate=True)
    except ValueError:
        raise BundleError("foreign_signed", f"{path}: the trailer's signature is not base64") from None
    payload = _trailer_payload(bundle_id, trailer["count"], trailer["sha256"])
    if not signing.verify(peer.public_key, signature, payload):
        raise BundleError("foreign_signed", f"{path}: the signature is not {peer.name}'s")


def import_bundle(path: Path) -> ImportResult:
    """Check ``path`` (``check``), then apply every change in one transaction; returns what became of them."""
    header, peer, sha = check(path)
    refusals: list[str] = []
    counts = {"applied": 0, "unchanged": 0, "refused": 0}
    with transaction.atomic():
        if ImportedBundle.objects.select_for_update().filter(bundle_id=header["bundle_id"]).exists():
            raise BundleError("replayed", f"{path}: bundle {header['bundle_id']} was imported already")
        context = inbox.Context()
        for page, checked in _checked(_pages(_changes(path)), context.keys):
            outcomes = inbox.receive_many(checked, sender=peer, channel="bundle", context=context)
            context.flush()
            for (line_number, _sequence, _data), outcome in zip(page, outcomes, strict=True):
                counts[outcome.outcome] += 1
                if outcome.outcome == "refused" and len(refusals) < 50:
                    refusals.append(
                        f"line {line_number} ({outcome.global_id} v{outcome.version}): {outcome.reason}"
                    )
        Peer.objects.filter(pk=peer.pk, pulled_through__lt=header["through"]).update(
            pulled_through=header["through"]
        )
        outbox.acknowledge(peer, int(header["acknowledges"]))
        ImportedBundle.objects.create(
            bundle_id=header["bundle_id"],
            sender_node=header["from_node"],
            peer=peer,
            records=sum(counts.values()),
            applied=counts["applied"],
            sha256=sha,
            imported_at=timezone.now(),
        )
    return ImportResult(
        header["bundle_id"],
        peer.name,
        sum(counts.values()),
        counts["applied"],
        counts["unchanged"],
        counts["refused"],
        int(header["through"]),
        refusals,
    )


def _pages(changes: Iterator[tuple[int, int, bytes]]) -> Iterator[list[tuple[int, int, bytes]]]:
    """The changes ``PAGE`` at a time: received together, and no more of the file held in memory."""
    page = []
    for change in changes:
        page.append(change)
        if len(page) == PAGE:
            yield page
            page = []
    if page:
        yield page


def _checked(pages: Iterator[list[tuple[int, int, bytes]]], keys: messages.KeyRing):
    """Each page with its messages checked (``inbox.check``): the next page is checked in a thread while the
    caller receives this one (one page ahead; the signatures are checked outside Python's lock)."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="fdx-bundle-check") as checker:
        ahead = None
        for page in pages:
            checking = checker.submit(inbox.check, [data for _line, _sequence, data in page], keys)
            if ahead is not None:
                yield ahead[0], ahead[1].result()
            ahead = (page, checking)
        if ahead is not None:
            yield ahead[0], ahead[1].result()


def _changes(path: Path) -> Iterator[tuple[int, int, bytes]]:
    with path.open("rb") as handle:
        handle.readline()
        for line_number, line in enumerate(handle, start=2):
            item = _json(path, line_number, line)
            if item.get("kind") == END:
                return
            yield line_number, int(item.get("sequence", 0)), inbox.message_in_line(line, item)


def _json(path: Path, line_number: int, line: bytes) -> dict:
    try:
        value = json.loads(line)
    except ValueError:
        raise BundleError("malformed", f"{path}, line {line_number}: not JSON") from None
    if not isinstance(value, dict):
        raise BundleError("malformed", f"{path}, line {line_number}: not a JSON object")
    return value


def _uuid(path: Path, value) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise BundleError("malformed", f"{path}: {value!r} is not an identifier") from None
