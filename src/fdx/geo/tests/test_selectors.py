import datetime

import pytest

from fdx.geo.models import Region
from fdx.geo.selectors import list_regions, resolve_region

pytestmark = pytest.mark.django_db

BEFORE_2018 = datetime.date(2017, 3, 1)
AFTER_2018 = datetime.date(2019, 3, 1)
BEFORE_2022 = datetime.date(2021, 3, 1)
AFTER_2022 = datetime.date(2023, 3, 1)


@pytest.mark.parametrize(
    ("code", "day", "expected"),
    [
        ("KZ-YUZ", BEFORE_2018, "KZ-YUZ"),  # South Kazakhstan Region, as it was
        ("KZ-YUZ", AFTER_2018, "KZ-61"),  # the old code, used for Turkistan Region after the 2018 reform
        ("KZ-ALA", None, "KZ-75"),  # a pre-2020 letter code
        ("kz-shy", AFTER_2018, "KZ-79"),
        ("KZ-79", AFTER_2018, "KZ-79"),
        ("KZ-63", BEFORE_2022, "KZ-63"),
        ("KZ-10", AFTER_2022, "KZ-10"),
        ("UZ-TK", None, "UZ-TK"),
    ],
)
def test_resolve_region(code, day, expected):
    assert resolve_region(code, day).code == expected


def test_unknown_code_resolves_to_nothing():
    assert resolve_region("KZ-NOPE") is None


def test_a_region_that_did_not_exist_yet_is_returned_but_not_valid_then():
    abai = resolve_region("KZ-10", BEFORE_2022)

    assert abai.code == "KZ-10"
    assert not abai.is_valid_on(BEFORE_2022)


def test_regions_valid_on_a_date_follow_the_reforms():
    def codes(day):
        return set(list_regions(country="KZ", on_date=day).values_list("code", flat=True))

    assert {"KZ-YUZ"} <= codes(BEFORE_2018) and "KZ-79" not in codes(BEFORE_2018)
    assert {"KZ-61", "KZ-79"} <= codes(AFTER_2018) and "KZ-YUZ" not in codes(AFTER_2018)
    assert "KZ-10" not in codes(BEFORE_2022)
    assert {"KZ-10", "KZ-33", "KZ-62", "KZ-63"} <= codes(AFTER_2022)
    assert len(codes(AFTER_2022)) == 20


def test_successions_are_navigable():
    south = Region.objects.get(code="KZ-YUZ")

    assert set(south.successors.values_list("code", flat=True)) == {"KZ-61", "KZ-79"}
    assert set(Region.objects.get(code="KZ-10").predecessors.values_list("code", flat=True)) == {"KZ-63"}


def test_region_code_must_start_with_its_country():
    from django.core.exceptions import ValidationError

    region = Region(code="UZ-XX", country_id="KZ", name_en="Wrong")
    with pytest.raises(ValidationError) as error:
        region.full_clean()
    assert "code" in error.value.message_dict
