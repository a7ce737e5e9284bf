"""Legal-status API: the status of structures (one or a batch), the lists and their entries, and the
maintenance of a jurisdiction's lists by its administrators."""

import io
import uuid

from django.http import Http404, HttpResponse
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from fdx.core.api.errors import ApiError
from fdx.core.api.pagination import FdxPagination
from fdx.core.api.types import IsoDate
from fdx.legal import actions, selectors
from fdx.legal.api.schemas import (
    AnswerOut,
    BatchIn,
    EndIn,
    JurisdictionOut,
    ListingImportOut,
    ListingIn,
    ListingOut,
    ListingReasonIn,
    StatusIn,
)
from fdx.legal.engine.structure import Query as StructureQuery
from fdx.legal.models import Listing
from fdx.substances.selectors import get_substance

router = Router(tags=["legal"])


def _question(payload) -> selectors.Question:
    return selectors.Question(
        tuple(payload.jurisdictions), payload.date, payload.amount_g, payload.as_recorded_at
    )


def _query(item):
    if item.substance and (item.structure or item.name):
        raise ApiError(422, "invalid", "Give a structure, a name or a substance: one of them.")
    if item.substance:
        return selectors.query_for_substance(get_substance(item.substance), label=item.label)
    if not item.structure and not item.name:
        raise ApiError(
            422,
            "invalid",
            "Give a structure, a name or a substance.",
            {"structure": ["Give a structure, a name or a substance."]},
        )
    return selectors.query_for(structure=item.structure, name=item.name, label=item.label)


def _answers(queries, payload) -> list[dict]:
    try:
        return [answer.as_dict() for answer in selectors.assess(queries, _question(payload))]
    except selectors.LegalQueryError as exc:
        raise ApiError(422, "invalid", str(exc), {"jurisdictions": [str(exc)]}) from None


@router.post("/legal/status", response=list[AnswerOut], summary="Legal status of one structure")
def status(request, payload: StatusIn):
    """For each jurisdiction asked (all when none): controlled (true, false, or null when the engine cannot
    decide), the lists, the legal basis of each, and the amount category of ``amount_g``."""
    return _answers([_query(payload)], payload)


@router.post(
    "/legal/status/batch", response=list[AnswerOut], summary="Legal status of up to 1,000 structures"
)
def status_batch(request, payload: BatchIn):
    """The answers of every item in every jurisdiction asked, item by item in the order given."""
    return _answers([_batch_query(item) for item in payload.items], payload)


def _batch_query(item):
    """As ``_query``, but an unknown substance is answered for that item alone ("cannot decide", with the
    error), so that one bad id does not cost the whole batch."""
    try:
        return _query(item)
    except Http404:
        return StructureQuery(
            text=item.label or str(item.substance), error=f"no registry substance {item.substance}"
        )


@router.get("/legal/jurisdictions", response=list[JurisdictionOut], summary="Jurisdictions and their lists")
def jurisdictions(request):
    return list(selectors.list_jurisdictions())


class ListingFilters(Schema):
    date: IsoDate | None = None
    history: bool = False


@router.get("/legal/lists/{code}/listings", response=list[ListingOut], summary="The entries of one list")
@paginate(FdxPagination)
def listings(request, code: str, filters: Query[ListingFilters]):
    """Current entries (in force on ``date`` when given); ``history=true`` gives every record ever written,
    corrections and withdrawals included."""
    control_list = selectors.get_list(code)
    return selectors.list_listings(control_list, day=filters.date, include_history=filters.history)


@router.get(
    "/legal/jurisdictions/{code}/listings.csv", summary="Export a jurisdiction's entries (listing CSV)"
)
def export_listings(request, code: str):
    text, _count = selectors.export_listings(selectors.get_jurisdiction(code))
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="fdx-listings-{code.upper()}.csv"'
    return response


@router.post(
    "/legal/jurisdictions/{code}/import",
    response=ListingImportOut,
    summary="Import entries from a listing CSV (maintainers)",
)
def import_listings(request, code: str, file: File[UploadedFile], dry_run: bool = False, reason: str = ""):
    jurisdiction = selectors.get_jurisdiction(code)
    try:  # the reader checks the bytes are UTF-8 and names the line of one that is not
        counts = actions.import_listings(
            request.user,
            jurisdiction,
            io.BytesIO(file.read()),
            file.name or "upload.csv",
            dry_run=dry_run,
            reason=reason,
        )
    except actions.ImportRefused as refused:
        raise ApiError(
            422, "invalid", "The file has bad rows; nothing was imported.", {"file": refused.problems}
        ) from None
    return {"dry_run": dry_run, **counts}


@router.post("/legal/listings", response={201: ListingOut}, summary="Add an entry to a list (maintainers)")
def add_listing(request, payload: ListingIn):
    values = payload.dict()
    reason = values.pop("reason")
    values["list_code"] = values.pop("list")
    listing = actions.add_listing(request.user, actions.listing_row(**values), reason=reason)
    return Status(201, listing)


@router.post(
    "/legal/listings/{uuid:listing_id}/correct",
    response=ListingOut,
    summary="Correct an entry (the old record stays, closed)",
)
def correct_listing(request, listing_id: uuid.UUID, payload: ListingIn):
    values = payload.dict()
    reason = values.pop("reason")
    values["list_code"] = values.pop("list")
    return actions.correct_listing(
        request.user, _listing(listing_id), actions.listing_row(**values), reason=reason
    )


@router.post(
    "/legal/listings/{uuid:listing_id}/end",
    response=ListingOut,
    summary="End an entry (the substance was removed from the list)",
)
def end_listing(request, listing_id: uuid.UUID, payload: EndIn):
    return actions.end_listing(
        request.user, _listing(listing_id), payload.effective_to, reason=payload.reason
    )


@router.post(
    "/legal/listings/{uuid:listing_id}/withdraw",
    response=ListingOut,
    summary="Withdraw an entry recorded in error",
)
def withdraw_listing(request, listing_id: uuid.UUID, payload: ListingReasonIn):
    return actions.withdraw_listing(request.user, _listing(listing_id), reason=payload.reason)


def _listing(listing_id) -> Listing:
    return selectors.get_listing(listing_id)
