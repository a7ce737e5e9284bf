"""Reads of the audit chain, restricted to administrators (own organisation or the whole node)."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from fdx.audit.models import AuditEvent


def list_events(
    viewer,
    *,
    action: str | None = None,
    actor: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    since: datetime.datetime | None = None,
    until: datetime.datetime | None = None,
    organisation: str | None = None,
) -> QuerySet[AuditEvent]:
    """Audit events ``viewer`` may read, newest first, with optional filters."""
    queryset = AuditEvent.objects.restrict(viewer, "view")
    if action:
        queryset = (
            queryset.filter(action__startswith=action)
            if action.endswith(".")
            else queryset.filter(action=action)
        )
    if actor:
        queryset = queryset.filter(actor_username=actor)
    if object_type:
        queryset = queryset.filter(object_type=object_type)
    if object_id:
        queryset = queryset.filter(object_id=object_id)
    if organisation:
        queryset = queryset.filter(organisation_code=organisation)
    if since:
        queryset = queryset.filter(occurred_at__gte=since)
    if until:
        queryset = queryset.filter(occurred_at__lt=until)
    return queryset.order_by("-sequence")


def get_event(viewer, sequence: int) -> AuditEvent:
    return get_object_or_404(AuditEvent.objects.restrict(viewer, "view"), sequence=sequence)
