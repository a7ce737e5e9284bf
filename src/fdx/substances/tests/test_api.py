import pytest

from fdx.substances.models import Substance

pytestmark = pytest.mark.django_db


def test_name_search(api, persona):
    body = api.get("/substances", user=persona("uz_police_analyst"), q="мефедрон").json()

    assert body["items"][0]["name_en"] == "Mephedrone"
    assert body["items"][0]["classes"] == ["cathinones"]
    assert {"name": "4-MMC", "language": "en", "kind": "abbreviation"} in body["items"][0]["names"]


def test_name_search_pages_by_offset_through_one_ranking(api, persona):
    user = persona("uz_police_analyst")
    whole = api.get("/substances", user=user, q="hydrochloride", limit=500).json()

    pages = [
        api.get("/substances", user=user, q="hydrochloride", limit=7, offset=offset, with_count=False).json()
        for offset in range(0, whole["count"], 7)
    ]

    assert whole["count"] > 14 and whole["next"] is None
    assert [item["id"] for page in pages for item in page["items"]] == [item["id"] for item in whole["items"]]
    assert all(page["next"] is None and page["count"] is None for page in pages)


def test_structure_searches(api, persona):
    user = persona("uz_police_analyst")

    exact = api.get("/substances", user=user, structure="CNC(C)Cc1ccccc1.Cl", mode="exact").json()
    sub = api.get(
        "/substances", user=user, structure="c1ccc2c(c1)nc(Cc1ccccc1)n2CCN", mode="substructure"
    ).json()
    similar = api.get(
        "/substances", user=user, structure="CNC(C)C(=O)c1ccc(C)cc1", mode="similarity", threshold=0.6
    ).json()

    assert {i["name_en"] for i in exact["items"]} == {"Methamphetamine", "Methamphetamine hydrochloride"}
    assert sub["count"] >= 10
    assert similar["items"][0]["score"] == 1.0


def test_class_filter(api, persona):
    body = api.get(
        "/substances", user=persona("uz_police_analyst"), substance_class="nitazenes", limit=500
    ).json()

    assert body["count"] >= 15
    assert all("nitazenes" in item["classes"] for item in body["items"])


def test_bad_structure_gives_a_field_error(api, persona):
    response = api.get("/substances", user=persona("uz_police_analyst"), structure="C1CC(", mode="exact")

    assert response.status_code == 422
    assert "structure" in response.json()["error"]["fields"]


def test_create_and_change(api, persona):
    created = api.post(
        "/substances",
        {
            "name_en": "4-Cl-NMH",
            "structure": "CCCCC(NC)C(=O)c1ccc(Cl)cc1",
            "synonyms": ["4-chloro-N-methylhexedrone"],
        },
        user=persona("kz_lab_chemist"),
    )
    assert created.status_code == 201
    substance_id = created.json()["id"]

    refused = api.patch(f"/substances/{substance_id}", {"name_en": "Renamed"}, user=persona("kz_lab_chemist"))
    changed = api.patch(
        f"/substances/{substance_id}",
        {"name_en": "Renamed", "name_ru": "переименовано"},
        user=persona("kz_lab_head"),
    )

    assert refused.status_code == 403
    assert changed.json()["name_ru"] == "переименовано"
    assert (
        api.get(f"/substances/{substance_id}", user=persona("kg_court_viewer")).json()["name_en"] == "Renamed"
    )


def test_import_through_the_api(api, persona):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("new.csv", b"name_en,smiles\nProbe one,CCCCCCCCCCCCN\nBroken,C1CC(\n")
    response = api.client.post(
        "/api/v1/substances/import",
        {"file": upload},
        HTTP_AUTHORIZATION=f"Bearer {api.token_for(persona('hub_admin'))}",
    )

    assert response.status_code == 422
    assert response.json()["error"]["fields"]["file"] == [
        "new.csv, line 3, field 'smiles': 'C1CC(' is not valid SMILES"
    ]
    assert not Substance.objects.filter(name_en="Probe one").exists()


def test_classes_are_listed_with_counts(api, persona):
    classes = {c["code"]: c for c in api.get("/substance-classes", user=persona("kz_lab_chemist")).json()}

    assert classes["fentanyl_analogues"]["substance_count"] >= 40
    assert classes["cathinones"]["name_ru"] == "Синтетические катиноны"
