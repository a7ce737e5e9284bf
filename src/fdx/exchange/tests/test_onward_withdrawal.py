"""Star topology withdrawal: a node that holds a copy only through the hub loses it when the origin narrows
the record's audience and the hub still qualifies. The origin sends the hub, with the change, its own signed
onward withdrawal; the hub keeps it and forwards it to the copies the new version no longer reaches; the
receiver verifies the origin's signature as usual and removes its copy."""

import io
import json
import uuid
from dataclasses import replace

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from fdx.accounts.models import SharingGroup
from fdx.core.node import local_node_id
from fdx.examinations import actions as case_actions
from fdx.examinations.models import Case, Exhibit, Finding
from fdx.examinations.tests.builders import approved_case
from fdx.exchange import bundles, inbox, messages, network, outbox
from fdx.exchange.models import CopyKind, OutboxEntry, PeerCopy, Receipt, ReceivedRecord
from fdx.exchange.tests.conftest import HUB_KEY, KG_KEY, KG_NODE, UZ_KEY, UZ_NODE, register
from fdx.exchange.tests.test_inbox import Dossier, relayed
from fdx.testing.personas import organisation

pytestmark = pytest.mark.django_db

UN_KEY = Ed25519PrivateKey.generate()
UN_NODE = "7e3d2c1b-0a9f-4e8d-9c7b-6a5f4e3d2c1b"


def queue(peer):
    return list(OutboxEntry.objects.filter(peer=peer).order_by("sequence"))


def kinds(entries):
    return [(e.model.split(".")[1], e.kind) for e in entries]


def read(peer, ring=None):
    ring = ring or network.keyring()
    return [messages.verify(item.message, ring) for item in outbox.pending(peer, 0, 1000)]


def refresh(case):
    return outbox.refresh_cases([case.pk])


# The message


def test_an_onward_withdrawal_is_a_signed_withdrawal_of_its_own_kind():
    dossier = Dossier(level="international")
    data = _onward(dossier, 2)
    ring = messages.KeyRing()
    ring.add(UZ_NODE, UZ_KEY.public_key())
    message = messages.verify(data, ring)
    assert message.record.onward and message.record.state == "withdrawn"
    assert json.loads(data)["header"]["kind"] == messages.ONWARD_KIND
    # The kind is signed: a relay cannot make it a plain withdrawal (or a plain one an onward one).
    plain = data.replace(messages.ONWARD_KIND.encode(), messages.KIND.encode())
    with pytest.raises(messages.BadOriginSignatureError):
        messages.verify(plain, ring)
    with pytest.raises(ValueError, match="an onward withdrawal is a withdrawal"):
        replace(dossier.change("case"), onward=True)


# On the origin: what the relaying hub is sent


def test_a_downgrade_sends_the_hub_each_change_with_its_onward_withdrawal_and_an_upgrade_only_changes(
    persona, uz_peer, hub_peer
):
    chemist = persona("kz_lab_chemist")
    case, *_ = approved_case(persona, distribution_level="international")
    refresh(case)

    case_actions.update_case(chemist, case, distribution_level="regional", reason="UNODC may not see it")
    refresh(case)
    assert kinds(queue(hub_peer)[4:]) == [
        ("case", CopyKind.CHANGE),
        ("case", CopyKind.ONWARD),
        ("exhibit", CopyKind.CHANGE),
        ("exhibit", CopyKind.ONWARD),
        ("examination", CopyKind.CHANGE),
        ("examination", CopyKind.ONWARD),
        ("finding", CopyKind.CHANGE),
        ("finding", CopyKind.ONWARD),
    ]
    # A national node does not relay: it is sent the change alone.
    assert [e.kind for e in queue(uz_peer)[4:]] == [CopyKind.CHANGE] * 4

    sent = read(hub_peer)  # the international versions before are passed over
    assert len(sent) == 8
    for change, onward in zip(sent[::2], sent[1::2], strict=True):
        assert not change.record.onward and change.record.state == messages.RecordState.ACTIVE
        assert onward.record.onward and onward.record.state == messages.RecordState.WITHDRAWN
        assert onward.record.payload == {} and onward.record.fields == ()
        assert (onward.record.global_id, onward.record.version) == (
            change.record.global_id,
            change.record.version,
        )
        assert onward.record.level == "regional"
        assert onward.record.header()["kind"] == messages.ONWARD_KIND
        assert onward.path == (str(local_node_id()),)

    case_actions.update_case(chemist, case, distribution_level="international", reason="agreed after all")
    refresh(case)
    assert [e.kind for e in queue(hub_peer)[12:]] == [CopyKind.CHANGE] * 4
    # A change that leaves the audience as it was goes alone too.
    case_actions.update_case(chemist, case, seizure_context="border", reason="corrected")
    refresh(case)
    assert kinds(queue(hub_peer)[16:]) == [("case", CopyKind.CHANGE)]


