"""Audit API: read the chain (administrators), verify it (node administrators), list the vocabulary."""

import datetime

from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from fdx.audit import checkpoints, events, selectors
from fdx.audit.verify import verify_chain
from fdx.audit.visibility import shown_one, shown_to
from fdx.core.actors import require_permission
from fdx.core.api.pagination import KeysetPagination, ShownQuerySet
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
    sentence: str = Field(description="The event as a sentence in the request's language")
    withheld: bool = Field(
        description="The record is not visible to the reader: object text, before, after and reason withheld"
    )
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
    checkpoints_checked: int
    anchored_sequence: int | None = Field(description="The event the last signed checkpoint vouches for")
    anchored_at: str
    unanchored_events: int
    warning: str
    statement: str = Field(description="How far back the verification vouches, in the request's language")


class CheckpointStatusOut(Schema):
    file: str
    count: int
    head_sequence: int
    last_number: int | None
    last_sequence: int | None
    last_signed_at: str
    last_key_fingerprint: str
    last_signature_valid: bool | None
    countersignatures: int
    unanchored_events: int
    problem: str


class EventTypeOut(Schema):
    code: str
    category: str
    sentence: str


@router.get("/events", response=list[AuditEventOut], summary="Audit events (administrators)")
@paginate(KeysetPagination)
def list_events(request, filters: Query[AuditFilters]):
    events = selectors.list_events(request.user, **filters.dict())
    return ShownQuerySet(events, lambda page: shown_to(request.user, page))


@router.get("/events/{sequence}", response=AuditEventOut, summary="One audit event")
def get_event(request, sequence: int):
    return shown_one(request.user, selectors.get_event(request.user, sequence))


@router.get(
    "/checkpoints", response=CheckpointStatusOut, summary="The last signed checkpoint (node administrators)"
)
def checkpoint_status(request):
    require_permission(request.user, "audit.verify_chain")
    return checkpoints.status().as_dict()


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
