import pytest
from django.db import connection

import fdx

pytestmark = pytest.mark.django_db


def test_health_answers_ok_without_authentication(client):
    response = client.get("/api/v1/health")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "version": fdx.__version__,
        "database": connection.vendor,
        "node": {"name": "FDX test node", "country": "KZ"},
    }
    assert connection.vendor in ("sqlite", "postgresql")


def test_health_reports_an_unreachable_database(client, monkeypatch):
    from django.db import DatabaseError

    from fdx.core.api import health

    class BrokenCursor:
        def __enter__(self):
            raise DatabaseError("down")

        def __exit__(self, *args):
            return False

    monkeypatch.setattr(health.connection, "cursor", lambda: BrokenCursor())

    response = client.get("/api/v1/health")

    assert response.status_code == 503
    assert response.json()["error"]["code"] == "unavailable"
