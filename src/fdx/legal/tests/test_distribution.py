"""Listings as distributed records: a listing received from another node is neither corrected nor withdrawn
here; a withdrawn listing is kept, retracted; each change emits ``legal.listing.changed`` and moves the
legal data on (``legal.data.changed``)."""

import datetime
import uuid

import pytest
from django.core.exceptions import PermissionDenied

from fdx.core.models import OutboxEvent, RecordState
from fdx.legal import actions
from fdx.legal.models import LegalDataVersion, Listing

pytestmark = pytest.mark.django_db


def _row(**values):
    base = {
        "list_code": "KZ-LIST-I",
        "name_en": "4-Chloromethcathinone",
        "smiles": "CNC(C)C(=O)c1ccc(Cl)cc1",
        "effective_from": datetime.date(2021, 3, 1),
    }
    return actions.listing_row(**{**base, **values})


def test_listing_changes_tell_the_apps_above(persona):
    admin = persona("kz_node_admin")
    start = OutboxEvent.objects.order_by("-sequence").values_list("sequence", flat=True).first() or 0

    listing = actions.add_listing(admin, _row())
    successor = actions.correct_listing(admin, listing, _row(name_en="4-CMC"), reason="the decree's name")
    actions.withdraw_listing(admin, successor, reason="entered in error")

    emitted = list(
        OutboxEvent.objects.filter(sequence__gt=start).order_by("sequence").values_list("code", "payload")
    )
    version = LegalDataVersion.objects.get(pk=1).number
    assert emitted == [
        ("legal.listing.changed", {"change": "added", "list": "KZ-LIST-I"}),
        ("legal.data.changed", {"version": version - 2}),
        (
            "legal.listing.changed",
            {"change": "corrected", "list": "KZ-LIST-I", "corrects": str(listing.global_id)},
        ),
        ("legal.data.changed", {"version": version - 1}),
        ("legal.listing.changed", {"change": "withdrawn", "list": "KZ-LIST-I"}),
        ("legal.data.changed", {"version": version}),
    ]
    successor.refresh_from_db()
    assert successor.record_state == RecordState.RETRACTED


def test_a_received_listing_is_not_corrected_or_withdrawn_here(persona):
    admin = persona("kz_node_admin")
    listing = actions.add_listing(admin, _row())
    Listing.objects.filter(pk=listing.pk).update(origin_node=uuid.UUID(int=9))

    with pytest.raises(PermissionDenied, match="received from another node"):
        actions.correct_listing(admin, listing, _row(name_en="Changed"), reason="ours")
    with pytest.raises(PermissionDenied, match="received from another node"):
        actions.withdraw_listing(admin, listing, reason="ours")

    listing.refresh_from_db()
    assert listing.recorded_to is None and listing.name_en == "4-Chloromethcathinone"
