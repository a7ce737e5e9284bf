import pytest

from fdx.audit.actions import record

pytestmark = pytest.mark.django_db


def test_audit_log_page_for_admins(client, persona):
    chemist = persona("kz_lab_chemist")
    record("accounts.user.changed", actor=chemist, obj=chemist, reason="typo")
    client.force_login(persona("kz_lab_admin"))

    page = client.get("/audit/")

    assert page.status_code == 200
    assert "typo" in page.content.decode()


def test_audit_log_page_is_refused_to_others(client, persona):
    client.force_login(persona("kz_lab_chemist"))

    assert client.get("/audit/").status_code == 403


def test_verify_button_for_node_admins(client, persona):
    client.force_login(persona("hub_admin"))

    response = client.post("/audit/verify/")

    assert response.status_code == 200
    assert "every link intact" in response.content.decode()


def test_verify_is_refused_to_org_admins(client, persona):
    client.force_login(persona("kz_lab_admin"))

    assert client.post("/audit/verify/").status_code == 403
