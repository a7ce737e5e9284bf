import pytest

from fdx.substances.models import Substance

pytestmark = pytest.mark.django_db


def test_search_page_in_russian(client, persona):
    client.force_login(persona("kz_lab_chemist"))

    page = client.get("/substances/", {"q": "мефедрон"}, HTTP_ACCEPT_LANGUAGE="ru").content.decode()

    assert "мефедрон (4-метилметкатинон)" in page
    assert "Синтетические катиноны" in page


def test_substructure_search_page(client, persona):
    client.force_login(persona("kz_lab_chemist"))

    page = client.get("/substances/", {"q": "c1ccc2c(c1)nc(Cc1ccccc1)n2CCN", "mode": "substructure"})

    assert b"Isotonitazene" in page.content


def test_bad_query_is_shown_not_crashed(client, persona):
    client.force_login(persona("kz_lab_chemist"))

    page = client.get("/substances/", {"q": "C1CC(", "mode": "exact"})

    assert page.status_code == 200
    assert b"not valid SMILES" in page.content


def test_substance_page_shows_structure_salts_and_names(client, persona):
    client.force_login(persona("kz_lab_chemist"))
    base = Substance.objects.get(key="methamphetamine")

    page = client.get(f"/substances/{base.global_id}/").content.decode()
    svg = client.get(f"/substances/{base.global_id}/structure.svg")

    assert "Methamphetamine hydrochloride" in page and "0.8036" in page
    assert "MYWUZJCMWCOHBA-UHFFFAOYSA-N" in page
    assert svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content


def test_register_form(client, persona):
    client.force_login(persona("kz_lab_chemist"))

    bad = client.post("/substances/new/", {"name_en": "X", "structure": "C1CC("})
    good = client.post(
        "/substances/new/",
        {"name_en": "Probe", "structure": "CCCCCCCCCCCCCN", "synonyms": "probe one\nprobe two"},
    )

    assert bad.status_code == 200 and b"not valid SMILES" in bad.content
    assert good.status_code == 302
    assert Substance.objects.get(name_en="Probe").names.count() == 3


def test_register_form_is_refused_to_analysts(client, persona):
    client.force_login(persona("uz_police_analyst"))

    assert client.get("/substances/new/").status_code == 403
