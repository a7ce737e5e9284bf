"""Signed checkpoints of the audit chain's head, kept outside the database.

The hash chain shows that stored events agree with each other; it cannot show that they are the events the
node wrote, since whoever can write the database can rewrite every later hash and the head too. A
checkpoint fixes the head (its sequence number and hash, and the time) with the node's Ed25519 signature
(``fdx.core.node``), in an append-only JSON-lines file outside the database (``FDX_AUDIT_CHECKPOINT_FILE``).
Each line also carries the hash of the line before it, so that a line removed from the middle is seen.

Lines have a ``kind``: ``checkpoint`` (written here) and ``countersignature`` (a peer's signature of one
checkpoint's signed payload, to be appended by the exchange app; see ``countersignature_line``).
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import hashlib
import json
import logging
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from fdx.audit import chain
from fdx.audit.models import AuditChainHead
from fdx.core import node

logger = logging.getLogger(__name__)

FORMAT = 1
GENESIS = "0" * 64
#: The fields of a checkpoint that its signature covers (and a peer's countersignature too).
SIGNED_FIELDS = (
    "format",
    "kind",
    "number",
    "node_id",
    "sequence",
    "head_hash",
    "signed_at",
    "key_fingerprint",
    "previous_line_hash",
)


class CheckpointFileError(Exception):
    """The checkpoint file cannot be read, or one of its lines is not a checkpoint; says which line."""


@dataclass(frozen=True)
class Checkpoint:
    """One signed line of the file (``line`` is its position, from 1; 0 for the one just written)."""

    line: int
    number: int
    node_id: str
    sequence: int
    head_hash: str
    signed_at: str
    key_fingerprint: str
    previous_line_hash: str
    signature: str
    line_hash: str
    countersignatures: list = field(default_factory=list)

    def payload(self) -> bytes:
        """The bytes the node signed (and a peer countersigns)."""
        return signed_payload(
            {
                "format": FORMAT,
                "kind": "checkpoint",
                "number": self.number,
                "node_id": self.node_id,
                "sequence": self.sequence,
                "head_hash": self.head_hash,
                "signed_at": self.signed_at,
                "key_fingerprint": self.key_fingerprint,
                "previous_line_hash": self.previous_line_hash,
            }
        )

    @property
    def signed_at_datetime(self) -> datetime:
        return datetime.fromisoformat(self.signed_at.replace("Z", "+00:00"))


def checkpoint_file() -> Path:
    return Path(settings.FDX_AUDIT_CHECKPOINT_FILE)


def signed_payload(fields: dict) -> bytes:
    return chain.canonical_json({name: fields[name] for name in SIGNED_FIELDS})


def line_hash(line_text: str) -> str:
    """SHA-256 of one line as written (without its newline): what the next line chains to."""
    return hashlib.sha256(line_text.encode("utf-8")).hexdigest()


def write_checkpoint() -> Checkpoint:
    """Sign the chain's current head and append it to the checkpoint file (``node.NodeKeyError`` when the
    node has no usable key). The head is read under its lock, so every event written before the
    checkpoint's time is covered by it, and every event after it is later than that time."""
    path = checkpoint_file()
    with _file_lock(path), transaction.atomic():
        head = AuditChainHead.objects.select_for_update().get(pk=1)
        lines = _tail_lines(path)
        last = lines[-1][1] if lines else None
        numbers = [data.get("number", 0) for _text, data in lines if data.get("kind") == "checkpoint"]
        fields = {
            "format": FORMAT,
            "kind": "checkpoint",
            "number": (max(numbers) if numbers else 0) + 1,
            "node_id": str(node.local_node_id()),
            "sequence": head.last_sequence,
            "head_hash": head.last_hash,
            "signed_at": chain.format_timestamp(timezone.now()),
            "key_fingerprint": "",
            "previous_line_hash": line_hash(lines[-1][0]) if last is not None else GENESIS,
        }
        current = node.current_key()
        if current is None:
            raise node.NodeKeyError("the node has no signing key yet; see `fdx node show`")
        fields["key_fingerprint"] = current.fingerprint
        signature = node.sign(signed_payload(fields))
        text = chain.canonical_json({**fields, "signature": base64.b64encode(signature).decode("ascii")})
        _append(path, text.decode("utf-8"))
    _remember_written(head.last_sequence)
    return _checkpoint(0, text.decode("utf-8"))  # its line number is not counted (the file only grows)


