"""Receiving: another node's signed records are verified, checked and applied idempotently, or refused with
the reason; a receipt is written either way. This node is Kazakhstan's; the messages come from Uzbekistan's
node (directly, or relayed by the hub)."""

import hashlib
import uuid

import pytest
from django.core.exceptions import PermissionDenied

from fdx.accounts.models import Organisation
from fdx.core.node import load_private_key, local_node_id
from fdx.core.records import require_local
from fdx.examinations.models import Case, Examination, Exhibit, Finding
from fdx.examinations.querysets import case_visibility
from fdx.exchange import inbox, messages, network, outbox
from fdx.exchange.models import CopyKind, OutboxEntry, Receipt, ReceivedRecord
from fdx.exchange.tests.conftest import HUB_KEY, HUB_NODE, KG_KEY, KG_NODE, UZ_KEY, UZ_NODE, register

pytestmark = pytest.mark.django_db

UZ_LAB = {
    "global_id": "0f0e0d0c-0b0a-4909-8807-060504030201",
    "code": "uz-republican-forensic-centre",
    "name_en": "Republican Forensic Centre",
    "name_ru": "Республиканский центр судебной экспертизы",
    "country": "UZ",
    "type": "laboratory",
}


class Dossier:
    """An Uzbek case with one exhibit, one approved examination and one finding, as its node sends them."""

    def __init__(self, level="regional"):
        self.ids = {name: str(uuid.uuid4()) for name in ("case", "exhibit", "examination", "finding")}
        self.level = level
        self.versions = dict.fromkeys(self.ids, 1)

    def payload(self, name):
        ids = self.ids
        return {
            "case": {
                "owner_organisation": UZ_LAB,
                "reference": hashlib.sha256(ids["case"].encode()).hexdigest(),
                "agency_case_number": "b" * 64,
                "seizure_date": "2025-02-01",
                "seizure_country": "UZ",
                "seizure_region": None,
                "border_crossing_point": None,
                "seizure_context": "internal",
                "distribution_level": self.level,
                "sharing_group": None,
                "is_demo": False,
                "has_shared_result": True,
                "retracted_at": None,
            },
            "exhibit": {
                "case": ids["case"],
                "label": "1",
                "form": "crystal",
                "colour": "white",
                "logo": "",
                "diameter_mm": None,
                "thickness_mm": None,
                "unit_count": None,
                "gross_mass_g": "12.500",
                "net_mass_g": "10.000",
            },
            "examination": {
                "exhibit": ids["exhibit"],
                "laboratory": UZ_LAB,
                "request_number": "",
                "received_date": "2025-02-02",
                "completed_date": "2025-02-10",
                "methods": ["gc_ms"],
                "status": "approved",
                "revision": 1,
                "previous_revision": None,
                "submitted_at": "2025-02-10T10:00:00+00:00",
                "approved_at": "2025-02-10T12:00:00+00:00",
                "retracted_at": None,
            },
            "finding": {
                "examination": ids["examination"],
                "substance": {
                    "global_id": str(uuid.uuid4()),
                    "key": "methamphetamine-hydrochloride",
                    "inchikey": "",
                    "name_en": "Methamphetamine hydrochloride",
                },
                "result_type": "quantitative",
                "role": "main",
                "purity_percent": "55.000",
                "purity_uncertainty_percent": None,
                "amount_g": None,
                "base_equivalent_g": None,
                "position": 0,
            },
        }[name]

    def change(
        self, name, *, state="active", payload=None, version=None, origin=UZ_NODE, level=None, group=None
    ):
        payload = self.payload(name) if payload is None else payload
        if state in ("withdrawn", "deleted"):
            payload = {}
        return messages.ChangeRecord(
            origin_node=origin,
            global_id=self.ids[name],
            model=f"examinations.{name}",
            version=version or self.versions[name],
            state=messages.RecordState(state),
            level=level or self.level,
            fields=tuple(sorted(payload)),
            payload=payload,
            group=group,
        )

    def message(self, name, key=UZ_KEY, **kwargs) -> bytes:
        return messages.seal(self.change(name, **kwargs), key).to_bytes()

    def all(self):
        return [self.message(name) for name in ("case", "exhibit", "examination", "finding")]


