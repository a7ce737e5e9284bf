"""Reference data: this node's publications (its registered substances, a spectral library) reach the peers
subscribed to them under the sharing rules, and another node's publications are received, derived and
indexed here, read-only, or refused with the reason. This node is Kazakhstan's; received messages come from
Uzbekistan's node."""

import base64
import uuid

import numpy
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fdx.accounts.models import SharingGroup
from fdx.core.actors import system
from fdx.core.distribution import DistributionLevel
from fdx.core.events import deliver_due
from fdx.core.records import require_local
from fdx.examinations.models import Finding
from fdx.exchange import actions, inbox, messages, network, outbox, publications
from fdx.exchange.choices import PublicationKind, SubscriptionOrigin
from fdx.exchange.models import CopyKind, OutboxEntry, Publication, Receipt, Subscription
from fdx.exchange.tests.conftest import UZ_KEY, UZ_NODE
from fdx.exchange.tests.test_inbox import UZ_LAB, Dossier
from fdx.spectra import actions as spectra_actions
from fdx.spectra.models import SpectralLibrary, Spectrum, peak_bytes
from fdx.spectra.tests.builders import METHAMPHETAMINE_KEY, imported_library
from fdx.substances import actions as substance_actions
from fdx.substances.choices import SubstanceSource
from fdx.substances.models import Substance
from fdx.testing.personas import organisation

pytestmark = pytest.mark.django_db

ADMIN = system("test-admin")
# 1-(4-Butylphenyl)-2-(methylamino)butan-1-one: a cathinone the reference set does not have.
NEW_NPS_SMILES = "CCCCc1ccc(cc1)C(=O)C(CC)NC"


def queue(peer):
    return list(OutboxEntry.objects.filter(peer=peer).order_by("sequence"))


def read(peer):
    ring = network.keyring()
    return [messages.verify(item.message, ring).record for item in outbox.pending(peer, 0, 1000)]


def new_substance(persona, name="4-Butyl-N-methylbuphedrone", smiles=NEW_NPS_SMILES):
    return substance_actions.create_substance(
        persona("kz_lab_chemist"),
        substance_actions.SubstanceInput(name_en=name, name_ru="4-Бутил-N-метилбуфедрон", structure=smiles),
    )


def substances_publication(level=DistributionLevel.REGIONAL, group=None):
    return actions.create_publication(
        ADMIN,
        code="kz-registry",
        name_en="Kazakhstan's registered substances",
        kind=PublicationKind.SUBSTANCES,
        owner_organisation=organisation("demo-kz-forensic-centre"),
        distribution_level=level,
        sharing_group=group,
    )


def subscribe(publication, peer):
    actions.add_subscriber(ADMIN, publication, peer, origin=SubscriptionOrigin.ADMINISTRATOR)
    return publications.refresh(publication)


# Publishing


def test_a_subscribed_peer_is_sent_this_node_s_own_substances_not_the_reference_set(
    persona, uz_peer, hub_peer
):
    substance = new_substance(persona)
    publication = substances_publication()
    subscribe(publication, uz_peer)

    changes = read(uz_peer)
    assert [(c.model, c.global_id) for c in changes] == [("substances.substance", str(substance.global_id))]
    change = changes[0]
    assert change.level == "regional"
    assert change.payload["smiles"] == substance.smiles
    assert change.payload["name_ru"] == "4-Бутил-N-метилбуфедрон"
    # Derived data each node computes for itself, and this node's accounts, do not travel.
    assert not {"created_by", "morgan_fingerprint", "inchi", "source", "classes"} & set(change.fields)
    assert queue(hub_peer) == []  # not subscribed


def test_a_peer_not_allowed_by_the_level_is_sent_nothing_even_when_subscribed(persona, uz_peer):
    new_substance(persona)
    group = SharingGroup.objects.create(code="kz-only", name_en="Kazakh bodies", name_ru="Казахстан")
    group.organisations.add(organisation("demo-kz-police"))
    publication = substances_publication(DistributionLevel.SHARING_GROUP, group)

    assert subscribe(publication, uz_peer) == 0
    assert publications.visible_to(uz_peer) == []


