"""The peer routes of the API, for node administrators: list (by cursor), one peer, register (the token
returned once), suspend and resume; 403 for others, 404 for an unknown peer, 422 naming the field."""

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from fdx.accounts import tokens
from fdx.audit.models import AuditEvent
from fdx.core import signing
from fdx.core.actors import system
from fdx.core.node import local_node_id
from fdx.exchange import actions
from fdx.exchange.models import Peer
from fdx.geo.models import Country

pytestmark = pytest.mark.django_db

UZ_NODE = "4b2f1e0a-3c5d-4e6f-8a9b-0c1d2e3f4a5b"
HUB_NODE = "9c8b7a6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
FINGERPRINT = "ab12" * 16
UZ = {
    "name": "uz",
    "url": "https://fdx.example.uz",
    "role": "national",
    "country": "uz",
    "node_id": UZ_NODE,
    "key_fingerprint": "AB12 " * 16,
}


def register(name="uz", node_id=UZ_NODE, **overrides):
    values = {
        "name": name,
        "url": f"https://{name}.example.org",
        "role": "national",
        "node_id": node_id,
        "key_fingerprint": FINGERPRINT,
        "country": Country.objects.get(code="UZ"),
    }
    peer, _token = actions.register_peer(system("setup"), **{**values, **overrides})
    return peer


def events(code):
    return list(AuditEvent.objects.filter(action=code).order_by("sequence"))


def test_a_node_administrator_lists_the_peers_page_by_page(api, persona):
    for index in range(3):
        register(f"p{index}", f"00000000-0000-4000-8000-00000000000{index}")

    first = api.get("/exchange/peers", user=persona("hub_admin"), limit=2)
    second = api.get("/exchange/peers", user=persona("hub_admin"), limit=2, cursor=first.json()["next"])

    assert first.status_code == 200
    assert first.json()["count"] == 3
    assert [row["name"] for row in first.json()["items"]] == ["p0", "p1"]
    assert [row["name"] for row in second.json()["items"]] == ["p2"]
    assert second.json()["next"] is None


def test_one_peer_shows_what_was_checked_and_never_the_token(api, persona):
    peer = register()

    response = api.get("/exchange/peers/uz", user=persona("hub_admin"))

    assert response.status_code == 200
    body = response.json()
    assert body == {
        "id": str(peer.global_id),
        "name": "uz",
        "url": "https://uz.example.org",
        "role": "national",
        "country": "UZ",
        "node_id": UZ_NODE,
        "key_fingerprint": FINGERPRINT,
        "key_fingerprint_grouped": " ".join(["ab12"] * 16),
        "public_key": "",
        "hosts": [],
        "relaying": False,
        "suspended": False,
        "suspended_at": None,
        "suspension_reason": "",
        "created_at": body["created_at"],
    }


def test_an_unknown_peer_is_a_404(api, persona):
    admin = persona("hub_admin")

    assert api.get("/exchange/peers/nowhere", user=admin).json()["error"]["code"] == "not_found"
    assert api.post("/exchange/peers/nowhere/suspend", {"reason": "x"}, user=admin).status_code == 404


def test_registering_returns_the_token_once(api, persona):
    response = api.post("/exchange/peers", UZ, user=persona("hub_admin"))

    assert response.status_code == 201, response.content
    body = response.json()
    peer = Peer.objects.get(name="uz")
    assert peer.token_hash == tokens.hash_token(body["token"])
    assert body["peer"]["name"] == "uz"
    assert body["peer"]["country"] == "UZ"
    assert body["peer"]["key_fingerprint"] == FINGERPRINT
    assert events("exchange.peer.registered")[0].actor_username == "hub_admin"
    assert body["token"] not in api.get("/exchange/peers/uz", user=persona("hub_admin")).content.decode()


