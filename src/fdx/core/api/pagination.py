"""API list pagination: limit/offset with the total count, and keyset (cursor) paging for lists at scale.

``FdxPagination`` answers ``{"count", "limit", "offset", "items"}``. ``KeysetPagination`` answers the same
plus ``next``: an opaque, signed cursor naming the last row's ordering key. Passing it back as ``cursor=``
gives the rows after that key, found through the ordering index, whatever the depth; a cursor page never
counts the table (``count`` is null there, and ``with_count=false`` skips the count on a first page too).
The key, the cursor and the condition "after this key" are ``fdx.core.paging``'s, shared with the web pages.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.pagination import PaginationBase

from fdx.core import paging
from fdx.core.api.errors import ApiError
from fdx.core.paging import MAX_CURSOR_LENGTH, after_key, bounded_total, encode_cursor, ordering_of

__all__ = [
    "MAX_CURSOR_LENGTH",
    "MAX_LIMIT",
    "MAX_OFFSET",
    "FdxPagination",
    "KeysetPagination",
    "ShownQuerySet",
    "after_key",
    "decode_cursor",
    "encode_cursor",
    "ordering_of",
]

MAX_LIMIT = 500
#: The deepest page one may ask for; a larger offset is a 422 (one beyond 2^63 overflowed the database's
#: integer and was reported as a conflict). Deep offsets are slow (the database walks every skipped row):
#: a client paging far should follow the ``next`` cursor instead.
MAX_OFFSET = 1_000_000_000
_CURSOR_SALT = paging.CURSOR_SALT


class FdxPagination(PaginationBase):
    class Input(Schema):
        limit: int = Field(50, ge=1, le=MAX_LIMIT, description="Items per page (1–500).")
        offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Items to skip (0–1,000,000,000).")

    class Output(Schema):
        count: int
        limit: int
        offset: int
        items: list[Any]

    items_attribute = "items"

    def paginate_queryset(self, queryset, pagination: Input, **params):
        offset, limit = pagination.offset, pagination.limit
        return {
            "count": len(queryset) if isinstance(queryset, list) else queryset.count(),
            "limit": limit,
            "offset": offset,
            "items": list(queryset[offset : offset + limit]),
        }


class KeysetPagination(PaginationBase):
    """Cursor paging over a queryset's own order, made unique by ending it with the primary key.

    The route returns its (restricted) queryset ordered by plain fields of its model, e.g.
    ``order_by("-seizure_date", "-id")``; an index on those fields (after the filter columns) keeps every page
    as cheap as the first. A plain list (e.g. a ranked search result) is paged by offset, with no ``next``.
    """

    class Input(Schema):
        limit: int = Field(50, ge=1, le=MAX_LIMIT, description="Items per page (1–500).")
        offset: int = Field(
            0,
            ge=0,
            le=MAX_OFFSET,
            description="Items to skip (0–1,000,000,000); deep offsets are slow, follow `next` instead.",
        )
        cursor: str | None = Field(
            None,
            max_length=MAX_CURSOR_LENGTH,
            description="The `next` of the previous page: the items after it (offset must then be 0).",
        )
        with_count: bool = Field(
            True, description="Count the matching items on a first page (cursor pages never count)."
        )

    class Output(Schema):
        count: int | None = Field(
            description=(
                "Matching items, counted up to 10,000 (see `count_more`; a large total may be up to a minute"
                " old); null on cursor pages and with with_count=false."
            )
        )
        count_more: bool = Field(
            False,
            description=(
                "True when more items match than `count` says (the count stops at 10,000, or at 1,000 when"
                " counting further would take longer than 60 ms)."
            ),
        )
        limit: int
        offset: int
        next: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")
        items: list[Any]

    items_attribute = "items"

    def paginate_queryset(self, queryset, pagination: Input, **params):
        limit, offset, cursor = pagination.limit, pagination.offset, pagination.cursor
        if cursor is not None and offset:
            raise _invalid_cursor(_("A cursor cannot be combined with an offset."))
        rows = queryset.queryset if isinstance(queryset, ShownQuerySet) else queryset
        order = ordering_of(rows) if isinstance(rows, QuerySet) else None
        if order is None:
            # A ranked search or a plain list: paged by offset, with no cursor to give.
            if cursor is not None:
                raise _invalid_cursor(_("This list is not paged by cursor."))
            counted = None
            if pagination.with_count:
                counted = len(rows) if isinstance(rows, list) else rows.count()
            return {
                "count": counted,
                "limit": limit,
                "offset": offset,
                "next": None,
                "items": _shown(queryset, list(rows[offset : offset + limit])),
            }
        # Bounded like the web pages' totals: an exact count of a large visible set reads all of it
        # (430 ms for the findings of 100,000 cases on PostgreSQL, against 125 ms for the page itself).
        total = bounded_total(rows) if pagination.with_count and cursor is None else None
        if cursor is not None:
            rows = rows.filter(after_key(order, decode_cursor(cursor, order)))
        window = list(rows.order_by(*order)[offset : offset + limit + 1])
        page, more = window[:limit], len(window) > limit
        return {
            "count": None if total is None else total.value,
            "count_more": bool(total and total.more),
            "limit": limit,
            "offset": offset,
            "next": encode_cursor(page[-1], order) if more else None,
            "items": _shown(queryset, page),
        }


class ShownQuerySet:
    """A queryset paged by key whose page is turned into what its reader may see (e.g. redacted events)."""

    def __init__(self, queryset: QuerySet, show):
        self.queryset, self.show = queryset, show


def decode_cursor(cursor: str, order: list[str]) -> list:
    """The key a cursor names; a 422 for one that is malformed, tampered with, or from another order."""
    try:
        return paging.decode_cursor(cursor, order)
    except paging.InvalidCursor as error:
        raise _invalid_cursor(str(error)) from error


def _shown(queryset, page: list) -> list:
    return queryset.show(page) if isinstance(queryset, ShownQuerySet) else page


def _invalid_cursor(message: str) -> ApiError:
    return ApiError(422, "invalid", message, {"cursor": [message]})
