"""Migration 0003's data step: shipped thresholds get the key the loader finds them by, and what the audit
chain shows a node edited is marked as the node's."""

import datetime
import importlib

import pytest
from django.apps import apps

from fdx.audit import audit_events as admin_events
from fdx.audit.actions import record
from fdx.core.actors import system
from fdx.legal import actions
from fdx.legal.models import ControlList, QuantityThreshold

pytestmark = pytest.mark.django_db
step = importlib.import_module("fdx.legal.migrations.0003_threshold_reference_key")


def test_a_threshold_edited_before_the_upgrade_keeps_its_shipped_key_and_is_not_shipped_twice():
    # Given a shipped threshold whose start a node moved before the upgrade (audited), and keys not yet set
    threshold = QuantityThreshold.objects.get(jurisdiction="KZ", entry_name="mephedrone")
    shipped_start = threshold.effective_from
    QuantityThreshold.objects.filter(pk=threshold.pk).update(
        effective_from=shipped_start + datetime.timedelta(days=1)
    )
    record(
        admin_events.ADMIN_RECORD_CHANGED,
        actor=system("test"),
        obj=threshold,
        before={"effective_from": shipped_start.isoformat()},
        after={"effective_from": (shipped_start + datetime.timedelta(days=1)).isoformat()},
    )
    # An audit row written by hand, with an id that is no UUID, does not stop the migration
    record(admin_events.ADMIN_RECORD_CHANGED, object_type="legal.quantitythreshold", object_id="17")
    ControlList.objects.filter(code="UN-1988-II").update(maintained_locally=False)
    record(admin_events.ADMIN_RECORD_CHANGED, obj=ControlList.objects.get(code="UN-1988-II"))
    QuantityThreshold.objects.update(reference_key="", maintained_locally=False)

    # When the migration's data step runs, then the reference content is loaded again
    step.forwards(apps, None)
    actions.load_legal_reference(system("test"))

    # Then there is still one mephedrone threshold, marked as the node's, with the node's start
    kept = QuantityThreshold.objects.get(jurisdiction="KZ", entry_name="mephedrone")
    assert kept.maintained_locally and kept.effective_from == shipped_start + datetime.timedelta(days=1)
    assert ControlList.objects.get(code="UN-1988-II").maintained_locally


def test_shipped_legal_content_loaded_before_the_upgrade_takes_the_ids_every_node_gives_it():
    import uuid

    from fdx.legal.models import GenericDefinition, Listing
    from fdx.legal.reference import shipped_correction_id, shipped_global_id

    ids_step = importlib.import_module("fdx.legal.migrations.0007_shipped_global_ids")
    listing = Listing.objects.filter(control_list__code="KZ-LIST-I", recorded_to__isnull=True).order_by("pk")[
        0
    ]
    successor = actions.correct_listing(
        system("reload"), listing, actions.row_of(listing), reason="reference content updated", shipped=True
    )
    own = actions.correct_listing(
        system("maintainer"), successor, actions.row_of(successor), reason="Decree 7 of 2026"
    )
    # Random ids, as every node gave them before
    for model in (Listing, GenericDefinition, QuantityThreshold):
        for pk in model.with_tombstones().values_list("pk", flat=True):
            model.with_tombstones().filter(pk=pk).update(global_id=uuid.uuid4())

    ids_step.give_ids(apps, None)

    listing.refresh_from_db()
    successor.refresh_from_db()
    own.refresh_from_db()
    assert listing.global_id == shipped_global_id("listing", listing.reference_key)
    assert successor.global_id == shipped_correction_id(listing.global_id)
    assert own.global_id != shipped_correction_id(successor.global_id)  # a node's own correction is its own
    definition = GenericDefinition.objects.get(code="kz-substituent-analogues")
    assert definition.global_id == shipped_global_id("generic", definition.code)
    threshold = QuantityThreshold.objects.get(jurisdiction="KZ", entry_name="mephedrone")
    assert threshold.global_id == shipped_global_id("threshold", threshold.reference_key)
