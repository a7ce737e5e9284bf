"""The multi-node harness itself: three real FDX servers (Kazakhstan, Uzbekistan, the regional hub), each
with its own database, registered as each other's peers, checked in their own databases."""

from __future__ import annotations

import hashlib
import http.client
import urllib.request
from functools import partial

import pytest

from tests.multinode.harness import connect, connect_all, group_alive, in_parallel, kz_uz_hub, running_nodes

pytestmark = pytest.mark.multinode

REGIONAL_CENTRE = "caricc"


@pytest.fixture(scope="module")
def network(tmp_path_factory):
    """kz, uz and hub, served; the hub on PostgreSQL when FDX_TEST_DATABASE_URL is set. The regional centre
    exists on the hub and on kz, not on uz."""
    with running_nodes(tmp_path_factory.mktemp("multinode"), *kz_uz_hub()) as nodes:
        in_parallel([partial(_create_regional_centre, nodes[name]) for name in ("hub", "kz")])
        yield nodes
    for node in nodes.values():
        assert not node.is_running(), f"{node.name} is still running after the network was stopped"


def _create_regional_centre(node):
    node.run_cli(
        "orgs", "create", REGIONAL_CENTRE, "--name-en", "Regional centre", "--name-ru", "Региональный центр",
        "--country", "KZ", "--type", "regional_centre",
    )  # fmt: skip


@pytest.fixture(scope="module")
def links(network):
    """Every pair of nodes registered as each other's peers (kz-uz by `connect`, the others side by side)."""
    kz, uz, hub = network["kz"], network["uz"], network["hub"]
    kz_uz = connect(kz, uz)
    kz_hub, uz_hub = connect_all((kz, hub), (uz, hub))
    return {"kz-uz": kz_uz, "kz-hub": kz_hub, "uz-hub": uz_hub}


def _peers(node) -> dict[str, tuple]:
    rows = node.sql(
        "SELECT name, url, role, country_id, node_id, key_fingerprint, public_key, relaying, suspended "
        "FROM exchange_peer ORDER BY name"
    )
    return {row[0]: row[1:] for row in rows}


def _hosted(node, peer_name: str) -> list[str]:
    rows = node.sql(
        "SELECT o.code FROM exchange_peer_organisations AS po "
        "JOIN exchange_peer AS p ON p.id = po.peer_id "
        "JOIN accounts_organisation AS o ON o.id = po.organisation_id "
        "WHERE p.name = %s ORDER BY o.code",
        (peer_name,),
    )
    return [code for (code,) in rows]


def _answers(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=2).close()  # noqa: S310 (loopback)
    except (OSError, http.client.HTTPException):
        return False
    return True


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _uuid_text(value) -> str:
    """A UUID column as text: SQLite keeps 32 hexadecimal digits, PostgreSQL a uuid."""
    return str(value).replace("-", "")


def test_each_node_serves_its_health_route_with_its_own_database(network):
    for name, country in (("kz", "KZ"), ("uz", "UZ"), ("hub", "KZ")):
        health = network[name].health()

        assert health["status"] == "ok"
        assert health["node"] == {"name": f"FDX {name} (multi-node test)", "country": country}
        assert health["database"] == ("postgresql" if network[name].spec.database == "postgres" else "sqlite")
    assert len({node.url for node in network.values()}) == 3
    assert len({node.database.url for node in network.values()}) == 3


def test_each_node_has_its_own_identity_and_key(network):
    infos = {name: node.info for name, node in network.items()}

    assert {name: (info["country"], info["role"]) for name, info in infos.items()} == {
        "kz": ("KZ", "national"),
        "uz": ("UZ", "national"),
        "hub": ("KZ", "hub"),
    }
    assert len({info["node_id"] for info in infos.values()}) == 3
    assert len({info["fingerprint"] for info in infos.values()}) == 3
    assert len({info["key_file"] for info in infos.values()}) == 3
    for name, node in network.items():
        assert infos[name]["key_file_matches"] is True
        # what `fdx node show` says is what the node's own database holds
        assert _uuid_text(node.scalar("SELECT node_id FROM core_nodeidentity")) == _uuid_text(
            infos[name]["node_id"]
        )
        assert node.sql("SELECT fingerprint FROM core_nodekey WHERE retired_at IS NULL") == [
            (infos[name]["fingerprint"],)
        ]


def test_connect_registers_each_node_as_the_others_peer_in_its_database(network, links):
    kz, uz, hub = network["kz"], network["uz"], network["hub"]

    for node, peers in ((kz, (uz, hub)), (uz, (kz, hub)), (hub, (kz, uz))):
        rows = _peers(node)
        assert sorted(rows) == sorted(peer.name for peer in peers)
        for peer in peers:
            url, role, country, node_id, fingerprint, public_key, relaying, suspended = rows[peer.name]
            info = peer.info
            assert (url, role, country, _uuid_text(node_id), fingerprint, public_key) == (
                peer.url,
                info["role"],
                None if peer is hub else info["country"],
                _uuid_text(info["node_id"]),
                info["fingerprint"],
                info["public_key"],
            )
            assert (bool(relaying), bool(suspended)) == (peer is hub, False)
    # the hub hosts the regional centre where that organisation exists: on kz, not on uz
    assert _hosted(kz, "hub") == [REGIONAL_CENTRE]
    assert _hosted(uz, "hub") == []
    # each side printed a token for the other and keeps only its SHA-256
    for link in links.values():
        a, b = link.a, link.b
        assert a.sql(
            "SELECT name FROM exchange_peer WHERE token_hash = %s", (_sha256(link.token_from_a),)
        ) == [(b.name,)]
        assert b.sql(
            "SELECT name FROM exchange_peer WHERE token_hash = %s", (_sha256(link.token_from_b),)
        ) == [(a.name,)]
        assert (b.peer_tokens[a.name], a.peer_tokens[b.name]) == (link.token_from_a, link.token_from_b)
        # and each side recorded the other's token for calling it (`fdx exchange peers set-token`)
        assert b.sql("SELECT outgoing_token FROM exchange_peer WHERE name = %s", (a.name,)) == [
            (link.token_from_a,)
        ]
        assert a.sql("SELECT outgoing_token FROM exchange_peer WHERE name = %s", (b.name,)) == [
            (link.token_from_b,)
        ]
    assert len({token for link in links.values() for token in (link.token_from_a, link.token_from_b)}) == 6


def test_a_killed_node_restarts_on_its_own_database_and_still_has_its_peers(network, links):
    hub = network["hub"]
    before = _peers(hub)
    group = hub.process_group

    hub.kill()

    assert not hub.is_running()
    assert not group_alive(group)  # the web server, its workers and the task worker: all gone
    assert not _answers(hub.url + "/api/v1/health")

    hub.start()

    assert hub.health()["status"] == "ok"
    assert _peers(hub) == before
    assert _uuid_text(hub.scalar("SELECT node_id FROM core_nodeidentity")) == _uuid_text(hub.info["node_id"])
    assert network["kz"].health()["status"] == "ok"