def countersignature_line(
    checkpoint: Checkpoint, peer_node_id: str, peer_key_fingerprint: str, signature: bytes
) -> str:
    """The line recording a peer's signature of ``checkpoint.payload()`` (the hook for the exchange app:
    a peer that received the checkpoint signs its payload; this node appends the line, ``append_line``)."""
    return chain.canonical_json(
        {
            "format": FORMAT,
            "kind": "countersignature",
            "checkpoint_number": checkpoint.number,
            "checkpoint_line_hash": checkpoint.line_hash,
            "peer_node_id": peer_node_id,
            "peer_key_fingerprint": peer_key_fingerprint,
            "signature": base64.b64encode(signature).decode("ascii"),
        }
    ).decode("utf-8")


def append_line(text: str) -> None:
    """Append one line (a countersignature) to the checkpoint file, under its lock."""
    path = checkpoint_file()
    with _file_lock(path):
        _append(path, text)


def read_checkpoints(path: Path | None = None) -> list[Checkpoint]:
    """Every checkpoint in the file, in order, with their countersignature lines attached;
    ``CheckpointFileError`` names the first line that breaks the file's own chain or is not JSON."""
    path = path or checkpoint_file()
    lines = _read_lines(path)
    checkpoints: list[Checkpoint] = []
    by_number: dict[int, Checkpoint] = {}
    previous = GENESIS
    for position, (text, data) in enumerate(lines, start=1):
        if data.get("kind") == "checkpoint":
            if data.get("previous_line_hash") != previous:
                raise CheckpointFileError(
                    f"{path}, line {position}: does not follow line {position - 1} (a line was removed or "
                    "changed)"
                )
            checkpoint = _checkpoint(position, text)
            checkpoints.append(checkpoint)
            by_number[checkpoint.number] = checkpoint
        elif data.get("kind") == "countersignature":
            target = by_number.get(data.get("checkpoint_number"))
            if target is not None:
                target.countersignatures.append(data)
        else:
            raise CheckpointFileError(f"{path}, line {position}: unknown kind {data.get('kind')!r}")
        previous = line_hash(text)
    return checkpoints


def signature_valid(checkpoint: Checkpoint) -> bool:
    """Whether the checkpoint is signed by a key this node has had (the current one or a retired one)."""
    key = node.known_key(checkpoint.key_fingerprint)
    if key is None:
        return False
    try:
        signature = base64.b64decode(checkpoint.signature, validate=True)
    except ValueError:
        return False
    return node.verify(key.public_key, signature, checkpoint.payload())


# When to write one on its own


_last_written: dict[str, object] = {"sequence": 0, "at": None}


def _remember_written(sequence: int) -> None:
    _last_written["sequence"] = sequence
    _last_written["at"] = timezone.now()


def due(sequence: int) -> bool:
    """Whether the event ``sequence`` just written calls for a checkpoint: every N events, or when this
    process has not asked for one for a minute (it counts as asked from the moment it says yes)."""
    at = _last_written["at"]
    if at is None:
        _remember_written(_last_written["sequence"])  # the clock starts with the process's first event
        at = _last_written["at"]
    every_n = sequence % max(1, settings.FDX_AUDIT_CHECKPOINT_EVENTS) == 0
    if every_n or (timezone.now() - at).total_seconds() >= settings.FDX_AUDIT_CHECKPOINT_SECONDS:
        _remember_written(sequence)
        return True
    return False


def write_if_possible() -> str:
    """Write a checkpoint for the background task; a node without a usable key logs why and skips."""
    try:
        checkpoint = write_checkpoint()
    except (node.NodeKeyError, OSError, CheckpointFileError) as exc:
        logger.warning("audit checkpoint not written: %s", exc)
        return f"skipped: {exc}"
    return f"checkpoint {checkpoint.number} at event #{checkpoint.sequence}"


# The file


