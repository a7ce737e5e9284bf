"""API list pagination: limit/offset with the total count, and keyset (cursor) paging for lists at scale.

``FdxPagination`` answers ``{"count", "limit", "offset", "items"}``. ``KeysetPagination`` answers the same
plus ``next``: an opaque, signed cursor naming the last row's ordering key. Passing it back as ``cursor=``
gives the rows after that key, found through the ordering index, whatever the depth; a cursor page never
counts the table (``count`` is null there, and ``with_count=false`` skips the count on a first page too).
"""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from typing import Any

from django.core import signing
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.pagination import PaginationBase

from fdx.core.api.errors import ApiError

MAX_LIMIT = 500
#: The deepest page one may ask for; a larger offset is a 422 (one beyond 2^63 overflowed the database's
#: integer and was reported as a conflict). Deep offsets are slow (the database walks every skipped row):
#: a client paging far should follow the ``next`` cursor instead.
MAX_OFFSET = 1_000_000_000
#: A cursor is a few dozen characters; a longer one is refused before it is decoded.
MAX_CURSOR_LENGTH = 1000
_CURSOR_SALT = "fdx.api.cursor"


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
            description="Matching items; null on cursor pages and with with_count=false (counting is slow)."
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
        count = rows.count() if pagination.with_count and cursor is None else None
        if cursor is not None:
            rows = rows.filter(after_key(order, decode_cursor(cursor, order)))
        window = list(rows.order_by(*order)[offset : offset + limit + 1])
        page, more = window[:limit], len(window) > limit
        return {
            "count": count,
            "limit": limit,
            "offset": offset,
            "next": encode_cursor(page[-1], order) if more else None,
            "items": _shown(queryset, page),
        }


class ShownQuerySet:
    """A queryset paged by key whose page is turned into what its reader may see (e.g. redacted events)."""

    def __init__(self, queryset: QuerySet, show):
        self.queryset, self.show = queryset, show


def ordering_of(queryset: QuerySet) -> list[str] | None:
    """The queryset's order as ``["-field", …, "pk-field"]``, ended with the primary key so it is unique;
    None when the order cannot be a key (an annotation such as a search rank, a related or nullable field)."""
    model = queryset.model
    pk = model._meta.pk.attname
    names = []
    for term in list(queryset.query.order_by or model._meta.ordering or []):
        if not isinstance(term, str) or "__" in term or "?" in term:
            return None
        name = term.lstrip("-")
        try:
            field = model._meta.get_field(pk if name == "pk" else name)
        except FieldDoesNotExist:
            return None
        if field.null or not field.concrete:
            return None
        names.append(("-" if term.startswith("-") else "") + field.attname)
    if not names or names[-1].lstrip("-") != pk:
        descending = bool(names) and names[-1].startswith("-")
        names.append(("-" if descending else "") + pk)
    return names


def after_key(order: list[str], key: list) -> Q:
    """The rows after ``key`` in ``order``: (a > x) or (a = x and b > y) or … (``<`` for a descending
    field) — built from the last field (the primary key) outwards, each comparison a range of the index.

    The OR alone is a filter to PostgreSQL, not a range: it walked the index from its start and dropped every
    row before the cursor (50,000 rows for a page in the middle of 100,000 cases). So the condition also
    says ``a >= x`` (``<=`` when descending), which is the same rows and a start for the index scan."""
    condition = None
    for term, value in reversed(list(zip(order, key, strict=True))):
        name = term.lstrip("-")
        step = Q(**{f"{name}__{'lt' if term.startswith('-') else 'gt'}": value})
        condition = step if condition is None else step | (Q(**{name: value}) & condition)
    if len(order) > 1:
        first = order[0]
        condition = (
            Q(**{f"{first.lstrip('-')}__{'lte' if first.startswith('-') else 'gte'}": key[0]}) & condition
        )
    return condition


def encode_cursor(row, order: list[str]) -> str:
    """A signed, URL-safe token of ``row``'s ordering key (and the order it belongs to)."""
    values = [_plain(getattr(row, term.lstrip("-"))) for term in order]
    return signing.dumps({"o": order, "k": values}, salt=_CURSOR_SALT, compress=True)


def decode_cursor(cursor: str, order: list[str]) -> list:
    """The key a cursor names; a 422 for one that is malformed, tampered with, or from another order."""
    try:
        payload = signing.loads(cursor, salt=_CURSOR_SALT)
    except (signing.BadSignature, ValueError, UnicodeError, TypeError) as error:
        raise _invalid_cursor(_("The cursor is not one this list gave out.")) from error
    if not isinstance(payload, dict) or payload.get("o") != order or not isinstance(payload.get("k"), list):
        raise _invalid_cursor(_("The cursor belongs to another list or order."))
    if len(payload["k"]) != len(order):
        raise _invalid_cursor(_("The cursor is not one this list gave out."))
    return payload["k"]


def _shown(queryset, page: list) -> list:
    return queryset.show(page) if isinstance(queryset, ShownQuerySet) else page


def _plain(value):
    if isinstance(value, (datetime.date, datetime.datetime, uuid.UUID, Decimal)):
        return value.isoformat() if hasattr(value, "isoformat") else str(value)
    return value


def _invalid_cursor(message: str) -> ApiError:
    return ApiError(422, "invalid", message, {"cursor": [message]})
