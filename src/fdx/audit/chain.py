"""Hashing of the audit chain (Django-free): canonical JSON and SHA-256 links.

Each event's hash covers its own fields and the previous event's hash, so changing, removing or reordering
any stored event breaks every later link. The canonical form is JSON with sorted keys, no insignificant
whitespace and UTF-8 text; timestamps are ISO 8601 in UTC with microseconds.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

GENESIS_HASH = "0" * 64

#: The fields of an event that its hash covers, in the order they are documented.
HASHED_FIELDS = (
    "sequence",
    "occurred_at",
    "action",
    "actor_id",
    "actor_username",
    "organisation_id",
    "organisation_code",
    "object_type",
    "object_id",
    "object_repr",
    "before",
    "after",
    "reason",
    "request_id",
    "ip_address",
    "previous_hash",
)


def canonical_json(value: Any) -> bytes:
    """Serialise ``value`` the one way the chain hashes it."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def format_timestamp(moment: datetime) -> str:
    """UTC ISO 8601 with microseconds, so that the text is the same before and after a database round trip."""
    if moment.tzinfo is None:
        raise ValueError("audit timestamps must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_hash(fields: dict[str, Any]) -> str:
    """SHA-256 (hex) over the canonical JSON of the hashed ``fields`` of one event."""
    missing = [name for name in HASHED_FIELDS if name not in fields]
    if missing:
        raise ValueError(f"audit event is missing hashed fields: {', '.join(missing)}")
    payload = {name: fields[name] for name in HASHED_FIELDS}
    if isinstance(payload["occurred_at"], datetime):
        payload["occurred_at"] = format_timestamp(payload["occurred_at"])
    return hashlib.sha256(canonical_json(payload)).hexdigest()
