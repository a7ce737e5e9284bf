import pytest

pytestmark = pytest.mark.django_db


def test_regions_of_a_country_on_a_date(api, persona):
    response = api.get(
        "/regions", user=persona("kz_lab_chemist"), country="KZ", on_date="2021-01-01", limit=100
    )

    codes = {item["code"] for item in response.json()["items"]}
    assert "KZ-YUZ" not in codes and "KZ-61" in codes and "KZ-10" not in codes


def test_region_detail_shows_successions_and_former_codes(api, persona):
    body = api.get("/regions/KZ-63", user=persona("kz_lab_chemist")).json()

    assert body["name_ru"] == "Восточно-Казахстанская область"
    assert body["successors"] == [
        {
            "region": "KZ-10",
            "effective_date": "2022-06-08",
            "kind": "split",
            "legal_basis": body["successors"][0]["legal_basis"],
        }
    ]
    assert body["former_codes"] == ["KZ-VOS"]


def test_resolve_a_former_code(api, persona):
    response = api.get(
        "/regions/resolve", user=persona("kz_lab_chemist"), code="KZ-YUZ", on_date="2020-01-01"
    )

    assert response.json()["code"] == "KZ-61"
    missing = api.get("/regions/resolve", user=persona("kz_lab_chemist"), code="KZ-NOPE")
    assert missing.status_code == 404


def test_countries_and_crossing_points(api, persona):
    user = persona("kz_lab_chemist")

    assert api.get("/countries/kg", user=user).json()["name_ru"] == "Кыргызстан"
    points = api.get("/border-crossing-points", user=user, country="TJ").json()
    assert {p["code"] for p in points["items"]} >= {"tj-panji-poyon"}
    assert points["items"][0]["latitude"] is None
