"""Audit API: read the chain (administrators), verify it (node administrators), list the vocabulary."""

import datetime

from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from fdx.audit import events, selectors
from fdx.audit.verify import verify_chain
from fdx.core.actors import require_permission
from fdx.core.api.pagination import FdxPagination
from fdx.core.api.types import IsoDateTime

router = Router(tags=["audit"])


class AuditEventOut(Schema):
    sequence: int
    occurred_at: datetime.datetime
    action: str
    actor: str = Field(alias="actor_username")
    organisation: str = Field(alias="organisation_code")
    object_type: str
    object_id: str
    object_repr: str
    before: dict | None
    after: dict | None
    reason: str
    request_id: str
    ip_address: str | None
    previous_hash: str
    hash: str


class AuditFilters(Schema):
    action: str | None = Field(None, description="An event code, or a prefix ending in a dot (accounts.)")
    actor: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    organisation: str | None = None
    since: IsoDateTime | None = None
    until: IsoDateTime | None = None


class VerificationOut(Schema):
    ok: bool
    events_checked: int
    last_sequence: int
    broken_sequence: int | None
    problem: str


class EventTypeOut(Schema):
    code: str
    category: str
    sentence: str


@router.get("/events", response=list[AuditEventOut], summary="Audit events (administrators)")
@paginate(FdxPagination)
def list_events(request, filters: Query[AuditFilters]):
    return selectors.list_events(request.user, **filters.dict())


@router.get("/events/{sequence}", response=AuditEventOut, summary="One audit event")
def get_event(request, sequence: int):
    return selectors.get_event(request.user, sequence)


@router.get("/verify", response=VerificationOut, summary="Verify the whole chain (node administrators)")
def verify(request):
    require_permission(request.user, "audit.verify_chain")
    return verify_chain().as_dict()


@router.get("/event-types", response=list[EventTypeOut], summary="The audit vocabulary")
def event_types(request):
    return [
        {"code": e.code, "category": e.category, "sentence": str(e.sentence)}
        for e in events.all_event_types()
    ]
