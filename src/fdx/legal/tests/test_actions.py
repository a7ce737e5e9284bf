import datetime
import io
from dataclasses import replace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fdx.audit.models import AuditEvent
from fdx.core.actors import system
from fdx.legal import actions, selectors
from fdx.legal.actions import reference_content
from fdx.legal.models import ControlList, Jurisdiction, LegalDataVersion, Listing, QuantityThreshold
from fdx.legal.reference import LISTING_COLUMNS

pytestmark = pytest.mark.django_db
HEADER = ",".join(LISTING_COLUMNS) + "\n"


def _row(**values):
    base = {
        "list_code": "KZ-LIST-I",
        "name_en": "4-Chloromethcathinone",
        "smiles": "CNC(C)C(=O)c1ccc(Cl)cc1",
        "effective_from": datetime.date(2021, 3, 1),
    }
    return actions.listing_row(**{**base, **values})


def test_the_reference_content_is_loaded_once_and_again_changes_nothing():
    events = AuditEvent.objects.count()

    counts = actions.load_legal_reference(system("test"))

    assert counts["listings_added"] == 0 and counts["listings_corrected"] == 0
    assert counts["listings_unchanged"] >= 380
    assert AuditEvent.objects.count() == events


def test_a_reload_corrects_a_shipped_entry_that_drifted_but_leaves_local_changes_alone(persona):
    drifted = Listing.objects.current().get(control_list__code="UN-1971-II", name_en="mephedrone")
    Listing.objects.filter(pk=drifted.pk).update(note="drifted")
    local = Listing.objects.current().get(control_list__code="UN-1971-II", name_en="methylone")
    local = actions.correct_listing(
        persona("hub_admin"),
        local,
        replace(actions.row_of(local), note="ours"),
        reason="checked against the Green List",
    )

    counts = actions.load_legal_reference(system("test"))

    assert counts["listings_corrected"] == 1
    restored = Listing.objects.current().get(control_list__code="UN-1971-II", name_en="mephedrone")
    assert restored.note != "drifted" and restored.corrects_id == drifted.pk
    assert Listing.objects.current().get(pk=local.pk).note == "ours"


def test_a_reload_that_puts_back_a_changed_fact_is_audited_and_moves_the_engine_version():
    # Given a shipped list and threshold changed in the database since they were loaded
    ControlList.objects.filter(code="UN-1971-II").update(covers_stereoisomers=True)
    threshold = QuantityThreshold.objects.order_by("pk").first()
    QuantityThreshold.objects.filter(pk=threshold.pk).update(note="changed here")
    version = LegalDataVersion.objects.get().number
    events = AuditEvent.objects.filter(action="legal.reference.loaded").count()

    # When the reference content is loaded again
    counts = actions.load_legal_reference(system("test"))

    # Then both are put back, and the load says so: an audit event and a new engine version
    assert counts["updated"] == 2
    assert ControlList.objects.get(code="UN-1971-II").covers_stereoisomers is False
    assert QuantityThreshold.objects.get(pk=threshold.pk).note != "changed here"
    assert AuditEvent.objects.filter(action="legal.reference.loaded").count() == events + 1
    assert LegalDataVersion.objects.get().number == version + 1


def test_who_may_maintain_which_jurisdiction(persona):
    kz, kg, un = (Jurisdiction.objects.get(code=code) for code in ("KZ", "KG", "UN"))

    assert actions.may_maintain(persona("kz_node_admin"), kz)
    assert not actions.may_maintain(persona("kz_node_admin"), kg)
    assert not actions.may_maintain(persona("kz_node_admin"), un)
    assert actions.may_maintain(persona("hub_admin"), kg) and actions.may_maintain(persona("hub_admin"), un)
    assert not actions.may_maintain(persona("kz_lab_head"), kz)
    with pytest.raises(PermissionDenied):
        actions.add_listing(persona("kz_node_admin"), _row(list_code="KG-LIST"))
    with pytest.raises(PermissionDenied):
        actions.add_listing(persona("kz_lab_head"), _row())