def test_a_change_of_a_published_substance_reaches_the_queue_through_the_domain_events(persona, uz_peer):
    substance = new_substance(persona)
    subscribe(substances_publication(), uz_peer)
    OutboxEntry.objects.all().delete()

    substance_actions.update_substance(
        persona("kz_lab_head"),
        substance,
        substance_actions.SubstanceInput(name_en="4-BMB", name_ru="4-БМБ", structure=substance.smiles),
    )
    deliver_due()

    [change] = read(uz_peer)
    assert change.payload["name_en"] == "4-BMB"
    assert change.version == Substance.objects.get(pk=substance.pk).record_version


def test_ending_a_subscription_or_the_publication_withdraws_what_the_peer_holds(persona, uz_peer):
    substance = new_substance(persona)
    publication = substances_publication()
    subscribe(publication, uz_peer)

    actions.remove_subscriber(ADMIN, publication, uz_peer, origin=SubscriptionOrigin.ADMINISTRATOR)
    publications.refresh(publication)
    assert [(e.global_id, e.kind) for e in queue(uz_peer)][-1] == (substance.global_id, CopyKind.WITHDRAWAL)
    assert read(uz_peer)[-1].state == "withdrawn"

    subscribe(publication, uz_peer)
    actions.update_publication(ADMIN, publication, active=False)
    publications.refresh(publication)
    assert queue(uz_peer)[-1].kind == CopyKind.WITHDRAWAL
    assert publications.visible_to(uz_peer) == []


def test_nothing_is_queued_again_when_nothing_changed(persona, uz_peer):
    new_substance(persona)
    publication = substances_publication()
    subscribe(publication, uz_peer)
    assert publications.refresh(publication) == 0


def test_a_library_is_published_at_its_own_level_library_first_and_withdrawn_when_lowered(
    persona, uz_peer, tmp_path
):
    head = persona("kz_lab_head")
    library = imported_library(head, tmp_path, level=DistributionLevel.REGIONAL)
    publication = actions.create_publication(
        ADMIN,
        code="kz-ei-library",
        name_en="Kazakh EI library",
        kind=PublicationKind.SPECTRAL_LIBRARY,
        spectral_library=library,
        owner_organisation=library.owner_organisation,
    )
    subscribe(publication, uz_peer)

    changes = read(uz_peer)
    assert [c.model for c in changes] == ["spectra.spectrallibrary"] + ["spectra.spectrum"] * 6
    spectrum = changes[1]
    assert spectrum.payload["library"] == str(library.global_id)
    assert "substance" not in spectrum.fields  # each node links a spectrum to its own registry
    mz = numpy.frombuffer(base64.b64decode(spectrum.payload["mz_values"]), dtype="<f8")
    assert len(mz) == spectrum.payload["peak_count"]

    spectra_actions.update_library(
        head,
        library,
        spectra_actions.LibraryInput(name=library.name, version="1", distribution_level="national"),
    )
    deliver_due()
    assert {e.kind for e in queue(uz_peer)[7:]} == {CopyKind.WITHDRAWAL}
    assert len(queue(uz_peer)) == 14


def test_a_library_that_may_not_leave_or_is_another_node_s_cannot_be_published(persona, tmp_path):
    library = imported_library(persona("kz_lab_head"), tmp_path)  # own organisation
    with pytest.raises(ValidationError) as refused:
        actions.create_publication(
            ADMIN,
            code="kz-lib",
            name_en="Library",
            kind=PublicationKind.SPECTRAL_LIBRARY,
            spectral_library=library,
            owner_organisation=library.owner_organisation,
        )
    assert "spectral_library" in refused.value.message_dict


def test_publishing_is_for_node_administrators(persona):
    with pytest.raises(PermissionDenied):
        actions.create_publication(
            persona("kz_lab_head"),
            code="kz-registry",
            name_en="Substances",
            kind=PublicationKind.SUBSTANCES,
            owner_organisation=organisation("demo-kz-forensic-centre"),
        )


