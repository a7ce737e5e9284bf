"""Signed checkpoints outside the database, and the three rewrites that the hash chain alone cannot see.

Each attack is done as an attacker with write access to the database file would: raw SQL, recomputing the
hashes with the published algorithm. Without a checkpoint each goes unnoticed (shown first); with one,
``verify_chain`` names it.
"""

import base64
import datetime
import json

import pytest
from django.db import DatabaseError, connection, transaction
from typer.testing import CliRunner

from fdx.audit import chain, checkpoints
from fdx.audit.actions import record
from fdx.audit.models import AuditChainHead, AuditEvent
from fdx.audit.tests.tampering import triggers_disabled
from fdx.audit.verify import verify_chain
from fdx.cli import app
from fdx.core import node
from fdx.core.actors import system

pytestmark = pytest.mark.django_db
runner = CliRunner()


@pytest.fixture
def signing_node(tmp_path, settings):
    settings.FDX_NODE_KEY_FILE = tmp_path / "node" / "ed25519.key"
    settings.FDX_AUDIT_CHECKPOINT_FILE = tmp_path / "node" / "audit-checkpoints.jsonl"
    node.create_key()
    return settings.FDX_AUDIT_CHECKPOINT_FILE


def events(count: int) -> list[AuditEvent]:
    return [record("geo.reference.loaded", actor=system("test"), after={"n": n}) for n in range(count)]


# What the attacker does


def rows_from(sequence: int) -> list[dict]:
    names = [name for name in chain.HASHED_FIELDS if name not in ("actor_id", "organisation_id")]
    return list(
        AuditEvent.objects.filter(sequence__gte=sequence)
        .order_by("sequence")
        .values(*names, "actor_id", "organisation_id", "hash")
    )


def rewrite_from(sequence: int, change: dict) -> None:
    """Change event ``sequence`` and recompute every later hash and the head, in raw SQL."""
    rows = rows_from(sequence)
    previous = rows[0]["previous_hash"]
    with triggers_disabled(), connection.cursor() as cursor:
        for row in rows:
            if row["sequence"] == sequence:
                row.update(change)
            row["previous_hash"] = previous
            row["hash"] = chain.event_hash(row)
            cursor.execute(
                "UPDATE audit_auditevent SET reason = %s, previous_hash = %s, hash = %s WHERE sequence = %s",
                [row["reason"], row["previous_hash"], row["hash"], row["sequence"]],
            )
            previous = row["hash"]
        cursor.execute("UPDATE audit_auditchainhead SET last_hash = %s WHERE id = 1", [previous])


def cut_tail(keep_until: int) -> None:
    """Delete the events after ``keep_until`` and move the head back, in raw SQL."""
    last_hash = AuditEvent.objects.get(sequence=keep_until).hash
    with triggers_disabled(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE sequence > %s", [keep_until])
        cursor.execute(
            "UPDATE audit_auditchainhead SET last_sequence = %s, last_hash = %s WHERE id = 1",
            [keep_until, last_hash],
        )


def append_forged(occurred_at: datetime.datetime) -> None:
    """Append an event with a valid hash and move the head forward: no trigger refuses either."""
    head = AuditChainHead.objects.get()
    fields = {
        "sequence": head.last_sequence + 1,
        "occurred_at": chain.format_timestamp(occurred_at),
        "action": "accounts.user.roles_changed",
        "actor_id": None,
        "actor_username": "kz_lab_head",
        "organisation_id": None,
        "organisation_code": "",
        "object_type": "accounts.user",
        "object_id": "intruder",
        "object_repr": "intruder",
        "before": None,
        "after": {"roles": ["node_admin"]},
        "reason": "",
        "request_id": "",
        "ip_address": "",
        "previous_hash": head.last_hash,
    }
    fields["hash"] = chain.event_hash(fields)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_auditevent (sequence, occurred_at, action, actor_username, "
            "organisation_code, object_type, object_id, object_repr, after, reason, request_id, ip_address, "
            "previous_hash, hash) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [
                fields["sequence"],
                occurred_at,
                fields["action"],
                fields["actor_username"],
                "",
                fields["object_type"],
                fields["object_id"],
                fields["object_repr"],
                json.dumps(fields["after"]),
                "",
                "",
                "",
                fields["previous_hash"],
                fields["hash"],
            ],
        )
        cursor.execute(
            "UPDATE audit_auditchainhead SET last_sequence = %s, last_hash = %s WHERE id = 1",
            [fields["sequence"], fields["hash"]],
        )


# The weakness, without checkpoints


