import pytest

from fdx.legal.models import Listing
from fdx.substances.models import Substance

pytestmark = pytest.mark.django_db


def test_status_of_one_structure(api, persona):
    user = persona("kz_police_analyst")

    response = api.post(
        "/legal/status",
        {
            "structure": "CNC(C)Cc1ccccc1.Cl",
            "jurisdictions": ["UN", "KZ"],
            "date": "2024-05-01",
            "amount_g": "3",
        },
        user=user,
    )

    assert response.status_code == 200
    un, kz = response.json()
    assert un["jurisdiction"] == "UN" and un["controlled"] is True and un["lists"] == ["UN-1971-II"]
    assert un["basis"][0]["kind"] == "salt" and un["basis"][0]["verified"] is False
    assert kz["lists"] == ["KZ-LIST-II"] and "through UN-1971-II" in kz["basis"][0]["detail"]
    assert kz["amount_category"]["category"] == "unknown"


def test_status_by_name_and_by_substance(api, persona):
    user = persona("kz_police_analyst")
    heroin = Substance.objects.get(key="heroin")

    by_name = api.post("/legal/status", {"name": "героин", "jurisdictions": ["UN"]}, user=user).json()
    by_id = api.post(
        "/legal/status", {"substance": str(heroin.global_id), "jurisdictions": ["UN"]}, user=user
    ).json()
    cannabis = api.post("/legal/status", {"name": "cannabis", "jurisdictions": ["UN"]}, user=user).json()

    assert by_name[0]["controlled"] is True and by_id[0]["lists"] == by_name[0]["lists"]
    assert cannabis[0]["controlled"] is True and cannabis[0]["lists"] == ["UN-1961-I"]


def test_batch_keeps_the_order_and_explains_what_it_cannot_read(api, persona):
    items = [
        {"structure": "CC(N)Cc1ccccc1", "label": "A1"},
        {"structure": "C1CC(", "label": "A2"},
        {"structure": "CCO", "label": "A3"},
    ]

    answers = api.post(
        "/legal/status/batch", {"items": items, "jurisdictions": ["UN"]}, user=persona("kz_police_analyst")
    ).json()

    assert [a["input"] for a in answers] == ["A1", "A2", "A3"]
    assert [a["controlled"] for a in answers] == [True, None, False]
    assert "SMILES" in answers[1]["error"]


def test_bad_questions_get_the_error_shape(api, persona):
    user = persona("kz_police_analyst")

    unknown = api.post("/legal/status", {"structure": "CCO", "jurisdictions": ["XX"]}, user=user)
    empty = api.post("/legal/status", {"jurisdictions": ["UN"]}, user=user)
    negative = api.post("/legal/status", {"structure": "CCO", "amount_g": "-1"}, user=user)
    anonymous = api.post("/legal/status", {"structure": "CCO"})

    assert unknown.status_code == 422 and "jurisdictions" in unknown.json()["error"]["fields"]
    assert empty.status_code == 422 and negative.status_code == 422
    assert anonymous.status_code == 401


def test_jurisdictions_and_listings(api, persona):
    user = persona("kg_court_viewer")

    jurisdictions = api.get("/legal/jurisdictions", user=user).json()
    listings = api.get("/legal/lists/UN-1971-II/listings", user=user, limit=500).json()
    in_2010 = api.get("/legal/lists/UN-1971-II/listings", user=user, date="2010-01-01", limit=500).json()

    un = next(j for j in jurisdictions if j["code"] == "UN")
    assert un["lists_complete"] is True and any(item["code"] == "UN-1988-I" for item in un["lists"])
    assert any(item["name_en"] == "mephedrone" for item in listings["items"])
    assert not any(item["name_en"] == "mephedrone" for item in in_2010["items"])


def test_maintenance_through_the_api(api, persona):
    admin = persona("kz_node_admin")
    entry = {
        "list": "KZ-LIST-I",
        "name_en": "Probe-one",
        "smiles": "CCCCCCCCCCCCCN",
        "effective_from": "2023-01-01",
        "reason": "test decree",
    }

    added = api.post("/legal/listings", entry, user=admin)
    listing_id = added.json()["id"]
    corrected = api.post(
        f"/legal/listings/{listing_id}/correct", {**entry, "note": "n", "reason": "typo"}, user=admin
    )
    ended = api.post(
        f"/legal/listings/{corrected.json()['id']}/end",
        {"effective_to": "2025-01-01", "reason": "r"},
        user=admin,
    )
    refused = api.post("/legal/listings", {**entry, "list": "KG-LIST"}, user=admin)
    analyst = api.post("/legal/listings", entry, user=persona("kz_police_analyst"))
    history = api.get("/legal/lists/KZ-LIST-I/listings", user=admin, history="true").json()

    assert added.status_code == 201 and corrected.status_code == 200 and ended.status_code == 200
    assert ended.json()["effective_to"] == "2025-01-01" and ended.json()["corrects"] == corrected.json()["id"]
    assert refused.status_code == 403 and analyst.status_code == 403
    assert [i["name_en"] for i in history["items"]].count("Probe-one") == 3
    assert Listing.objects.current().filter(name_en="Probe-one").count() == 1


def test_import_and_export_through_the_api(api, persona, client):
    admin = persona("kz_node_admin")
    header = (
        "list_code,name_en,name_ru,smiles,registry_key,effective_from,effective_from_earliest,effective_to,"
        "decision,decision_date,instrument,is_exclusion,verified,source_url,note\n"
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    token = api.token_for(admin)
    bad = client.post(
        "/api/v1/legal/jurisdictions/KZ/import",
        {
            "file": SimpleUploadedFile(
                "kz.csv", (header + "KZ-LIST-I,X,,,,soon,,,,,,false,false,,\n").encode()
            )
        },
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    good = client.post(
        "/api/v1/legal/jurisdictions/KZ/import?dry_run=true",
        {
            "file": SimpleUploadedFile(
                "kz.csv", (header + "KZ-LIST-I,X,,,,2020-01-01,,,,,,false,false,,\n").encode()
            )
        },
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    export = client.get("/api/v1/legal/jurisdictions/UN/listings.csv", HTTP_AUTHORIZATION=f"Bearer {token}")

    assert bad.status_code == 422 and "line 2" in bad.json()["error"]["fields"]["file"][0]
    assert good.json() == {"dry_run": True, "added": 1, "corrected": 0, "unchanged": 0}
    assert export.content.decode().startswith("list_code,name_en")


def test_a_structure_and_a_substance_together_are_refused(api, persona):
    heroin = Substance.objects.get(key="heroin")

    answer = api.post(
        "/legal/status",
        {"structure": "CCO", "substance": str(heroin.global_id), "jurisdictions": ["UN"]},
        user=persona("kz_police_analyst"),
    )

    assert answer.status_code == 422


def test_an_unknown_substance_in_a_batch_is_answered_for_that_item_alone(api, persona):
    import uuid

    heroin = Substance.objects.get(key="heroin")
    missing = uuid.uuid4()

    answers = api.post(
        "/legal/status/batch",
        {
            "items": [{"substance": str(heroin.global_id)}, {"substance": str(missing)}],
            "jurisdictions": ["UN"],
        },
        user=persona("kz_police_analyst"),
    ).json()

    assert [a["controlled"] for a in answers] == [True, None]
    assert answers[1]["error"] == f"no registry substance {missing}"
