"""Writing many new rows of one model at database speed: ``COPY … FROM STDIN`` on PostgreSQL, one
``executemany`` on SQLite — the same rows ``bulk_create`` writes, without a model instance per row.

For a load of millions of records, building a model instance per row and preparing every value of every row
through its field is most of ``bulk_create``'s time. Here a row is a plain dict of values by attribute name:

* ``Columns(model)`` names the columns: the model's concrete fields in the model's order, so a field added
  to the model is written with no change here (its default, or the value the caller puts in the row);
* ``Columns.new_values()`` is a new row as the model's ``__init__`` starts it: every field's default, a
  callable default evaluated per row (a record's ``uuid4``), except the node's identifier, which is the
  same for every row the process writes and so is read once;
* ``assign_ids`` draws the primary keys of rows that other rows point at, in one statement per batch
  (PostgreSQL: ``nextval`` of the table's sequence over ``generate_series``; SQLite: the next free ids,
  read under the write lock that the IMMEDIATE transaction already holds);
* ``insert_rows`` sets ``auto_now`` and ``auto_now_add`` fields to the batch's time, as ``pre_save`` would,
  prepares each value with its field's ``get_db_prep_save`` (a value repeated in a column is prepared once
  per call), and writes one statement per table. The statement is recorded like any other query (``DEBUG``,
  ``CaptureQueriesContext``), so query counts see it.

The caller checks the rows first (``fdx.examinations.validation``): nothing here validates, and the
database's constraints (foreign keys, checks, uniqueness) stay the last guard.
"""

from __future__ import annotations

import contextlib
import datetime
import operator
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from types import SimpleNamespace

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models import Max
from django.db.models.sql import InsertQuery

from fdx.core.node import local_node_id

Row = dict  # attribute name -> value (a dict, or a record's ``__dict__``)

#: Callable defaults that give the same value for every row of a process (and so are called once per
#: ``Columns``): the node's identifier, read from the database once and then kept.
_ONCE_PER_LOAD: tuple[Callable, ...] = (local_node_id,)


class Columns:
    """The columns of ``model`` as ``bulk_create`` writes them, and new rows that start from its defaults."""

    def __init__(self, model: type[models.Model], *, using: str = DEFAULT_DB_ALIAS):
        self.model = model
        self.using = using
        self.fields = [field for field in model._meta.concrete_fields if not field.generated]
        self.pk = model._meta.pk
        self.attnames = [field.attname for field in self.fields]
        #: The defaults that are the same for every row, and the (attribute name, default) called per row.
        self.constant: dict = {}
        self.per_row: list[tuple[str, Callable]] = []
        for field in self.fields:
            if field.has_default() and callable(field.default) and field.default not in _ONCE_PER_LOAD:
                self.per_row.append((field.attname, field.get_default))
            else:
                self.constant[field.attname] = field.get_default()
        self._auto_times = [
            field.attname for field in self.fields if getattr(field, "auto_now", False) or _auto_add(field)
        ]

    def new_values(self) -> Row:
        """A new row: every column's default (what ``model()`` would hold before any value is given)."""
        values = self.constant.copy()
        for attname, default in self.per_row:
            values[attname] = default()
        return values


def _auto_add(field) -> bool:
    return getattr(field, "auto_now_add", False)


def assign_ids(columns: Columns, rows: Sequence[Row]) -> None:
    """Give each row its primary key from the table's sequence (one statement per call), in row order."""
    if not rows:
        return
    connection = connections[columns.using]
    attname = columns.pk.attname
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [connection.ops.quote_name(columns.model._meta.db_table), columns.pk.column, len(rows)],
            )
            ids = sorted(row[0] for row in cursor.fetchall())
        else:
            start = _next_sqlite_id(connection, cursor, columns)
            ids = range(start, start + len(rows))
    for row, pk in zip(rows, ids, strict=True):
        row[attname] = pk


def insert_rows(columns: Columns, rows: Sequence[Row], *, now: datetime.datetime, with_ids: bool) -> None:
    """Insert ``rows`` (new rows of ``columns.model``) in one statement: with their primary keys when
    ``with_ids`` (``assign_ids`` gave them), else the database numbers them in row order."""
    if not rows:
        return
    connection = connections[columns.using]
    fields = [f for f in columns.fields if with_ids or f is not columns.pk]
    for row in rows:
        for attname in columns._auto_times:
            row[attname] = now
    values = _prepared(fields, rows, connection)
    table = columns.model._meta.db_table
    names = [field.column for field in fields]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _copy(cursor, table, names, values)
        else:
            cursor.executemany(_insert_statement(columns, fields), values)


def _insert_statement(columns: Columns, fields: list) -> str:
    """Django's own INSERT of one row of these fields (its placeholders), to run once per row."""
    query = InsertQuery(columns.model)
    # A stand-in row: a model instance would draw defaults (a global id) for nothing.
    query.insert_values(fields, [SimpleNamespace(**dict.fromkeys(field.attname for field in fields))])
    statement, _params = query.get_compiler(using=columns.using).as_sql()[0]
    return statement


def _prepared(fields: list, rows: Sequence[Row], connection) -> list[tuple]:
    """The rows' values as the database takes them (``get_db_prep_save``), column by column."""
    getter = operator.itemgetter(*(field.attname for field in fields))
    table = [getter(row) for row in rows]
    if len(fields) == 1:
        table = [(value,) for value in table]
    prepared_columns = [
        _prepared_column(field, column, connection)
        for field, column in zip(fields, zip(*table, strict=True), strict=True)
    ]
    return list(zip(*prepared_columns, strict=True))


def _prepared_column(field, column: Iterable, connection) -> list:
    prepare = field.get_db_prep_save
    if field.unique or field.primary_key:  # every value differs: nothing to remember
        return [prepare(value, connection) for value in column]
    seen: dict = {}
    out = []
    append = out.append
    for value in column:
        # Equal values that a field may treat differently stay apart: 1 and True (by type),
        # Decimal("1.0") and Decimal("1.00") (by their digits).
        by_type = seen.get(value.__class__)
        if by_type is None:
            by_type = seen[value.__class__] = {}
        key = str(value) if value.__class__ is Decimal else value
        try:
            append(by_type[key])
        except KeyError:
            append(by_type.setdefault(key, prepare(value, connection)))
        except TypeError:  # an unhashable value
            append(prepare(value, connection))
    return out


def _copy(cursor, table: str, names: list[str], values: list[tuple]) -> None:
    from psycopg import sql

    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(sql.Identifier(name) for name in names)
    )
    raw = cursor.cursor
    logged = cursor.debug_sql(statement.as_string(raw)) if hasattr(cursor, "debug_sql") else None
    # Django's error classes (IntegrityError …), as for any other statement.
    with logged or contextlib.nullcontext(), cursor.db.wrap_database_errors, raw.copy(statement) as copy:
        write = copy.write_row
        for row in values:
            write(row)


def _next_sqlite_id(connection, cursor, columns: Columns) -> int:
    """The id SQLite would give the next row of an AUTOINCREMENT table: above every id it has given."""
    table = columns.model._meta.db_table
    highest = columns.model._base_manager.using(columns.using).aggregate(highest=Max("pk"))["highest"] or 0
    cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
    given = cursor.fetchone()
    return max(highest, given[0] if given else 0) + 1
