"""A signing node with peers, for the transport's tests: this node is Kazakhstan's (the test settings), with
its key and pseudonymisation secret in a folder of the test's own."""

import uuid

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from fdx.core import node, signing
from fdx.core.actors import system
from fdx.exchange import actions, secret
from fdx.geo.models import Country

SETUP = system("setup")
UZ_KEY = Ed25519PrivateKey.generate()
HUB_KEY = Ed25519PrivateKey.generate()
KG_KEY = Ed25519PrivateKey.generate()
UZ_NODE = "4b2f1e0a-3c5d-4e6f-8a9b-0c1d2e3f4a5b"
HUB_NODE = "9c8b7a6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
KG_NODE = "1a2b3c4d-0000-4000-8000-00000000c0de"


def _b64(key) -> str:
    import base64

    return base64.b64encode(signing.raw_public_key(key.public_key())).decode("ascii")


@pytest.fixture
def signing_node(tmp_path, settings):
    settings.FDX_NODE_KEY_FILE = tmp_path / "node" / "ed25519.key"
    settings.FDX_AUDIT_CHECKPOINT_FILE = tmp_path / "node" / "audit-checkpoints.jsonl"
    settings.FDX_EXCHANGE_SECRET_FILE = tmp_path / "node" / "exchange-secret"
    secret._cache.clear()
    node.create_key()
    yield node.current_key()
    secret._cache.clear()


def register(name, key, node_id, role="national", country="", **extra):
    peer, _token = actions.register_peer(
        SETUP,
        name=name,
        url=f"https://{name}.example.org",
        role=role,
        node_id=node_id,
        key_fingerprint=signing.fingerprint(key.public_key()),
        public_key=_b64(key),
        country=Country.objects.get(code=country) if country else None,
        **extra,
    )
    return peer


@pytest.fixture
def uz_peer(signing_node):
    return register("uz", UZ_KEY, UZ_NODE, country="UZ")


@pytest.fixture
def hub_peer(signing_node, persona):
    from fdx.testing.personas import organisation

    return register(
        "hub",
        HUB_KEY,
        HUB_NODE,
        role="hub",
        relaying=True,
        organisations=[organisation("demo-regional-centre")],
    )


def new_id() -> str:
    return str(uuid.uuid4())
