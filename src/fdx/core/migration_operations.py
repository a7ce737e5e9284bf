"""Migration operations for what only PostgreSQL has: trigram (``pg_trgm``) indexes for containment search.

A search by containment (``icontains``: ``UPPER(col) LIKE UPPER('%text%')``; ``contains``: ``col LIKE
'%text%'``) cannot use a B-tree. On PostgreSQL a GIN index of the column's trigrams serves it (a bitmap index
scan for a selective text), and ANALYZE keeps statistics of the indexed expression, so the planner knows how
many rows a text matches: a text that matches nearly every row is then served by walking the list's order
index and filtering, a rare one by the trigram index. SQLite has neither: the operations do nothing there, so
SQLite keeps migrating. The indexes live outside the models' state (``Meta.indexes`` would be created on
SQLite too), so ``makemigrations`` never sees them.
"""

from __future__ import annotations

from django.db import router
from django.db.migrations.operations.base import Operation


def _on_postgresql(schema_editor, app_label) -> bool:
    return schema_editor.connection.vendor == "postgresql" and router.allow_migrate(
        schema_editor.connection.alias, app_label
    )


class AddTrigramIndex(Operation):
    """A GIN trigram index on ``field`` (on ``UPPER(field)`` with ``upper``, for ``icontains``), creating the
    ``pg_trgm`` extension first when it is missing (never dropped backwards: other apps' indexes use it).
    PostgreSQL only; nothing on another database.

    ``method="gist"`` makes a GiST index instead (``gist_trgm_ops``, 64-byte signatures). The planner costs a
    GIN scan by the pattern's trigrams, so for a text matching about one row in a hundred it rates the GIN
    index no cheaper than reading the whole table and the plan flips between the two from one ANALYZE to the
    next; it costs a GiST scan by the rows it finds, well below the table.
    """

    reversible = True
    reduces_to_sql = True

    def __init__(self, model_name: str, field: str, name: str, upper: bool = False, method: str = "gin"):
        if method not in {"gin", "gist"}:
            raise ValueError(f"a trigram index is gin or gist, not {method!r}")
        self.model_name, self.field, self.name = model_name, field, name
        self.upper, self.method = upper, method

    def deconstruct(self):
        kwargs = {"model_name": self.model_name, "field": self.field, "name": self.name}
        if self.upper:
            kwargs["upper"] = True
        if self.method != "gin":
            kwargs["method"] = self.method
        return self.__class__.__qualname__, [], kwargs

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if not _on_postgresql(schema_editor, app_label):
            return
        model = to_state.apps.get_model(app_label, self.model_name)
        quote = schema_editor.quote_name
        column = quote(model._meta.get_field(self.field).column)
        # DDL of quoted identifiers only (the ORM's OpClass over an expression is not wrapped right for GIN).
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        opclass = "gist_trgm_ops(siglen=64)" if self.method == "gist" else "gin_trgm_ops"
        schema_editor.execute(
            "CREATE INDEX {} ON {} USING {} (({}) {})".format(
                quote(self.name),
                quote(model._meta.db_table),
                self.method,
                f"UPPER({column})" if self.upper else column,
                opclass,
            )
        )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if not _on_postgresql(schema_editor, app_label):
            return
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(self.name)}")

    def describe(self):
        return f"Create trigram index {self.name} on {self.model_name}.{self.field} (PostgreSQL only)"

    @property
    def migration_name_fragment(self):
        return f"trigram_{self.name.lower()}"
