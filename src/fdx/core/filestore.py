"""A content-addressed file store: files kept under their SHA-256, so that a stored file's hash is its name
and any later change to it is detectable (``verify``). Hand-written: Django's storage API names files by
their upload name, and court records need the hash to be the identity."""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

CHUNK = 1024 * 1024


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size_bytes: int


class FileTooLarge(ValueError):
    pass


def root() -> Path:
    return Path(settings.MEDIA_ROOT) / "sha256"


def path_for(sha256: str) -> Path:
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError("not a SHA-256 hex digest")
    return root() / sha256[:2] / sha256[2:4] / sha256


def store(chunks, max_bytes: int) -> StoredFile:
    """Write the byte ``chunks`` to the store (once per content) and return their hash and size."""
    root().mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    with tempfile.NamedTemporaryFile(dir=root(), delete=False) as handle:
        temporary = Path(handle.name)
        try:
            for chunk in chunks:
                size += len(chunk)
                if size > max_bytes:
                    raise FileTooLarge(f"the file is larger than {max_bytes // (1024 * 1024)} MB")
                digest.update(chunk)
                handle.write(chunk)
        except BaseException:
            handle.close()
            temporary.unlink(missing_ok=True)
            raise
    sha256 = digest.hexdigest()
    final = path_for(sha256)
    if final.exists():
        temporary.unlink()
    else:
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(temporary, final)
        final.chmod(0o440)
    return StoredFile(sha256=sha256, size_bytes=size)


def open_stored(sha256: str):
    return open(path_for(sha256), "rb")


def verify(sha256: str) -> bool:
    """Whether the stored file still hashes to its name."""
    digest = hashlib.sha256()
    with open_stored(sha256) as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest() == sha256