def relayed(data: bytes) -> bytes:
    return messages.countersign(messages.parse(data), HUB_NODE, HUB_KEY).to_bytes()


def receive(data, peer):
    return inbox.receive(data, sender=peer, channel="pull")


@pytest.fixture
def uz(uz_peer):
    return uz_peer


def test_a_regional_case_is_applied_as_a_read_only_copy_with_its_origin(persona, uz):
    dossier = Dossier()
    outcomes = [receive(data, uz) for data in dossier.all()]

    assert [o.outcome for o in outcomes] == ["applied"] * 4
    case = Case.objects.get(global_id=dossier.ids["case"])
    assert str(case.origin_node) == UZ_NODE
    assert case.record_version == 1
    assert not case.is_local
    assert case.owner_organisation.code == UZ_LAB["code"]
    assert str(case.owner_organisation.global_id) == UZ_LAB["global_id"]
    assert case.reference == hashlib.sha256(dossier.ids["case"].encode()).hexdigest()
    examination = Examination.objects.get(global_id=dossier.ids["examination"])
    assert examination.examiner is None and examination.created_by is None
    assert examination.exhibit.case == case
    assert [m.pk for m in examination.methods.all()] == ["gc_ms"]
    finding = Finding.objects.get(global_id=dossier.ids["finding"])
    assert finding.substance.key == "methamphetamine-hydrochloride"
    assert str(finding.purity_percent) == "55.000"
    with pytest.raises(PermissionDenied):
        require_local(case)
    # The copy is shared data here: a Kazakh analyst sees it, as the level says.
    analyst = persona("kz_police_analyst")
    assert Case.objects.filter(case_visibility(analyst), pk=case.pk).exists()
    floor = ReceivedRecord.objects.get(global_id=dossier.ids["case"])
    assert floor.path == [UZ_NODE] and floor.sender == uz and floor.version == 1
    assert Receipt.objects.filter(peer=uz, outcome="applied").count() == 4


def test_the_same_or_an_older_version_changes_nothing(persona, uz):
    dossier = Dossier()
    for data in dossier.all():
        receive(data, uz)
    dossier.versions["case"] = 3
    payload = dossier.payload("case") | {"seizure_context": "border"}
    assert receive(dossier.message("case", payload=payload), uz).outcome == "applied"

    assert receive(dossier.message("case", payload=payload), uz).outcome == "unchanged"
    older = dossier.payload("case") | {"seizure_context": "postal"}
    assert receive(dossier.message("case", payload=older, version=2), uz).outcome == "unchanged"
    case = Case.objects.get(global_id=dossier.ids["case"])
    assert (case.record_version, case.seizure_context) == (3, "border")


def test_a_field_that_no_longer_travels_is_cleared(persona, uz):
    dossier = Dossier()
    payload = dossier.payload("exhibit") | {"description": "in a backpack"}
    for data in (dossier.message("case"), dossier.message("exhibit", payload=payload)):
        receive(data, uz)
    assert Exhibit.objects.get(global_id=dossier.ids["exhibit"]).description == "in a backpack"
    receive(dossier.message("exhibit", version=2), uz)
    assert Exhibit.objects.get(global_id=dossier.ids["exhibit"]).description == ""


def test_a_record_whose_parent_is_missing_is_refused_as_a_gap(persona, uz):
    dossier = Dossier()
    outcome = receive(dossier.message("exhibit"), uz)
    assert (outcome.outcome, outcome.code, outcome.missing) == (
        "refused",
        "missing_parent",
        dossier.ids["case"],
    )
    assert not Exhibit.objects.exists()
    assert not ReceivedRecord.objects.exists()


