"""Exchange between three real FDX nodes — Kazakhstan's, Uzbekistan's and the regional hub (on PostgreSQL
when FDX_TEST_DATABASE_URL is set) — each ``fdx serve`` with its own database, registered as each other's
peers with the tokens handed over. Records are made on the Kazakh node through its actions, synced with
``fdx exchange sync`` (pull and push over HTTP), and checked in the other nodes' own databases.

The nodes run without their background worker, so that each step happens when the test says:
``fdx node deliver`` fills the queues after a change, ``fdx exchange sync`` carries them."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request
from dataclasses import replace

import pytest

from fdx.exchange import messages
from fdx.exchange.messages import KeyRing
from tests.multinode.harness import connect_all, in_parallel, kz_uz_hub, running_nodes

pytestmark = pytest.mark.multinode

REGIONAL_CENTRE = "caricc"


@pytest.fixture(scope="module")
def net(tmp_path_factory):
    specs = tuple(replace(spec, background_worker=False) for spec in kz_uz_hub())
    with running_nodes(tmp_path_factory.mktemp("exchange"), *specs) as nodes:
        in_parallel([lambda node=nodes[name]: _regional_centre(node) for name in ("hub", "kz")])
        kz, uz, hub = nodes["kz"], nodes["uz"], nodes["hub"]
        connect_all((kz, uz), (kz, hub), (uz, hub))
        yield nodes


def _regional_centre(node):
    node.run_cli(
        "orgs", "create", REGIONAL_CENTRE, "--name-en", "Regional centre", "--name-ru", "Региональный центр",
        "--country", "KZ", "--type", "regional_centre",
    )  # fmt: skip


# Doing things on a node


def shell(node, code: str) -> dict:
    """Run Python on the node (``fdx manage shell``); its last line of output, as JSON."""
    output = node.run_cli("manage", "shell", "-c", textwrap.dedent(code)).stdout
    return json.loads(output.strip().splitlines()[-1])


def new_case(node, reference: str, level: str, **extra) -> dict:
    """An approved case on ``node`` (a Kazakh laboratory's), with one exhibit, examination and finding."""
    return shell(
        node,
        f"""
        import json
        from fdx.testing.personas import persona
        from fdx.examinations.tests.builders import approved_case
        case, exhibit, examination = approved_case(
            persona, reference={reference!r}, distribution_level={level!r},
            agency_case_number="POL-" + {reference!r}, description="seized from a named person", **{extra!r}
        )
        print(json.dumps({{
            "case": str(case.global_id), "exhibit": str(exhibit.global_id),
            "examination": str(examination.global_id),
            "finding": str(examination.findings.get().global_id),
        }}))
        """,
    )


def deliver_and_sync(origin, *routes: tuple) -> None:
    """Fill the origin's queues, then run each (node, peer) sync in order."""
    origin.run_cli("node", "deliver")
    for node, peer in routes:
        sync(node, peer)


def sync(node, peer: str) -> dict:
    (result,) = json.loads(node.run_cli("exchange", "sync", "--peer", peer, "--json").stdout)
    return result


# Looking into a node's own database


def uuid_param(node, value: str):
    """A UUID as the node's database stores it: 32 hex digits on SQLite, a uuid on PostgreSQL."""
    return value if node.spec.database == "postgres" else value.replace("-", "")


def row(node, table: str, global_id: str, columns: str = "record_version"):
    rows = node.sql(f"SELECT {columns} FROM {table} WHERE global_id = %s", (uuid_param(node, global_id),))  # noqa: S608 (constant table and columns)
    return rows[0] if rows else None


def holds(node, ids: dict) -> dict:
    tables = {
        "case": "examinations_case",
        "exhibit": "examinations_exhibit",
        "examination": "examinations_examination",
        "finding": "examinations_finding",
    }
    return {name: row(node, tables[name], ids[name]) is not None for name in tables if name in ids}


def received_message(node, global_id: str) -> bytes:
    (data,) = row(node, "exchange_receivedrecord", global_id, "message")
    return bytes(data)


def keyring(*nodes) -> KeyRing:
    from fdx.core.signing import public_key_from_text

    ring = KeyRing()
    for node in nodes:
        ring.add(str(node.info["node_id"]), public_key_from_text(node.info["public_key"]))
    return ring


# The scenarios


def test_an_approved_regional_case_reaches_the_hub_and_uzbekistan_pseudonymised_with_its_signature(net):
    kz, uz, hub = net["kz"], net["uz"], net["hub"]
    ids = new_case(kz, "KZ-E2E-1", "regional")
    deliver_and_sync(kz, (kz, "hub"), (uz, "kz"))

    for node in (hub, uz):
        assert holds(node, ids) == {"case": True, "exhibit": True, "examination": True, "finding": True}
        origin, reference, agency, description = row(
            node, "examinations_case", ids["case"], "origin_node, reference, agency_case_number, description"
        )
        assert str(origin).replace("-", "") == str(kz.info["node_id"]).replace("-", "")
        assert len(reference) == 64 and reference != "KZ-E2E-1"
        assert len(agency) == 64 and description == ""
        message = messages.verify(received_message(node, ids["case"]), keyring(kz, hub))
        assert message.record.origin_node == str(kz.info["node_id"])
    # The same number hashes the same way for both receivers: one origin, one secret.
    assert row(hub, "examinations_case", ids["case"], "reference") == row(
        uz, "examinations_case", ids["case"], "reference"
    )


def test_own_organisation_and_national_cases_never_leave_kazakhstan(net):
    kz, uz, hub = net["kz"], net["uz"], net["hub"]
    own = new_case(kz, "KZ-E2E-OWN", "organisation")
    national = new_case(kz, "KZ-E2E-NAT", "national")
    deliver_and_sync(kz, (kz, "hub"), (kz, "uz"), (uz, "hub"))
    for node in (hub, uz):
        assert not any(holds(node, own).values()) and not any(holds(node, national).values())
    queued = kz.sql("SELECT global_id FROM exchange_outboxentry")
    sent = {str(value).replace("-", "") for (value,) in queued}
    assert uuid_param(kz, own["case"]).replace("-", "") not in sent


def test_a_record_relayed_by_the_hub_keeps_its_origin_s_signature_and_path(net):
    kz, uz, hub = net["kz"], net["uz"], net["hub"]
    kz.run_cli("exchange", "peers", "suspend", "uz", "--reason", "the direct line is down")
    try:
        ids = new_case(kz, "KZ-E2E-RELAY", "regional")
        deliver_and_sync(kz, (kz, "hub"), (uz, "hub"))
    finally:
        kz.run_cli("exchange", "peers", "resume", "uz", "--reason", "the direct line is back")
    assert holds(uz, ids)["finding"]
    (path,) = row(uz, "exchange_receivedrecord", ids["case"], "path")
    path = json.loads(path) if isinstance(path, str) else path
    assert path == [str(kz.info["node_id"]), str(hub.info["node_id"])]
    message = messages.verify(received_message(uz, ids["case"]), keyring(kz, hub))
    assert message.path == (str(kz.info["node_id"]), str(hub.info["node_id"]))


def test_a_downgrade_to_national_withdraws_every_copy(net):
    kz, uz, hub = net["kz"], net["uz"], net["hub"]
    ids = new_case(kz, "KZ-E2E-DOWN", "regional")
    deliver_and_sync(kz, (kz, "hub"), (kz, "uz"))
    assert holds(uz, ids)["finding"] and holds(hub, ids)["finding"]

    shell(
        kz,
        f"""
        import json
        from fdx.testing.personas import persona
        from fdx.examinations import actions
        from fdx.examinations.models import Case
        case = Case.objects.get(global_id={ids["case"]!r})
        chemist = persona("kz_lab_chemist")
        actions.update_case(chemist, case, distribution_level="national", reason="court order")
        print(json.dumps({{}}))
        """,
    )
    deliver_and_sync(kz, (kz, "hub"), (kz, "uz"), (uz, "hub"))
    for node in (hub, uz):
        assert holds(node, ids) == {"case": False, "exhibit": False, "examination": False, "finding": False}
        assert row(node, "exchange_receivedrecord", ids["case"], "state") == ("withdrawn",)


def test_a_revision_and_a_retraction_reach_the_copies(net):
    kz, uz = net["kz"], net["uz"]
    ids = new_case(kz, "KZ-E2E-REV", "regional")
    deliver_and_sync(kz, (kz, "uz"))
    revised = shell(
        kz,
        f"""
        import json
        from fdx.testing.personas import persona
        from fdx.examinations import actions
        from fdx.examinations.models import Examination
        chemist, head = persona("kz_lab_chemist"), persona("kz_lab_head")
        first = Examination.objects.get(global_id={ids["examination"]!r})
        revision = actions.revise_examination(chemist, first, reason="purity re-measured")
        actions.submit_examination(chemist, revision)
        actions.approve_examination(head, revision)
        print(json.dumps({{"revision": str(revision.global_id)}}))
        """,
    )
    deliver_and_sync(kz, (kz, "uz"))
    assert row(uz, "examinations_examination", ids["examination"], "status") == ("superseded",)
    assert row(uz, "examinations_examination", revised["revision"], "status") == ("approved",)

    shell(
        kz,
        f"""
        import json
        from fdx.testing.personas import persona
        from fdx.examinations import actions
        from fdx.examinations.models import Examination
        revision = Examination.objects.get(global_id={revised["revision"]!r})
        head = persona("kz_lab_head")
        actions.retract_examination(head, revision, reason="the balance was out of calibration")
        print(json.dumps({{}}))
        """,
    )
    deliver_and_sync(kz, (kz, "uz"))
    assert row(uz, "examinations_examination", revised["revision"], "status") == ("retracted",)


def test_a_sharing_group_case_reaches_only_its_members_nodes_as_the_members_change(net):
    kz, uz, hub = net["kz"], net["uz"], net["hub"]
    group = shell(
        kz,
        """
        import json
        from fdx.accounts.models import SharingGroup
        from fdx.testing.personas import organisation
        group = SharingGroup.objects.create(
            code="kz-uz-labs", name_en="KZ-UZ labs", name_ru="Лаборатории КЗ-УЗ"
        )
        members = ("demo-kz-forensic-centre", "demo-uz-forensic-centre")
        group.organisations.set([organisation(code) for code in members])
        print(json.dumps({"group": str(group.global_id)}))
        """,
    )
    ids = shell(
        kz,
        """
        import json
        from fdx.accounts.models import SharingGroup
        from fdx.testing.personas import persona
        from fdx.examinations.tests.builders import approved_case
        case, exhibit, examination = approved_case(
            persona, reference="KZ-E2E-GROUP", distribution_level="sharing_group",
            sharing_group=SharingGroup.objects.get(code="kz-uz-labs"),
        )
        print(json.dumps({"case": str(case.global_id), "finding": str(examination.findings.get().global_id)}))
        """,
    )
    deliver_and_sync(kz, (kz, "hub"), (kz, "uz"))
    assert holds(uz, ids) == {"case": True, "finding": True}
    assert holds(hub, ids) == {"case": False, "finding": False}  # the regional centre is not a member

    def change_members(codes):
        shell(
            kz,
            f"""
            import json
            from fdx.accounts import actions
            from fdx.accounts.models import SharingGroup
            from fdx.core.actors import system
            from fdx.testing.personas import organisation
            group = SharingGroup.objects.get(code="kz-uz-labs")
            actions.update_sharing_group(
                system("test"), group, reason="members",
                organisations=[organisation(code) for code in {codes!r}],
            )
            print(json.dumps({{}}))
            """,
        )

    change_members(["demo-kz-forensic-centre", REGIONAL_CENTRE])
    deliver_and_sync(kz, (kz, "hub"), (kz, "uz"))
    assert holds(uz, ids) == {"case": False, "finding": False}
    assert holds(hub, ids) == {"case": True, "finding": True}
    assert group["group"]

    # The hub has the Uzbek laboratory in its directory (recognised by code), outside the group as yet.
    shell(
        hub,
        """
        import json
        from fdx.testing.personas import organisation
        organisation("demo-uz-forensic-centre")
        print(json.dumps({}))
        """,
    )
    change_members(["demo-kz-forensic-centre", "demo-uz-forensic-centre", REGIONAL_CENTRE])
    deliver_and_sync(kz, (kz, "hub"), (kz, "uz"))
    assert holds(uz, ids) == {"case": True, "finding": True}
    # The hub's copy of the group followed Kazakhstan's definition: the Uzbek laboratory joined it there too.
    members = shell(
        hub,
        f"""
        import json
        from fdx.accounts.models import Organisation, SharingGroup
        wanted = ["demo-kz-forensic-centre", "demo-uz-forensic-centre", {REGIONAL_CENTRE!r}]
        group = SharingGroup.objects.get(global_id={group["group"]!r})
        print(json.dumps({{
            "members": sorted(group.organisations.values_list("code", flat=True)),
            "known": sorted(Organisation.objects.filter(code__in=wanted).values_list("code", flat=True)),
        }}))
        """,
    )
    assert members["members"] == members["known"] and "demo-uz-forensic-centre" in members["known"]


#: A regional centre with one identifier on every node, as the hub hosts it: Uzbekistan then knows the hub as
#: a node that hosts a member of a group, and takes the group's records relayed by it.
SHARED_CENTRE = "5a1e7c3b-9d2f-4b6a-8e0c-7f4d3b2a1c9e"


def _shared_centre(node, *, hub_hosts_it: bool) -> None:
    shell(
        node,
        f"""
        import json
        from fdx.accounts.models import Organisation
        from fdx.exchange.models import Peer
        centre, _ = Organisation.objects.get_or_create(
            global_id={SHARED_CENTRE!r},
            defaults=dict(code="star-centre", name_en="Star centre", name_ru="Центр звезды", country_id="KZ",
                          org_type="regional_centre"),
        )
        if {hub_hosts_it!r}:
            Peer.objects.get(name="hub").organisations.add(centre)  # recorded when the hub was registered
        print(json.dumps({{}}))
        """,
    )


def test_a_copy_held_only_through_the_hub_goes_when_the_origin_takes_its_member_out_of_the_group(net):
    """Star topology withdrawal: the hub still qualifies (the regional centre stays in the group), so it is
    sent a change; Uzbekistan, which holds its copy only through the hub, is forwarded Kazakhstan's onward
    withdrawal and removes it."""
    kz, uz, hub = net["kz"], net["uz"], net["hub"]
    in_parallel(
        [
            lambda: _shared_centre(kz, hub_hosts_it=True),
            lambda: _shared_centre(uz, hub_hosts_it=True),
            lambda: _shared_centre(hub, hub_hosts_it=False),
        ]
    )

    def set_group(codes):
        shell(
            kz,
            f"""
            import json
            from fdx.accounts import actions
            from fdx.accounts.models import SharingGroup
            from fdx.core.actors import system
            from fdx.testing.personas import organisation
            group, created = SharingGroup.objects.get_or_create(
                code="kz-uz-star", defaults=dict(name_en="KZ-UZ star", name_ru="КЗ-УЗ звезда")
            )
            organisations = [organisation(code) for code in {codes!r}] + [
                organisation("star-centre")
            ]
            if created:
                group.organisations.set(organisations)
            else:
                actions.update_sharing_group(
                    system("test"), group, reason="members", organisations=organisations
                )
            print(json.dumps({{}}))
            """,
        )

    kz.run_cli("exchange", "peers", "suspend", "uz", "--reason", "Uzbekistan is reached through the hub")
    try:
        set_group(["demo-kz-forensic-centre", "demo-uz-forensic-centre"])
        ids = shell(
            kz,
            """
            import json
            from fdx.accounts.models import SharingGroup
            from fdx.testing.personas import persona
            from fdx.examinations.tests.builders import approved_case
            case, exhibit, examination = approved_case(
                persona, reference="KZ-E2E-STAR", distribution_level="sharing_group",
                sharing_group=SharingGroup.objects.get(code="kz-uz-star"),
            )
            print(json.dumps({
                "case": str(case.global_id), "exhibit": str(exhibit.global_id),
                "examination": str(examination.global_id),
                "finding": str(examination.findings.get().global_id),
            }))
            """,
        )
        deliver_and_sync(kz, (kz, "hub"), (uz, "hub"))
        everything = {"case": True, "exhibit": True, "examination": True, "finding": True}
        assert holds(hub, ids) == everything
        assert holds(uz, ids) == everything
        assert messages.verify(received_message(uz, ids["case"]), keyring(kz, hub)).path == (
            str(kz.info["node_id"]),
            str(hub.info["node_id"]),
        )

        set_group(["demo-kz-forensic-centre"])
        deliver_and_sync(kz, (kz, "hub"), (uz, "hub"))
    finally:
        kz.run_cli("exchange", "peers", "resume", "uz", "--reason", "the direct line is back")
    assert holds(hub, ids) == everything  # the regional centre is still a member
    assert holds(uz, ids) == dict.fromkeys(everything, False)
    assert row(uz, "exchange_receivedrecord", ids["case"], "state") == ("withdrawn",)
    withdrawal = messages.verify(received_message(uz, ids["case"]), keyring(kz, hub))
    assert withdrawal.record.onward and withdrawal.path == (str(kz.info["node_id"]), str(hub.info["node_id"]))


def test_a_tampered_replayed_or_foreign_signed_message_pushed_to_a_node_is_refused(net):
    kz, uz, hub = net["kz"], net["uz"], net["hub"]
    ids = new_case(kz, "KZ-E2E-PUSH", "regional")
    deliver_and_sync(kz, (kz, "uz"))
    genuine = received_message(uz, ids["case"])
    token = kz.peer_tokens["uz"]  # what kz presents when it calls uz

    def push(body: bytes) -> list[dict]:
        request = urllib.request.Request(  # noqa: S310 (loopback)
            uz.url + "/api/v1/exchange/inbox",
            data=body + b"\n",
            method="POST",
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/x-ndjson"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (loopback)
            return json.loads(response.read())["receipts"]

    tampered = genuine.replace(b'"seizure_context":"internal"', b'"seizure_context":"postal"')
    relayed_by_other = messages.countersign(
        messages.parse(genuine), str(hub.info["node_id"]), _a_key()
    ).to_bytes()
    outcomes = [r["code"] or r["outcome"] for r in push(b"\n".join([genuine, tampered, relayed_by_other]))]
    assert outcomes == ["unchanged", "tampered_payload", "unknown_key"]
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(  # noqa: S310 (loopback)
            urllib.request.Request(  # noqa: S310 (loopback)
                uz.url + "/api/v1/exchange/changes", headers={"Authorization": "Bearer fdx_x"}
            ),
            timeout=10,
        )
    assert refused.value.code == 401


def _a_key():
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return Ed25519PrivateKey.generate()


def test_a_bundle_carried_by_file_works_between_nodes_that_never_talk(net, tmp_path):
    kz, uz = net["kz"], net["uz"]
    # Neither calls the other in this test: what kz owes uz goes by file only.
    ids = new_case(kz, "KZ-E2E-BUNDLE", "regional")
    kz.run_cli("node", "deliver")
    bundle = tmp_path / "for-uz.fdxbundle"
    kz.run_cli("exchange", "export", "--peer", "uz", "-o", str(bundle))
    imported = json.loads(uz.run_cli("exchange", "import", str(bundle), "--json").stdout)
    assert imported["refused"] == 0 and imported["applied"] >= 4
    assert holds(uz, ids)["finding"]
    again = uz.run_cli("exchange", "import", str(bundle), check=False)
    assert again.returncode == 1 and "replayed" in again.stdout + again.stderr
    data = bundle.read_bytes()
    spoiled = tmp_path / "spoiled.fdxbundle"
    spoiled.write_bytes(data.replace(b'"form":"crystal"', b'"form":"powder"', 1))
    refused = uz.run_cli("exchange", "import", str(spoiled), check=False)
    assert refused.returncode == 1 and "tampered" in refused.stdout + refused.stderr


NEW_NPS = "CCCCc1ccc(cc1)C(=O)C(CC)NC"  # a cathinone no node's reference set has


def test_reference_data_published_in_kazakhstan_reaches_a_subscriber_and_its_findings_are_accepted(net):
    kz, uz, hub = net["kz"], net["uz"], net["hub"]
    # A Kazakh laboratory registers a new substance and finds it in a regional case's exhibit.
    made = shell(
        kz,
        f"""
        import json
        from decimal import Decimal
        from fdx.testing.personas import persona
        from fdx.substances import actions as substances
        from fdx.examinations import actions
        from fdx.examinations.tests.builders import add_exhibit, draft_examination, open_case
        chemist, head = persona("kz_lab_chemist"), persona("kz_lab_head")
        nps = substances.create_substance(chemist, substances.SubstanceInput(
            name_en="4-Butyl-N-methylbuphedrone", name_ru="4-Бутил-N-метилбуфедрон", structure={NEW_NPS!r}))
        case = open_case(chemist, reference="KZ-E2E-NPS", distribution_level="regional")
        examination = draft_examination(chemist, add_exhibit(chemist, case))
        finding = actions.add_finding(
            chemist, examination, substance=nps, result_type="qualitative", role="main")
        actions.submit_examination(chemist, examination)
        actions.approve_examination(head, examination)
        print(json.dumps({{"substance": str(nps.global_id), "inchikey": nps.inchikey,
                           "finding": str(finding.global_id)}}))
        """,
    )
    deliver_and_sync(kz, (uz, "kz"))
    # Uzbekistan's registry lacks the substance: the finding is refused, with the reason.
    assert row(uz, "examinations_finding", made["finding"]) is None
    refusals = uz.sql(
        "SELECT reason FROM exchange_receipt WHERE global_id = %s", (uuid_param(uz, made["finding"]),)
    )
    assert refusals and all(reason.startswith("unknown_reference") for (reason,) in refusals)

    # Kazakhstan publishes its registered substances; Uzbekistan finds them in the catalogue and subscribes.
    kz.run_cli(
        "exchange", "publications", "add", "kz-registry", "--kind", "substances",
        "--organisation", "demo-kz-forensic-centre", "--name-en", "Substances registered in Kazakhstan",
    )  # fmt: skip
    catalogue = json.loads(uz.run_cli("exchange", "catalogue", "--peer", "kz", "--json").stdout)
    (offered,) = [entry for entry in catalogue if entry["code"] == "kz-registry"]
    uz.run_cli("exchange", "follow", offered["id"], "--peer", "kz")
    deliver_and_sync(kz, (uz, "kz"))
    assert row(uz, "substances_substance", made["substance"], "source, inchikey, record_state") == (
        "exchange",
        made["inchikey"],
        "active",
    )
    assert row(hub, "substances_substance", made["substance"]) is None  # the hub did not subscribe
    # The same sync asked Kazakhstan again for the finding it had refused, and accepted it.
    assert row(uz, "examinations_finding", made["finding"]) is not None

    # Ending the subscription withdraws the substance: a tombstone where Uzbekistan's copy of the finding
    # still names it.
    uz.run_cli("exchange", "unfollow", offered["id"], "--peer", "kz")
    deliver_and_sync(kz, (uz, "kz"))
    assert row(uz, "substances_substance", made["substance"], "record_state") == ("deleted",)


def legal_status(node, smiles: str, jurisdiction: str, day: str) -> dict:
    answers = json.loads(
        node.run_cli(
            "legal", "status", "--smiles", smiles, "-j", jurisdiction, "--date", day, "--json"
        ).stdout
    )
    return answers[0]


def test_kazakhstan_s_control_lists_reach_uzbekistan_s_legal_engine(net):
    kz, uz, hub = net["kz"], net["uz"], net["hub"]
    kz_node = kz.info["node_id"]
    taken = """
        import json
        from fdx.legal.models import Listing
        kz = Listing.with_tombstones().filter(control_list__jurisdiction="KZ")
        current = kz.filter(recorded_to__isnull=True).exclude(reference_key="")
        print(json.dumps({{"from_kz": kz.filter(origin_node="{node}").count(), "all": kz.count(),
                           "keys": current.count(),
                           "distinct_keys": current.values("reference_key").distinct().count()}}))
        """
    before = legal_status(uz, NEW_NPS, "KZ", "2026-12-01")
    assert "KZ-LIST-I" not in before["lists"]

    # Kazakhstan publishes its lists; Uzbekistan subscribes and takes them.
    shell(kz, 'from fdx.testing.personas import persona\npersona("kz_node_admin")\nprint("{}")')
    kz.run_cli(
        "exchange", "publications", "add", "kz-lists", "--kind", "legal_lists", "--jurisdiction", "KZ",
        "--organisation", "demo-kz-forensic-centre", "--name-en", "Kazakhstan's control lists",
    )  # fmt: skip
    catalogue = json.loads(uz.run_cli("exchange", "catalogue", "--peer", "kz", "--json").stdout)
    (offered,) = [entry for entry in catalogue if entry["code"] == "kz-lists"]
    uz.run_cli("exchange", "follow", offered["id"], "--peer", "kz")
    deliver_and_sync(kz, (uz, "kz"))
    held = shell(uz, taken.format(node=kz_node))
    assert held["from_kz"] == held["all"] > 0  # every shipped Kazakh entry is now Kazakhstan's version
    assert held["keys"] == held["distinct_keys"]  # and none twice

    # A decree adds the new cathinone to List I in Astana: Tashkent's engine answers from it after a sync.
    shell(
        kz,
        f"""
        import datetime, json
        from fdx.testing.personas import persona
        from fdx.legal.actions import add_listing, listing_row
        listing = add_listing(persona("kz_node_admin"), listing_row(
            list_code="KZ-LIST-I", name_en="4-Butyl-N-methylbuphedrone", smiles={NEW_NPS!r},
            effective_from=datetime.date(2026, 11, 1)), reason="Government decree, November 2026")
        print(json.dumps({{"listing": str(listing.global_id)}}))
        """,
    )
    deliver_and_sync(kz, (uz, "kz"))
    after = legal_status(uz, NEW_NPS, "KZ", "2026-12-01")
    assert after["controlled"] is True and "KZ-LIST-I" in after["lists"]
    assert "KZ-LIST-I" not in legal_status(uz, NEW_NPS, "KZ", "2026-10-01")["lists"]
    assert shell(hub, taken.format(node=kz_node))["from_kz"] == 0  # the hub did not subscribe


def test_a_node_killed_in_the_middle_of_a_sync_loses_and_duplicates_nothing(net):
    kz, uz = net["kz"], net["uz"]
    made = [new_case(kz, f"KZ-E2E-KILL-{n}", "regional") for n in range(3)]
    made += [
        shell(
            kz,
            """
            import json
            from fdx.testing.personas import persona
            from fdx.examinations.tests.builders import approved_case
            ids = []
            for n in range(25):
                case, *_ = approved_case(
                    persona, reference="KZ-E2E-BULK-{}".format(n), distribution_level="regional"
                )
                ids.append(str(case.global_id))
            print(json.dumps({"cases": ids}))
            """,
        )
    ]
    kz.run_cli("node", "deliver")
    pulling = subprocess.Popen(
        [sys.executable, "-m", "fdx.cli", "exchange", "sync", "--peer", "kz"],
        env=uz.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(1.5)
    kz.kill()  # the serving node dies under the pull
    pulling.wait(timeout=120)
    kz.start()
    uz.run_cli("exchange", "sync", "--peer", "kz", check=False)
    result = sync(uz, "kz")
    assert result["error"] == ""
    cases = [ids["case"] for ids in made[:3]] + made[3]["cases"]
    for case in cases:
        assert row(uz, "examinations_case", case) is not None
    counted = uz.sql(
        "SELECT COUNT(*), COUNT(DISTINCT global_id) FROM examinations_case WHERE reference <> ''"
    )
    assert counted[0][0] == counted[0][1]
