import pytest
from django.db import DatabaseError, connection, transaction

from fdx.audit.actions import record
from fdx.audit.models import AuditEvent
from fdx.core.actors import system

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    return record("geo.reference.loaded", actor=system("test"), after={"n": 1})


def test_update_through_the_orm_is_refused(event):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(reason="rewritten")

    assert AuditEvent.objects.get(pk=event.pk).reason == ""


def test_delete_through_the_orm_is_refused(event):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()

    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_raw_sql_update_and_delete_are_refused(event):
    for statement in (
        "UPDATE audit_auditevent SET reason = %s WHERE sequence = %s",
        "DELETE FROM audit_auditevent WHERE sequence = %s AND reason <> %s",
    ):
        params = ["x", event.pk] if statement.startswith("UPDATE") else [event.pk, "x"]
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, params)

    assert AuditEvent.objects.get(pk=event.pk).reason == ""


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="TRUNCATE exists on PostgreSQL only")
def test_truncate_is_refused_on_postgresql(event):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE audit_auditevent")

    assert AuditEvent.objects.filter(pk=event.pk).exists()
