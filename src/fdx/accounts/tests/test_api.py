import datetime

import pytest
from django.utils import timezone

from fdx.accounts.models import ApiToken, Organisation, User
from fdx.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_me_with_a_token(api, persona):
    chemist = persona("kz_lab_chemist")

    response = api.get("/me", user=chemist)

    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "kz_lab_chemist"
    assert body["organisation"] == "demo-kz-forensic-centre"
    assert body["roles"] == ["data_entry"]
    assert body["id"] == str(chemist.global_id)


def test_me_with_a_session(client, persona):
    client.force_login(persona("kz_lab_chemist"))

    assert client.get("/api/v1/me").json()["username"] == "kz_lab_chemist"


def test_session_writes_need_the_csrf_token(persona):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(persona("kz_lab_chemist"))

    response = browser.post("/api/v1/tokens", {"name": "x"}, content_type="application/json")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert not ApiToken.objects.filter(name="x").exists()


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (
            lambda t: ApiToken.objects.filter(pk=t.pk).update(
                expires_at=timezone.now() - datetime.timedelta(1)
            ),
            "token_expired",
        ),
        (lambda t: ApiToken.objects.filter(pk=t.pk).update(revoked_at=timezone.now()), "token_revoked"),
    ],
    ids=["expired", "revoked"],
)
def test_expired_and_revoked_tokens_get_401_with_the_reason(api, persona, change, code):
    from fdx.accounts.actions import create_api_token

    chemist = persona("kz_lab_chemist")
    token, secret = create_api_token(chemist, chemist, name="t")
    assert api.get("/me", token=secret).status_code == 200

    change(token)
    response = api.get("/me", token=secret)

    assert response.status_code == 401
    assert response.json()["error"]["code"] == code
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_token_lifecycle_through_the_api(api, persona):
    chemist = persona("kz_lab_chemist")

    created = api.post("/tokens", {"name": "LIMS", "days": 7}, user=chemist)
    assert created.status_code == 201
    secret = created.json()["token"]
    token_id = created.json()["details"]["id"]
    assert api.get("/me", token=secret).status_code == 200
    listed = api.get("/tokens", user=chemist).json()
    assert {item["name"] for item in listed["items"]} >= {"LIMS"}
    assert all("token" not in item and "token_hash" not in item for item in listed["items"])

    revoked = api.post(f"/tokens/{token_id}/revoke", {"reason": "rotated"}, user=chemist)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert api.get("/me", token=secret).status_code == 401


def test_list_users_is_scoped_by_role(api, persona):
    for name in ("kz_lab_chemist", "kz_lab_admin", "kg_lab_chemist", "hub_admin"):
        persona(name)

    as_org_admin = {u["username"] for u in api.get("/users", user=persona("kz_lab_admin")).json()["items"]}
    as_chemist = {u["username"] for u in api.get("/users", user=persona("kz_lab_chemist")).json()["items"]}
    as_node_admin = api.get("/users", user=persona("hub_admin")).json()

    assert as_org_admin == {"kz_lab_chemist", "kz_lab_admin"}
    assert as_chemist == {"kz_lab_chemist"}
    assert as_node_admin["count"] == User.objects.count()


def test_another_organisations_user_is_a_404_not_a_403(api, persona):
    persona("kg_lab_chemist")

    response = api.get("/users/kg_lab_chemist", user=persona("kz_lab_admin"))

    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message": "Not found.", "fields": {}}}


def test_org_admin_creates_a_user_and_sees_the_password_once(api, persona):
    admin = persona("kz_lab_admin")

    response = api.post(
        "/users",
        {
            "username": "new_chemist",
            "organisation": "demo-kz-forensic-centre",
            "roles": ["data_entry"],
            "first_name": "Ainur",
        },
        user=admin,
    )

    assert response.status_code == 201
    body = response.json()
    assert body["user"]["roles"] == ["data_entry"]
    assert User.objects.get(username="new_chemist").check_password(body["generated_password"])


def test_create_user_validation_errors_name_the_field(api, persona):
    admin = persona("kz_lab_admin")

    response = api.post(
        "/users", {"username": "bad name!", "organisation": "demo-kz-forensic-centre"}, user=admin
    )

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid"
    assert "username" in response.json()["error"]["fields"]


def test_org_admin_cannot_create_a_node_admin(api, persona):
    admin = persona("kz_lab_admin")
    api.get("/me", user=admin)  # the test client's own token is created (and audited) here
    events = AuditEvent.objects.count()

    response = api.post(
        "/users",
        {"username": "sneaky", "organisation": "demo-kz-forensic-centre", "roles": ["node_admin"]},
        user=admin,
    )

    assert response.status_code == 403
    assert not User.objects.filter(username="sneaky").exists()
    assert AuditEvent.objects.count() == events


def test_roles_and_patch_through_the_api(api, persona):
    admin = persona("kz_lab_admin")
    persona("kz_lab_chemist")

    roles = api.put(
        "/users/kz_lab_chemist/roles", {"roles": ["data_entry", "reviewer"], "reason": "promoted"}, user=admin
    )
    patched = api.patch("/users/kz_lab_chemist", {"position": "Senior chemist"}, user=admin)

    assert roles.json()["roles"] == ["data_entry", "reviewer"]
    assert patched.json()["position"] == "Senior chemist"


def test_organisations_are_listed_for_every_signed_in_user_and_created_by_node_admins(api, persona):
    chemist = persona("kz_lab_chemist")
    listed = api.get("/organisations", user=chemist, country="KZ")
    assert listed.status_code == 200
    assert "demo-kz-forensic-centre" in {o["code"] for o in listed.json()["items"]}

    payload = {
        "code": "uz-customs",
        "name_en": "Customs",
        "name_ru": "Таможня",
        "country": "UZ",
        "org_type": "customs",
    }
    assert api.post("/organisations", payload, user=chemist).status_code == 403
    created = api.post("/organisations", payload, user=persona("hub_admin"))
    assert created.status_code == 201
    assert Organisation.objects.get(code="uz-customs").country_id == "UZ"


def test_pagination_shape_and_limits(api, persona):
    response = api.get("/organisations", user=persona("hub_admin"), limit=2, offset=0)

    body = response.json()
    assert set(body) == {"count", "limit", "offset", "items"}
    assert body["limit"] == 2 and len(body["items"]) <= 2
    assert api.get("/organisations", user=persona("hub_admin"), limit=501).status_code == 422


def test_anonymous_gets_401_everywhere_but_health(api):
    for path in ("/me", "/users", "/organisations", "/tokens", "/countries", "/audit/events"):
        response = api.get(path)
        assert response.status_code == 401, path
        assert response.json()["error"]["code"] == "unauthenticated"