def test_a_member_taken_out_of_the_group_gives_the_hub_onward_withdrawals(persona, uz_peer, hub_peer):
    group = SharingGroup.objects.create(code="kz-uz-rc", name_en="KZ-UZ-RC", name_ru="КЗ-УЗ-РЦ")
    group.organisations.set(
        [
            organisation("demo-kz-forensic-centre"),
            organisation("demo-uz-forensic-centre"),
            organisation("demo-regional-centre"),
        ]
    )
    case, *_ = approved_case(persona, distribution_level="sharing_group", sharing_group=group)
    refresh(case)
    assert len(queue(hub_peer)) == len(queue(uz_peer)) == 4

    group.organisations.remove(organisation("demo-uz-forensic-centre"))
    refresh(case)
    assert [e.kind for e in queue(uz_peer)[4:]] == [CopyKind.WITHDRAWAL] * 4
    assert [e.kind for e in queue(hub_peer)[4:]] == [CopyKind.CHANGE, CopyKind.ONWARD] * 4
    # A member added back widens it again: the changes alone.
    group.organisations.add(organisation("demo-uz-forensic-centre"))
    refresh(case)
    assert [e.kind for e in queue(hub_peer)[12:]] == [CopyKind.CHANGE] * 4


def test_a_copy_whose_audience_is_not_known_is_treated_as_narrowed(persona, hub_peer):
    """Copies queued before the audience was recorded: the next change goes with an onward withdrawal, which
    costs the hub a message and forwards nothing that the rules allow."""
    chemist = persona("kz_lab_chemist")
    case, *_ = approved_case(persona, distribution_level="regional")
    refresh(case)
    assert PeerCopy.objects.filter(peer=hub_peer, audience__isnull=False).count() == 4
    PeerCopy.objects.update(audience=None)
    case_actions.update_case(chemist, case, seizure_context="border", reason="corrected")
    refresh(case)
    assert kinds(queue(hub_peer)[4:]) == [("case", CopyKind.CHANGE), ("case", CopyKind.ONWARD)]


def test_a_hub_that_no_longer_qualifies_gets_a_withdrawal_and_no_onward_one(persona, hub_peer):
    chemist = persona("kz_lab_chemist")
    case, *_ = approved_case(persona, distribution_level="international")
    refresh(case)
    case_actions.update_case(chemist, case, distribution_level="national", reason="court order")
    refresh(case)
    assert {e.kind for e in queue(hub_peer)[4:]} == {CopyKind.WITHDRAWAL}


def test_a_bundle_carries_the_onward_withdrawals(persona, hub_peer):
    chemist = persona("kz_lab_chemist")
    case, *_ = approved_case(persona, distribution_level="international")
    refresh(case)
    case_actions.update_case(chemist, case, distribution_level="regional", reason="UNODC may not see it")
    refresh(case)
    handle = io.BytesIO()
    bundles.export(hub_peer, handle, since=0)
    lines = [json.loads(line) for line in handle.getvalue().splitlines() if line.strip()]
    kinds_carried = [line["message"]["header"]["kind"] for line in lines if "message" in line]
    assert kinds_carried == [messages.KIND, messages.ONWARD_KIND] * 4


