import pytest

from fdx.audit.models import AuditEvent
from fdx.core.actors import system
from fdx.geo.actions import load_reference_geography
from fdx.geo.models import BorderCrossingPoint, Country, Region, RegionAlias, RegionSuccession

pytestmark = pytest.mark.django_db


def test_reference_geography_is_loaded_once_per_test_database():
    assert Country.objects.count() == 249
    assert Region.objects.count() > 5000
    assert RegionSuccession.objects.count() == 5
    assert RegionAlias.objects.count() == 17
    assert BorderCrossingPoint.objects.count() == 23
    assert Region.objects.get(code="GB-LND").parent.code == "GB-ENG"


def test_loading_again_changes_nothing_and_audits_nothing():
    events = AuditEvent.objects.count()

    counts = load_reference_geography(system("test"))

    assert counts["countries_created"] == counts["regions_created"] == 0
    assert counts["countries_updated"] == counts["regions_updated"] == 0
    assert AuditEvent.objects.count() == events


def test_a_region_changed_in_the_database_is_restored_and_the_change_audited():
    Region.objects.filter(code="KZ-33").update(name_ru="испорчено")

    counts = load_reference_geography(system("cli:root"))

    assert counts["regions_updated"] == 1
    assert Region.objects.get(code="KZ-33").name_ru == "область Жетісу"
    event = AuditEvent.objects.filter(action="geo.region.changed").latest("sequence")
    assert event.before == {"name_ru": "испорчено"}
    assert event.after == {"name_ru": "область Жетісу"}
    assert event.actor_username == "cli:root"


def test_administrators_corrections_to_crossing_points_are_kept():
    BorderCrossingPoint.objects.filter(code="kz-dostyk").update(latitude="45.25000", longitude="82.48000")

    load_reference_geography(system("test"))

    assert str(BorderCrossingPoint.objects.get(code="kz-dostyk").latitude) == "45.25000"
