"""FDX's own region list checked against the shared Natural Earth boundaries (../shared/data/geo)."""

import json

import pytest

from fdx.geo import reference
from fdx.testing.shared_data import shared_file


@pytest.fixture(scope="module")
def features():
    geojson = shared_file("geo/central_asia_admin1_ne.geojson")
    return [feature["properties"] for feature in json.loads(geojson.read_text(encoding="utf-8"))["features"]]


def test_every_boundary_has_a_region_in_fdx(features):
    codes = {row.code for row in reference.curated_regions()}

    assert {feature["iso_3166_2"] for feature in features} <= codes


def test_legacy_codes_of_the_boundaries_resolve_to_the_same_region(features):
    aliases = {row.code: row.region for row in reference.aliases()}

    for feature in features:
        if feature["iso_3166_2_legacy"]:
            assert aliases[feature["iso_3166_2_legacy"]] == feature["iso_3166_2"]


def test_russian_names_agree_with_the_boundaries(features):
    names = {row.code: row.name_ru for row in reference.curated_regions()}

    disagreements = {
        f["iso_3166_2"]: (names[f["iso_3166_2"]], f["name_ru"])
        for f in features
        if names[f["iso_3166_2"]] != f["name_ru"]
    }
    assert disagreements == {}