def test_add_correct_end_and_withdraw_keep_every_record_and_are_audited(persona):
    admin = persona("kz_node_admin")
    version = selectors.data_version()

    added = actions.add_listing(admin, _row(), reason="Decree No. 123")
    corrected = actions.correct_listing(
        admin, added, _row(effective_from=datetime.date(2021, 3, 5)), reason="gazette date"
    )
    ended = actions.end_listing(admin, corrected, datetime.date(2024, 1, 1), reason="moved to list II")
    withdrawn = actions.withdraw_listing(admin, ended, reason="recorded in error")

    chain = selectors.listing_history(withdrawn)
    assert [r.pk for r in chain] == [added.pk, corrected.pk, ended.pk]
    assert all(r.recorded_to is not None for r in chain)
    assert not Listing.objects.current().filter(name_en="4-Chloromethcathinone").exists()
    assert ended.effective_to == datetime.date(2024, 1, 1) and ended.corrects_id == corrected.pk
    codes = list(
        AuditEvent.objects.filter(object_type="legal.listing")
        .order_by("sequence")
        .values_list("action", flat=True)
    )[-4:]
    assert codes == [
        "legal.listing.added",
        "legal.listing.corrected",
        "legal.listing.corrected",
        "legal.listing.withdrawn",
    ]
    assert selectors.data_version() == version + 4


def test_a_correction_needs_a_reason_and_the_current_record(persona):
    admin = persona("kz_node_admin")
    added = actions.add_listing(admin, _row())
    actions.correct_listing(admin, added, _row(note="x"), reason="note")

    with pytest.raises(ValidationError):
        actions.correct_listing(
            admin, Listing.objects.current().get(name_en="4-Chloromethcathinone"), _row(), reason=""
        )
    with pytest.raises(ValidationError, match="already replaced"):
        actions.correct_listing(admin, added, _row(note="y"), reason="again")


def test_a_second_entry_of_the_same_name_is_refused(persona):
    actions.add_listing(persona("kz_node_admin"), _row())

    with pytest.raises(ValidationError, match="already has an entry"):
        actions.add_listing(persona("kz_node_admin"), _row(name_en="4-chloromethcathinone"))


def test_listing_row_checks_structure_and_dates():
    with pytest.raises(ValidationError) as error:
        _row(smiles="C1CC(")
    assert "smiles" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        _row(effective_to=datetime.date(2020, 1, 1))
    assert "effective_to" in error.value.message_dict


def test_import_is_all_or_nothing_and_a_dry_run_writes_nothing(persona):
    admin = persona("kz_node_admin")
    kz = Jurisdiction.objects.get(code="KZ")
    good = HEADER + "KZ-LIST-I,alpha-PiHP,,CC(C)CC(N1CCCC1)C(=O)c1ccccc1,,2022-06-01,,,,,,false,,false,,\n"
    bad = good + "KZ-LIST-I,Probe,,,no-such-key,2022-06-01,,,,,,false,,false,,\n"

    preview = actions.import_listings(admin, kz, io.StringIO(good), "kz.csv", dry_run=True)
    with pytest.raises(actions.ImportRefused) as refused:
        actions.import_listings(admin, kz, io.StringIO(bad), "kz.csv")
    done = actions.import_listings(admin, kz, io.StringIO(good), "kz.csv")
    again = actions.import_listings(admin, kz, io.StringIO(good), "kz.csv")

    assert preview == {"added": 1, "corrected": 0, "unchanged": 0}
    assert refused.value.problems == [
        "kz.csv, line 3, field 'registry_key': There is no registry substance no-such-key."
    ]
    assert done["added"] == 1 and again == {"added": 0, "corrected": 0, "unchanged": 1}
    assert Listing.objects.current().filter(control_list__code="KZ-LIST-I", name_en="alpha-PiHP").count() == 1
    assert AuditEvent.objects.filter(action="legal.listings.imported").count() == 1


def test_a_row_the_database_would_refuse_is_refused_alike_in_a_dry_run_and_an_import(persona):
    # Given a row whose source is not a URL (only the model's own checks see it)
    admin = persona("kz_node_admin")
    kz = Jurisdiction.objects.get(code="KZ")
    row = "KZ-LIST-I,alpha-PiHP,,CC(C)CC(N1CCCC1)C(=O)c1ccccc1,,2022-06-01,,,,,,false,,false,not a url,\n"

    # When it is previewed and then imported
    refusals = []
    for dry_run in (True, False):
        with pytest.raises(actions.ImportRefused) as refused:
            actions.import_listings(admin, kz, io.StringIO(HEADER + row), "kz.csv", dry_run=dry_run)
        refusals.append(refused.value.problems)

    # Then both refuse it the same way, naming the file, line and field, and nothing is written
    assert refusals[0] == refusals[1] == ["kz.csv, line 2, field 'source_url': Enter a valid URL."]
    assert not Listing.objects.filter(control_list__code="KZ-LIST-I", name_en="alpha-PiHP").exists()