# On the hub: keeping the onward withdrawal and forwarding it

RC = "demo-regional-centre"
INTERNATIONAL_OFFICE = "test-international-office"
KG_BODY = str(uuid.uuid4())


def _members(*names) -> list[dict]:
    """A group's members as the origin's definition carries them."""
    chosen = {
        "uz": {"organisation": "0f0e0d0c-0b0a-4909-8807-060504030201", "country": "UZ", "kind": "state_body"},
        "kg": {"organisation": KG_BODY, "country": "KG", "kind": "state_body"},
        "rc": {"organisation": str(organisation(RC).global_id), "country": "KZ", "kind": "regional_centre"},
        "un": {
            "organisation": str(organisation(INTERNATIONAL_OFFICE).global_id),
            "country": "AT",
            "kind": "international",
        },
    }
    return sorted((chosen[name] for name in names), key=lambda member: member["organisation"])


def _case_message(dossier: Dossier, level: str, members, version: int, group_id: str) -> bytes:
    group = None
    payload = dossier.payload("case") | {"distribution_level": level}
    if level == "sharing_group":
        group = {"group_id": group_id, "active": True, "members": _members(*members)}
        payload["sharing_group"] = group_id
    change = dossier.change("case", payload=payload, version=version, level=level, group=group)
    return messages.seal(change, UZ_KEY).to_bytes()


def _onward(dossier: Dossier, version: int, key=UZ_KEY) -> bytes:
    change = replace(dossier.change("case", state="withdrawn", version=version), onward=True)
    return messages.seal(change, key).to_bytes()


@pytest.fixture
def hub(settings, uz_peer, persona):
    """This node as the regional hub (hosting the regional centre), with Kyrgyzstan's node and an
    international organisation's node as its other peers."""
    settings.FDX_NODE_ROLE = "hub"
    organisation(RC)
    kg = register("kg", KG_KEY, KG_NODE, country="KG")
    un = register(
        "un", UN_KEY, UN_NODE, role="international", organisations=[organisation(INTERNATIONAL_OFFICE)]
    )
    return {"uz": uz_peer, "kg": kg, "un": un}


def _receive(data, peer):
    return inbox.receive(data, sender=peer, channel="pull")


#: (before: level, group members), (after: level, group members), whether the origin sends an onward
#: withdrawal, and what each downstream peer is forwarded of the new version: ``change`` (it still
#: qualifies), ``withdrawn`` (the origin's withdrawal), or None (nothing: it held nothing and still does not).
DOWNGRADES = [
    (("international", ()), ("regional", ()), True, {"kg": "change", "un": "withdrawn"}),
    (("international", ()), ("sharing_group", ("uz", "rc", "kg")), True, {"kg": "change", "un": "withdrawn"}),
    (
        ("sharing_group", ("uz", "rc", "kg", "un")),
        ("sharing_group", ("uz", "rc", "kg")),
        True,
        {"kg": "change", "un": "withdrawn"},
    ),
    (
        ("sharing_group", ("uz", "rc", "kg", "un")),
        ("sharing_group", ("uz", "rc", "un")),
        True,
        {"kg": "withdrawn", "un": "change"},
    ),
    (
        ("sharing_group", ("uz", "rc", "kg", "un")),
        ("regional", ()),
        True,
        {"kg": "change", "un": "withdrawn"},
    ),
    (("regional", ()), ("sharing_group", ("uz", "rc")), True, {"kg": "withdrawn", "un": None}),
    # Widened: the origin sends no onward withdrawal, and none is needed.
    (("regional", ()), ("international", ()), False, {"kg": "change", "un": "change"}),
    (("sharing_group", ("uz", "rc")), ("regional", ()), False, {"kg": "change", "un": None}),
]


