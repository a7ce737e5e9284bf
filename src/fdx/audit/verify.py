"""Walking the audit chain and naming its first broken link."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fdx.audit import chain
from fdx.audit.models import AuditChainHead, AuditEvent

_VALUE_FIELDS = [name for name in chain.HASHED_FIELDS if name not in ("actor_id", "organisation_id")]


@dataclass(frozen=True)
class ChainVerification:
    """The outcome of a walk: ``ok`` and, when broken, the first bad sequence number and why."""

    ok: bool
    events_checked: int
    last_sequence: int
    broken_sequence: int | None = None
    problem: str = ""

    def as_dict(self) -> dict:
        return {
            "ok": self.ok,
            "events_checked": self.events_checked,
            "last_sequence": self.last_sequence,
            "broken_sequence": self.broken_sequence,
            "problem": self.problem,
        }


def verify_chain(progress: Callable[[int], None] | None = None, chunk_size: int = 5000) -> ChainVerification:
    """Recompute every link in order; stop at the first gap, reordering, altered event or cut tail."""
    expected_previous = chain.GENESIS_HASH
    expected_sequence = 1
    checked = 0
    rows = AuditEvent.objects.order_by("sequence").values(
        *_VALUE_FIELDS, "actor_id", "organisation_id", "hash"
    )
    for row in rows.iterator(chunk_size=chunk_size):
        sequence = row["sequence"]
        if sequence != expected_sequence:
            return _broken(
                checked, expected_sequence, f"event #{expected_sequence} is missing (next is #{sequence})"
            )
        if row["previous_hash"] != expected_previous:
            return _broken(checked, sequence, f"event #{sequence} does not link to event #{sequence - 1}")
        if chain.event_hash(row) != row["hash"]:
            return _broken(
                checked, sequence, f"event #{sequence} ({row['action']}) was changed after it was written"
            )
        expected_previous = row["hash"]
        expected_sequence += 1
        checked += 1
        if progress is not None and checked % chunk_size == 0:
            progress(checked)
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is None:
        return _broken(checked, None, "the chain head is missing")
    if head.last_sequence != checked or head.last_hash != expected_previous:
        return _broken(
            checked,
            checked + 1 if head.last_sequence > checked else head.last_sequence,
            f"the chain head names event #{head.last_sequence} but the last stored event is #{checked}",
        )
    return ChainVerification(ok=True, events_checked=checked, last_sequence=checked)


def _broken(checked: int, sequence: int | None, problem: str) -> ChainVerification:
    return ChainVerification(
        ok=False, events_checked=checked, last_sequence=checked, broken_sequence=sequence, problem=problem
    )