def test_a_withdrawal_removes_the_copy_and_an_older_message_cannot_bring_it_back(persona, uz):
    dossier = Dossier()
    messages_sent = dossier.all()
    for data in messages_sent:
        receive(data, uz)
    for name in ("finding", "examination", "exhibit", "case"):
        assert receive(dossier.message(name, state="withdrawn", version=2), uz).outcome == "applied"

    assert not Case.with_tombstones().filter(global_id=dossier.ids["case"]).exists()
    assert not Finding.with_tombstones().exists()
    for data in messages_sent:  # replayed
        assert receive(data, uz).outcome == "unchanged"
    assert not Case.with_tombstones().exists()
    assert set(ReceivedRecord.objects.values_list("state", flat=True)) == {"withdrawn"}


def test_a_case_withdrawn_alone_takes_its_received_descendants_with_it(persona, uz):
    dossier = Dossier()
    for data in dossier.all():
        receive(data, uz)
    receive(dossier.message("case", state="withdrawn", version=2), uz)
    assert not Exhibit.with_tombstones().exists() and not Examination.with_tombstones().exists()
    assert ReceivedRecord.objects.get(global_id=dossier.ids["finding"]).state == "withdrawn"


def test_sent_again_after_a_withdrawal_as_a_newer_version_it_is_applied(persona, uz):
    dossier = Dossier()
    receive(dossier.message("case"), uz)
    receive(dossier.message("case", state="withdrawn", version=2), uz)
    assert receive(dossier.message("case", version=3), uz).outcome == "applied"
    assert Case.objects.filter(global_id=dossier.ids["case"]).exists()


@pytest.mark.parametrize(
    "make, code",
    [
        (lambda d: d.message("case")[:-20] + b"X" * 20, "malformed"),
        (
            lambda d: d.message("case").replace(
                b'"seizure_context":"internal"', b'"seizure_context":"postal"'
            ),
            "tampered_payload",
        ),
        (lambda d: d.message("case", key=KG_KEY), "unknown_key"),
        (lambda d: d.message("case", level="national"), "not_for_this_node"),
        (lambda d: d.message("case", level="organisation"), "not_for_this_node"),
    ],
    ids=["truncated", "tampered", "foreign-signed", "national", "organisation"],
)
def test_a_bad_message_is_refused_with_its_reason_and_changes_nothing(persona, uz, make, code):
    outcome = receive(make(Dossier()), uz)
    assert (outcome.outcome, outcome.code) == ("refused", code)
    assert not Case.with_tombstones().exists() and not ReceivedRecord.objects.exists()
    receipt = Receipt.objects.get()
    assert receipt.outcome == "refused" and receipt.reason.startswith(code)


def test_only_the_peer_that_sent_a_message_may_be_its_last_node(persona, uz, hub_peer):
    outcome = receive(Dossier().message("case"), hub_peer)
    assert (outcome.outcome, outcome.code) == ("refused", "not_from_sender")


def test_a_relayed_message_keeps_its_origin_and_records_its_path(persona, uz, hub_peer):
    dossier = Dossier()
    for data in dossier.all():
        assert receive(relayed(data), hub_peer).outcome == "applied"
    floor = ReceivedRecord.objects.get(global_id=dossier.ids["case"])
    assert floor.path == [UZ_NODE, HUB_NODE] and floor.sender == hub_peer
    assert str(Case.objects.get(global_id=dossier.ids["case"]).origin_node) == UZ_NODE


def test_a_record_relayed_by_a_node_that_is_not_a_relaying_hub_is_refused(persona, uz):
    kg = register("kg", KG_KEY, KG_NODE, country="KG")
    data = messages.countersign(messages.parse(Dossier().message("case")), KG_NODE, KG_KEY).to_bytes()
    outcome = receive(data, kg)
    assert (outcome.outcome, outcome.code) == ("refused", "not_for_this_node")


def test_a_node_never_takes_its_own_record_back(persona, uz, signing_node):
    dossier = Dossier()
    data = messages.seal(dossier.change("case", origin=str(local_node_id())), load_private_key()).to_bytes()
    outcome = receive(data, uz)
    assert outcome.code in {"not_from_sender", "own_record"}