def test_an_exported_jurisdiction_imports_back_unchanged(persona):
    text, count = selectors.export_listings(Jurisdiction.objects.get(code="UN"))

    counts = actions.import_listings(
        persona("hub_admin"), Jurisdiction.objects.get(code="UN"), io.StringIO(text), "un.csv", dry_run=True
    )

    assert counts == {"added": 0, "corrected": 0, "unchanged": count}


def test_marking_lists_complete_is_audited_and_needs_a_reason(persona):
    admin, kz = persona("kz_node_admin"), Jurisdiction.objects.get(code="KZ")

    with pytest.raises(ValidationError):
        actions.set_lists_complete(admin, kz, True, reason=" ")
    actions.set_lists_complete(admin, kz, True, reason="Decree 470 transcribed in full")

    assert Jurisdiction.objects.get(code="KZ").lists_complete
    assert AuditEvent.objects.filter(action="legal.jurisdiction.completeness", object_id="KZ").exists()


def test_a_reload_leaves_a_fact_a_node_administrator_changed_and_takes_it_back_once_the_mark_is_cleared():
    # Given a shipped threshold and list that a node administrator changed (marked as maintained here)
    threshold = QuantityThreshold.objects.order_by("pk").first()
    QuantityThreshold.objects.filter(pk=threshold.pk).update(
        note="checked in the gazette", maintained_locally=True
    )
    ControlList.objects.filter(code="UN-1971-II").update(covers_stereoisomers=True, maintained_locally=True)

    # When the reference content is loaded again, both stand, and the load counts them as kept
    counts = actions.load_legal_reference(system("test"))

    assert counts["kept"] == 2 and counts["updated"] == 0
    assert QuantityThreshold.objects.get(pk=threshold.pk).note == "checked in the gazette"
    assert ControlList.objects.get(code="UN-1971-II").covers_stereoisomers is True

    # And once the mark is cleared, the next load puts the shipped fact back
    ControlList.objects.filter(code="UN-1971-II").update(maintained_locally=False)
    assert actions.load_legal_reference(system("test"))["updated"] == 1
    assert ControlList.objects.get(code="UN-1971-II").covers_stereoisomers is False


def test_an_entry_removed_and_listed_again_is_two_periods_of_one_name(persona):
    admin = persona("kz_node_admin")
    first = actions.add_listing(admin, _row(effective_to=datetime.date(2022, 12, 31)), reason="decree 1")

    # The same name again for an overlapping period is refused; for a later one it is a second period
    with pytest.raises(ValidationError, match="overlapping period"):
        actions.add_listing(admin, _row(effective_from=datetime.date(2022, 6, 1)), reason="decree 2")
    again = actions.add_listing(admin, _row(effective_from=datetime.date(2024, 1, 1)), reason="decree 3")

    assert {first.pk, again.pk} == set(
        Listing.objects.current().filter(name_en="4-Chloromethcathinone").values_list("pk", flat=True)
    )
    query = selectors.query_for("CNC(C)C(=O)c1ccc(Cl)cc1")
    on = {
        day: selectors.assess([query], selectors.Question(("KZ",), datetime.date.fromisoformat(day)))[0]
        for day in ("2022-01-01", "2023-06-01", "2024-06-01")
    }
    assert "KZ-LIST-I" in on["2022-01-01"].lists and "KZ-LIST-I" in on["2024-06-01"].lists
    assert "KZ-LIST-I" not in on["2023-06-01"].lists


