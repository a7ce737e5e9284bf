"""The peer routes (pull, push, gap fetch) through HTTP, and bundles carried by file: the same signed
messages, the same receiving, and every failure named."""

import base64
import json

import pytest

from fdx.core import node
from fdx.core.actors import system
from fdx.examinations.models import Case
from fdx.examinations.tests.builders import approved_case
from fdx.exchange import actions, bundles, messages, network, outbox
from fdx.exchange.models import ImportedBundle, OutboxEntry, Peer, Receipt
from fdx.exchange.tests.conftest import KG_KEY, UZ_KEY, UZ_NODE, register
from fdx.exchange.tests.test_inbox import Dossier

pytestmark = pytest.mark.django_db
SETUP = system("setup")


@pytest.fixture
def uz_with_token(uz_peer):
    """The Uzbek peer, and the token this node gave it (what it presents when it calls here)."""
    from fdx.accounts import tokens

    token = tokens.generate_token()
    Peer.objects.filter(pk=uz_peer.pk).update(token_hash=tokens.hash_token(token))
    uz_peer.refresh_from_db()
    return uz_peer, token


def auth(token):
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def lines(response):
    return [json.loads(line) for line in b"".join(response.streaming_content).splitlines()]


def test_a_peer_pulls_its_queue_page_by_page_and_asking_after_a_cursor_acknowledges_it(
    client, persona, uz_with_token
):
    peer, token = uz_with_token
    case, *_ = approved_case(persona, distribution_level="regional")
    outbox.refresh_cases([case.pk])

    first = lines(client.get("/api/v1/exchange/changes?after=0&limit=3", **auth(token)))
    assert [line["message"]["header"]["model"] for line in first[:-1]] == [
        "examinations.case",
        "examinations.exhibit",
        "examinations.examination",
    ]
    assert first[-1]["more"] is True
    ring = network.keyring()
    for line in first[:-1]:
        messages.verify(messages.canonical(line["message"]), ring)
    cursor = first[-1]["next"]
    second = lines(client.get(f"/api/v1/exchange/changes?after={cursor}&limit=3", **auth(token)))
    assert [line["message"]["header"]["model"] for line in second[:-1]] == ["examinations.finding"]
    assert second[-1] == {"more": False, "next": second[0]["sequence"]}
    peer.refresh_from_db()
    assert peer.acknowledged_through == cursor
    assert OutboxEntry.objects.filter(peer=peer).count() == 1


@pytest.mark.parametrize("header, status", [({}, 401), (auth("fdx_not-a-peer-token"), 401)])
def test_the_peer_routes_refuse_a_caller_without_a_peer_token(client, uz_with_token, header, status):
    assert client.get("/api/v1/exchange/changes", **header).status_code == status


def test_a_suspended_peer_is_refused(client, uz_with_token):
    peer, token = uz_with_token
    actions.suspend_peer(SETUP, peer, reason="compromised")
    assert client.get("/api/v1/exchange/changes", **auth(token)).status_code == 403


def test_a_user_token_is_not_a_peer_token(client, persona):
    from fdx.accounts import actions as account_actions

    admin = persona("kz_node_admin")
    _token, secret = account_actions.create_api_token(admin, admin, name="mine")
    assert client.get("/api/v1/exchange/changes", **auth(secret)).status_code == 401


def test_a_push_is_received_and_answered_message_by_message(client, persona, uz_with_token):
    peer, token = uz_with_token
    dossier = Dossier()
    body = b"\n".join([*dossier.all(), dossier.message("case", key=KG_KEY)]) + b"\n"
    response = client.post(
        "/api/v1/exchange/inbox", data=body, content_type="application/x-ndjson", **auth(token)
    )
    assert response.status_code == 200
    outcomes = [(r["outcome"], r["code"]) for r in response.json()["receipts"]]
    assert outcomes == [("applied", "")] * 4 + [("refused", "unknown_key")]
    assert Case.objects.filter(global_id=dossier.ids["case"]).exists()
    assert Receipt.objects.filter(peer=peer, channel="push").count() == 5


