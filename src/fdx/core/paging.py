"""Lists at scale: keyset (cursor) paging and bounded totals, shared by the API and the web pages.

A list is ordered by plain, non-null fields of its model, ended with the primary key so the order is unique.
A cursor is the signed ordering key of one row; the rows after it are ``(a < x) OR (a = x AND id < y)``, a
range of the ordering index at any depth. Nothing here counts a whole table: a total is counted up to
``COUNT_BOUND`` + 1 rows (``SELECT COUNT(*) FROM (… LIMIT 10001)``) within a time budget, and a large one is
kept a minute in the cache and shown as "about N". The API's ``fdx.core.api.pagination`` turns a bad cursor
into a 422; the web pages (``page_for``) show the first page with a message instead.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import json
import time
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet, FieldDoesNotExist
from django.db import OperationalError, connections, transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

#: A cursor is a few dozen characters; a longer one is refused before it is decoded.
MAX_CURSOR_LENGTH = 1000
CURSOR_SALT = "fdx.api.cursor"
#: Totals are counted up to this many rows (one more tells "more than"); never the whole set.
COUNT_BOUND = 10_000
#: A total at least this large is kept in the cache (and shown as "about N"); a smaller one is counted on
#: every view, exactly (counting fewer than this many rows is cheap).
CACHED_FROM = 1_000
#: How long a cached total is kept, in seconds.
COUNT_TTL = 60
#: Counting past ``CACHED_FROM`` rows stops after this many milliseconds: the total then reads "more than
#: 1,000". A filter that asks another table for each row (cases with a cathinone, a third of a million
#: cases) makes each counted row cost a probe, and 10,000 of them a quarter of a second.
COUNT_BUDGET_MS = 60
#: Both counts share that budget: the second (past ``CACHED_FROM``) is not started with less than this left.
MIN_SECOND_COUNT_MS = 10
#: The deepest row a web page paged by number (a ranked search, a plain list) reaches.
MAX_WEB_OFFSET = 10_000
#: The query parameters the pager writes; every other parameter (the filters) is kept on its links.
PAGING_PARAMETERS = ("cursor", "before", "page")


class InvalidCursor(ValueError):
    """A cursor that is malformed, tampered with, or from another list or order."""


# The key and the cursor


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
            found = model._meta.get_field(pk if name == "pk" else name)
        except FieldDoesNotExist:
            return None
        if found.null or not found.concrete:
            return None
        names.append(("-" if term.startswith("-") else "") + found.attname)
    if not names or names[-1].lstrip("-") != pk:
        descending = bool(names) and names[-1].startswith("-")
        names.append(("-" if descending else "") + pk)
    return names


def reversed_order(order: list[str]) -> list[str]:
    """The same key read the other way (for the rows before a cursor)."""
    return [term[1:] if term.startswith("-") else "-" + term for term in order]


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
    return signing.dumps({"o": order, "k": values}, salt=CURSOR_SALT, compress=True)


def decode_cursor(cursor: str, order: list[str]) -> list:
    """The key a cursor names; ``InvalidCursor`` for one that is malformed, tampered with, or from another
    order."""
    if len(cursor) > MAX_CURSOR_LENGTH:
        raise InvalidCursor(_("The cursor is not one this list gave out."))
    try:
        payload = signing.loads(cursor, salt=CURSOR_SALT)
    except (signing.BadSignature, ValueError, UnicodeError, TypeError) as error:
        raise InvalidCursor(_("The cursor is not one this list gave out.")) from error
    if not isinstance(payload, dict) or payload.get("o") != order or not isinstance(payload.get("k"), list):
        raise InvalidCursor(_("The cursor belongs to another list or order."))
    if len(payload["k"]) != len(order):
        raise InvalidCursor(_("The cursor is not one this list gave out."))
    return payload["k"]


def _plain(value):
    if isinstance(value, (datetime.date, datetime.datetime, uuid.UUID, Decimal)):
        return value.isoformat() if hasattr(value, "isoformat") else str(value)
    return value


# Totals


@dataclass(frozen=True)
class Total:
    """How many rows a list holds, as far as it was worth counting."""

    value: int
    #: More than ``COUNT_BOUND`` rows (``value`` is then the bound).
    more: bool = False
    #: Read from the cache (up to ``COUNT_TTL`` seconds old), so shown as "about".
    approximate: bool = False


def bounded_total(rows: QuerySet | list) -> Total:
    """The number of ``rows``, counted up to ``COUNT_BOUND`` + 1 (never a scan of the whole set); a total of
    ``CACHED_FROM`` or more is kept ``COUNT_TTL`` seconds in the cache, keyed by the list's SQL, which holds
    the reader's visibility rule and the filters (two readers share a total only when they see one set).

    Counting stops at ``CACHED_FROM`` + 1 rows first; past that it goes on to the bound only within what is
    left of ``COUNT_BUDGET_MS``, else the total is "more than ``CACHED_FROM``". On PostgreSQL the first count
    runs within the budget too, and the planner's estimate ("about N") stands in when it cannot finish: a
    page never waits longer than the budget for its total, whatever its filters cost per row and however
    large the table. (SQLite has no estimate to show: its first count, of 1,001 rows at most, runs out.)"""
    if isinstance(rows, list):
        return Total(len(rows))
    keys = rows.order_by().values("pk")
    try:
        sql, params = keys.query.sql_with_params()
    except EmptyResultSet:  # a list that can hold nothing (``.none()``)
        return Total(0)
    key = "fdx.paging.total.v2:" + hashlib.sha256(f"{rows.db}\n{sql}\n{params!r}".encode()).hexdigest()
    cached = cache.get(key)
    if cached is not None:
        value, more = cached
        return Total(value, more=more, approximate=not more)
    first_bound = min(CACHED_FROM, COUNT_BOUND)
    started = time.monotonic()
    try:
        with _time_budget(rows.db, COUNT_BUDGET_MS, only_with_estimates=True):
            counted = keys[: first_bound + 1].count()
    except _OverBudget:
        # Even the first rows cost more than the budget (a filter that hashes a whole table before its
        # first row): the planner's estimate, shown as "about N", stands in for the count.
        total = Total(_estimated_rows(keys), approximate=True)
        cache.set(key, (total.value, total.more), COUNT_TTL)
        return total
    if counted <= first_bound:
        return Total(counted)
    left_ms = COUNT_BUDGET_MS - (time.monotonic() - started) * 1000
    if first_bound == COUNT_BOUND or left_ms < MIN_SECOND_COUNT_MS:
        total = Total(first_bound, more=True)
    else:
        try:
            with _time_budget(rows.db, int(left_ms)):
                counted = keys[: COUNT_BOUND + 1].count()
        except _OverBudget:
            total = Total(first_bound, more=True)
        else:
            total = Total(min(counted, COUNT_BOUND), more=counted > COUNT_BOUND)
    if total.value >= CACHED_FROM:
        cache.set(key, (total.value, total.more), COUNT_TTL)
    return total


def _estimated_rows(keys: QuerySet) -> int:
    """The planner's estimate of how many rows ``keys`` holds (PostgreSQL's ``EXPLAIN``: no row is read)."""
    sql, params = keys.query.sql_with_params()
    with connections[keys.db].cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)  # Django's own SQL, with its parameters
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


class _OverBudget(Exception):
    pass


@contextlib.contextmanager
def _time_budget(alias: str, milliseconds: int, *, only_with_estimates: bool = False):
    """Stop the statements inside after ``milliseconds`` (raising ``_OverBudget``), with what each database
    has for it: ``statement_timeout`` on PostgreSQL (``SET LOCAL`` in a savepoint, the earlier value put
    back), SQLite's progress handler. Another database runs them without a budget; so does every database
    but PostgreSQL with ``only_with_estimates`` (no planner estimate to show instead of the count)."""
    connection = connections[alias]
    if only_with_estimates and connection.vendor != "postgresql":
        yield
        return
    if connection.vendor == "postgresql":
        # Outside a transaction the setting ends with the one opened here; inside one (a savepoint) it
        # would outlive it, so the earlier value is read and put back.
        nested = connection.in_atomic_block
        try:
            with transaction.atomic(using=alias), connection.cursor() as cursor:
                if nested:
                    cursor.execute("SELECT current_setting('statement_timeout')")
                    earlier = cursor.fetchone()[0]
                cursor.execute("SELECT set_config('statement_timeout', %s, true)", [f"{milliseconds}ms"])
                yield
                if nested:
                    cursor.execute("SELECT set_config('statement_timeout', %s, true)", [earlier])
        except OperationalError as error:  # psycopg's QueryCanceled; the savepoint is rolled back
            raise _OverBudget from error
    elif connection.vendor == "sqlite":
        connection.ensure_connection()
        deadline = time.monotonic() + milliseconds / 1000
        # The handler runs every 1,000 virtual-machine steps; a non-zero answer interrupts the statement.
        connection.connection.set_progress_handler(lambda: time.monotonic() > deadline, 1000)
        try:
            yield
        except OperationalError as error:
            raise _OverBudget from error
        finally:
            connection.connection.set_progress_handler(None, 0)
    else:
        yield


# Web pages


@dataclass
class WebPage:
    """One page of a web list: its rows, the total, and the links that keep every filter of the request."""

    rows: list
    total: Total | None
    next_url: str | None = None
    previous_url: str | None = None
    first_url: str | None = None
    #: The page's number when paged by number (a ranked search or a plain list), else None.
    number: int | None = None

    def __iter__(self):
        return iter(self.rows)

    def __len__(self):
        return len(self.rows)

    @property
    def has_other_pages(self) -> bool:
        return bool(self.next_url or self.previous_url or self.first_url)


def page_for(request, rows: QuerySet | list, per_page: int, *, count: bool = True) -> WebPage:
    """The page of ``rows`` (restricted and filtered already) that ``request`` asks for.

    A queryset ordered by a key is paged by cursor (``cursor=`` the rows after a row, ``before=`` the rows
    before one); a ranked search or a plain list by number (``page=``, at most ``MAX_WEB_OFFSET`` rows deep).
    A link that cannot be read gives the first page and says so, never an error.
    """
    order = ordering_of(rows) if isinstance(rows, QuerySet) else None
    total = bounded_total(rows) if count else None
    if order is None:
        return _numbered_page(request, rows, per_page, total)
    try:
        return _keyset_page(request, rows, order, per_page, total)
    except InvalidCursor:
        messages.warning(
            request, _("That page link could not be read (it is old or altered): here is page one.")
        )
        return _keyset_page(request, rows, order, per_page, total, first=True)


def _keyset_page(request, rows, order, per_page, total, first=False) -> WebPage:
    cursor, before = request.GET.get("cursor"), request.GET.get("before")
    if first or not (cursor or before):
        window = list(rows.order_by(*order)[: per_page + 1])
        page, more_before, more_after = window[:per_page], False, len(window) > per_page
    elif before:
        backwards = reversed_order(order)
        key = decode_cursor(before, order)
        window = list(rows.filter(after_key(backwards, key)).order_by(*backwards)[: per_page + 1])
        page, more_before, more_after = window[:per_page][::-1], len(window) > per_page, True
    else:
        key = decode_cursor(cursor, order)
        window = list(rows.filter(after_key(order, key)).order_by(*order)[: per_page + 1])
        page, more_before, more_after = window[:per_page], True, len(window) > per_page
    on_first = not (cursor or before) or first
    return WebPage(
        rows=page,
        total=total,
        next_url=_link(request, cursor=encode_cursor(page[-1], order)) if page and more_after else None,
        previous_url=_link(request, before=encode_cursor(page[0], order)) if page and more_before else None,
        first_url=None if on_first else _link(request),
    )


def _numbered_page(request, rows, per_page, total) -> WebPage:
    # Deep offsets are slow in the database (it walks every skipped row); a list in memory is not.
    last = max(1, MAX_WEB_OFFSET // per_page) if isinstance(rows, QuerySet) else None
    try:
        number = max(int(request.GET.get("page") or 1), 1)
    except ValueError:
        number = 1
    if last is not None:
        number = min(number, last)
    offset = (number - 1) * per_page
    window = list(rows[offset : offset + per_page + 1])
    page = window[:per_page]
    more = len(window) > per_page and (last is None or number < last)
    return WebPage(
        rows=page,
        total=total,
        number=number,
        next_url=_link(request, page=str(number + 1)) if more else None,
        previous_url=_link(request, page=str(number - 1)) if number > 1 else None,
        first_url=_link(request) if number > 2 else None,
    )


def _link(request, **paging: str) -> str:
    """``?`` and the request's parameters (every filter) with the pager's own replaced by ``paging``."""
    query = request.GET.copy()
    for name in PAGING_PARAMETERS:
        query.pop(name, None)
    for name, value in paging.items():
        query[name] = value
    return "?" + query.urlencode()