@pytest.mark.parametrize("onward_first", [False, True], ids=["change-then-onward", "onward-then-change"])
@pytest.mark.parametrize(("before", "after", "onward", "expected"), DOWNGRADES)
def test_a_hub_forwards_the_origin_s_withdrawal_to_each_copy_the_new_version_no_longer_reaches(
    hub, signing_node, before, after, onward, expected, onward_first
):
    dossier = Dossier(level=before[0])
    group_id = str(uuid.uuid4())
    assert _receive(_case_message(dossier, *before, 1, group_id), hub["uz"]).outcome == "applied"
    held = {name for name in ("kg", "un") if queue(hub[name])}

    sent = [_case_message(dossier, *after, 2, group_id)]
    if onward:
        sent.insert(0 if onward_first else 1, _onward(dossier, 2))
    assert [_receive(data, hub["uz"]).outcome for data in sent] == ["applied"] * len(sent)

    ring = network.keyring()
    ring.add(UZ_NODE, UZ_KEY.public_key())
    for name, wanted in expected.items():
        forwarded = [m for m in read(hub[name], ring) if m.record.version == 2]
        if wanted is None:
            assert forwarded == [] and name not in held
            continue
        (message,) = forwarded
        assert message.path == (UZ_NODE, str(local_node_id()))  # the origin's signature, countersigned
        if wanted == "change":
            assert message.record.state == "active" and not message.record.onward
            continue
        assert name in held
        assert message.record.onward and message.record.state == "withdrawn" and message.record.payload == {}
        copy = PeerCopy.objects.get(peer=hub[name], global_id=dossier.ids["case"])
        assert (copy.state, copy.version) == ("withdrawn", 2)
    # The hub keeps its own copy, at the new version.
    assert Case.objects.get(global_id=dossier.ids["case"]).record_version == 2
    floor = ReceivedRecord.objects.get(global_id=dossier.ids["case"])
    assert floor.version == 2 and floor.state == "active"
    assert bool(floor.onward_withdrawal) is onward


def test_a_hub_forwards_the_origin_s_own_withdrawal_when_it_no_longer_qualifies_itself(hub, signing_node):
    dossier = Dossier(level="international")
    _receive(_case_message(dossier, "international", (), 1, ""), hub["uz"])
    _receive(dossier.message("case", state="withdrawn", version=2), hub["uz"])
    for name in ("kg", "un"):
        last = read(hub[name])[-1].record
        assert (last.state, last.version, last.onward) == ("withdrawn", 2, False)
    assert not Case.objects.filter(global_id=dossier.ids["case"]).exists()


def test_an_onward_withdrawal_is_kept_once_and_an_older_one_changes_nothing(hub, signing_node):
    dossier = Dossier(level="international")
    _receive(_case_message(dossier, "international", (), 1, ""), hub["uz"])
    _receive(_case_message(dossier, "regional", (), 3, ""), hub["uz"])
    assert _receive(_onward(dossier, 3), hub["uz"]).outcome == "applied"
    assert _receive(_onward(dossier, 3), hub["uz"]).outcome == "unchanged"
    assert _receive(_onward(dossier, 2), hub["uz"]).outcome == "unchanged"
    assert [e.kind for e in queue(hub["un"])] == [CopyKind.RELAY, CopyKind.RELAY_ONWARD]
    assert [e.kind for e in queue(hub["kg"])] == [CopyKind.RELAY, CopyKind.RELAY]
    # Not applied to the hub itself: its copy stays, and the receipts say what became of each.
    assert Case.objects.filter(global_id=dossier.ids["case"]).exists()
    assert list(Receipt.objects.order_by("sequence").values_list("outcome", flat=True)) == [
        "applied",
        "applied",
        "applied",
        "unchanged",
        "unchanged",
    ]


def test_an_onward_withdrawal_for_a_record_the_hub_does_not_hold_is_not_kept(hub, signing_node):
    dossier = Dossier(level="international")
    assert _receive(_onward(dossier, 2), hub["uz"]).outcome == "unchanged"
    assert not ReceivedRecord.objects.exists() and not OutboxEntry.objects.exists()


