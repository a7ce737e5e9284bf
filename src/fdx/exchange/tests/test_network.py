"""This node's view of the network: peers' keys and hosted organisations, sharing groups and this node, in
the terms of the rules and the messages."""

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.exceptions import ValidationError

from fdx.accounts.models import SharingGroup
from fdx.core import node, signing
from fdx.core.actors import system
from fdx.exchange import actions, messages, network, rules
from fdx.exchange.messages import ChangeRecord, RecordState, UnknownKeyError
from fdx.geo.models import Country
from fdx.testing.personas import organisation

pytestmark = pytest.mark.django_db
SETUP = system("setup")
HUB_NODE = "9c8b7a6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
UZ_NODE = "4b2f1e0a-3c5d-4e6f-8a9b-0c1d2e3f4a5b"
UZ_KEY = Ed25519PrivateKey.generate()


def register_hub(**overrides):
    values = {
        "name": "hub",
        "url": "https://hub.example.org",
        "role": "hub",
        "node_id": HUB_NODE,
        "key_fingerprint": "ab12" * 16,
        "relaying": True,
    }
    peer, _token = actions.register_peer(SETUP, **{**values, **overrides})
    return peer


def register_uz(**overrides):
    values = {
        "name": "uz",
        "url": "https://fdx.example.uz",
        "role": "national",
        "country": Country.objects.get(code="UZ"),
        "node_id": UZ_NODE,
        "key_fingerprint": signing.fingerprint(UZ_KEY.public_key()),
        "public_key": signing.public_key_text(UZ_KEY),
    }
    peer, _token = actions.register_peer(SETUP, **{**values, **overrides})
    return peer


def uz_change():
    record = ChangeRecord(
        origin_node=UZ_NODE,
        global_id="0b7f0f5c-5a1d-4a51-9d8c-2f1b0c9f8e11",
        model="examinations.finding",
        version=1,
        state=RecordState.ACTIVE,
        level=rules.Level.REGIONAL,
        fields=("purity_percent",),
        payload={"purity_percent": "41.500"},
    )
    return messages.seal(record, UZ_KEY).to_bytes()


def test_a_peer_public_key_must_have_the_fingerprint_checked_out_of_band():
    other = Ed25519PrivateKey.generate()

    with pytest.raises(ValidationError) as refused:
        register_uz(public_key=signing.public_key_text(other))
    with pytest.raises(ValidationError) as garbled:
        register_uz(public_key="not a key")

    assert "checked with the peer's administrator" in refused.value.message_dict["public_key"][0]
    assert "public_key" in garbled.value.message_dict
    assert register_uz().public_key == signing.public_key_text(UZ_KEY)


def test_a_peers_change_verifies_with_the_keyring_until_the_peer_is_suspended():
    peer = register_uz()

    assert messages.verify(uz_change(), network.keyring()).path == (UZ_NODE,)
    actions.suspend_peer(SETUP, peer, reason="key exposed")
    with pytest.raises(UnknownKeyError):
        messages.verify(uz_change(), network.keyring())


def test_the_keyring_holds_every_key_this_node_has_had(settings, tmp_path):
    settings.FDX_NODE_KEY_FILE = tmp_path / "node" / "ed25519.key"
    node.create_key()
    first = node.load_private_key()
    node.rotate_key("yearly rotation")
    ring = network.keyring()

    local = str(node.local_node_id())
    assert ring.public_key(local, signing.fingerprint(first.public_key())) is not None
    assert ring.public_key(local, node.current_key().fingerprint) is not None
    assert ring.public_key(UZ_NODE, node.current_key().fingerprint) is None


def test_only_a_hub_or_an_international_node_hosts_organisations_and_only_supranational_ones():
    centre = organisation("demo-regional-centre")
    laboratory = organisation("demo-kz-forensic-centre")

    with pytest.raises(ValidationError, match="state's organisation"):
        register_hub(organisations=[laboratory])
    with pytest.raises(ValidationError, match="national node hosts"):
        register_uz(organisations=[centre])
    hub = register_hub(organisations=[centre])

    assert hub.as_rules_node().organisations == frozenset({str(centre.global_id)})


def test_a_sharing_group_reaches_the_hub_only_when_the_hub_hosts_a_member():
    centre = organisation("demo-regional-centre")
    kz_lab = organisation("demo-kz-forensic-centre")
    uz_police = organisation("demo-uz-police")
    group = SharingGroup.objects.create(code="kz-uz", name_en="KZ-UZ", name_ru="KZ-UZ")
    group.organisations.set([kz_lab, uz_police])
    register_hub(organisations=[centre])
    register_uz()
    kz = rules.Node("node-kz", rules.NodeRole.NATIONAL, "KZ")

    def decide(receiver):
        record = rules.Record(
            "examinations.case", rules.Level.SHARING_GROUP, "node-kz", "KZ", network.rules_group(group)
        )
        return rules.decide(record, [kz], receiver, region=frozenset({"KZ", "UZ"}))

    hub_node, uz_node = network.peer_nodes()
    assert network.rules_group(group).members == {
        rules.Member(str(kz_lab.global_id), "KZ", rules.MemberKind.STATE_BODY, kz_lab.code),
        rules.Member(str(uz_police.global_id), "UZ", rules.MemberKind.STATE_BODY, uz_police.code),
    }
    assert decide(uz_node).allowed
    assert decide(hub_node).refusal == rules.Refusal.RECEIVER_NOT_REACHED
    group.organisations.add(centre)
    assert decide(hub_node).allowed


def test_this_node_is_the_national_node_of_its_country(settings):
    settings.FDX_NODE_ROLE = "national"
    settings.FDX_NODE_COUNTRY = "KZ"

    assert network.this_node() == rules.Node(str(node.local_node_id()), rules.NodeRole.NATIONAL, "KZ")


def test_a_hub_hosts_the_supranational_organisations_recorded_on_it(settings):
    settings.FDX_NODE_ROLE = "hub"
    centre = organisation("demo-regional-centre")
    organisation("demo-kz-forensic-centre")

    this = network.this_node()

    assert this.role == rules.NodeRole.HUB
    assert this.organisations == frozenset({str(centre.global_id)})
    assert this.relays
