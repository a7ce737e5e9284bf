"""Walking the audit chain, naming its first broken link, and checking it against the signed checkpoints.

Inside the database the walk proves that the events agree with each other (every hash, every link, the
head, time never running backwards). The checkpoints (``fdx.audit.checkpoints``), signed by the node's key
and kept outside the database, prove that the events up to the last checkpoint are the ones the node wrote.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from fdx.audit import chain, checkpoints
from fdx.audit.models import AuditChainHead, AuditEvent
from fdx.core import node

_VALUE_FIELDS = [name for name in chain.HASHED_FIELDS if name not in ("actor_id", "organisation_id")]


@dataclass(frozen=True)
class ChainVerification:
    """The outcome of a walk: ``ok`` and, when broken, the first bad sequence number and why; with the
    checkpoints, how far back the chain is anchored outside the database."""

    ok: bool
    events_checked: int
    last_sequence: int
    broken_sequence: int | None = None
    problem: str = ""
    checkpoints_checked: int = 0
    anchored_sequence: int | None = None  # the last checkpoint's event, when one matches
    anchored_at: str = ""  # when that checkpoint was signed (UTC, ISO 8601)
    checkpoint_file: str = ""
    warning: str = ""  # holds, but with a caveat (the last checkpoint not signed by the key file's key)

    def as_dict(self) -> dict:
        return {
            "ok": self.ok,
            "events_checked": self.events_checked,
            "last_sequence": self.last_sequence,
            "broken_sequence": self.broken_sequence,
            "problem": self.problem,
            "checkpoints_checked": self.checkpoints_checked,
            "anchored_sequence": self.anchored_sequence,
            "anchored_at": self.anchored_at,
            "unanchored_events": self.unanchored_events,
            "warning": self.warning,
            "statement": self.statement(),
        }

    @property
    def unanchored_events(self) -> int:
        return self.last_sequence - (self.anchored_sequence or 0)

    def statement(self) -> str:
        """How far back the verification vouches for the chain, in the active language."""
        if not self.ok:
            return _("The chain is broken at event #%(sequence)s: %(problem)s") % {
                "sequence": self.broken_sequence if self.broken_sequence is not None else "—",
                "problem": self.problem,
            }
        verified = _("Events 1–%(last)s verified, every link intact.") % {"last": self.last_sequence}
        if self.anchored_sequence is None:
            return " ".join(
                [
                    verified,
                    _(
                        "No signed checkpoint anchors them outside the database yet: someone able to "
                        "write the database could have rewritten them all."
                    ),
                ]
            )
        parts = [
            verified,
            _("The last checkpoint (signed %(at)s, event #%(sequence)s) matches, as do all %(count)s.")
            % {"at": self.anchored_at, "sequence": self.anchored_sequence, "count": self.checkpoints_checked},
        ]
        if self.unanchored_events:
            parts.append(
                _("Events after #%(sequence)s are not anchored yet.") % {"sequence": self.anchored_sequence}
            )
        if self.warning:
            parts.append(self.warning)
        return " ".join(parts)


def verify_chain(progress: Callable[[int], None] | None = None, chunk_size: int = 5000) -> ChainVerification:
    """Recompute every link in order and compare it with every signed checkpoint; stop at the first gap,
    reordering, altered or back-dated event, cut tail, or checkpoint that the chain does not match."""
    try:
        anchors = checkpoints.read_checkpoints()
    except checkpoints.CheckpointFileError as exc:
        return _broken(0, None, str(exc))
    problem = _checkpoint_problem(anchors)
    if problem:
        return _broken(0, None, problem)
    expected_at_sequence = {c.sequence: c for c in anchors if c.sequence > 0}
    # The first event after a checkpoint must be later than it: the checkpoint was signed holding the
    # head's lock, so an event it does not cover was written after it.
    not_before = {c.sequence + 1: c for c in anchors}
    expected_previous = chain.GENESIS_HASH
    expected_sequence = 1
    previous_time = None
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
        if previous_time is not None and row["occurred_at"] < previous_time:
            return _broken(
                checked, sequence, f"event #{sequence} is dated before event #{sequence - 1} (back-dated)"
            )
        anchor = expected_at_sequence.get(sequence)
        if anchor is not None and anchor.head_hash != row["hash"]:
            return _broken(
                checked,
                sequence,
                f"event #{sequence} is not the event that checkpoint {anchor.number} (signed "
                f"{anchor.signed_at}) vouches for: the chain was rewritten from there or earlier",
            )
        earlier = not_before.get(sequence)
        if earlier is not None and chain.format_timestamp(row["occurred_at"]) < earlier.signed_at:
            return _broken(
                checked,
                sequence,
                f"event #{sequence} is dated before checkpoint {earlier.number} (signed {earlier.signed_at}) "
                f"that ends at event #{earlier.sequence}: it was added afterwards, back-dated",
            )
        previous_time = row["occurred_at"]
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
    if anchors and anchors[-1].sequence > checked:
        last = anchors[-1]
        return _broken(
            checked,
            checked + 1,
            f"checkpoint {last.number} (signed {last.signed_at}) vouches for event #{last.sequence}, but the "
            f"chain ends at event #{checked}: events were removed",
        )
    anchored = anchors[-1] if anchors else None
    return ChainVerification(
        ok=True,
        events_checked=checked,
        last_sequence=checked,
        checkpoints_checked=len(anchors),
        anchored_sequence=anchored.sequence if anchored else None,
        anchored_at=anchored.signed_at if anchored else "",
        checkpoint_file=str(checkpoints.checkpoint_file()),
        warning=_key_warning(anchored),
    )


def _key_warning(anchored: checkpoints.Checkpoint | None) -> str:
    """A last checkpoint signed by a key other than the one in the key file: expected for a moment after a
    rotation, and otherwise the mark of a key slipped into the database to sign forged checkpoints."""
    if anchored is None:
        return ""
    try:
        in_file = node.fingerprint(node.load_private_key().public_key())
    except node.NodeKeyError:
        return ""  # this process cannot read the key (another account): nothing to compare
    if in_file == anchored.key_fingerprint:
        return ""
    return _(
        "The last checkpoint is not signed by the key in the node's key file: write a new one "
        "(fdx audit checkpoint) and, if the key was not just replaced, find out who added key %(key)s."
    ) % {"key": anchored.key_fingerprint[:16]}


def _checkpoint_problem(anchors: list[checkpoints.Checkpoint]) -> str:
    """What is wrong with the checkpoints on their own: a bad signature, or time or sequence going back."""
    previous = None
    for anchor in anchors:
        if not checkpoints.signature_valid(anchor):
            return (
                f"checkpoint {anchor.number} (line {anchor.line} of the checkpoint file) is not signed by a "
                "key of this node"
            )
        if previous is not None and (
            anchor.sequence < previous.sequence or anchor.signed_at < previous.signed_at
        ):
            return f"checkpoint {anchor.number} goes back from checkpoint {previous.number}"
        previous = anchor
    return ""


def _broken(checked: int, sequence: int | None, problem: str) -> ChainVerification:
    return ChainVerification(
        ok=False,
        events_checked=checked,
        last_sequence=checked,
        broken_sequence=sequence,
        problem=problem,
        checkpoint_file=str(checkpoints.checkpoint_file()),
    )
