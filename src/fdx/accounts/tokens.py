"""API token generation and hashing (Django-free).

Tokens are 256-bit random strings, so a plain SHA-256 is a sufficient one-way store (no salt or slow hash
is needed against guessing, unlike passwords); lookups by hash use a unique index.
"""

from __future__ import annotations

import hashlib
import secrets

TOKEN_PREFIX = "fdx_"  # noqa: S105 (a marker, not a secret)
_DISPLAY_LENGTH = 12


def generate_token() -> str:
    """A new bearer token, such as ``fdx_3q2…``; shown to its owner once, never stored."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """The SHA-256 (hex) under which a token is stored and looked up."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def display_prefix(token: str) -> str:
    """The first characters of a token, kept so that its owner can tell tokens apart."""
    return token[:_DISPLAY_LENGTH]


def looks_like_token(value: str) -> bool:
    return value.startswith(TOKEN_PREFIX) and 20 <= len(value) <= 100
