"""Ed25519 keys as FDX writes them down (Django-free): fingerprints, base64 public keys, verification.

The node's own key file and the database's record of its public keys are ``fdx.core.node``; what is signed
with them (audit checkpoints, exchange messages) uses these primitives, so that a fingerprint or a public key
is written the same way everywhere.
"""

from __future__ import annotations

import base64
import binascii
import hashlib

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey


def raw_public_key(public_key: Ed25519PublicKey) -> bytes:
    """The 32 raw bytes of a public key."""
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def fingerprint(public_key: Ed25519PublicKey) -> str:
    """SHA-256 of the 32 raw public-key bytes, in hexadecimal (read out in groups of four to compare)."""
    return hashlib.sha256(raw_public_key(public_key)).hexdigest()


def public_key_text(private_key: Ed25519PrivateKey) -> str:
    """The base64 of the raw public half of ``private_key``."""
    return base64.b64encode(raw_public_key(private_key.public_key())).decode("ascii")


def public_key_from_text(public_key_base64: str) -> Ed25519PublicKey:
    """The public key written as base64 of its 32 raw bytes (``ValueError`` when it is not one)."""
    try:
        raw = base64.b64decode(public_key_base64, validate=True)
    except binascii.Error as exc:
        raise ValueError(f"not base64: {exc}") from None
    return Ed25519PublicKey.from_public_bytes(raw)


def grouped(fingerprint_hex: str) -> str:
    """``ab12 cd34 …``: a fingerprint as people read it to each other over the telephone."""
    return " ".join(fingerprint_hex[i : i + 4] for i in range(0, len(fingerprint_hex), 4))


def verify_with(public_key: Ed25519PublicKey, signature: bytes, data: bytes) -> bool:
    """Whether ``signature`` is ``public_key``'s signature of ``data``."""
    try:
        public_key.verify(signature, data)
    except InvalidSignature:
        return False
    return True


def verify(public_key_base64: str, signature: bytes, data: bytes) -> bool:
    """Whether ``signature`` is the signature of ``data`` by the key ``public_key_base64``."""
    return verify_with(public_key_from_text(public_key_base64), signature, data)
