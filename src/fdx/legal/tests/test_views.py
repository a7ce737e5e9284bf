import datetime

import pytest

from fdx.legal.models import Listing
from fdx.substances.models import Substance

pytestmark = pytest.mark.django_db


def test_status_page_answers_in_every_jurisdiction_with_the_basis(client, persona):
    client.force_login(persona("kz_police_analyst"))

    page = client.get("/legal/", {"structure": "CNC(C)Cc1ccccc1.Cl", "date": "2024-05-01", "amount_g": "3"})
    text = page.content.decode()

    assert page.status_code == 200
    for code in ("UN", "KZ", "KG", "TJ", "TM", "UZ"):
        assert f'data-jurisdiction="{code}"' in text
    assert "UN-1971-II" in text and "KZ-LIST-II" in text
    assert "Salt of a listed substance" in text
    assert 'data-status="controlled"' in text
    assert "unverified" in text


def test_status_page_in_russian(client, persona):
    client.force_login(persona("kz_police_analyst"))

    text = client.get("/legal/", {"structure": "CNC(C)Cc1ccccc1"}, HTTP_ACCEPT_LANGUAGE="ru").content.decode()

    assert "Правовой статус" in text
    assert "контролируется" in text


def test_status_page_for_a_substance_of_the_registry(client, persona):
    client.force_login(persona("kz_police_analyst"))
    heroin = Substance.objects.get(key="heroin")

    text = client.get(
        "/legal/", {"substance": str(heroin.global_id), "jurisdictions": ["UN"]}
    ).content.decode()

    assert "UN-1961-I" in text and 'data-jurisdiction="KZ"' not in text


def test_bad_structure_is_explained_not_crashed(client, persona):
    client.force_login(persona("kz_police_analyst"))

    page = client.get("/legal/", {"structure": "C1CC(", "jurisdictions": ["UN"]})

    assert page.status_code == 200
    assert b"not valid SMILES" in page.content and b'data-status="undecided"' in page.content


def test_lists_page_and_a_list(client, persona):
    client.force_login(persona("kg_court_viewer"))

    lists = client.get("/legal/lists/").content.decode()
    schedule = client.get("/legal/lists/UN-1971-II/").content.decode()
    before = client.get("/legal/lists/UN-1971-II/", {"date": "2014-01-01"}).content.decode()

    assert "UN-1961-I" in lists and "KZ-LIST-I" in lists and "lists incomplete" in lists
    assert "Import entries" not in lists
    assert "mephedrone" in schedule.lower()
    assert "mephedrone" not in before.lower()


def test_maintainer_adds_corrects_and_ends_an_entry_of_their_own_jurisdiction(client, persona):
    client.force_login(persona("kz_node_admin"))
    form = {
        "list_code": "KZ-LIST-I",
        "name_en": "4-Chloromethcathinone",
        "name_ru": "4-хлорметкатинон",
        "smiles": "CNC(C)C(=O)c1ccc(Cl)cc1",
        "effective_from": "2021-03-01",
        "source_url": "https://adilet.zan.kz/x",
    }

    added = client.post("/legal/lists/KZ-LIST-I/add/", form)
    listing = Listing.objects.current().get(name_en="4-Chloromethcathinone")
    corrected = client.post(
        f"/legal/entries/{listing.global_id}/correct/",
        {**form, "effective_from": "2021-03-05", "reason": "date in the gazette"},
    )
    successor = Listing.objects.current().get(name_en="4-Chloromethcathinone")
    ended = client.post(
        f"/legal/entries/{successor.global_id}/end/",
        {"effective_to": "2030-01-01", "reason": "moved to list II"},
    )
    page = client.get(
        f"/legal/entries/{Listing.objects.current().get(name_en='4-Chloromethcathinone').global_id}/"
    )

    assert added.status_code == 302 and corrected.status_code == 302 and ended.status_code == 302
    assert successor.corrects_id == listing.pk and successor.effective_from == datetime.date(2021, 3, 5)
    assert page.content.decode().count("<tr") >= 4  # header + three records of the entry


def test_maintainer_of_another_jurisdiction_is_refused(client, persona):
    client.force_login(persona("kz_node_admin"))

    page = client.get("/legal/lists/KG-LIST/add/")
    analyst = client.get("/legal/lists/KZ-LIST-I/add/")

    assert page.status_code == 403
    assert analyst.status_code == 200
    client.force_login(persona("kz_police_analyst"))
    assert client.get("/legal/lists/KZ-LIST-I/add/").status_code == 403


