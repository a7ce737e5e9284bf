"""Peers: registered, suspended and resumed through the actions (audited, node administrators only) and
through ``fdx exchange peers``."""

import json
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from typer.testing import CliRunner

from fdx.accounts import tokens
from fdx.audit.models import AuditEvent
from fdx.cli import app
from fdx.core.actors import system
from fdx.core.node import local_node_id
from fdx.exchange import actions, rules, selectors
from fdx.exchange.models import Peer
from fdx.geo.models import Country

pytestmark = pytest.mark.django_db
runner = CliRunner()

UZ_NODE = "4b2f1e0a-3c5d-4e6f-8a9b-0c1d2e3f4a5b"
HUB_NODE = "9c8b7a6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
FINGERPRINT = "ab12" * 16
SETUP = system("setup")


def register_uz(actor=SETUP, **overrides):
    values = {
        "name": "uz",
        "url": "https://fdx.example.uz",
        "role": "national",
        "node_id": UZ_NODE,
        "key_fingerprint": FINGERPRINT,
        "country": Country.objects.get(code="UZ"),
    }
    return actions.register_peer(actor, **{**values, **overrides})


def events(code):
    return list(AuditEvent.objects.filter(action=code).order_by("sequence"))


def test_a_node_administrator_registers_a_peer_and_the_token_is_kept_only_as_its_hash(persona):
    admin = persona("kz_node_admin")

    peer, token = register_uz(admin, key_fingerprint="AB12 " * 16)

    peer.refresh_from_db()
    assert peer.key_fingerprint == FINGERPRINT
    assert peer.token_hash == tokens.hash_token(token)
    assert token not in json.dumps([e.after for e in AuditEvent.objects.all()])
    (event,) = events("exchange.peer.registered")
    assert event.actor_username == "kz_node_admin"
    assert event.object_id == str(peer.global_id)
    assert event.after["node_id"] == UZ_NODE
    assert event.after["country"] == "UZ"


@pytest.mark.parametrize("who", [None, "kz_lab_chemist", "kz_lab_admin"])
def test_only_a_node_administrator_registers_peers(persona, who):
    actor = persona(who) if who else None

    with pytest.raises(PermissionDenied):
        register_uz(actor)

    assert not Peer.objects.exists()
    assert events("exchange.peer.registered") == []


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"country": None}, "country"),
        ({"role": "hub"}, "country"),
        ({"role": "hub", "country": None, "relaying": False, "url": "not a url"}, "url"),
        ({"relaying": True}, "relaying"),
        ({"key_fingerprint": "abcd"}, "key_fingerprint"),
        ({"node_id": "not-a-uuid"}, "node_id"),
        ({"role": "embassy"}, "role"),
    ],
)
def test_a_peer_that_does_not_hold_together_is_refused(overrides, field):
    with pytest.raises(ValidationError) as refused:
        register_uz(**overrides)

    assert field in refused.value.message_dict
    assert not Peer.objects.exists()


def test_this_node_is_not_its_own_peer():
    with pytest.raises(ValidationError, match="own identifier"):
        register_uz(node_id=local_node_id())


def test_a_hub_that_relays_is_seen_by_the_rules_as_a_relay_until_it_is_suspended():
    hub, _token = actions.register_peer(
        SETUP,
        name="hub",
        url="https://hub.example.org",
        role="hub",
        node_id=HUB_NODE,
        key_fingerprint=FINGERPRINT,
        relaying=True,
    )

    assert hub.as_rules_node() == rules.Node(HUB_NODE, rules.NodeRole.HUB, "", frozenset(), True)
    actions.suspend_peer(SETUP, hub, reason="key exposed")
    hub.refresh_from_db()
    assert hub.as_rules_node().relays is False


def test_suspend_and_resume_are_audited_with_their_reasons():
    peer, _token = register_uz()

    actions.suspend_peer(SETUP, peer, reason="their key was exposed")
    peer.refresh_from_db()
    assert peer.suspended
    assert peer.suspended_at is not None
    actions.resume_peer(SETUP, peer, reason="new key checked by telephone")
    peer.refresh_from_db()

    assert not peer.suspended
    assert peer.suspended_at is None
    (suspended,) = events("exchange.peer.suspended")
    (resumed,) = events("exchange.peer.resumed")
    assert suspended.reason == "their key was exposed"
    assert suspended.before == {"suspended": False, "suspension_reason": ""}
    assert suspended.after == {"suspended": True, "suspension_reason": "their key was exposed"}
    assert resumed.reason == "new key checked by telephone"
    assert resumed.after == {"suspended": False, "suspension_reason": ""}


