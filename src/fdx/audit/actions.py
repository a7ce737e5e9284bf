"""Writing the audit chain. Domain actions call ``record`` inside the transaction of their change."""

from __future__ import annotations

import json
import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fdx.audit import chain, checkpoints, events
from fdx.audit.audit_events import EVENTS_EXPORTED
from fdx.audit.models import AuditChainHead, AuditEvent
from fdx.core import request_context
from fdx.core.actors import is_system, require_permission

logger = logging.getLogger(__name__)


def record(
    event: events.EventType | str,
    *,
    actor=None,
    organisation=None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    before: dict | None = None,
    after: dict | None = None,
    reason: str = "",
) -> AuditEvent:
    """Append one event to the chain, in the caller's transaction (or a new one).

    ``actor`` is a user, a ``SystemActor`` (recorded by its label) or None (an anonymous request). ``obj``
    fills in the object type, global id and text; ``before``/``after`` are JSON-safe snapshots (see
    ``snapshot``). The actor's organisation is used when ``organisation`` is not given.
    """
    event_type = events.get(str(event))
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(getattr(obj, "global_id", None) or obj.pk)
        object_repr = object_repr or str(obj)[:250]
    actor_username = ""
    if is_system(actor):
        actor_username, actor = actor.label, None
    elif actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    if actor is not None:
        actor_username = actor.get_username()
        if organisation is None:
            organisation = actor.organisation
    context = request_context.current()
    with transaction.atomic():
        # Locking the head serialises appenders (PostgreSQL); SQLite's IMMEDIATE transactions already do.
        head = AuditChainHead.objects.select_for_update().get(pk=1)
        fields: dict[str, Any] = {
            "sequence": head.last_sequence + 1,
            "occurred_at": timezone.now(),
            "action": event_type.code,
            "actor_id": actor.pk if actor else None,
            "actor_username": actor_username,
            "organisation_id": organisation.pk if organisation else None,
            "organisation_code": organisation.code if organisation else "",
            "object_type": object_type,
            "object_id": str(object_id),
            "object_repr": object_repr[:250],
            "before": _json_safe(before),
            "after": _json_safe(after),
            "reason": reason,
            "request_id": context.request_id,
            "ip_address": context.ip_address or "",
            "previous_hash": head.last_hash,
        }
        fields["hash"] = chain.event_hash(fields)
        audit_event = AuditEvent.objects.create(**fields)
        head.last_sequence = audit_event.sequence
        head.last_hash = audit_event.hash
        head.save(update_fields=["last_sequence", "last_hash"])
        if checkpoints.due(audit_event.sequence):
            transaction.on_commit(_enqueue_checkpoint)
    return audit_event


def _enqueue_checkpoint() -> None:
    """Ask the worker to sign the head (never fails the change whose event was just written)."""
    from fdx.audit.tasks import write_checkpoint

    try:
        write_checkpoint.enqueue()
    except Exception:
        logger.exception("could not enqueue an audit checkpoint")


def snapshot(instance: models.Model, fields: tuple[str, ...] | list[str]) -> dict[str, Any]:
    """The named fields of ``instance`` as JSON-safe values (foreign keys by their global id or key)."""
    data: dict[str, Any] = {}
    for name in fields:
        field = instance._meta.get_field(name)
        if field.many_to_many:
            data[name] = sorted(str(_related_key(item)) for item in getattr(instance, name).all())
        elif field.is_relation:
            related = getattr(instance, name)
            data[name] = None if related is None else str(_related_key(related))
        else:
            data[name] = getattr(instance, field.attname)
    return _json_safe(data)


def audit_fields(instance: models.Model) -> list[str]:
    """The fields an audit snapshot of ``instance`` holds: its model's ``audit_fields`` where it names them,
    else every concrete field but the id."""
    return list(
        getattr(instance, "audit_fields", None)
        or [f.name for f in instance._meta.concrete_fields if f.name != "id"]
    )


def changes(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the keys whose values differ, so that an update's event shows what changed."""
    keys = [key for key in after if before.get(key) != after.get(key)]
    return {key: before.get(key) for key in keys}, {key: after[key] for key in keys}


def _related_key(related: models.Model):
    for attribute in ("global_id", "code", "username"):
        value = getattr(related, attribute, None)
        if value:
            return value
    return related.pk


def _json_safe(value):
    """Round-trip through JSON so that what is hashed is exactly what the database gives back."""
    if value is None:
        return None
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, sort_keys=True))


def export_events(actor, *, reason: str):
    """Yield every event as a JSON line (oldest first), after auditing the export itself."""
    require_permission(actor, "audit.view_all_events")
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the audit events are exported.")})
    record(EVENTS_EXPORTED, actor=actor, object_type="audit.chain", reason=reason)
    fields = [*chain.HASHED_FIELDS, "hash"]
    for row in AuditEvent.objects.order_by("sequence").values(*fields).iterator(chunk_size=5000):
        row["occurred_at"] = chain.format_timestamp(row["occurred_at"])
        yield json.dumps(row, ensure_ascii=False, sort_keys=True)
