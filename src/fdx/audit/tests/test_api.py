import pytest

from fdx.audit.actions import record
from fdx.audit.models import AuditEvent
from fdx.audit.tests.tampering import triggers_disabled
from fdx.core.actors import system

pytestmark = pytest.mark.django_db


def test_node_admin_reads_every_event_and_org_admin_only_their_organisations(api, persona):
    chemist = persona("kz_lab_chemist")
    kg_chemist = persona("kg_lab_chemist")
    record("accounts.user.changed", actor=chemist, obj=chemist)
    record("accounts.user.changed", actor=kg_chemist, obj=kg_chemist)
    for name in ("hub_admin", "kz_lab_admin"):
        api.get("/me", user=persona(name))  # their test tokens are created (and audited) before counting

    everything = api.get("/audit/events", user=persona("hub_admin"), limit=500).json()
    own = api.get("/audit/events", user=persona("kz_lab_admin"), limit=500).json()

    assert everything["count"] == AuditEvent.objects.count()
    assert {e["organisation"] for e in own["items"]} == {"demo-kz-forensic-centre"}
    assert "kg_lab_chemist" not in {e["actor"] for e in own["items"]}


@pytest.mark.parametrize("name", ["kz_lab_chemist", "kz_lab_viewer", "uz_police_analyst"])
def test_other_roles_read_no_events(api, persona, name):
    response = api.get("/audit/events", user=persona(name))

    assert response.json()["count"] == 0


def test_filters(api, persona):
    chemist = persona("kz_lab_chemist")
    record("accounts.user.changed", actor=chemist, obj=chemist, reason="typo")

    by_prefix = api.get("/audit/events", user=persona("hub_admin"), action="accounts.").json()
    by_actor = api.get("/audit/events", user=persona("hub_admin"), actor="kz_lab_chemist").json()

    assert all(e["action"].startswith("accounts.") for e in by_prefix["items"])
    assert [e["reason"] for e in by_actor["items"]] == ["typo"]


def test_one_event_and_its_hashes(api, persona):
    event = record("geo.reference.loaded", actor=system("test"), after={"n": 1})

    body = api.get(f"/audit/events/{event.sequence}", user=persona("hub_admin")).json()

    assert body["hash"] == event.hash and body["previous_hash"] == event.previous_hash
    assert api.get(f"/audit/events/{event.sequence}", user=persona("kz_lab_admin")).status_code == 404


def test_verify_is_for_node_admins_and_reports_the_break(api, persona):
    events = [record("geo.reference.loaded", actor=system("test"), after={"n": n}) for n in range(2)]
    admin = persona("hub_admin")
    assert api.get("/audit/verify", user=admin).json()["ok"] is True
    assert api.get("/audit/verify", user=persona("kz_lab_admin")).status_code == 403

    with triggers_disabled():
        AuditEvent.objects.filter(pk=events[0].pk).update(reason="edited")

    body = api.get("/audit/verify", user=admin).json()
    assert body["ok"] is False and body["broken_sequence"] == events[0].sequence


def test_event_types_are_listed(api, persona):
    codes = {e["code"] for e in api.get("/audit/event-types", user=persona("kz_lab_chemist")).json()}

    assert {"accounts.signin.succeeded", "accounts.token.created", "audit.events.exported"} <= codes