def test_a_gap_is_fetched_as_the_record_s_current_message(client, persona, uz_with_token):
    _peer, token = uz_with_token
    case, *_ = approved_case(persona, distribution_level="regional")
    outbox.refresh_cases([case.pk])
    response = client.get(f"/api/v1/exchange/records/{case.global_id}", **auth(token))
    assert response.status_code == 200
    message = messages.verify(response.content, network.keyring())
    assert message.record.global_id == str(case.global_id)
    other, *_ = approved_case(persona, reference="KZ-2025-0099", distribution_level="national")
    assert client.get(f"/api/v1/exchange/records/{other.global_id}", **auth(token)).status_code == 404


# Bundles


def uz_bundle(path, dossier_messages, *, key=UZ_KEY, to_node=None, through=None):
    """A bundle as the Uzbek node exports it for this node."""
    with path.open("wb") as handle:
        writer = bundles.BundleWriter(
            handle,
            from_node=UZ_NODE,
            to_node=to_node or str(node.local_node_id()),
            after=0,
            through=through or len(dossier_messages),
            acknowledges=0,
        )
        for sequence, data in enumerate(dossier_messages, start=1):
            writer.add(sequence, data)
        from fdx.core.signing import fingerprint

        writer.close(fingerprint(key.public_key()), key.sign)
    return path


def test_a_bundle_is_applied_once_and_a_replay_changes_nothing(persona, uz_peer, tmp_path):
    dossier = Dossier()
    path = uz_bundle(tmp_path / "uz.fdxbundle", dossier.all())

    result = actions.import_bundle(SETUP, path)
    assert (result.records, result.applied, result.refused) == (4, 4, 0)
    assert Case.objects.filter(global_id=dossier.ids["case"]).exists()
    uz_peer.refresh_from_db()
    assert uz_peer.pulled_through == 4
    with pytest.raises(bundles.BundleError) as refused:
        actions.import_bundle(SETUP, path)
    assert refused.value.code == "replayed"
    assert ImportedBundle.objects.count() == 1
    assert Receipt.objects.filter(channel="bundle").count() == 4


def _tamper(path):
    data = path.read_bytes().replace(b'"form":"crystal"', b'"form":"powder"')
    path.write_bytes(data)


def _truncate(path):
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _drop_trailer(path):
    path.write_bytes(b"".join(path.read_bytes().splitlines(keepends=True)[:-1]))


def _resign(path):
    """Lines changed and the trailer re-made with another node's key."""
    data = path.read_bytes().splitlines(keepends=True)
    trailer = json.loads(data[-1])
    payload = bundles._trailer_payload(json.loads(data[0])["bundle_id"], trailer["count"], trailer["sha256"])
    trailer["signature"] = base64.b64encode(KG_KEY.sign(payload)).decode()
    path.write_bytes(b"".join(data[:-1]) + messages.canonical(trailer) + b"\n")


@pytest.mark.parametrize(
    "spoil, code",
    [
        (_tamper, "tampered"),
        (_truncate, "truncated"),
        (_drop_trailer, "truncated"),
        (_resign, "foreign_signed"),
    ],
    ids=["tampered", "truncated", "no-trailer", "foreign-signed"],
)
def test_a_spoiled_bundle_is_refused_naming_what_failed_and_changes_nothing(
    persona, uz_peer, tmp_path, spoil, code
):
    path = uz_bundle(tmp_path / "uz.fdxbundle", Dossier().all())
    spoil(path)
    with pytest.raises(bundles.BundleError) as refused:
        actions.import_bundle(SETUP, path)
    assert refused.value.code == code
    assert str(path) in str(refused.value)
    assert not Case.with_tombstones().exists() and not Receipt.objects.exists()
    assert not ImportedBundle.objects.exists()


def test_a_bundle_signed_by_another_peer_s_key_is_refused(persona, uz_peer, tmp_path):
    register("kg", KG_KEY, "1a2b3c4d-0000-4000-8000-00000000c0df", country="KG")
    path = uz_bundle(tmp_path / "uz.fdxbundle", Dossier().all(), key=KG_KEY)
    with pytest.raises(bundles.BundleError) as refused:
        actions.import_bundle(SETUP, path)
    assert refused.value.code == "foreign_signed"


def test_a_bundle_for_another_node_is_refused(persona, uz_peer, tmp_path):
    path = uz_bundle(
        tmp_path / "uz.fdxbundle", Dossier().all(), to_node="00000000-0000-4000-8000-000000000000"
    )
    with pytest.raises(bundles.BundleError) as refused:
        actions.import_bundle(SETUP, path)
    assert refused.value.code == "not_for_this_node"


