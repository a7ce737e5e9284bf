"""Running the node: its identity and key shown to node administrators (page, API, CLI), the key created and
replaced by audited actions, and the domain events' deliveries, given up ones retried."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from typer.testing import CliRunner

from fdx.accounts import node
from fdx.audit.models import AuditEvent
from fdx.cli import app
from fdx.core import node as core_node
from fdx.core.actors import system
from fdx.core.models import DeliveryState, EventDelivery, NodeKey, OutboxEvent

pytestmark = pytest.mark.django_db
runner = CliRunner()


@pytest.fixture
def keyed(tmp_path, settings):
    """A node whose key is made (in a folder of the test's own)."""
    settings.FDX_NODE_KEY_FILE = tmp_path / "node" / "ed25519.key"
    key, _created = node.ensure_node_key(system("setup"))
    return key


def test_the_first_key_is_audited_once(tmp_path, settings):
    settings.FDX_NODE_KEY_FILE = tmp_path / "ed25519.key"

    key, created = node.ensure_node_key(system("setup"))
    again, created_again = node.ensure_node_key(system("setup"))

    assert created and not created_again and again == key
    event = AuditEvent.objects.get(action="accounts.node.key_created")
    assert event.after == {"node_id": str(core_node.local_node_id()), "fingerprint": key.fingerprint}
    assert event.actor_username == "setup"


def test_a_node_administrator_replaces_the_key_giving_a_reason(
    persona, keyed, django_capture_on_commit_callbacks
):
    admin = persona("hub_admin")

    with pytest.raises(ValidationError):
        node.rotate_node_key(admin, reason=" ")
    with django_capture_on_commit_callbacks(execute=True):
        new = node.rotate_node_key(admin, reason="the key was exposed in a backup")

    assert core_node.describe().key_file_matches and core_node.current_key() == new
    event = AuditEvent.objects.get(action="accounts.node.key_rotated")
    assert (event.before, event.after) == (
        {"fingerprint": keyed.fingerprint},
        {"fingerprint": new.fingerprint},
    )
    assert event.reason == "the key was exposed in a backup" and event.actor_username == "hub_admin"


@pytest.mark.parametrize("name", ["kz_lab_chemist", "kz_lab_head", "kg_lab_admin"])
def test_only_node_administrators_see_or_change_the_node(persona, keyed, name):
    user = persona(name)
    events = AuditEvent.objects.count()

    for attempt in (
        lambda: node.describe_node(user),
        lambda: node.rotate_node_key(user, reason="curious"),
        lambda: node.delivery_status(user),
        lambda: node.retry_failed_deliveries(user, reason="curious"),
    ):
        with pytest.raises(PermissionDenied):
            attempt()

    assert list(NodeKey.objects.all()) == [keyed]
    assert AuditEvent.objects.count() == events


def test_the_node_page_shows_the_fingerprint_in_english_and_russian(client, persona, keyed):
    client.force_login(persona("hub_admin"))

    english = client.get("/accounts/node/").content.decode()
    russian = client.get("/accounts/node/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()

    grouped = core_node.grouped(keyed.fingerprint)
    assert grouped in english and grouped in russian
    assert "Signing key (Ed25519)" in english and "Ключ подписи (Ed25519)" in russian
    assert str(core_node.local_node_id()) in english
    assert 'id="key-file-problem"' not in english


def test_the_node_page_says_when_the_key_file_is_not_the_key(client, persona, keyed, settings):
    settings.FDX_NODE_KEY_FILE.unlink()
    client.force_login(persona("hub_admin"))

    page = client.get("/accounts/node/").content.decode()

    assert 'id="key-file-problem"' in page


def test_the_node_page_and_routes_refuse_others(client, api, persona, keyed):
    chemist = persona("kz_lab_chemist")
    client.force_login(chemist)

    assert client.get("/accounts/node/").status_code == 403
    assert client.post("/accounts/node/deliveries/retry/", {"reason": "x"}).status_code == 403
    assert api.get("/node", user=chemist).status_code == 403
    assert api.get("/node/events", user=chemist).status_code == 403


def test_the_api_gives_the_node_and_its_key(api, persona, keyed):
    body = api.get("/node", user=persona("hub_admin")).json()

    assert body["node_id"] == str(core_node.local_node_id())
    assert (body["name"], body["country"], body["role"]) == ("FDX test node", "KZ", "national")
    assert body["fingerprint"] == keyed.fingerprint and body["public_key"] == keyed.public_key
    assert body["fingerprint_grouped"] == core_node.grouped(keyed.fingerprint)
    assert body["key_file_matches"] is True and body["retired_keys"] == 0


def test_fdx_node_show_prints_the_fingerprint_and_fails_without_the_key_file(keyed, settings):
    shown = runner.invoke(app, ["node", "show"], env={"COLUMNS": "200"})
    settings.FDX_NODE_KEY_FILE.unlink()
    broken = runner.invoke(app, ["node", "show"], env={"COLUMNS": "200"})

    assert shown.exit_code == 0, shown.output
    assert core_node.grouped(keyed.fingerprint) in shown.output
    assert f"node        {core_node.local_node_id()}" in shown.output
    assert broken.exit_code == 1 and "key file is missing or does not hold this key" in broken.output


def test_fdx_node_rotate_key_replaces_it(keyed, settings, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        result = runner.invoke(
            app, ["node", "rotate-key", "--reason", "yearly", "--yes"], env={"COLUMNS": "200"}
        )

    assert result.exit_code == 0, result.output
    assert core_node.describe().key_file_matches
    new = core_node.current_key()
    assert new != keyed and core_node.grouped(new.fingerprint) in result.output
    assert AuditEvent.objects.get(action="accounts.node.key_rotated").actor_username.startswith("cli:")


def _given_up_delivery():
    event = OutboxEvent.objects.create(code="examinations.case.changed", occurred_at="2026-01-01T00:00Z")
    return EventDelivery.objects.create(
        event=event,
        subscriber="tests.broken",
        state=DeliveryState.FAILED,
        attempts=8,
        next_attempt_at="2026-01-01T00:00Z",
        last_error="Traceback …\nRuntimeError: the store is away",
    )


def test_deliveries_given_up_are_shown_and_retried_by_a_node_administrator(client, persona, keyed):
    delivery = _given_up_delivery()
    admin = persona("hub_admin")
    client.force_login(admin)

    page = client.get("/accounts/node/").content.decode()
    refused = client.post("/accounts/node/deliveries/retry/", {"reason": ""})
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.FAILED and refused.status_code == 302
    retried = client.post("/accounts/node/deliveries/retry/", {"reason": "the store is back"})

    assert 'id="failed-deliveries"' in page and "RuntimeError: the store is away" in page
    assert retried.status_code == 302
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (DeliveryState.PENDING, 0)
    event = AuditEvent.objects.get(action="accounts.node.deliveries_retried")
    assert event.after == {"deliveries": 1} and event.reason == "the store is back"


def test_fdx_node_events_lists_what_was_given_up(keyed):
    _given_up_delivery()

    result = runner.invoke(app, ["node", "events"], env={"COLUMNS": "200"})

    assert result.exit_code == 0, result.output
    assert "failed: 1" in result.output
    assert "examinations.case.changed → tests.broken" in result.output
    assert "RuntimeError: the store is away" in result.output


def test_delivery_counts_are_bounded_and_say_when_a_state_holds_more(api, persona, keyed, monkeypatch):
    from fdx.core import paging

    monkeypatch.setattr(paging, "COUNT_BOUND", 2)  # each state is counted up to the bound
    for _number in range(3):
        _given_up_delivery()

    body = api.get("/node/events", user=persona("hub_admin")).json()
    printed = runner.invoke(app, ["node", "events"], env={"COLUMNS": "200"})

    assert body["counts"] == {"pending": 0, "done": 0, "failed": 2} and body["more"] == ["failed"]
    assert len(body["failed"]) == 3
    assert "failed: 2+" in printed.output and "pending: 0," in printed.output
