"""The node's identity and Ed25519 key: made once, the private key in a file only its owner reads, the public
half of every key kept, a rotation that takes effect only when it commits."""

import stat

import pytest
from cryptography.hazmat.primitives import serialization
from django.db import transaction

from fdx.core import node
from fdx.core.models import NodeIdentity, NodeKey

pytestmark = pytest.mark.django_db


@pytest.fixture
def key_path(tmp_path, settings):
    settings.FDX_NODE_KEY_FILE = tmp_path / "keys" / "ed25519.key"
    return settings.FDX_NODE_KEY_FILE


def test_the_node_identifier_is_made_once_and_kept():
    first = node.local_node_id()

    assert node.local_node_id() == first
    assert NodeIdentity.objects.get().node_id == first


def test_the_first_key_is_written_for_its_owner_only_and_its_public_half_recorded(key_path):
    key, created = node.create_key()

    assert created and key_path.exists()
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(key_path.parent.stat().st_mode) == 0o700
    private = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    assert node.public_key_text(private) == key.public_key
    assert key.fingerprint == node.fingerprint(private.public_key()) and len(key.fingerprint) == 64
    assert node.create_key() == (key, False)  # a second set-up keeps it


def test_what_the_node_signs_verifies_with_its_public_key(key_path):
    key, _created = node.create_key()

    signature = node.sign(b"a case record")

    assert node.verify(key.public_key, signature, b"a case record")
    assert not node.verify(key.public_key, signature, b"another record")


def test_a_key_file_that_is_not_the_recorded_key_is_named(key_path):
    node.create_key()
    key_path.rename(key_path.with_name("lost"))

    with pytest.raises(node.NodeKeyError, match="key file is missing"):
        node.create_key()
    with pytest.raises(node.NodeKeyError, match="key file is missing"):
        node.sign(b"x")
    key_path.write_bytes(b"not a key")
    with pytest.raises(node.NodeKeyError, match="not an unencrypted PEM private key"):
        node.sign(b"x")
    assert node.describe().key_file_matches is False


def test_an_existing_key_file_is_adopted_on_first_set_up(key_path):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key_path.parent.mkdir(parents=True)
    existing = Ed25519PrivateKey.generate()
    node._write_private_key(key_path, existing)

    key_path.chmod(0o644)  # copied in by hand, readable by others

    key, created = node.create_key()

    assert created and key.public_key == node.public_key_text(existing)
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600


def test_a_rotation_keeps_the_old_public_key_and_the_old_file(key_path, django_capture_on_commit_callbacks):
    old, _created = node.create_key()

    with django_capture_on_commit_callbacks(execute=True):
        new, retired = node.rotate_key("the laptop holding a copy was stolen")

    assert retired == old and new.fingerprint != old.fingerprint
    old.refresh_from_db()
    assert old.retired_at is not None and old.retirement_reason == "the laptop holding a copy was stolen"
    assert node.current_key() == new
    assert node.describe().key_file_matches and node.describe().retired_keys == 1
    assert [p.name.split(".retired-")[0] for p in key_path.parent.glob("*.retired-*")] == ["ed25519.key"]
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600


def test_a_rotation_that_does_not_commit_leaves_the_key_as_it_was(
    key_path, django_capture_on_commit_callbacks
):
    old, _created = node.create_key()
    before = key_path.read_bytes()

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        node.rotate_key("due")
        raise RuntimeError("the audit chain could not be written")

    assert key_path.read_bytes() == before
    assert list(NodeKey.objects.all()) == [old] and node.current_key() == old
    assert list(key_path.parent.glob("*.new")) == []  # no private key left lying beside it


def test_two_rotations_in_a_row_leave_the_file_holding_the_current_key(
    key_path, django_capture_on_commit_callbacks
):
    node.create_key()

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        node.rotate_key("first")
        node.rotate_key("second")

    assert node.describe().key_file_matches
    assert (
        node.current_key().retired_at is None
        and NodeKey.objects.filter(retired_at__isnull=False).count() == 2
    )
    assert list(key_path.parent.glob("*.new")) == []


def test_grouped_fingerprints_are_read_in_fours():
    assert node.grouped("ab12cd34ef56") == "ab12 cd34 ef56"