# Receiving


def substance_change(gid, *, smiles=NEW_NPS_SMILES, version=1, key="", state="active", level="regional"):
    payload = (
        {}
        if state != "active"
        else {
            "key": key or None,
            "name_en": "4-Butyl-N-methylbuphedrone",
            "name_ru": "4-Бутил-N-метилбуфедрон",
            "cas_number": "",
            "smiles": smiles,
            "inchikey": "",
            "parent": None,
            "base_conversion_factor": "1.0000",
            "note": "Registered in Tashkent, 2026",
        }
    )
    change = messages.ChangeRecord(
        origin_node=UZ_NODE,
        global_id=gid,
        model="substances.substance",
        version=version,
        state=messages.RecordState(state),
        level=level,
        fields=tuple(sorted(payload)),
        payload=payload,
    )
    return messages.seal(change, UZ_KEY).to_bytes()


def receive(data, peer):
    return inbox.receive(data, sender=peer, channel="pull")


def test_a_received_substance_is_derived_and_classified_here_and_read_only(persona, uz_peer):
    gid = str(uuid.uuid4())
    outcome = receive(substance_change(gid), uz_peer)

    assert outcome.outcome == "applied", outcome
    substance = Substance.objects.get(global_id=gid)
    assert substance.source == SubstanceSource.EXCHANGE
    assert str(substance.origin_node) == UZ_NODE
    assert substance.inchikey and substance.morgan_fingerprint and substance.formula == "C15H23NO"
    assert "cathinones" in set(substance.classes.values_list("code", flat=True))
    assert set(substance.names.values_list("name", flat=True)) == {
        "4-Butyl-N-methylbuphedrone",
        "4-Бутил-N-метилбуфедрон",
    }
    with pytest.raises(PermissionDenied):
        require_local(substance)


def test_a_finding_of_a_received_substance_is_no_longer_refused(persona, uz_peer):
    gid = str(uuid.uuid4())
    dossier = Dossier()
    finding = dossier.payload("finding")
    finding["substance"] = {"global_id": gid, "key": "", "inchikey": "", "name_en": "4-BMB"}
    for name in ("case", "exhibit", "examination"):
        receive(dossier.message(name), uz_peer)
    before = receive(dossier.message("finding", payload=finding), uz_peer)
    assert before.code == "unknown_reference"

    receive(substance_change(gid), uz_peer)
    dossier.versions["finding"] = 2
    after = receive(dossier.message("finding", payload=finding), uz_peer)
    assert after.outcome == "applied"
    assert Finding.objects.get(global_id=dossier.ids["finding"]).substance.global_id == uuid.UUID(gid)


def test_a_substance_this_registry_holds_already_is_refused_never_duplicated(persona, uz_peer):
    local = new_substance(persona)
    outcome = receive(substance_change(str(uuid.uuid4())), uz_peer)

    assert (outcome.outcome, outcome.code) == ("refused", "duplicate")
    assert local.name_en in outcome.reason
    assert Substance.objects.filter(inchikey=local.inchikey).count() == 1


def test_a_substance_whose_structure_does_not_parse_is_refused(persona, uz_peer):
    outcome = receive(substance_change(str(uuid.uuid4()), smiles="C1CC(("), uz_peer)
    assert (outcome.outcome, outcome.code) == ("refused", "bad_message")
    assert "smiles" in outcome.reason


