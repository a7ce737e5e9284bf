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


# Added later (migration 0003): REPLACE and the head.
#
# SQLite's ``INSERT OR REPLACE`` deletes the row it collides with without firing DELETE triggers (unless
# ``recursive_triggers`` is on), so a BEFORE INSERT trigger refuses any insert that collides with a stored
# sequence number or hash: an honest append never does. PostgreSQL's ``INSERT … ON CONFLICT DO UPDATE``
# already meets the UPDATE trigger. The head may only move forward and is never deleted, so cutting the
# tail means dropping a trigger first (which the checkpoints then reveal).
HEAD_TABLE = "audit_auditchainhead"
HEAD_MESSAGE = "the audit chain head only moves forward"

SQLITE_CREATE_2 = [
    "CREATE TRIGGER audit_event_refuse_replace BEFORE INSERT ON audit_auditevent "
    "WHEN EXISTS (SELECT 1 FROM audit_auditevent WHERE sequence = NEW.sequence OR hash = NEW.hash) "
    "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;",
    f"CREATE TRIGGER audit_head_refuse_rewind BEFORE UPDATE ON {HEAD_TABLE} "
    "WHEN NEW.last_sequence < OLD.last_sequence OR NEW.id <> OLD.id "
    f"BEGIN SELECT RAISE(ABORT, '{HEAD_MESSAGE}'); END;",
    f"CREATE TRIGGER audit_head_refuse_delete BEFORE DELETE ON {HEAD_TABLE} "
    f"BEGIN SELECT RAISE(ABORT, '{HEAD_MESSAGE}'); END;",
]
SQLITE_DROP_2 = [
    "DROP TRIGGER IF EXISTS audit_event_refuse_replace;",
    "DROP TRIGGER IF EXISTS audit_head_refuse_rewind;",
    "DROP TRIGGER IF EXISTS audit_head_refuse_delete;",
]

POSTGRESQL_CREATE_2 = [
    "CREATE OR REPLACE FUNCTION audit_head_refuse_rewind() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN IF TG_OP = 'DELETE' THEN "
    f"RAISE EXCEPTION USING MESSAGE = '{HEAD_MESSAGE}: DELETE refused', ERRCODE = 'insufficient_privilege'; "
    "ELSIF NEW.last_sequence < OLD.last_sequence OR NEW.id <> OLD.id THEN "
    f"RAISE EXCEPTION USING MESSAGE = '{HEAD_MESSAGE}: UPDATE refused', ERRCODE = 'insufficient_privilege'; "
    "END IF; RETURN NEW; END; $$;",
    f"CREATE TRIGGER audit_head_refuse_rewind BEFORE UPDATE OR DELETE ON {HEAD_TABLE} "
    "FOR EACH ROW EXECUTE FUNCTION audit_head_refuse_rewind();",
]
POSTGRESQL_DROP_2 = [
    f"DROP TRIGGER IF EXISTS audit_head_refuse_rewind ON {HEAD_TABLE};",
    "DROP FUNCTION IF EXISTS audit_head_refuse_rewind();",
]


def statements_2(vendor: str, create: bool) -> list[str]:
    """The statements of migration 0003 (REPLACE refused, the head only moving forward) on ``vendor``."""
    if vendor == "sqlite":
        return SQLITE_CREATE_2 if create else SQLITE_DROP_2
    if vendor == "postgresql":
        return POSTGRESQL_CREATE_2 if create else POSTGRESQL_DROP_2
    raise NotImplementedError(f"FDX supports SQLite and PostgreSQL, not {vendor}")


def statements(vendor: str, create: bool) -> list[str]:
    """The statements that create (or drop) the triggers on database ``vendor``."""
    if vendor == "sqlite":
        return SQLITE_CREATE if create else SQLITE_DROP
    if vendor == "postgresql":
        return POSTGRESQL_CREATE if create else POSTGRESQL_DROP
    raise NotImplementedError(f"FDX supports SQLite and PostgreSQL, not {vendor}")