def _checkpoint(position: int, text: str) -> Checkpoint:
    data = json.loads(text)
    try:
        return Checkpoint(
            line=position,
            number=int(data["number"]),
            node_id=str(data["node_id"]),
            sequence=int(data["sequence"]),
            head_hash=str(data["head_hash"]),
            signed_at=str(data["signed_at"]),
            key_fingerprint=str(data["key_fingerprint"]),
            previous_line_hash=str(data["previous_line_hash"]),
            signature=str(data["signature"]),
            line_hash=line_hash(text),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise CheckpointFileError(f"line {position}: not a checkpoint ({exc})") from None


def _read_lines(path: Path) -> list[tuple[str, dict]]:
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as exc:
        raise CheckpointFileError(f"{path}: cannot read the checkpoint file ({exc})") from None
    lines = []
    for position, text in enumerate(raw.splitlines(), start=1):
        if not text.strip():
            continue
        try:
            data = json.loads(text)
        except ValueError:
            raise CheckpointFileError(f"{path}, line {position}: not JSON") from None
        if not isinstance(data, dict):
            raise CheckpointFileError(f"{path}, line {position}: not a JSON object")
        lines.append((text, data))
    return lines


def _tail_lines(path: Path, size: int = 64 * 1024) -> list[tuple[str, dict]]:
    """The last lines of the file (enough to hold its last checkpoint, whatever the file's length)."""
    try:
        with open(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            length = handle.tell()
            while True:
                handle.seek(max(0, length - size))
                chunk = handle.read().decode("utf-8", errors="strict")
                lines = chunk.splitlines()
                if length > size:
                    lines = lines[1:]  # the first may be cut
                parsed = [(text, json.loads(text)) for text in lines if text.strip()]
                if length <= size or any(data.get("kind") == "checkpoint" for _text, data in parsed):
                    return parsed
                size *= 4
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise CheckpointFileError(f"{path}: cannot read the checkpoint file's last lines ({exc})") from None


def _append(path: Path, text: str) -> None:
    """Append one line and flush it to disk before the lock is released."""
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    with os.fdopen(descriptor, "a", encoding="utf-8") as handle:
        handle.write(text + "\n")
        handle.flush()
        os.fsync(handle.fileno())


@contextlib.contextmanager
def _file_lock(path: Path):
    """One writer at a time, across this node's processes."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with open(path.with_name(path.name + ".lock"), "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# What the pages and the API show


@dataclass(frozen=True)
class CheckpointStatus:
    """The latest checkpoint against the chain's head now (no walk of the chain: see ``verify_chain``)."""

    file: str
    count: int
    head_sequence: int
    last_number: int | None = None
    last_sequence: int | None = None
    last_signed_at: str = ""
    last_key_fingerprint: str = ""
    last_signature_valid: bool | None = None
    countersignatures: int = 0
    problem: str = ""

    @property
    def unanchored_events(self) -> int:
        return max(0, self.head_sequence - (self.last_sequence or 0))

    def as_dict(self) -> dict:
        return {
            "file": self.file,
            "count": self.count,
            "head_sequence": self.head_sequence,
            "last_number": self.last_number,
            "last_sequence": self.last_sequence,
            "last_signed_at": self.last_signed_at,
            "last_key_fingerprint": self.last_key_fingerprint,
            "last_signature_valid": self.last_signature_valid,
            "countersignatures": self.countersignatures,
            "unanchored_events": self.unanchored_events,
            "problem": self.problem,
        }


def status() -> CheckpointStatus:
    """Where the checkpoints stand: the last one, whether its signature holds, how many events follow it."""
    head = AuditChainHead.objects.filter(pk=1).first()
    head_sequence = head.last_sequence if head else 0
    try:
        found = read_checkpoints()
    except CheckpointFileError as exc:
        return CheckpointStatus(
            file=str(checkpoint_file()), count=0, head_sequence=head_sequence, problem=str(exc)
        )
    if not found:
        return CheckpointStatus(file=str(checkpoint_file()), count=0, head_sequence=head_sequence)
    last = found[-1]
    return CheckpointStatus(
        file=str(checkpoint_file()),
        count=len(found),
        head_sequence=head_sequence,
        last_number=last.number,
        last_sequence=last.sequence,
        last_signed_at=last.signed_at,
        last_key_fingerprint=last.key_fingerprint,
        last_signature_valid=signature_valid(last),
        countersignatures=len(last.countersignatures),
    )
