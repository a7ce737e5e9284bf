"""Refuse INSERT OR REPLACE on the audit table (SQLite) and a chain head that moves back or disappears."""

from django.db import migrations

from fdx.audit import triggers


def create_triggers(apps, schema_editor):
    for statement in triggers.statements_2(schema_editor.connection.vendor, create=True):
        schema_editor.execute(statement, params=None)


def drop_triggers(apps, schema_editor):
    for statement in triggers.statements_2(schema_editor.connection.vendor, create=False):
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_and_genesis")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
