"""A jurisdiction's control lists travel as reference data: the node that maintains them publishes its
listings, generic definitions and thresholds; a subscribed node takes the authority's version of every entry
of FDX's shipped content it holds (the same global id on every node) and adds the entries it did not have,
and its legal engine answers from them. This node is Kazakhstan's; received lists come from the regional
hub (the UN schedules, which the regional centre keeps) and from Uzbekistan's node."""

import datetime
import uuid

import pytest
from django.core.exceptions import ValidationError

from fdx.core.actors import system
from fdx.core.distribution import DistributionLevel
from fdx.core.events import deliver_due
from fdx.exchange import actions, dossier, inbox, messages, network, outbox, publications
from fdx.exchange.choices import PublicationKind, SubscriptionOrigin
from fdx.exchange.models import OutboxEntry, Receipt
from fdx.exchange.tests.conftest import HUB_KEY, HUB_NODE, UZ_KEY, UZ_NODE
from fdx.legal import selectors as legal_selectors
from fdx.legal.actions import load_legal_reference
from fdx.legal.actions.listings import add_listing, correct_listing, listing_row, row_of
from fdx.legal.models import ControlList, GenericDefinition, Instrument, Jurisdiction, Listing
from fdx.legal.reference import shipped_correction_id, shipped_global_id, structure_key
from fdx.testing.personas import organisation

pytestmark = pytest.mark.django_db

ADMIN = system("test-admin")
# 1-(4-Butylphenyl)-2-(methylamino)butan-1-one: a cathinone no shipped list names.
NEW_NPS_SMILES = "CCCCc1ccc(cc1)C(=O)C(CC)NC"


def kz_lists_publication(level=DistributionLevel.REGIONAL):
    return actions.create_publication(
        ADMIN,
        code="kz-lists",
        name_en="Kazakhstan's control lists",
        kind=PublicationKind.LEGAL_LISTS,
        jurisdiction=Jurisdiction.objects.get(pk="KZ"),
        owner_organisation=organisation("demo-kz-forensic-centre"),
        distribution_level=level,
    )


def subscribe(publication, peer):
    actions.add_subscriber(ADMIN, publication, peer, origin=SubscriptionOrigin.ADMINISTRATOR)
    return publications.refresh(publication)


def read(peer):
    ring = network.keyring()
    return [messages.verify(item.message, ring).record for item in outbox.pending(peer, 0, 5000)]


def kz_listing():
    return Listing.objects.filter(control_list__code="KZ-LIST-I", recorded_to__isnull=True).order_by("pk")[0]


# Publishing


def test_shipped_legal_content_has_the_same_global_ids_on_every_node():
    listing = kz_listing()
    assert listing.global_id == shipped_global_id("listing", listing.reference_key)
    definition = GenericDefinition.objects.get(code="kz-substituent-analogues")
    assert definition.global_id == shipped_global_id("generic", "kz-substituent-analogues")


def test_a_subscribed_peer_is_sent_the_jurisdiction_s_lists_and_nothing_of_another(uz_peer, hub_peer):
    subscribe(kz_lists_publication(), uz_peer)

    changes = read(uz_peer)
    kz = Listing.objects.filter(control_list__jurisdiction="KZ")
    assert {c.global_id for c in changes if c.model == "legal.listing"} == {str(x.global_id) for x in kz}
    assert {c.model for c in changes} == {
        "legal.listing",
        "legal.genericdefinition",
        "legal.quantitythreshold",
    }
    listing = next(c for c in changes if c.global_id == str(kz_listing().global_id))
    assert listing.payload["control_list"]["code"] == "KZ-LIST-I"
    assert listing.payload["control_list"]["jurisdiction"] == "KZ"
    assert not {"recorded_by", "maintained_locally"} & set(listing.fields)
    assert read(hub_peer) == []  # not subscribed


def test_a_correction_here_reaches_the_subscribers_through_the_domain_events(uz_peer):
    subscribe(kz_lists_publication(), uz_peer)
    OutboxEntry.objects.all().delete()
    listing = kz_listing()

    successor = correct_listing(ADMIN, listing, row_of(listing), reason="Decree 12 of 2026: wording")
    successor = Listing.objects.get(pk=successor.pk)
    deliver_due()

    changes = {c.global_id: c for c in read(uz_peer)}
    assert set(changes) == {str(listing.global_id), str(successor.global_id)}
    assert changes[str(listing.global_id)].payload["recorded_to"] is not None
    assert changes[str(successor.global_id)].payload["corrects"] == str(listing.global_id)
    assert changes[str(successor.global_id)].payload["change_reason"] == "Decree 12 of 2026: wording"