def test_a_hub_is_registered_with_its_hosted_organisation_and_key(api, persona):
    from fdx.testing.personas import organisation

    organisation("demo-regional-centre")
    key = Ed25519PrivateKey.generate()

    response = api.post(
        "/exchange/peers",
        {
            "name": "hub",
            "url": "https://hub.example.org",
            "role": "hub",
            "node_id": HUB_NODE,
            "key_fingerprint": signing.fingerprint(key.public_key()),
            "public_key": signing.public_key_text(key),
            "relaying": True,
            "hosts": ["demo-regional-centre"],
        },
        user=persona("hub_admin"),
    )

    assert response.status_code == 201, response.content
    assert response.json()["peer"]["hosts"] == ["demo-regional-centre"]
    assert response.json()["peer"]["relaying"] is True


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"country": None}, "country"),
        ({"country": "XX"}, "country"),
        ({"role": "hub"}, "country"),
        ({"relaying": True}, "relaying"),
        ({"public_key": "not a key"}, "public_key"),
        ({"public_key": "OTHER"}, "public_key"),
        ({"key_fingerprint": "abcd"}, "key_fingerprint"),
        ({"node_id": "not-a-uuid"}, "node_id"),
        ({"node_id": "LOCAL"}, "node_id"),
        ({"url": "not a url"}, "url"),
        ({"name": "u z"}, "name"),
        ({"role": "embassy"}, "role"),
        ({"hosts": ["demo-regional-centre"]}, "hosts"),
        ({"hosts": ["no-such-organisation"]}, "hosts"),
    ],
)
def test_bad_input_is_a_422_naming_the_field_and_nothing_is_registered(api, persona, changes, field):
    from fdx.testing.personas import organisation

    organisation("demo-regional-centre")
    body = {**UZ, **changes}
    if body.get("public_key") == "OTHER":
        body["public_key"] = signing.public_key_text(Ed25519PrivateKey.generate())
    if body["node_id"] == "LOCAL":
        body["node_id"] = str(local_node_id())

    response = api.post("/exchange/peers", body, user=persona("hub_admin"))

    assert response.status_code == 422, response.content
    assert field in response.json()["error"]["fields"], response.json()
    assert not Peer.objects.exists()


@pytest.mark.parametrize(("field", "changes"), [("name", {}), ("node_id", {"name": "uz2"})])
def test_a_duplicate_name_or_node_identifier_is_a_422(api, persona, field, changes):
    register()

    response = api.post("/exchange/peers", {**UZ, **changes}, user=persona("hub_admin"))

    assert response.status_code == 422
    assert field in response.json()["error"]["fields"]
    assert Peer.objects.count() == 1


def test_the_refusals_are_in_russian_for_a_russian_client(api, persona, client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "ru"

    response = api.post("/exchange/peers", {**UZ, "country": None}, user=persona("hub_admin"))

    assert response.status_code == 422
    assert response.json()["error"]["fields"]["country"] == ["Национальный узел относится к стране."]


def test_a_node_administrator_suspends_and_resumes_a_peer(api, persona):
    register()
    admin = persona("hub_admin")

    suspended = api.post("/exchange/peers/uz/suspend", {"reason": "key exposed"}, user=admin)
    assert suspended.status_code == 200
    assert suspended.json()["suspended"] is True
    assert suspended.json()["suspension_reason"] == "key exposed"
    again = api.post("/exchange/peers/uz/suspend", {"reason": "again"}, user=admin)
    assert again.status_code == 422
    assert again.json()["error"]["fields"] == {"non_field": ["This peer is already suspended."]}

    resumed = api.post("/exchange/peers/uz/resume", {"reason": "new key checked"}, user=admin)
    assert resumed.status_code == 200
    assert resumed.json()["suspended"] is False
    assert [e.reason for e in events("exchange.peer.suspended")] == ["key exposed"]
    assert [e.reason for e in events("exchange.peer.resumed")] == ["new key checked"]


@pytest.mark.parametrize("path", ["/exchange/peers/uz/suspend", "/exchange/peers/uz/resume"])
@pytest.mark.parametrize("body", [{}, {"reason": "   "}])
def test_a_change_of_state_without_a_reason_is_a_422(api, persona, path, body):
    peer = register()
    if path.endswith("resume"):
        actions.suspend_peer(system("setup"), peer, reason="first")

    response = api.post(path, body, user=persona("hub_admin"))

    assert response.status_code == 422
    assert "reason" in response.json()["error"]["fields"]
    assert Peer.objects.get(name="uz").suspended is path.endswith("resume")


ROUTES = [
    ("get", "/exchange/peers", None),
    ("get", "/exchange/peers/uz", None),
    ("post", "/exchange/peers", {**UZ, "name": "kg", "node_id": HUB_NODE}),
    ("post", "/exchange/peers/uz/suspend", {"reason": "x"}),
    ("post", "/exchange/peers/uz/resume", {"reason": "x"}),
]


@pytest.mark.parametrize(("method", "path", "body"), ROUTES)
@pytest.mark.parametrize("who", ["kz_police_analyst", "kz_lab_admin"])
def test_others_are_refused_and_nothing_changes(api, persona, method, path, body, who):
    register()
    user = persona(who)

    response = api.get(path, user=user) if method == "get" else api.post(path, body, user=user)

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert list(Peer.objects.values_list("name", "suspended")) == [("uz", False)]


@pytest.mark.parametrize(("method", "path", "body"), ROUTES)
def test_anonymous_callers_are_refused(api, method, path, body):
    register()

    response = api.get(path) if method == "get" else api.post(path, body)

    assert response.status_code == 401
    assert list(Peer.objects.values_list("name", "suspended")) == [("uz", False)]
