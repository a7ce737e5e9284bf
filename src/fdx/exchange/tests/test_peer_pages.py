"""The peer pages, for node administrators: the list, one peer, registering one (its token shown once),
suspending and resuming it; refused to others, and bad input shown on the form, never a 500."""

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.urls import reverse
from django.utils import translation

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
UZ_FORM = {
    "name": "uz",
    "url": "https://fdx.example.uz",
    "role": "national",
    "country": "UZ",
    "node_id": UZ_NODE,
    "key_fingerprint": "AB12 " * 16,
}


def register_uz(**overrides):
    values = {
        "name": "uz",
        "url": "https://fdx.example.uz",
        "role": "national",
        "node_id": UZ_NODE,
        "key_fingerprint": FINGERPRINT,
        "country": Country.objects.get(code="UZ"),
    }
    peer, _token = actions.register_peer(system("setup"), **{**values, **overrides})
    return peer


def events(code):
    return list(AuditEvent.objects.filter(action=code).order_by("sequence"))


@pytest.fixture
def admin(client, persona):
    client.force_login(persona("hub_admin"))
    return client


PAGES = [
    ("get", "exchange:peers", {}),
    ("get", "exchange:register-peer", {}),
    ("get", "exchange:peer", {"name": "uz"}),
    ("post", "exchange:register-peer", {}),
    ("post", "exchange:suspend-peer", {"name": "uz"}),
    ("post", "exchange:resume-peer", {"name": "uz"}),
]


@pytest.mark.parametrize(("method", "name", "kwargs"), PAGES)
def test_an_analyst_is_refused_and_nothing_changes(client, persona, method, name, kwargs):
    register_uz()
    client.force_login(persona("kz_police_analyst"))

    data = {**UZ_FORM, "name": "kg", "reason": "why not"} if method == "post" else None
    response = getattr(client, method)(reverse(name, kwargs=kwargs), data)

    assert response.status_code == 403
    assert list(Peer.objects.values_list("name", "suspended")) == [("uz", False)]


@pytest.mark.parametrize(("method", "name", "kwargs"), PAGES)
def test_an_anonymous_visitor_is_sent_to_sign_in(client, method, name, kwargs):
    register_uz()

    response = getattr(client, method)(reverse(name, kwargs=kwargs), {"reason": "x"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:signin"))
    assert list(Peer.objects.values_list("name", "suspended")) == [("uz", False)]


def test_the_navigation_links_the_peers_for_node_administrators_only(client, persona):
    client.force_login(persona("hub_admin"))
    assert b'id="nav-peers"' in client.get(reverse("core:home")).content

    client.force_login(persona("kz_lab_admin"))
    assert b'id="nav-peers"' not in client.get(reverse("core:home")).content


def test_the_list_shows_each_peer_with_its_grouped_fingerprint_and_state(admin):
    register_uz()
    hub = register_uz(
        name="hub", url="https://hub.example.org", role="hub", country=None, node_id=HUB_NODE, relaying=True
    )
    actions.suspend_peer(system("setup"), hub, reason="key exposed")

    html = admin.get(reverse("exchange:peers")).content.decode()

    assert html.index('id="peer-hub"') < html.index('id="peer-uz"')
    uz_row = html[html.index('id="peer-uz"') :].split("</tr>")[0]
    hub_row = html[html.index('id="peer-hub"') :].split("</tr>")[0]
    assert "Uzbekistan" in uz_row
    assert "https://fdx.example.uz" in uz_row
    assert "ab12 ab12 ab12" in uz_row
    assert "National node" in uz_row
    assert "active" in uz_row and "suspended" not in uz_row
    assert "Regional hub" in hub_row
    assert "suspended" in hub_row and "relays" in hub_row


def test_the_list_says_when_there_are_no_peers(admin):
    assert "No peers yet." in admin.get(reverse("exchange:peers")).content.decode()


def test_the_detail_page_shows_the_peer(admin):
    register_uz()

    response = admin.get(reverse("exchange:peer", kwargs={"name": "uz"}))

    html = response.content.decode()
    assert response.status_code == 200
    assert UZ_NODE in html
    assert "ab12 ab12" in html
    assert 'id="peer-suspend"' in html
    assert "Uzbekistan" in html


def test_an_unknown_peer_is_a_404(admin):
    assert admin.get(reverse("exchange:peer", kwargs={"name": "nowhere"})).status_code == 404
    assert (
        admin.post(reverse("exchange:suspend-peer", kwargs={"name": "nowhere"}), {"reason": "x"}).status_code
        == 404
    )


def test_a_node_administrator_registers_a_peer_and_sees_its_token_once(admin):
    response = admin.post(reverse("exchange:register-peer"), UZ_FORM)

    html = response.content.decode()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    peer = Peer.objects.get(name="uz")
    token = html.split('id="peer-token">')[1].split("<")[0]
    assert peer.token_hash == tokens.hash_token(token)
    assert "shown only this once" in html
    assert peer.key_fingerprint == FINGERPRINT
    assert peer.country_id == "UZ"
    (event,) = events("exchange.peer.registered")
    assert event.actor_username == "hub_admin"
    # Nowhere else: not on the peer's page, nor the list.
    assert token not in admin.get(reverse("exchange:peer", kwargs={"name": "uz"})).content.decode()
    assert token not in admin.get(reverse("exchange:peers")).content.decode()


def test_a_hub_is_registered_with_the_organisation_it_hosts_and_its_public_key(admin):
    from fdx.testing.personas import organisation

    centre = organisation("demo-regional-centre")
    key = Ed25519PrivateKey.generate()

    response = admin.post(
        reverse("exchange:register-peer"),
        {
            "name": "hub",
            "url": "https://hub.example.org",
            "role": "hub",
            "node_id": HUB_NODE,
            "key_fingerprint": signing.fingerprint(key.public_key()),
            "public_key": signing.public_key_text(key),
            "organisations": [centre.pk],
            "relaying": "on",
        },
    )

    assert response.status_code == 200, response.content.decode()
    hub = Peer.objects.get(name="hub")
    assert hub.relaying
    assert hub.public_key == signing.public_key_text(key)
    assert list(hub.organisations.all()) == [centre]


def _other_key_text():
    return signing.public_key_text(Ed25519PrivateKey.generate())


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"country": ""}, "country", "A national node belongs to a country."),
        ({"role": "hub"}, "country", "Only a national node belongs to a country."),
        ({"relaying": "on"}, "relaying", "Only a regional hub relays others"),
        ({"public_key": "not a key"}, "public_key", "Not an Ed25519 public key"),
        ({"public_key": "OTHER"}, "public_key", "does not have the fingerprint"),
        ({"key_fingerprint": "abcd"}, "key_fingerprint", ""),
        ({"node_id": "not-a-uuid"}, "node_id", "Not a node identifier (a UUID)."),
        ({"node_id": "LOCAL"}, "node_id", "This is this node"),
        ({"url": "not a url"}, "url", ""),
        ({"name": "u z"}, "name", ""),
        ({"role": "embassy"}, "role", ""),
    ],
)
def test_bad_input_is_shown_on_the_form_and_nothing_is_registered(admin, changes, field, message):
    values = {**UZ_FORM, **changes}
    if values.get("public_key") == "OTHER":
        values["public_key"] = _other_key_text()
    if values["node_id"] == "LOCAL":
        values["node_id"] = str(local_node_id())

    response = admin.post(reverse("exchange:register-peer"), values)

    assert response.status_code == 422
    errors = response.context["form"].errors
    assert field in errors, errors
    assert message in " ".join(errors[field])
    assert not Peer.objects.exists()
    assert events("exchange.peer.registered") == []