def test_only_the_origin_changes_a_record(persona, uz):
    dossier = Dossier()
    receive(dossier.message("case"), uz)
    kg = register("kg", KG_KEY, KG_NODE, country="KG")
    hijack = messages.seal(dossier.change("case", origin=KG_NODE, version=5), KG_KEY).to_bytes()
    outcome = receive(hijack, kg)
    assert (outcome.outcome, outcome.code) == ("refused", "not_the_origin")


def test_an_unknown_substance_is_refused_naming_it(persona, uz):
    dossier = Dossier()
    for data in dossier.all()[:3]:
        receive(data, uz)
    payload = dossier.payload("finding")
    payload["substance"] = {
        "global_id": str(uuid.uuid4()),
        "key": "",
        "inchikey": "",
        "name_en": "Protonitazepyne",
    }
    outcome = receive(dossier.message("finding", payload=payload), uz)
    assert outcome.code == "unknown_reference" and "Protonitazepyne" in outcome.reason


def test_a_known_organisation_is_recognised_by_its_code(persona, uz):
    existing = Organisation.objects.create(
        code=UZ_LAB["code"], name_en="RFC", name_ru="РЦСЭ", country_id="UZ", org_type="laboratory"
    )
    dossier = Dossier()
    receive(dossier.message("case"), uz)
    assert Case.objects.get(global_id=dossier.ids["case"]).owner_organisation == existing


def test_a_hub_relays_what_it_receives_to_the_peers_the_rules_allow(persona, settings, uz, signing_node):
    settings.FDX_NODE_ROLE = "hub"
    kg = register("kg", KG_KEY, KG_NODE, country="KG")
    dossier = Dossier()
    for data in dossier.all():
        receive(data, uz)
    entries = list(OutboxEntry.objects.filter(peer=kg).order_by("sequence"))
    assert [e.kind for e in entries] == [CopyKind.RELAY] * 4
    assert not OutboxEntry.objects.filter(peer=uz).exists()  # never back to the origin
    ring = network.keyring()
    ring.add(UZ_NODE, UZ_KEY.public_key())
    forwarded = [messages.verify(item.message, ring) for item in outbox.pending(kg, 0, 100)]
    assert [m.path for m in forwarded] == [(UZ_NODE, str(local_node_id()))] * 4
    # The origin's withdrawal is forwarded too, to the nodes that hold a copy through the hub.
    receive(dossier.message("case", state="withdrawn", version=2), uz)
    last = OutboxEntry.objects.filter(peer=kg).order_by("sequence").last()
    assert (last.kind, last.version) == (CopyKind.RELAY, 2)
    assert messages.verify(list(outbox.pending(kg, 0, 100))[-1].message, ring).record.state == "withdrawn"


def test_a_hub_does_not_relay_a_national_copy_it_should_not_have(persona, settings, uz, signing_node):
    settings.FDX_NODE_ROLE = "hub"
    register("kg", KG_KEY, KG_NODE, country="KG")
    outcome = receive(Dossier(level="national").message("case"), uz)
    assert outcome.code == "not_for_this_node"
    assert not OutboxEntry.objects.exists()


def test_a_received_case_s_page_says_where_it_came_from(client, persona, uz, hub_peer):
    dossier = Dossier()
    for data in dossier.all():
        receive(relayed(data), hub_peer)
    client.force_login(persona("kz_police_analyst"))
    page = client.get(f"/cases/{dossier.ids['case']}/").content.decode()
    assert "Received from another node" in page
    assert UZ_NODE in page and "relayed by hub" in page
    assert UZ_LAB["name_en"] in page


def test_this_node_s_own_case_page_has_no_provenance(client, persona):
    from fdx.examinations.tests.builders import approved_case

    case, *_ = approved_case(persona)
    client.force_login(persona("kz_lab_chemist"))
    assert "Received from another node" not in client.get(f"/cases/{case.global_id}/").content.decode()