def test_an_import_row_corrects_the_period_it_overlaps_and_adds_a_period_that_overlaps_none(persona):
    admin = persona("kz_node_admin")
    kz = Jurisdiction.objects.get(code="KZ")
    actions.add_listing(admin, _row(effective_to=datetime.date(2022, 12, 31)), reason="decree 1")
    smiles = "CNC(C)C(=O)c1ccc(Cl)cc1"
    ended = f"KZ-LIST-I,4-Chloromethcathinone,,{smiles},,2021-03-01,,2022-12-31,,,,false,,false,,gazette\n"
    again = f"KZ-LIST-I,4-Chloromethcathinone,,{smiles},,2024-01-01,,,,,,false,,false,,\n"
    spanning = f"KZ-LIST-I,4-Chloromethcathinone,,{smiles},,2020-01-01,,,,,,false,,false,,\n"

    counts = actions.import_listings(admin, kz, io.StringIO(HEADER + ended + again), "kz.csv")

    assert counts == {"added": 1, "corrected": 1, "unchanged": 0}
    with pytest.raises(actions.ImportRefused) as refused:
        actions.import_listings(admin, kz, io.StringIO(HEADER + spanning), "kz.csv")
    assert refused.value.problems[0].startswith("kz.csv, line 2, field 'effective_from': ")


def test_a_threshold_whose_start_a_node_moved_is_not_shipped_again_beside_it():
    # The node moved the start of a shipped threshold (and the admin marked it as its own)
    threshold = QuantityThreshold.objects.get(jurisdiction="KZ", entry_name="mephedrone")
    QuantityThreshold.objects.filter(pk=threshold.pk).update(
        effective_from=datetime.date(2024, 6, 1), maintained_locally=True
    )

    counts = actions.load_legal_reference(system("test"))

    assert QuantityThreshold.objects.filter(jurisdiction="KZ", entry_name="mephedrone").count() == 1
    assert counts["thresholds"] == 0 and counts["kept"] == 1
    assert actions.is_shipped(QuantityThreshold.objects.get(pk=threshold.pk))


def test_a_shipped_entry_the_node_had_recorded_itself_is_adopted_not_duplicated(persona, monkeypatch):
    from fdx.legal import reference

    admin = persona("kz_node_admin")
    own = actions.add_listing(
        admin, _row(name_en="Testamine", smiles="CCCCCCCCCCN", effective_from=datetime.date(2010, 1, 1))
    )
    shipped = replace(
        actions.listing_row(
            list_code="KZ-LIST-I",
            name_en="Testamine",
            smiles="CCCCCCCCCCN",
            effective_from=datetime.date(2012, 1, 1),
        ),
        source_file="kz.csv",
        line=2,
    )
    monkeypatch.setattr(
        reference_content, "shipped_listings", lambda: (*reference.shipped_listings(), shipped)
    )

    counts = actions.load_legal_reference(system("test"))

    testamine = Listing.objects.current().filter(name_en="Testamine")
    assert counts["kept"] == 1 and list(testamine.values_list("pk", flat=True)) == [own.pk]
    assert testamine.get().reference_key == "KZ-LIST-I:testamine" and testamine.get().maintained_locally


def test_a_file_that_ends_an_entry_and_lists_it_again_imports_as_its_dry_run_said(persona):
    admin = persona("kz_node_admin")
    kz = Jurisdiction.objects.get(code="KZ")
    actions.add_listing(admin, _row(effective_from=datetime.date(2010, 1, 1)), reason="decree")
    smiles = "CNC(C)C(=O)c1ccc(Cl)cc1"
    rows = (
        f"KZ-LIST-I,4-Chloromethcathinone,,{smiles},,2010-01-01,,2015-12-31,,,,false,,false,,\n"
        f"KZ-LIST-I,4-Chloromethcathinone,,{smiles},,2020-01-01,,,,,,false,,false,,\n"
    )

    preview = actions.import_listings(admin, kz, io.StringIO(HEADER + rows), "kz.csv", dry_run=True)
    done = actions.import_listings(admin, kz, io.StringIO(HEADER + rows), "kz.csv")

    assert preview == done == {"added": 1, "corrected": 1, "unchanged": 0}
    periods = sorted(
        Listing.objects.current()
        .filter(name_en="4-Chloromethcathinone")
        .values_list("effective_from", "effective_to")
    )
    assert periods == [
        (datetime.date(2010, 1, 1), datetime.date(2015, 12, 31)),
        (datetime.date(2020, 1, 1), None),
    ]


def test_a_reload_keeps_worked_examples_that_did_not_change():
    from fdx.legal.models import GenericDefinition

    definition = GenericDefinition.objects.order_by("pk").first()
    ids = set(definition.examples.values_list("pk", flat=True))

    counts = actions.load_legal_reference(system("test"))

    assert counts["updated"] == 0
    assert set(definition.examples.values_list("pk", flat=True)) == ids
