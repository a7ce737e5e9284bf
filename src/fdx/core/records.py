"""Guards of distributed records, used by every action that changes one: only the node a record comes from
changes it (a received record is read-only here, but for its local annotations), and a tombstone stays one."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from fdx.core.models import DistributedRecord, RecordState
from fdx.core.node import local_node_id


def require_local(record: DistributedRecord, changed: set[str] | frozenset[str] | None = None) -> None:
    """Refuse (``PermissionDenied``) a change to a record another node created, unless every field in
    ``changed`` is one of its local annotations (``LOCAL_FIELDS``). ``changed`` None means "anything"."""
    if record.is_local:
        return
    if changed is not None and changed and set(changed) <= set(record.LOCAL_FIELDS):
        return
    raise PermissionDenied(
        _("This record was received from another node (%(node)s); only that node changes it.")
        % {"node": record.origin_node}
    )


def tombstone(record: DistributedRecord) -> None:
    """Make ``record`` a tombstone instead of deleting it: gone for every reader, its version moved on, so
    that peers holding a copy learn of it."""
    require_local(record)
    record.record_state = RecordState.DELETED
    record.record_state_changed_at = timezone.now()
    record.save(update_fields=["record_state", "record_state_changed_at", "updated_at"])


def tombstone_all(queryset: models.QuerySet) -> int:
    """Make every record of ``queryset`` that this node created a tombstone (a received one is not this
    node's to delete); returns how many."""
    now = timezone.now()
    local = queryset.filter(origin_node=local_node_id())
    return local.update(record_state=RecordState.DELETED, record_state_changed_at=now, updated_at=now)


def mark_retracted(record: DistributedRecord) -> None:
    """Set the record's state to retracted (kept, shown as withdrawn): the action that retracts it saves."""
    record.record_state = RecordState.RETRACTED
    record.record_state_changed_at = timezone.now()