def test_only_an_organisation_that_maintains_the_jurisdiction_publishes_its_lists():
    with pytest.raises(ValidationError) as error:
        actions.create_publication(
            ADMIN,
            code="uz-lists",
            name_en="Uzbekistan's lists, from Kazakhstan",
            kind=PublicationKind.LEGAL_LISTS,
            jurisdiction=Jurisdiction.objects.get(pk="UZ"),
            owner_organisation=organisation("demo-kz-forensic-centre"),
        )
    assert "jurisdiction" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        actions.create_publication(
            ADMIN,
            code="no-lists",
            name_en="Lists of nowhere",
            kind=PublicationKind.LEGAL_LISTS,
            owner_organisation=organisation("demo-kz-forensic-centre"),
        )
    assert "jurisdiction" in error.value.message_dict


# Receiving


def legal_change(obj, origin=HUB_NODE, key=HUB_KEY, *, version=2, state="active", **changed):
    """The change record another node sends of its version of ``obj`` (values as this node would send them,
    with ``changed`` over them)."""
    payload = {} if state != "active" else {**dossier.values(obj), **changed}
    change = messages.ChangeRecord(
        origin_node=origin,
        global_id=str(changed.pop("global_id", None) or obj.global_id),
        model=dossier.label(obj),
        version=version,
        state=messages.RecordState(state),
        level="regional",
        fields=tuple(sorted(payload)),
        payload=payload,
    )
    return messages.seal(change, key).to_bytes()


def receive(data, peer):
    return inbox.receive(data, sender=peer, channel="pull")


def un_listing():
    return (
        Listing.objects.filter(control_list__code="UN-1971-II", recorded_to__isnull=True)
        .select_related("control_list", "instrument", "substance", "corrects")
        .order_by("pk")[0]
    )


def test_a_shipped_entry_takes_the_version_of_the_node_that_publishes_it(hub_peer):
    listing = un_listing()
    version = legal_selectors.data_version()

    outcome = receive(legal_change(listing, note="Confirmed against the CND decision, 2026"), hub_peer)

    assert outcome.outcome == "applied", outcome.reason
    copy = Listing.objects.get(pk=listing.pk)
    assert str(copy.origin_node) == HUB_NODE and not copy.is_local
    assert copy.note == "Confirmed against the CND decision, 2026"
    assert copy.record_version == 2
    assert Listing.objects.filter(reference_key=listing.reference_key).count() == 1  # never two
    assert legal_selectors.data_version() > version  # the engine reads it from now on
    assert Receipt.objects.filter(global_id=listing.global_id).exists()


def test_a_reload_of_the_reference_content_leaves_a_taken_entry_alone(hub_peer):
    listing = un_listing()
    receive(legal_change(listing, note="As the regional centre keeps it"), hub_peer)

    counts = load_legal_reference(ADMIN)

    assert counts["listings_corrected"] == 0
    copy = Listing.objects.get(pk=listing.pk)
    assert copy.note == "As the regional centre keeps it" and str(copy.origin_node) == HUB_NODE


def test_a_shipped_entry_this_node_changed_is_not_taken_over(hub_peer):
    listing = un_listing()
    Listing.objects.filter(pk=listing.pk).update(maintained_locally=True)

    outcome = receive(legal_change(listing), hub_peer)

    assert outcome.outcome == "refused" and outcome.code == "not_the_origin"
    assert Listing.objects.get(pk=listing.pk).is_local


def test_a_correction_made_by_the_authority_closes_the_entry_here_and_answers_follow(hub_peer):
    listing = un_listing()
    closed_at = "2026-06-01T00:00:00+00:00"
    successor_id = str(uuid.uuid4())
    successor = Listing(**{f.attname: getattr(listing, f.attname) for f in Listing._meta.concrete_fields})
    successor.pk, successor.global_id, successor.corrects = None, uuid.UUID(successor_id), listing
    successor.effective_to = datetime.date(2026, 5, 31)
    successor.change_reason = "CND decision 69/3: moved to Schedule I"

    outcomes = inbox.receive_many(
        [legal_change(listing, recorded_to=closed_at), legal_change(successor, version=1)],
        sender=hub_peer,
        channel="pull",
    )

    assert [o.outcome for o in outcomes] == ["applied", "applied"], [o.reason for o in outcomes]
    copy = Listing.objects.get(global_id=successor_id)
    assert copy.corrects_id == listing.pk and copy.effective_to == datetime.date(2026, 5, 31)
    assert Listing.objects.get(pk=listing.pk).recorded_to is not None
    assert list(Listing.objects.current().filter(reference_key=listing.reference_key)) == [copy]