def test_a_withdrawn_substance_goes_or_stays_as_a_tombstone_where_a_finding_names_it(persona, uz_peer):
    free, named = str(uuid.uuid4()), str(uuid.uuid4())
    receive(substance_change(free), uz_peer)
    receive(substance_change(named, smiles="CNC(C)Cc1ccc2c(c1)OCO2"), uz_peer)  # MDMA is in the set
    assert Receipt.objects.filter(global_id=named, outcome="refused").exists()
    receive(substance_change(named, smiles="CCCc1ccc(cc1)C(=O)C(C)NCC"), uz_peer)  # a new one
    dossier = Dossier()
    finding = dossier.payload("finding")
    finding["substance"] = {"global_id": named, "key": "", "inchikey": "", "name_en": "x"}
    for name in ("case", "exhibit", "examination"):
        receive(dossier.message(name), uz_peer)
    assert receive(dossier.message("finding", payload=finding), uz_peer).outcome == "applied"

    assert receive(substance_change(free, version=2, state="withdrawn"), uz_peer).outcome == "applied"
    assert receive(substance_change(named, version=2, state="withdrawn"), uz_peer).outcome == "applied"

    assert not Substance.with_tombstones().filter(global_id=free).exists()
    kept = Substance.with_tombstones().get(global_id=named)
    assert kept.is_tombstone and not Substance.objects.filter(global_id=named).exists()


def library_changes(library_gid, spectrum_gid, *, peaks=None):
    mz_bytes, intensity_bytes, sha = peak_bytes([58.0, 91.0, 134.0], [999.0, 140.0, 25.0])
    library = {
        "owner_organisation": UZ_LAB,
        "name": "Uzbek EI library",
        "version": "2026.1",
        "source": "Republican Forensic Centre",
        "licence": "",
        "description": "",
        "kind": "ei_ms",
        "distribution_level": "regional",
        "sharing_group": None,
    }
    spectrum = {
        "library": library_gid,
        "kind": "ei_ms",
        "name": "Methamphetamine",
        "record_id": "UZ-1",
        "inchikey": METHAMPHETAMINE_KEY,
        "formula": "C10H15N",
        "cas_number": "",
        "retention_index": 1180.0,
        "retention_time_s": None,
        "precursor_mz": None,
        "instrument": "",
        "instrument_type": "",
        "ionisation_energy_ev": 70.0,
        "comment": "",
        "metadata": {},
        "peak_count": 3,
        "mz_values": base64.b64encode(mz_bytes).decode(),
        "intensities": base64.b64encode(peaks or intensity_bytes).decode(),
        "peaks_sha256": sha,
        "source_file": "uz.msp",
        "source_line": 1,
        "withdrawn_at": None,
        "withdrawal_reason": "",
    }
    sealed = []
    for gid, model, payload in (
        (library_gid, "spectra.spectrallibrary", library),
        (spectrum_gid, "spectra.spectrum", spectrum),
    ):
        change = messages.ChangeRecord(
            origin_node=UZ_NODE,
            global_id=gid,
            model=model,
            version=1,
            state=messages.RecordState.ACTIVE,
            level="regional",
            fields=tuple(sorted(payload)),
            payload=payload,
        )
        sealed.append(messages.seal(change, UZ_KEY).to_bytes())
    return sealed


def test_a_received_library_s_spectra_are_linked_to_this_registry_and_searchable(persona, uz_peer):
    library_gid, spectrum_gid = str(uuid.uuid4()), str(uuid.uuid4())
    outcomes = inbox.receive_many(library_changes(library_gid, spectrum_gid), sender=uz_peer, channel="pull")

    assert [o.outcome for o in outcomes] == ["applied", "applied"]
    library = SpectralLibrary.objects.get(global_id=library_gid)
    assert library.owner_organisation.code == UZ_LAB["code"] and not library.is_local
    spectrum = Spectrum.objects.get(global_id=spectrum_gid)
    assert spectrum.substance.inchikey == METHAMPHETAMINE_KEY
    assert spectrum.substance_link == "inchikey"
    assert list(spectrum.peaks[0]) == [58.0, 91.0, 134.0]
    # The link is this node's annotation: it may change it.
    require_local(spectrum, {"substance", "substance_link"})


