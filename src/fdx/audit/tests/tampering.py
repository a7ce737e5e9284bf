"""What an attacker with database access could do: switch the triggers off and change stored events.

Used by the tests to prove that the verifier finds such changes. The DDL runs inside the test's transaction
(SQLite and PostgreSQL both roll DDL back), so the triggers are back after each test.
"""

from contextlib import contextmanager

from django.db import connection

from fdx.audit import triggers


@contextmanager
def triggers_disabled():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for statement in [*triggers.SQLITE_DROP, *triggers.SQLITE_DROP_2]:
                cursor.execute(statement)
        else:
            # Django's foreign keys are deferred; PostgreSQL refuses ALTER TABLE while checks are pending.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {triggers.TABLE} DISABLE TRIGGER USER")
            cursor.execute(f"ALTER TABLE {triggers.HEAD_TABLE} DISABLE TRIGGER USER")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                for statement in [*triggers.SQLITE_CREATE, *triggers.SQLITE_CREATE_2]:
                    cursor.execute(statement)
            else:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute(f"ALTER TABLE {triggers.TABLE} ENABLE TRIGGER USER")
                cursor.execute(f"ALTER TABLE {triggers.HEAD_TABLE} ENABLE TRIGGER USER")