def test_a_new_entry_with_a_new_instrument_and_list_is_created_and_the_engine_answers_from_it(uz_peer):
    template = Listing(
        global_id=uuid.uuid4(),
        control_list=ControlList(
            code="UZ-NPS-2026",
            jurisdiction_id="UZ",
            name_en="New psychoactive substances (2026)",
            name_ru="Новые психоактивные вещества (2026)",
            kind="mixed",
        ),
        name_en="4-Butyl-N-methylbuphedrone",
        smiles=NEW_NPS_SMILES,
        inchikey=structure_key(NEW_NPS_SMILES, "test", 0),
        skeleton=structure_key(NEW_NPS_SMILES, "test", 0)[:14],
        effective_from=datetime.date(2026, 3, 1),
        instrument=Instrument(
            code="uz-cabinet-2026-114",
            jurisdiction_id="UZ",
            title_en="Cabinet resolution 114 of 2026",
            adopted_on=datetime.date(2026, 2, 20),
        ),
        reference_key="",
    )
    outcome = receive(legal_change(template, UZ_NODE, UZ_KEY, version=1), uz_peer)

    assert outcome.outcome == "applied", outcome.reason
    copy = Listing.objects.select_related("control_list", "instrument").get(global_id=template.global_id)
    assert copy.control_list.code == "UZ-NPS-2026" and copy.control_list.jurisdiction_id == "UZ"
    assert copy.instrument.title_en == "Cabinet resolution 114 of 2026"
    assert not copy.is_local
    answers = legal_selectors.assess(
        [legal_selectors.query_for(structure=NEW_NPS_SMILES)],
        legal_selectors.Question(jurisdictions=("UZ",), day=datetime.date(2026, 6, 1)),
    )
    assert answers[0].controlled is True, answers[0].reason
    assert "UZ-NPS-2026" in answers[0].lists


def test_a_new_entry_in_a_jurisdiction_this_node_does_not_know_is_refused_naming_it(uz_peer):
    template = Listing(
        global_id=uuid.uuid4(),
        control_list=ControlList(
            code="XX-LIST", jurisdiction_id="XX", name_en="?", name_ru="?", kind="mixed"
        ),
        name_en="Something",
        effective_from=datetime.date(2026, 3, 1),
    )
    outcome = receive(legal_change(template, UZ_NODE, UZ_KEY, version=1), uz_peer)

    assert outcome.outcome == "refused" and outcome.code == "unknown_reference"
    assert "XX" in outcome.reason
    assert not ControlList.objects.filter(code="XX-LIST").exists()


def test_withdrawn_copies_go_and_a_shipped_entry_comes_back_to_this_node(hub_peer):
    listing = un_listing()
    receive(legal_change(listing, note="the hub's"), hub_peer)
    new = Listing(**{f.attname: getattr(listing, f.attname) for f in Listing._meta.concrete_fields})
    new.pk, new.global_id, new.reference_key, new.name_en = None, uuid.uuid4(), "", "Another"
    receive(legal_change(new, version=1), hub_peer)
    assert Listing.objects.filter(global_id=new.global_id).exists()

    for gid, obj in ((listing.global_id, listing), (new.global_id, new)):
        assert receive(legal_change(obj, version=3, state="withdrawn", global_id=gid), hub_peer).outcome == (
            "applied"
        )

    assert not Listing.objects.filter(global_id=new.global_id).exists()
    back = Listing.objects.get(pk=listing.pk)
    assert back.is_local and back.note == "the hub's"  # every node has the shipped entry: it stays


def test_a_correction_by_a_reload_has_the_id_every_node_gives_it():
    listing = kz_listing()
    successor = correct_listing(
        ADMIN, listing, row_of(listing), reason="reference content updated", shipped=True
    )
    assert successor.global_id == shipped_correction_id(listing.global_id)


def test_a_listing_added_here_travels_with_its_new_id(uz_peer):
    subscribe(kz_lists_publication(), uz_peer)
    OutboxEntry.objects.all().delete()
    listing = add_listing(
        ADMIN,
        listing_row(
            list_code="KZ-LIST-I",
            name_en="4-Butyl-N-methylbuphedrone",
            smiles=NEW_NPS_SMILES,
            effective_from=datetime.date(2026, 11, 1),
        ),
        reason="Government decree of 2026",
    )
    deliver_due()

    [change] = read(uz_peer)
    assert change.global_id == str(listing.global_id) and change.model == "legal.listing"
    assert change.payload["smiles"] == NEW_NPS_SMILES


