"""This node: its identifier, name, country and role, and its Ed25519 signing key.

The identifier is generated once (``NodeIdentity``) and stamped on every record created here as its origin.
Name, country and role come from the environment (``FDX_NODE_NAME``, ``FDX_NODE_COUNTRY``,
``FDX_NODE_ROLE``). The private key is a file outside the database (``FDX_NODE_KEY_FILE``, mode 0600); the
database keeps the public half of every key the node has had (``NodeKey``), so that what was signed with an
earlier key can still be verified after a rotation.

These are the primitives; the audited actions that create and rotate keys are ``fdx.accounts.node``.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.apps import apps
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone

# ``grouped`` and ``verify`` are re-exported: callers reach the key primitives through ``node``.
from fdx.core.signing import fingerprint, grouped, public_key_text, verify  # noqa: F401

_lock = threading.Lock()
_node_ids: dict[tuple[str, str], uuid.UUID] = {}


class NodeKeyError(Exception):
    """The node's key file is missing, unreadable or not the key the database knows; says which."""


def local_node_id() -> uuid.UUID:
    """This node's identifier (created on first use; kept per database for the life of the process)."""
    connection = connections[DEFAULT_DB_ALIAS]
    cache_key = (connection.vendor, str(connection.settings_dict["NAME"]))
    with _lock:
        if cache_key not in _node_ids:
            _node_ids[cache_key] = _stored_node_id()
        return _node_ids[cache_key]


def _stored_node_id() -> uuid.UUID:
    identity_model = apps.get_model("core", "NodeIdentity")
    identity, _created = identity_model.objects.get_or_create(pk=1, defaults={"node_id": uuid.uuid4()})
    return identity.node_id


@dataclass(frozen=True)
class NodeDescription:
    """What a node administrator (and, later, a peer checking out of band) needs to know about this node."""

    node_id: uuid.UUID
    name: str
    country: str
    role: str
    fingerprint: str  # of the current public key; empty when the node has none yet
    public_key: str  # base64 of the 32 raw bytes
    key_created_at: object  # datetime or None
    key_file: Path
    key_file_matches: bool  # the file holds the private half of the recorded public key
    retired_keys: int


def describe() -> NodeDescription:
    """This node as it stands: identity, settings and the state of its key."""
    current = current_key()
    matches = False
    if current is not None:
        try:
            matches = public_key_text(load_private_key()) == current.public_key
        except NodeKeyError:
            matches = False
    return NodeDescription(
        node_id=local_node_id(),
        name=settings.FDX_NODE_NAME,
        country=settings.FDX_NODE_COUNTRY,
        role=settings.FDX_NODE_ROLE,
        fingerprint=current.fingerprint if current else "",
        public_key=current.public_key if current else "",
        key_created_at=current.created_at if current else None,
        key_file=key_file(),
        key_file_matches=matches,
        retired_keys=_node_key_model().objects.filter(retired_at__isnull=False).count(),
    )


# Keys


def key_file() -> Path:
    return Path(settings.FDX_NODE_KEY_FILE)


def current_key():
    """The ``NodeKey`` the node signs with now, or None before the first set-up."""
    return _node_key_model().objects.filter(retired_at__isnull=True).first()


def known_key(key_fingerprint: str):
    """The ``NodeKey`` (current or retired) with this fingerprint, or None: what verifies an old signature."""
    return _node_key_model().objects.filter(fingerprint=key_fingerprint).first()


def load_private_key(path: Path | None = None) -> Ed25519PrivateKey:
    """The private key in the key file; ``NodeKeyError`` says what is wrong with the file."""
    path = path or key_file()
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise NodeKeyError(f"{path}: the node's key file is missing") from None
    except OSError as exc:
        raise NodeKeyError(f"{path}: cannot read the node's key file ({exc.strerror})") from None
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        raise NodeKeyError(f"{path}: not an unencrypted PEM private key") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise NodeKeyError(f"{path}: not an Ed25519 key")
    return key


def sign(data: bytes) -> bytes:
    """Sign ``data`` with the node's current key (the file must hold the key the database knows)."""
    key = load_private_key()
    current = current_key()
    if current is None or public_key_text(key) != current.public_key:
        raise NodeKeyError(f"{key_file()}: not the key this node's database knows; see `fdx node show`")
    return key.sign(data)


def create_key(path: Path | None = None):
    """Generate a key pair when the node has none: the private key into a new file (mode 0600), the public
    key into ``NodeKey``. An existing key file of a node without a recorded key is adopted, not replaced.
    Returns ``(NodeKey, created)``; ``NodeKeyError`` when the recorded key's file is missing or differs."""
    path = path or key_file()
    with transaction.atomic():
        current = _node_key_model().objects.select_for_update().filter(retired_at__isnull=True).first()
        if current is not None:
            if public_key_text(load_private_key(path)) != current.public_key:
                raise NodeKeyError(f"{path}: not the key this node's database knows; see `fdx node show`")
            return current, False
        if path.exists():
            key = load_private_key(path)
            _owner_only(path)
        else:
            key = Ed25519PrivateKey.generate()
            _write_private_key(path, key)
        return _record(key), True


def rotate_key(reason: str, path: Path | None = None):
    """Retire the current key (kept, for verifying what it signed) and start a new one. Returns
    ``(new, retired)``.

    Rotations queue behind the lock on the current key's row. The new private key is written only when the
    transaction commits, and only if it is then still the key the database holds: a rotation that does not
    commit leaves no private key anywhere. The old file is kept, renamed ``….retired-<time>``, for its
    owner to archive or destroy."""
    path = path or key_file()
    key = Ed25519PrivateKey.generate()
    with transaction.atomic():
        retired = _node_key_model().objects.select_for_update().filter(retired_at__isnull=True).first()
        if retired is not None:
            retired.retired_at = timezone.now()
            retired.retirement_reason = reason
            retired.save(update_fields=["retired_at", "retirement_reason"])
        new = _record(key)
        transaction.on_commit(lambda: _install_key(path, key, new.fingerprint))
    return new, retired


def _install_key(path: Path, key: Ed25519PrivateKey, key_fingerprint: str) -> None:
    """Put a committed rotation's key in place (one process at a time): the old file is kept under another
    name and the new one replaces it in one step, so the key file is never missing. A key that is no
    longer the current one by then (a later rotation committed first) is not written at all."""
    with _file_lock(path):
        current = current_key()
        if current is None or current.fingerprint != key_fingerprint:
            return
        staged = path.with_name(f"{path.name}.{key_fingerprint[:16]}.new")
        staged.unlink(missing_ok=True)
        _write_private_key(staged, key)
        if path.exists():
            os.link(path, path.with_name(f"{path.name}.retired-{timezone.now():%Y%m%dT%H%M%S%fZ}"))
        os.replace(staged, path)


@contextlib.contextmanager
def _file_lock(path: Path):
    """An exclusive lock on the key's folder, for the processes of this node."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with open(path.parent / ".lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _record(key: Ed25519PrivateKey):
    return _node_key_model().objects.create(
        public_key=public_key_text(key), fingerprint=fingerprint(key.public_key())
    )


def _owner_only(path: Path) -> None:
    """A key file that others could read (copied in by hand, say) is made readable by its owner only."""
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)


def _write_private_key(path: Path, key: Ed25519PrivateKey) -> None:
    """Write the key as PKCS#8 PEM into a new file that only its owner can read (never over an old one)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(pem)


def _node_key_model():
    return apps.get_model("core", "NodeKey")