def test_a_hub_recognises_the_regional_centre_it_hosts_by_its_code_in_a_group_definition(
    persona, settings, uz
):
    """The regional centre is recorded on each node under an id of its own: the group's definition carries
    the member's code, so the hub knows the member is the centre it hosts."""
    from fdx.testing.personas import organisation

    settings.FDX_NODE_ROLE = "hub"
    organisation("demo-regional-centre")
    dossier = Dossier(level="sharing_group")
    group = {
        "group_id": str(uuid.uuid4()),
        "active": True,
        "code": "uz-rc",
        "members": [
            {"organisation": str(uuid.uuid4()), "country": "UZ", "kind": "state_body", "code": "uz-lab"},
            {
                "organisation": str(uuid.uuid4()),
                "country": "KZ",
                "kind": "regional_centre",
                "code": "demo-regional-centre",
            },
        ],
    }
    payload = dossier.payload("case") | {"sharing_group": group["group_id"]}
    change = dossier.change("case", payload=payload, group=group)
    assert receive(messages.seal(change, UZ_KEY).to_bytes(), uz).outcome == "applied"
    group["members"][1]["code"] = "another-centre"
    other = dossier.change("case", payload=payload, version=2, group=group)
    outcome = receive(messages.seal(other, UZ_KEY).to_bytes(), uz)
    assert outcome.code == "not_for_this_node"


def _group_case(dossier, group, version):
    payload = dossier.payload("case") | {"sharing_group": group["group_id"]}
    return messages.seal(
        dossier.change("case", payload=payload, version=version, group=group), UZ_KEY
    ).to_bytes()


def test_a_received_group_follows_its_origin_s_definition_and_only_its_origin_s(persona, settings, uz):
    """A member added or removed on the node that defined a group reaches the nodes that hold its records
    (MISP #7315), audited; another node's record naming the same group changes nothing of it."""
    import copy

    from fdx.accounts.models import SharingGroup
    from fdx.audit.models import AuditEvent
    from fdx.testing.personas import organisation

    settings.FDX_NODE_ROLE = "hub"
    centre = organisation("demo-regional-centre")
    kz_lab = organisation("demo-kz-forensic-centre")
    dossier = Dossier(level="sharing_group")
    group = {
        "group_id": str(uuid.uuid4()),
        "active": True,
        "code": "uz-rc",
        "name_en": "Uzbekistan and the centre",
        "members": [
            {"organisation": str(uuid.uuid4()), "country": "UZ", "kind": "state_body", "code": "uz-lab"},
            {
                "organisation": str(uuid.uuid4()),
                "country": "KZ",
                "kind": "regional_centre",
                "code": centre.code,
            },
        ],
    }
    assert receive(_group_case(dossier, group, 1), uz).outcome == "applied"
    held = SharingGroup.objects.get(global_id=group["group_id"])
    assert set(held.organisations.all()) == {centre}

    joined = copy.deepcopy(group)
    joined["members"].append(
        {"organisation": str(kz_lab.global_id), "country": "KZ", "kind": "state_body", "code": kz_lab.code}
    )
    assert receive(_group_case(dossier, joined, 2), uz).outcome == "applied"
    assert set(held.organisations.all()) == {centre, kz_lab}
    event = AuditEvent.objects.get(action="exchange.sharing_group.followed")
    assert event.after["members"] == sorted([centre.code, kz_lab.code])

    # The same definition again changes nothing (no event); another origin's record changes nothing.
    assert receive(_group_case(dossier, joined, 3), uz).outcome == "applied"
    other = Dossier(level="sharing_group")
    foreign = messages.seal(
        other.change(
            "case",
            payload=other.payload("case") | {"sharing_group": group["group_id"]},
            group=group,
            origin=KG_NODE,
        ),
        KG_KEY,
    ).to_bytes()
    kg = register("kg", KG_KEY, KG_NODE, country="KG")
    assert receive(foreign, kg).outcome == "applied"
    assert set(held.organisations.all()) == {centre, kz_lab}
    assert AuditEvent.objects.filter(action="exchange.sharing_group.followed").count() == 1