@pytest.mark.parametrize(("field", "changes"), [("name", {}), ("node_id", {"name": "uz2"})])
def test_a_duplicate_name_or_node_identifier_is_a_form_error(admin, field, changes):
    register_uz()

    response = admin.post(reverse("exchange:register-peer"), {**UZ_FORM, **changes})

    assert response.status_code == 422
    assert field in response.context["form"].errors
    assert Peer.objects.count() == 1


def test_a_hosted_organisation_of_a_national_node_is_a_form_error(admin):
    from fdx.testing.personas import organisation

    centre = organisation("demo-regional-centre")

    response = admin.post(reverse("exchange:register-peer"), {**UZ_FORM, "organisations": [centre.pk]})

    assert response.status_code == 422
    assert "organisations" in response.context["form"].errors
    assert not Peer.objects.exists()


def test_the_form_errors_are_in_russian_for_a_russian_reader(admin):
    with translation.override("ru"):
        expected = str(translation.gettext("A national node belongs to a country."))
    admin.cookies["django_language"] = "ru"

    response = admin.post(
        reverse("exchange:register-peer"), {**UZ_FORM, "country": ""}, HTTP_ACCEPT_LANGUAGE="ru"
    )

    assert response.status_code == 422
    assert '<html lang="ru">' in response.content.decode()
    assert response.context["form"].errors["country"] == [expected]


def test_a_node_administrator_suspends_and_resumes_a_peer_with_a_reason(admin):
    register_uz()

    suspended = admin.post(reverse("exchange:suspend-peer", kwargs={"name": "uz"}), {"reason": "key exposed"})
    assert suspended.status_code == 302
    assert suspended["Location"] == reverse("exchange:peer", kwargs={"name": "uz"})
    peer = Peer.objects.get(name="uz")
    assert peer.suspended and peer.suspension_reason == "key exposed"
    page = admin.get(suspended["Location"]).content.decode()
    assert "Peer uz is suspended." in page
    assert 'id="peer-resume"' in page and "key exposed" in page

    resumed = admin.post(
        reverse("exchange:resume-peer", kwargs={"name": "uz"}), {"reason": "new key checked"}
    )
    assert resumed.status_code == 302
    assert not Peer.objects.get(name="uz").suspended
    (event,) = events("exchange.peer.resumed")
    assert event.reason == "new key checked"
    assert event.actor_username == "hub_admin"


def test_suspending_without_a_reason_or_twice_is_a_form_error(admin):
    register_uz()

    blank = admin.post(reverse("exchange:suspend-peer", kwargs={"name": "uz"}), {"reason": "  "})
    not_suspended = admin.post(reverse("exchange:resume-peer", kwargs={"name": "uz"}), {"reason": "why"})

    assert blank.status_code == 422
    assert "reason" in blank.context["state_form"].errors
    assert not_suspended.status_code == 422
    assert "This peer is not suspended." in not_suspended.content.decode()
    assert not Peer.objects.get(name="uz").suspended
    assert events("exchange.peer.suspended") == events("exchange.peer.resumed") == []


def test_suspend_and_resume_take_only_a_post(admin):
    register_uz()

    assert admin.get(reverse("exchange:suspend-peer", kwargs={"name": "uz"})).status_code == 405
    assert not Peer.objects.get(name="uz").suspended