def test_an_exported_bundle_holds_the_peer_s_queue_signed_by_this_node(persona, uz_peer, tmp_path):
    case, *_ = approved_case(persona, distribution_level="regional")
    outbox.refresh_cases([case.pk])
    path = tmp_path / "for-uz.fdxbundle"
    with path.open("wb") as handle:
        result = actions.export_bundle(SETUP, uz_peer, handle)
    assert result.records == 4
    data = path.read_bytes().splitlines()
    header, trailer = json.loads(data[0]), json.loads(data[-1])
    assert header["to_node"] == UZ_NODE and header["from_node"] == str(node.local_node_id())
    assert trailer["count"] == 4 and trailer["key"] == node.current_key().fingerprint
    ring = network.keyring()
    assert [
        messages.verify(messages.canonical(json.loads(line)["message"]), ring).record.model
        for line in data[1:-1]
    ] == [
        "examinations.case",
        "examinations.exhibit",
        "examinations.examination",
        "examinations.finding",
    ]
    payload = bundles._trailer_payload(header["bundle_id"], 4, trailer["sha256"])
    assert node.verify(node.current_key().public_key, base64.b64decode(trailer["signature"]), payload)


# The pages


def test_a_peer_s_page_shows_its_queue_and_sync_status(client, persona, uz_peer):
    case, *_ = approved_case(persona, distribution_level="regional")
    outbox.refresh_cases([case.pk])
    client.force_login(persona("kz_node_admin"))
    page = client.get(f"/exchange/peers/{uz_peer.name}/").content.decode()
    assert 'id="sync-pending">4' in page
    assert str(case.global_id) in page
    assert "cannot call the peer yet" in page


def test_the_token_for_calling_a_peer_is_recorded_from_its_page_and_audited_without_it(
    client, persona, uz_peer
):
    from fdx.audit.models import AuditEvent

    client.force_login(persona("kz_node_admin"))
    response = client.post(f"/exchange/peers/{uz_peer.name}/token/", {"token": "fdx_from-the-uzbek-admin"})
    assert response.status_code == 302
    uz_peer.refresh_from_db()
    assert uz_peer.outgoing_token == "fdx_from-the-uzbek-admin"
    event = AuditEvent.objects.get(action="exchange.peer.token_set")
    assert "fdx_from-the-uzbek-admin" not in json.dumps([event.before, event.after, event.reason])


def test_sync_now_with_an_unreachable_peer_says_why_and_backs_off(client, persona, uz_peer):
    Peer.objects.filter(pk=uz_peer.pk).update(url="http://127.0.0.1:9", outgoing_token="fdx_x")
    client.force_login(persona("kz_node_admin"))
    page = client.post(f"/exchange/peers/{uz_peer.name}/sync/", follow=True).content.decode()
    assert "cannot be reached" in page
    uz_peer.refresh_from_db()
    assert uz_peer.failures == 1 and uz_peer.next_attempt_at is not None


def test_a_peer_at_a_plain_http_address_elsewhere_is_not_called(persona, uz_peer):
    from fdx.exchange import transport

    Peer.objects.filter(pk=uz_peer.pk).update(url="http://fdx.example.uz", outgoing_token="fdx_x")
    uz_peer.refresh_from_db()
    result = transport.sync(uz_peer)
    assert "not an https:// address" in result.error


def test_a_bundle_is_downloaded_and_uploaded_through_the_pages(client, persona, uz_peer, tmp_path):
    client.force_login(persona("kz_node_admin"))
    case, *_ = approved_case(persona, distribution_level="regional")
    outbox.refresh_cases([case.pk])
    response = client.get(f"/exchange/peers/{uz_peer.name}/bundle/")
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    assert json.loads(content.splitlines()[-1])["count"] == 4

    dossier = Dossier()
    path = uz_bundle(tmp_path / "uz.fdxbundle", dossier.all())
    with path.open("rb") as handle:
        page = client.post("/exchange/import-bundle/", {"bundle": handle})
    assert page.status_code == 200 and "4 applied" in page.content.decode()
    with path.open("rb") as handle:
        again = client.post("/exchange/import-bundle/", {"bundle": handle})
    assert again.status_code == 422 and "replayed" in again.content.decode()