def test_a_received_entry_s_page_says_where_it_comes_from_and_offers_no_correction(client, persona, hub_peer):
    listing = un_listing()
    receive(legal_change(listing), hub_peer)
    client.force_login(persona("hub_admin_deputy"))  # the regional centre's maintainers keep the UN schedules

    page = client.get(f"/legal/entries/{listing.global_id}/", HTTP_ACCEPT_LANGUAGE="ru")

    text = page.content.decode()
    assert page.status_code == 200
    assert 'id="received-listing"' in text and HUB_NODE in text
    assert "end-form" not in text and "withdraw-form" not in text
    own = client.get(f"/legal/entries/{kz_listing().global_id}/")
    assert 'id="received-listing"' not in own.content.decode()


# Through the API and the command line


def test_an_administrator_publishes_a_jurisdiction_s_lists_through_the_api(
    api, persona, uz_peer, django_capture_on_commit_callbacks
):
    admin = persona("kz_node_admin")
    created = api.post(
        "/exchange/publications",
        {
            "code": "kz-lists",
            "name_en": "Kazakhstan's control lists",
            "name_ru": "Списки Казахстана",
            "kind": "legal_lists",
            "jurisdiction": "KZ",
            "owner_organisation": "demo-kz-forensic-centre",
        },
        user=admin,
    )
    assert created.status_code == 201, created.content
    assert created.json()["jurisdiction"] == "KZ"
    with django_capture_on_commit_callbacks(execute=True):
        added = api.post("/exchange/publications/kz-lists/subscribers", {"peer": "uz"}, user=admin)
    assert added.json()["subscribers"] == ["uz"]
    assert OutboxEntry.objects.filter(peer=uz_peer, model="legal.listing").exists()
    for jurisdiction in ("UZ", "NOWHERE"):
        refused = api.post(
            "/exchange/publications",
            {
                "code": f"lists-{jurisdiction.lower()}",
                "name_en": "Lists",
                "kind": "legal_lists",
                "jurisdiction": jurisdiction,
                "owner_organisation": "demo-kz-forensic-centre",
            },
            user=admin,
        )
        assert refused.status_code in (400, 422), refused.content
        assert "jurisdiction" in refused.content.decode()


def test_the_command_line_publishes_a_jurisdiction_s_lists(
    uz_peer, persona, django_capture_on_commit_callbacks
):
    from typer.testing import CliRunner

    from fdx.cli import app

    organisation("demo-kz-forensic-centre")
    runner = CliRunner()
    added = runner.invoke(
        app,
        [
            "exchange",
            "publications",
            "add",
            "kz-lists",
            "--name-en",
            "Kazakhstan's control lists",
            "--kind",
            "legal_lists",
            "--jurisdiction",
            "KZ",
            "--organisation",
            "demo-kz-forensic-centre",
        ],
    )
    assert added.exit_code == 0, added.output
    with django_capture_on_commit_callbacks(execute=True):
        subscribed = runner.invoke(app, ["exchange", "publications", "subscribe", "kz-lists", "--peer", "uz"])
    assert subscribed.exit_code == 0, subscribed.output
    assert OutboxEntry.objects.filter(peer=uz_peer, model="legal.genericdefinition").exists()
    refused = runner.invoke(
        app,
        [
            "exchange",
            "publications",
            "add",
            "uz-lists",
            "--name-en",
            "Uzbekistan's lists",
            "--kind",
            "legal_lists",
            "--jurisdiction",
            "UZ",
            "--organisation",
            "demo-kz-forensic-centre",
        ],
    )
    assert refused.exit_code != 0
    assert "jurisdiction" in refused.output


def test_an_entry_naming_a_substance_this_registry_lacks_is_taken_with_its_structure(uz_peer):
    template = Listing(
        global_id=uuid.uuid4(),
        control_list=ControlList.objects.get(code="UZ-LISTS"),
        name_en="4-Butyl-N-methylbuphedrone",
        smiles=NEW_NPS_SMILES,
        inchikey=structure_key(NEW_NPS_SMILES, "test", 0),
        effective_from=datetime.date(2026, 3, 1),
    )
    change = legal_change(template, UZ_NODE, UZ_KEY, version=1)
    payload = messages.parse(change).record.payload
    assert payload["substance"] is None
    record = messages.parse(change).record
    named = {
        **record.payload,
        "substance": {"global_id": str(uuid.uuid4()), "key": "", "inchikey": "X", "name_en": "?"},
    }
    data = messages.seal(
        messages.ChangeRecord(
            origin_node=UZ_NODE,
            global_id=record.global_id,
            model=record.model,
            version=1,
            state=record.state,
            level="regional",
            fields=tuple(sorted(named)),
            payload=named,
        ),
        UZ_KEY,
    ).to_bytes()

    outcome = receive(data, uz_peer)

    assert outcome.outcome == "applied", outcome.reason
    copy = Listing.objects.get(global_id=template.global_id)
    assert copy.substance is None and copy.smiles == NEW_NPS_SMILES
