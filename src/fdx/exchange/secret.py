"""This node's pseudonymisation secret: the key of the HMAC that hides case numbers leaving the country.

A file beside the node's key (``FDX_EXCHANGE_SECRET_FILE``), 32 random bytes, readable by its owner only,
created on first use. It never leaves the node and is not in the database (a database dump does not let
anyone reverse the hashes by trying numbers). Losing it only means that the same number hashes differently
from then on: back it up with the key.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.conf import settings

from fdx.exchange.pseudonymise import MIN_SECRET_BYTES

_cache: dict[Path, bytes] = {}


class SecretFileError(Exception):
    """The secret file cannot be read or is too short; says which file and why."""


def secret_file() -> Path:
    return Path(settings.FDX_EXCHANGE_SECRET_FILE)


def node_secret() -> bytes:
    """The secret (created, mode 0600, when the file does not exist yet)."""
    path = secret_file()
    cached = _cache.get(path)
    if cached is not None:
        return cached
    if not path.exists():
        _create(path)
    try:
        value = path.read_bytes()
    except OSError as exc:
        raise SecretFileError(f"{path}: cannot read the exchange secret ({exc.strerror})") from None
    if len(value) < MIN_SECRET_BYTES:
        raise SecretFileError(f"{path}: the exchange secret must be at least {MIN_SECRET_BYTES} bytes")
    _cache[path] = value
    return value


def _create(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first: use that one
        return
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(secrets.token_bytes(MIN_SECRET_BYTES))