def test_a_later_version_that_reaches_the_peer_again_is_forwarded_after_the_withdrawal(hub, signing_node):
    dossier = Dossier(level="international")
    _receive(_case_message(dossier, "international", (), 1, ""), hub["uz"])
    _receive(_case_message(dossier, "regional", (), 2, ""), hub["uz"])
    _receive(_onward(dossier, 2), hub["uz"])
    _receive(_case_message(dossier, "international", (), 3, ""), hub["uz"])
    # (the first version, passed over for the newer one the hub holds, is not sent)
    un = [(m.record.version, m.record.state) for m in read(hub["un"])]
    assert un == [(2, "withdrawn"), (3, "active")]
    assert [e.kind for e in queue(hub["un"])] == [CopyKind.RELAY, CopyKind.RELAY_ONWARD, CopyKind.RELAY]


# Downstream: the copy held through the hub goes


@pytest.fixture
def downstream(uz_peer, hub_peer):
    return {"uz": uz_peer, "hub": hub_peer}


def test_a_copy_held_through_the_hub_goes_with_the_relayed_onward_withdrawal_and_a_re_share_brings_it_back(
    persona, downstream
):
    hub = downstream["hub"]
    dossier = Dossier(level="international")
    assert [_receive(relayed(data), hub).outcome for data in dossier.all()] == ["applied"] * 4

    assert _receive(relayed(_onward(dossier, 2)), hub).outcome == "applied"
    assert not Case.objects.filter(global_id=dossier.ids["case"]).exists()
    assert not Exhibit.objects.filter(global_id=dossier.ids["exhibit"]).exists()
    assert not Finding.objects.filter(global_id=dossier.ids["finding"]).exists()
    floor = ReceivedRecord.objects.get(global_id=dossier.ids["case"])
    assert (floor.state, floor.version) == ("withdrawn", 2)
    # The version withdrawn is the floor: an older or equal change does not bring the copy back ...
    assert _receive(relayed(dossier.message("case", version=2)), hub).outcome == "unchanged"
    # ... and a later re-share does.
    dossier.versions = dict.fromkeys(dossier.ids, 3)
    assert [_receive(relayed(data), hub).outcome for data in dossier.all()] == ["applied"] * 4
    assert Finding.objects.filter(global_id=dossier.ids["finding"]).exists()


def test_an_onward_withdrawal_sent_directly_to_a_node_that_does_not_relay_is_refused(persona, downstream):
    dossier = Dossier(level="international")
    _receive(dossier.message("case"), downstream["uz"])
    outcome = _receive(_onward(dossier, 2), downstream["uz"])
    assert outcome.code == "not_for_this_node" and "relaying hub" in outcome.reason
    assert Case.objects.filter(global_id=dossier.ids["case"]).exists()


def test_a_withdrawal_the_hub_signed_itself_is_refused(persona, downstream):
    """Only the origin's signature removes a copy: the hub cannot forge the withdrawal."""
    hub = downstream["hub"]
    dossier = Dossier(level="international")
    _receive(relayed(dossier.message("case")), hub)
    outcome = _receive(relayed(_onward(dossier, 2, key=HUB_KEY)), hub)
    assert outcome.outcome == "refused" and outcome.code == "unknown_key"
    assert Case.objects.filter(global_id=dossier.ids["case"]).exists()


def test_a_peer_whose_copy_was_withdrawn_fetching_the_record_as_a_gap_is_given_the_withdrawal(
    client, hub, signing_node
):
    """Never the hub's current copy, which the peer may no longer hold."""
    from fdx.accounts import tokens
    from fdx.exchange.models import Peer

    token = tokens.generate_token()
    Peer.objects.filter(pk=hub["un"].pk).update(token_hash=tokens.hash_token(token))
    dossier = Dossier(level="international")
    _receive(_case_message(dossier, "international", (), 1, ""), hub["uz"])
    _receive(_case_message(dossier, "regional", (), 2, ""), hub["uz"])
    _receive(_onward(dossier, 2), hub["uz"])
    response = client.get(
        f"/api/v1/exchange/records/{dossier.ids['case']}", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert response.status_code == 200
    ring = network.keyring()
    message = messages.verify(response.content, ring)
    assert (message.record.state, message.record.version, message.record.payload) == ("withdrawn", 2, {})