def test_the_sync_pages_are_for_node_administrators(client, persona, uz_peer):
    client.force_login(persona("kz_lab_chemist"))
    assert client.get(f"/exchange/peers/{uz_peer.name}/bundle/").status_code == 403
    assert client.get("/exchange/import-bundle/").status_code == 403
    assert client.post(f"/exchange/peers/{uz_peer.name}/sync/").status_code == 403


# The API for node administrators


def test_the_sync_api_shows_status_queue_and_receipts(api, persona, uz_peer, tmp_path):
    admin = persona("kz_node_admin")
    case, *_ = approved_case(persona, distribution_level="regional")
    outbox.refresh_cases([case.pk])
    actions.import_bundle(SETUP, uz_bundle(tmp_path / "uz.fdxbundle", Dossier().all()))

    statuses = api.get("/exchange/sync-status", user=admin).json()
    assert [(s["peer"], s["pending"], s["callable"]) for s in statuses] == [("uz", 4, False)]
    entries = api.get("/exchange/peers/uz/queue?limit=3", user=admin).json()
    assert [e["model"] for e in entries["items"]] == [
        "examinations.case",
        "examinations.exhibit",
        "examinations.examination",
    ]
    following = api.get(f"/exchange/peers/uz/queue?limit=3&cursor={entries['next']}", user=admin).json()
    assert [e["model"] for e in following["items"]] == ["examinations.finding"]
    receipts = api.get("/exchange/receipts?peer=uz", user=admin).json()["items"]
    assert {(r["channel"], r["outcome"]) for r in receipts} == {("bundle", "applied")}
    assert api.post("/exchange/peers/uz/token", {"token": "fdx_abc"}, user=admin).status_code == 200
    result = api.post("/exchange/peers/uz/sync", {}, user=admin).json()
    assert "cannot be reached" in result["error"] or "example.org" in result["error"]


def test_the_sync_api_is_for_node_administrators(api, persona, uz_peer):
    chemist = persona("kz_lab_chemist")
    assert api.get("/exchange/sync-status", user=chemist).status_code == 403
    assert api.post("/exchange/peers/uz/sync", {}, user=chemist).status_code == 403


def test_a_pull_asking_ahead_of_what_it_committed_leaves_the_unacknowledged_entries_in_the_queue(
    client, persona, uz_with_token
):
    """A receiver asks for the next page while it applies this one: the sender lets go only of what the
    receiver says it committed (``ack``), not of everything up to the cursor it asks after."""
    peer, token = uz_with_token
    case, *_ = approved_case(persona, distribution_level="regional")
    outbox.refresh_cases([case.pk])
    queued = list(
        OutboxEntry.objects.filter(peer=peer).order_by("sequence").values_list("sequence", flat=True)
    )

    first = lines(client.get("/api/v1/exchange/changes?after=0&limit=2&ack=0", **auth(token)))
    cursor = first[-1]["next"]
    second = lines(client.get(f"/api/v1/exchange/changes?after={cursor}&limit=2&ack=0", **auth(token)))

    assert [line["sequence"] for line in first[:-1] + second[:-1]] == queued
    assert (
        list(OutboxEntry.objects.filter(peer=peer).order_by("sequence").values_list("sequence", flat=True))
        == queued
    )
    peer.refresh_from_db()
    assert peer.acknowledged_through == 0

    end = second[-1]["next"]
    last = lines(client.get(f"/api/v1/exchange/changes?after={end}&limit=2&ack={cursor}", **auth(token)))

    assert last == [{"more": False, "next": end}]
    assert (
        list(OutboxEntry.objects.filter(peer=peer).order_by("sequence").values_list("sequence", flat=True))
        == queued[2:]
    )
    peer.refresh_from_db()
    assert peer.acknowledged_through == cursor


def test_an_acknowledgement_beyond_the_cursor_asked_after_is_refused_and_changes_nothing(
    client, persona, uz_with_token
):
    peer, token = uz_with_token
    case, *_ = approved_case(persona, distribution_level="regional")
    outbox.refresh_cases([case.pk])
    queued = list(
        OutboxEntry.objects.filter(peer=peer).order_by("sequence").values_list("sequence", flat=True)
    )

    response = client.get(f"/api/v1/exchange/changes?after=0&limit=2&ack={queued[-1]}", **auth(token))

    assert response.status_code == 422
    assert (
        list(OutboxEntry.objects.filter(peer=peer).order_by("sequence").values_list("sequence", flat=True))
        == queued
    )
    peer.refresh_from_db()
    assert peer.acknowledged_through == 0
