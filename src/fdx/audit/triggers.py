"""Database triggers that make the audit table append-only, on SQLite and on PostgreSQL.

The statements are constant text (no value is ever formatted into them). They are applied by a migration;
the hash chain is what reveals a change made by someone able to drop them.
"""

TABLE = "audit_auditevent"
MESSAGE = "audit events are append-only"

SQLITE_CREATE = [
    f"CREATE TRIGGER audit_event_refuse_update BEFORE UPDATE ON {TABLE} "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;",
    f"CREATE TRIGGER audit_event_refuse_delete BEFORE DELETE ON {TABLE} "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS audit_event_refuse_update;",
    "DROP TRIGGER IF EXISTS audit_event_refuse_delete;",
]

POSTGRESQL_CREATE = [
    "CREATE OR REPLACE FUNCTION audit_event_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
    f"BEGIN RAISE EXCEPTION USING MESSAGE = '{MESSAGE}: ' || TG_OP || ' refused', "
    "ERRCODE = 'insufficient_privilege'; END; $$;",
    f"CREATE TRIGGER audit_event_refuse_update_delete BEFORE UPDATE OR DELETE ON {TABLE} "
    "FOR EACH ROW EXECUTE FUNCTION audit_event_refuse_change();",
    f"CREATE TRIGGER audit_event_refuse_truncate BEFORE TRUNCATE ON {TABLE} "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_event_refuse_change();",
]
POSTGRESQL_DROP = [
    f"DROP TRIGGER IF EXISTS audit_event_refuse_truncate ON {TABLE};",
    f"DROP TRIGGER IF EXISTS audit_event_refuse_update_delete ON {TABLE};",
    "DROP FUNCTION IF EXISTS audit_event_refuse_change();",
]


def statements(vendor: str, create: bool) -> list[str]:
    """The statements that create (or drop) the triggers on database ``vendor``."""
    if vendor == "sqlite":
        return SQLITE_CREATE if create else SQLITE_DROP
    if vendor == "postgresql":
        return POSTGRESQL_CREATE if create else POSTGRESQL_DROP
    raise NotImplementedError(f"FDX supports SQLite and PostgreSQL, not {vendor}")