@pytest.mark.parametrize("attack", ["cut", "rewrite", "append"])
def test_without_a_checkpoint_the_chain_alone_misses_each_attack(signing_node, attack):
    written = events(4)
    if attack == "cut":
        cut_tail(written[1].sequence)
    elif attack == "rewrite":
        rewrite_from(written[1].sequence, {"reason": "rewritten"})
    else:
        append_forged(written[-1].occurred_at + datetime.timedelta(microseconds=1))

    result = verify_chain()

    assert result.ok and result.anchored_sequence is None
    assert "No signed checkpoint" in result.statement()


# With checkpoints


def test_a_checkpoint_vouches_for_the_chain_up_to_it(signing_node):
    events(2)
    first = checkpoints.write_checkpoint()
    events(3)

    result = verify_chain()

    assert result.ok
    assert (result.anchored_sequence, result.checkpoints_checked) == (first.sequence, 1)
    assert result.unanchored_events == 3
    assert f"#{first.sequence}" in result.statement() and "not anchored yet" in result.statement()


def test_each_line_chains_to_the_one_before_and_is_signed(signing_node):
    events(1)
    first = checkpoints.write_checkpoint()
    events(1)
    second = checkpoints.write_checkpoint()

    assert second.previous_line_hash == first.line_hash and second.number == first.number + 1
    assert checkpoints.signature_valid(first) and checkpoints.signature_valid(second)
    assert verify_chain().anchored_sequence == second.sequence


def test_attack_cut_tail_and_move_the_head_back_is_found(signing_node):
    written = events(4)
    checkpoints.write_checkpoint()

    cut_tail(written[1].sequence)
    result = verify_chain()

    assert not result.ok
    assert "events were removed" in result.problem


def test_attack_rewrite_an_event_and_every_later_hash_is_found(signing_node):
    written = events(4)
    checkpoints.write_checkpoint()

    rewrite_from(written[1].sequence, {"reason": "rewritten"})
    result = verify_chain()

    assert not result.ok
    assert result.broken_sequence == written[-1].sequence
    assert "not the event that checkpoint 1" in result.problem


def test_attack_append_a_back_dated_event_is_found(signing_node):
    written = events(3)

    append_forged(written[0].occurred_at)
    result = verify_chain()

    assert not result.ok
    assert "back-dated" in result.problem


def test_attack_append_an_event_dated_before_the_last_checkpoint_is_found(signing_node):
    written = events(3)
    checkpoints.write_checkpoint()

    # Later than the last real event, but earlier than the checkpoint that did not include it.
    append_forged(written[-1].occurred_at + datetime.timedelta(microseconds=1))
    result = verify_chain()

    assert not result.ok
    assert "dated before checkpoint 1" in result.problem


def test_an_altered_or_removed_checkpoint_line_is_found(signing_node):
    events(1)
    checkpoints.write_checkpoint()
    events(1)
    checkpoints.write_checkpoint()
    events(1)
    checkpoints.write_checkpoint()
    lines = signing_node.read_text().splitlines()

    signing_node.write_text("\n".join([lines[0], lines[2]]) + "\n")
    assert "does not follow line 1" in verify_chain().problem

    forged = json.loads(lines[2]) | {"sequence": 1}
    signing_node.write_text("\n".join([lines[0], lines[1], json.dumps(forged)]) + "\n")
    assert "not signed by a key of this node" in verify_chain().problem


def test_insert_or_replace_is_refused_by_the_triggers(signing_node):
    event = events(1)[0]
    if connection.vendor != "sqlite":
        pytest.skip("INSERT OR REPLACE is SQLite's; PostgreSQL's ON CONFLICT meets the UPDATE trigger")

    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "INSERT OR REPLACE INTO audit_auditevent (sequence, occurred_at, action, actor_username, "
            "organisation_code, object_type, object_id, object_repr, reason, request_id, ip_address, "
            "previous_hash, hash) SELECT sequence, occurred_at, action, actor_username, organisation_code, "
            "object_type, object_id, object_repr, 'replaced', request_id, ip_address, previous_hash, hash "
            "FROM audit_auditevent WHERE sequence = %s",
            [event.sequence],
        )

    assert AuditEvent.objects.get(pk=event.pk).reason == ""


def test_the_head_cannot_move_back_or_go_without_dropping_a_trigger(signing_node):
    events(2)
    for statement in (
        "UPDATE audit_auditchainhead SET last_sequence = last_sequence - 1 WHERE id = 1",
        "DELETE FROM audit_auditchainhead",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)

    assert verify_chain().ok