def test_a_spectrum_whose_peaks_do_not_match_their_hash_is_refused(persona, uz_peer):
    library_gid, spectrum_gid = str(uuid.uuid4()), str(uuid.uuid4())
    tampered = numpy.array([999.0, 140.0, 26.0], dtype="<f8").tobytes()
    outcomes = inbox.receive_many(
        library_changes(library_gid, spectrum_gid, peaks=tampered), sender=uz_peer, channel="pull"
    )
    assert [(o.outcome, o.code) for o in outcomes] == [("applied", ""), ("refused", "bad_message")]
    assert "SHA-256" in outcomes[1].reason
    assert not Spectrum.objects.filter(global_id=spectrum_gid).exists()


def test_a_withdrawn_library_goes_with_its_spectra(persona, uz_peer):
    library_gid, spectrum_gid = str(uuid.uuid4()), str(uuid.uuid4())
    inbox.receive_many(library_changes(library_gid, spectrum_gid), sender=uz_peer, channel="pull")
    withdrawal = messages.ChangeRecord(
        origin_node=UZ_NODE,
        global_id=library_gid,
        model="spectra.spectrallibrary",
        version=2,
        state=messages.RecordState.WITHDRAWN,
        level="regional",
        fields=(),
        payload={},
    )
    assert receive(messages.seal(withdrawal, UZ_KEY).to_bytes(), uz_peer).outcome == "applied"
    assert not SpectralLibrary.with_tombstones().filter(global_id=library_gid).exists()
    assert not Spectrum.with_tombstones().filter(global_id=spectrum_gid).exists()


# The peers' routes and the administrators' API