def test_import_previews_then_writes(client, persona):
    client.force_login(persona("kz_node_admin"))
    header = (
        "list_code,name_en,name_ru,smiles,registry_key,effective_from,effective_from_earliest,effective_to,"
        "decision,decision_date,instrument,is_exclusion,verified,source_url,note\n"
    )
    row = "KZ-LIST-I,alpha-PiHP,альфа-PiHP,CC(C)CC(N1CCCC1)C(=O)c1ccccc1,,2022-06-01,,,,,,false,false,,\n"

    from django.core.files.uploadedfile import SimpleUploadedFile

    preview = client.post(
        "/legal/jurisdictions/KZ/import/",
        {"file": SimpleUploadedFile("kz.csv", (header + row).encode()), "dry_run": "on"},
    )
    done = client.post(
        "/legal/jurisdictions/KZ/import/",
        {"file": SimpleUploadedFile("kz.csv", (header + row).encode()), "reason": "gazette"},
    )
    bad = client.post(
        "/legal/jurisdictions/KZ/import/",
        {"file": SimpleUploadedFile("kz.csv", (header + row.replace("2022-06-01", "June")).encode())},
    )

    assert b"would add 1 entries" in preview.content
    assert (
        done.status_code == 302
        and Listing.objects.current().filter(name_en="alpha-PiHP", control_list__code="KZ-LIST-I").count()
        == 1
    )
    assert b"kz.csv, line 2, field &#x27;effective_from&#x27;" in bad.content


def test_export_is_the_listing_format(client, persona):
    client.force_login(persona("kz_police_analyst"))

    response = client.get("/legal/jurisdictions/UN/listings.csv")

    lines = response.content.decode().splitlines()
    assert lines[0].startswith("list_code,name_en,name_ru,smiles,registry_key,effective_from")
    assert len(lines) > 380


@pytest.mark.parametrize(
    "name",
    ["Caffeine", "caffeine", "кофеин", "Кофеин", "kofein"],
    ids=["en", "lower", "ru", "ru-title", "translit"],
)
def test_status_page_finds_a_substance_by_any_name_the_registry_knows(client, persona, name):
    """Russian, English and transliterated names find the substance, as the substance search does; caffeine is
    in no list of an incomplete jurisdiction, so the answer cannot decide and names the lists searched."""
    client.force_login(persona("kz_police_analyst"))

    text = client.get("/legal/", {"substance": name, "jurisdictions": ["KZ", "UN"]}).content.decode()

    assert "No substance of the registry" not in text
    assert 'data-jurisdiction="KZ"' in text
    assert 'data-status="undecided"' in text and 'data-status="not-controlled"' in text
    assert "Lists searched:" in text
    for code in ("KZ-LIST-I", "KZ-LIST-IV", "UN-1971-II"):
        assert f"/legal/lists/{code}/" in text or code in text.split("Lists searched:")[1]


def test_status_page_offers_the_nearest_names_when_a_name_is_unknown(client, persona):
    client.force_login(persona("kz_police_analyst"))

    text = client.get("/legal/", {"substance": "mephedr"}).content.decode()

    assert 'id="substance-candidates"' in text
    assert "?substance=mephedrone" in text


def test_status_page_explains_each_answer_in_one_sentence(client, persona):
    client.force_login(persona("kz_police_analyst"))

    english = client.get("/legal/", {"substance": "heroin"}).content.decode()
    russian = client.get("/legal/", {"substance": "героин"}, HTTP_ACCEPT_LANGUAGE="ru").content.decode()

    assert "is on a list in force on that day" in english
    assert "in none of the lists searched" in english
    assert "an expert must check the official text" in english
    assert 'class="legal-legend"' in russian and "is on a list in force" not in russian


def test_in_russian_entries_instruments_and_list_descriptions_are_russian_with_the_original(client, persona):
    client.force_login(persona("kz_police_analyst"))

    answer = client.get(
        "/legal/", {"substance": "мефедрон", "jurisdictions": ["RU"]}, HTTP_ACCEPT_LANGUAGE="ru"
    ).content.decode()
    listed = client.get("/legal/lists/UN-1961-II/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    english = client.get("/legal/", {"substance": "mephedrone", "jurisdictions": ["RU"]}).content.decode()

    assert "мефедрон (4-метилметкатинон)" in answer
    assert '<span class="muted original-name" lang="en">(mephedrone (4-methylmethcathinone))</span>' in answer
    assert "Постановление Правительства РФ от 29.07.2010 № 578" in answer
    assert "Охватываются изомеры и соли перечисленных средств." in listed
    assert "мефедрон (4-метилметкатинон)" not in english and "original-name" not in english