def test_a_peers_countersignature_line_keeps_the_file_valid(signing_node):
    events(1)
    written = checkpoints.write_checkpoint()
    peer_signature = node.load_private_key().sign(written.payload())  # stands in for a peer's key

    checkpoints.append_line(
        checkpoints.countersignature_line(written, "peer-node", "ab" * 32, peer_signature)
    )

    assert checkpoints.status().countersignatures == 1
    assert verify_chain().ok


def test_a_checkpoint_is_due_every_n_events_or_each_minute(settings):
    settings.FDX_AUDIT_CHECKPOINT_EVENTS = 10
    settings.FDX_AUDIT_CHECKPOINT_SECONDS = 60
    checkpoints._remember_written(0)

    assert [n for n in range(1, 31) if checkpoints.due(n)] == [10, 20, 30]

    checkpoints._last_written["at"] -= datetime.timedelta(seconds=61)
    assert checkpoints.due(31) and not checkpoints.due(32)


def test_without_a_key_the_task_skips_and_says_why(tmp_path, settings):
    settings.FDX_NODE_KEY_FILE = tmp_path / "none" / "ed25519.key"
    settings.FDX_AUDIT_CHECKPOINT_FILE = tmp_path / "none" / "audit-checkpoints.jsonl"

    assert checkpoints.write_if_possible().startswith("skipped:")
    assert not settings.FDX_AUDIT_CHECKPOINT_FILE.exists()


# Where it is shown


def test_cli_checkpoint_then_verify_says_how_far_it_vouches(signing_node):
    events(2)

    written = runner.invoke(app, ["audit", "checkpoint"])
    events(1)
    verified = runner.invoke(app, ["audit", "verify"], env={"COLUMNS": "300"})

    assert written.exit_code == 0 and "checkpoint 1" in written.output
    assert verified.exit_code == 0
    assert "the last checkpoint (signed" in verified.output
    assert "not yet anchored" in verified.output


def test_cli_verify_fails_on_a_cut_tail(signing_node):
    written = events(3)
    runner.invoke(app, ["audit", "checkpoint"])
    cut_tail(written[0].sequence)

    result = runner.invoke(app, ["audit", "verify", "--json"])

    assert result.exit_code == 1
    assert "events were removed" in json.loads(result.stdout)["problem"]


def test_api_and_page_show_the_checkpoint_status(api, client, persona, signing_node):
    events(2)
    written = checkpoints.write_checkpoint()
    events(1)
    admin = persona("hub_admin")

    status = api.get("/audit/checkpoints", user=admin).json()
    verified = api.get("/audit/verify", user=admin).json()
    client.force_login(admin)
    page = client.get("/audit/").content.decode()

    assert status["last_sequence"] == written.sequence and status["last_signature_valid"] is True
    assert status["unanchored_events"] >= 1
    assert verified["anchored_sequence"] == written.sequence
    assert f"vouches for events 1–{written.sequence}" in page
    assert api.get("/audit/checkpoints", user=persona("kz_lab_admin")).status_code == 403


def test_checkpoints_signed_by_a_key_slipped_into_the_database_are_flagged(signing_node):
    events(2)
    # The attacker writes the database and the checkpoint file but cannot read the key file: they record a
    # key of their own as a retired node key and sign their checkpoint with it.
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from fdx.core.models import NodeKey

    own = Ed25519PrivateKey.generate()
    NodeKey.objects.create(
        public_key=node.public_key_text(own),
        fingerprint=node.fingerprint(own.public_key()),
        retired_at=datetime.datetime.now(datetime.UTC),
    )
    genuine = checkpoints.write_checkpoint()
    forged = checkpoints.Checkpoint(
        **{**genuine.__dict__, "key_fingerprint": node.fingerprint(own.public_key()), "countersignatures": []}
    )
    fields = json.loads(signing_node.read_text().splitlines()[0]) | {
        "key_fingerprint": forged.key_fingerprint
    }
    fields["signature"] = base64.b64encode(own.sign(forged.payload())).decode()
    signing_node.write_text(json.dumps(fields) + "\n")

    result = verify_chain()

    assert result.ok  # the signature holds: the database knows the key
    assert "not signed by the key in the node's key file" in result.warning
    assert result.warning in result.statement()


def test_the_node_signs_a_checkpoint_on_its_own_every_n_events(
    signing_node, settings, django_capture_on_commit_callbacks
):
    head = AuditChainHead.objects.get().last_sequence
    settings.FDX_AUDIT_CHECKPOINT_EVENTS = 3
    checkpoints._remember_written(head)

    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3 - head % 3):
            record("geo.reference.loaded", actor=system("test"))

    written = checkpoints.read_checkpoints()
    assert [c.sequence % 3 for c in written] == [0]
    assert verify_chain().anchored_sequence == written[0].sequence