def test_suspending_twice_or_without_a_reason_changes_nothing():
    peer, _token = register_uz()

    with pytest.raises(ValidationError, match="Say why"):
        actions.suspend_peer(SETUP, peer, reason="  ")
    with pytest.raises(ValidationError, match="not suspended"):
        actions.resume_peer(SETUP, peer, reason="why not")
    actions.suspend_peer(SETUP, peer, reason="maintenance")
    with pytest.raises(ValidationError, match="already suspended"):
        actions.suspend_peer(SETUP, peer, reason="again")

    assert len(events("exchange.peer.suspended")) == 1
    assert events("exchange.peer.resumed") == []


def test_a_user_without_the_permission_cannot_suspend_or_list(persona):
    peer, _token = register_uz()
    chemist = persona("kz_lab_chemist")

    with pytest.raises(PermissionDenied):
        actions.suspend_peer(chemist, peer, reason="x")
    with pytest.raises(PermissionDenied):
        selectors.list_peers(chemist)

    peer.refresh_from_db()
    assert not peer.suspended


def test_the_command_line_adds_lists_suspends_and_resumes_a_peer():
    added = runner.invoke(
        app,
        [
            "exchange",
            "peers",
            "add",
            "uz",
            "--url",
            "https://fdx.example.uz",
            "--role",
            "national",
            "--country",
            "uz",
            "--node-id",
            UZ_NODE,
            "--fingerprint",
            FINGERPRINT,
        ],
    )
    assert added.exit_code == 0, added.output
    token = added.output.strip().splitlines()[-1]
    assert Peer.objects.get(name="uz").token_hash == tokens.hash_token(token)

    suspended = runner.invoke(app, ["exchange", "peers", "suspend", "uz", "--reason", "maintenance"])
    assert suspended.exit_code == 0, suspended.output
    listed = runner.invoke(app, ["exchange", "peers", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    (row,) = json.loads(listed.output)
    assert row["name"] == "uz"
    assert row["country"] == "UZ"
    assert row["suspended"] is True
    assert row["suspension_reason"] == "maintenance"
    assert "token" not in listed.output
    resumed = runner.invoke(app, ["exchange", "peers", "resume", "uz", "--reason", "done"])
    assert resumed.exit_code == 0, resumed.output
    assert not Peer.objects.get(name="uz").suspended
    assert events("exchange.peer.suspended")[0].actor_username.startswith("cli:")
    table = runner.invoke(app, ["exchange", "peers", "list"])
    assert "ab12 ab12" in table.output


def test_the_command_line_registers_a_hub_with_the_organisation_it_hosts():
    from fdx.testing.personas import organisation

    organisation("demo-regional-centre")

    added = runner.invoke(
        app,
        [
            "exchange",
            "peers",
            "add",
            "hub",
            "--url",
            "https://hub.example.org",
            "--role",
            "hub",
            "--relaying",
            "--hosts",
            "demo-regional-centre",
            "--node-id",
            HUB_NODE,
            "--fingerprint",
            FINGERPRINT,
        ],
    )
    listed = runner.invoke(app, ["exchange", "peers", "list", "--json"])

    assert added.exit_code == 0, added.output
    (row,) = json.loads(listed.output)
    assert row["hosts"] == ["demo-regional-centre"]
    assert row["relaying"] is True
    assert events("exchange.peer.registered")[0].after["organisations"] == [
        str(organisation("demo-regional-centre").global_id)
    ]


def test_the_command_line_names_what_is_wrong_without_a_traceback():
    unknown = runner.invoke(app, ["exchange", "peers", "suspend", "nowhere", "--reason", "x"])
    bad = runner.invoke(
        app,
        [
            "exchange",
            "peers",
            "add",
            "hub",
            "--url",
            "https://hub.example.org",
            "--role",
            "hub",
            "--node-id",
            str(uuid.uuid4()),
            "--fingerprint",
            "12",
        ],
    )

    assert unknown.exit_code == 1
    assert "not found" in unknown.output
    assert bad.exit_code == 1
    assert "key_fingerprint" in bad.output
    assert "Traceback" not in unknown.output + bad.output
    assert not Peer.objects.exists()