@pytest.fixture
def uz_with_token(uz_peer):
    from fdx.accounts import tokens
    from fdx.exchange.models import Peer

    token = tokens.generate_token()
    Peer.objects.filter(pk=uz_peer.pk).update(token_hash=tokens.hash_token(token))
    uz_peer.refresh_from_db()
    return uz_peer, {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_a_peer_reads_the_catalogue_subscribes_and_unsubscribes(client, persona, uz_with_token):
    peer, auth = uz_with_token
    new_substance(persona)
    publication = substances_publication()

    listed = client.get("/api/v1/exchange/catalogue", **auth).json()["publications"]
    assert [(p["code"], p["subscribed"]) for p in listed] == [("kz-registry", False)]

    answer = client.post(f"/api/v1/exchange/catalogue/{publication.global_id}/subscription", **auth)
    assert answer.status_code == 200 and answer.json()["subscribed"] is True
    assert Subscription.objects.get(publication=publication, peer=peer).origin == SubscriptionOrigin.PEER
    publications.refresh(publication)
    assert [c.model for c in read(peer)] == ["substances.substance"]

    ended = client.delete(f"/api/v1/exchange/catalogue/{publication.global_id}/subscription", **auth)
    assert ended.json() == {"ended": True}
    assert not Subscription.objects.exists()


def test_a_publication_the_rules_keep_from_a_peer_is_not_even_named_to_it(client, persona, uz_with_token):
    _peer, auth = uz_with_token
    group = SharingGroup.objects.create(code="kz-only", name_en="Kazakh bodies", name_ru="Казахстан")
    group.organisations.add(organisation("demo-kz-police"))
    publication = substances_publication(DistributionLevel.SHARING_GROUP, group)

    assert client.get("/api/v1/exchange/catalogue", **auth).json() == {"publications": []}
    answer = client.post(f"/api/v1/exchange/catalogue/{publication.global_id}/subscription", **auth)
    assert answer.status_code == 404


def test_an_administrator_publishes_and_subscribes_a_bundle_peer_through_the_api(api, persona, uz_peer):
    admin = persona("kz_node_admin")
    created = api.post(
        "/exchange/publications",
        {
            "code": "kz-registry",
            "name_en": "Kazakh substances",
            "name_ru": "Вещества Казахстана",
            "kind": "substances",
            "owner_organisation": "demo-kz-forensic-centre",
            "distribution_level": "regional",
        },
        user=admin,
    )
    assert created.status_code == 201, created.content
    added = api.post("/exchange/publications/kz-registry/subscribers", {"peer": "uz"}, user=admin)
    assert added.json()["subscribers"] == ["uz"]
    bad = api.post(
        "/exchange/publications",
        {"code": "x", "name_en": "x", "kind": "substances", "owner_organisation": "no-such-organisation"},
        user=admin,
    )
    assert bad.status_code == 422
    assert api.get("/exchange/publications", user=persona("kz_lab_head")).status_code == 403


def test_asking_a_peer_that_cannot_be_reached_is_a_502_not_a_500(api, persona, uz_peer):
    from fdx.exchange.models import Peer

    Peer.objects.filter(pk=uz_peer.pk).update(url="http://127.0.0.1:9", outgoing_token="fdx_x")
    answer = api.get("/exchange/peers/uz/catalogue", user=persona("kz_node_admin"))
    assert answer.status_code == 502
    assert "127.0.0.1:9" in answer.content.decode()


def test_the_publication_s_content_hash_ignores_nothing_that_travels(persona, uz_peer):
    """A change of any travelling field of a substance gives a new content hash, hence a new entry."""
    substance = new_substance(persona)
    publication = substances_publication()
    subscribe(publication, uz_peer)
    Substance.objects.filter(pk=substance.pk).update(note="A note the peers must see")
    assert publications.refresh(publication) == 1
    assert read(uz_peer)[-1].payload["note"] == "A note the peers must see"
    assert Publication.objects.count() == 1


# The command line


def test_the_command_line_publishes_subscribes_lists_and_withdraws(persona, uz_peer):
    import json

    from typer.testing import CliRunner

    from fdx.cli import app

    runner = CliRunner()
    new_substance(persona)
    added = runner.invoke(
        app,
        [
            "exchange",
            "publications",
            "add",
            "kz-registry",
            "--name-en",
            "Kazakh substances",
            "--kind",
            "substances",
            "--organisation",
            "demo-kz-forensic-centre",
        ],
    )
    assert added.exit_code == 0, added.output
    assert (
        runner.invoke(app, ["exchange", "publications", "subscribe", "kz-registry", "--peer", "uz"]).exit_code
        == 0
    )
    listed = json.loads(runner.invoke(app, ["exchange", "publications", "list", "--json"]).output)
    assert listed["published"][0]["subscribers"] == ["uz"]
    assert listed["published"][0]["records"] == 1
    assert runner.invoke(app, ["exchange", "publications", "withdraw", "kz-registry"]).exit_code == 0
    assert not Publication.objects.get().active
    bad = runner.invoke(
        app,
        [
            "exchange",
            "publications",
            "add",
            "x",
            "--name-en",
            "x",
            "--kind",
            "spectral_library",
            "--organisation",
            "demo-kz-forensic-centre",
        ],
    )
    assert bad.exit_code == 1 and "spectral_library" in bad.output


def test_the_command_line_says_when_a_peer_cannot_be_asked(persona, uz_peer):
    from typer.testing import CliRunner

    from fdx.cli import app
    from fdx.exchange.models import Peer

    Peer.objects.filter(pk=uz_peer.pk).update(url="http://127.0.0.1:9", outgoing_token="fdx_x")
    answer = CliRunner().invoke(app, ["exchange", "catalogue", "--peer", "uz"])
    assert answer.exit_code == 1
    assert "127.0.0.1:9" in answer.output


def test_asking_a_peer_this_node_cannot_call_is_a_409_naming_why(api, persona, uz_peer):
    answer = api.post(
        "/exchange/peers/uz/followed", {"publication_id": str(uuid.uuid4())}, user=persona("kz_node_admin")
    )
    assert answer.status_code == 409
    assert "no address or no token" in answer.content.decode()


def test_only_an_organisation_of_this_node_publishes_from_it(persona):
    with pytest.raises(ValidationError) as refused:
        actions.create_publication(
            ADMIN,
            code="kg-registry",
            name_en="Kyrgyz substances",
            kind=PublicationKind.SUBSTANCES,
            owner_organisation=organisation("demo-kg-forensic-service"),
        )
    assert "owner_organisation" in refused.value.message_dict
