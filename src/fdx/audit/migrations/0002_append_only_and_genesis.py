"""Make the audit table append-only (triggers) and write the chain's genesis head."""

from django.db import migrations

from fdx.audit import chain, triggers


def create_triggers(apps, schema_editor):
    for statement in triggers.statements(schema_editor.connection.vendor, create=True):
        schema_editor.execute(statement, params=None)


def drop_triggers(apps, schema_editor):
    for statement in triggers.statements(schema_editor.connection.vendor, create=False):
        schema_editor.execute(statement, params=None)


def create_head(apps, schema_editor):
    AuditChainHead = apps.get_model("audit", "AuditChainHead")
    AuditChainHead.objects.get_or_create(pk=1, defaults={"last_sequence": 0, "last_hash": chain.GENESIS_HASH})


def delete_head(apps, schema_editor):
    apps.get_model("audit", "AuditChainHead").objects.filter(pk=1).delete()


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [
        migrations.RunPython(create_triggers, drop_triggers),
        migrations.RunPython(create_head, delete_head),
    ]
