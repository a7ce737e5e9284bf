"""The spectra pages: who may open them, searching pasted peaks or an uploaded file, importing through a
library's page, and withdrawing. (A search started from a case is tested with the examinations app.)"""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from fdx.accounts.models import SharingGroup
from fdx.audit.models import AuditEvent
from fdx.spectra.models import SpectralLibrary, Spectrum
from fdx.spectra.tests.builders import (
    CAFFEINE,
    COCAINE,
    METHAMPHETAMINE,
    REFERENCE,
    imported_library,
    make_library,
    noisy,
)

pytestmark = pytest.mark.django_db

REFERENCE_TEXT = "\n".join(record.text() for record in REFERENCE).encode()


def pages(library, spectrum):
    return [
        "/spectra/",
        "/spectra/libraries/",
        f"/spectra/libraries/{library.global_id}/",
        f"/spectra/{spectrum.global_id}/",
    ]


def hit_names(page: str) -> list[str]:
    """The reference names of the hits table rows, in rank order."""
    return re.findall(
        r'<tr data-rank="\d+"(?: class="muted")?>\s*<td>\d+</td>\s*<td><a href="[^"]+">([^<]+)</a>', page
    )


def hidden(page: str, name: str) -> list[str]:
    return re.findall(rf'<input type="hidden" name="{name}" value="([^"]*)">', page)


@pytest.fixture
def library(persona, tmp_path):
    return imported_library(persona("kz_lab_head"), tmp_path)


# Who opens the pages


@pytest.mark.parametrize("name", ["kz_lab_chemist", "kz_lab_viewer", "kz_lab_head"])
def test_the_pages_render_for_those_who_may_search(client, persona, library, name):
    client.force_login(persona(name))

    statuses = [
        client.get(path).status_code for path in pages(library, Spectrum.objects.get(record_id="T-1"))
    ]

    assert statuses == [200, 200, 200, 200]


def test_anonymous_is_sent_to_sign_in(client, library):
    meth = Spectrum.objects.get(record_id="T-1")

    responses = [client.get(path) for path in pages(library, meth)]
    posted = client.post("/spectra/identifications/", {})

    assert [r.status_code for r in [*responses, posted]] == [302] * 5
    assert all(r["Location"].startswith("/accounts/signin/?next=") for r in [*responses, posted])


def test_a_user_without_the_search_role_is_refused(client, persona, library):
    client.force_login(persona("kz_lab_admin"))  # same laboratory, organisation administrator only

    statuses = [
        client.get(path).status_code for path in pages(library, Spectrum.objects.get(record_id="T-1"))
    ]

    assert statuses == [403, 403, 404, 404]


def test_another_organisation_does_not_see_an_unshared_library(client, persona, library):
    client.force_login(persona("kg_lab_chemist"))

    statuses = [
        client.get(path).status_code for path in pages(library, Spectrum.objects.get(record_id="T-1"))
    ]
    listing = client.get("/spectra/libraries/").content.decode()

    assert statuses == [200, 200, 404, 404]
    assert "FDX test library" not in listing


# Searching


def test_posting_pasted_peaks_shows_hits(client, persona, library):
    client.force_login(persona("kz_lab_chemist"))

    response = client.post(
        "/spectra/", {"peaks": noisy(METHAMPHETAMINE).peak_text(), "name": "exhibit 1", "top": "3"}
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert hit_names(page) == ["Methamphetamine", "Cocaine", "Caffeine"]
    assert "<h2>exhibit 1</h2>" in page
    assert "Legal status of the best hit, Methamphetamine" in page
    assert 'id="search-error"' not in page
    # Cocaine and caffeine are far from methamphetamine by the weighted cosine: listed after a separator
    separator = page.index('<tr class="beyond-shortlist">')
    assert page.index(">Methamphetamine</a>") < separator < page.index(">Cocaine</a>")
    assert page.count('<tr class="beyond-shortlist">') == 1


def test_pasted_peaks_that_are_not_a_spectrum_are_explained(client, persona, library):
    client.force_login(persona("kz_lab_chemist"))

    odd = client.post("/spectra/", {"peaks": "58 999 91", "top": "3"}).content.decode()
    empty = client.post("/spectra/", {"peaks": "", "top": "3"}).content.decode()

    assert (
        '<p class="message error" id="search-error">the peaks must come in pairs of m/z and intensity; '
        "one number is left over</p>" in odd
    )
    assert (
        '<p class="message error" id="search-error">Upload a file of spectra or paste the peaks.</p>' in empty
    )
    assert hit_names(odd) == hit_names(empty) == []


def test_uploading_a_file_shows_hits_for_each_spectrum(client, persona, library):
    client.force_login(persona("kz_lab_chemist"))
    content = (noisy(COCAINE).text() + "\n" + noisy(CAFFEINE).text()).encode()

    response = client.post("/spectra/", {"file": SimpleUploadedFile("unknowns.msp", content), "top": "1"})

    page = response.content.decode()
    assert response.status_code == 200
    assert hit_names(page) == ["Cocaine", "Caffeine"]
    assert "<h2>Cocaine (noisy)</h2>" in page and "<h2>Caffeine (noisy)</h2>" in page


def test_uploading_a_bad_file_names_the_line(client, persona, library):
    client.force_login(persona("kz_lab_chemist"))
    content = b"Name: unknown 1\nNum Peaks: 2\n58 999\n91 x\n"

    page = client.post("/spectra/", {"file": SimpleUploadedFile("unknowns.msp", content), "top": "3"})

    assert (
        '<p class="message error" id="search-error">unknowns.msp, record 1 (line 4): a peak line holds '
        "&#x27;x&#x27; where a number belongs</p>" in page.content.decode()
    )


def test_the_library_filter_of_the_search_page(client, persona, library, tmp_path):
    other = imported_library(persona("kz_lab_head"), tmp_path, "Other library")
    client.force_login(persona("kz_lab_chemist"))

    page = client.post(
        "/spectra/", {"peaks": CAFFEINE.peak_text(), "libraries": [str(other.global_id)], "top": "10"}
    ).content.decode()

    assert len(hit_names(page)) == 6
    assert page.count("<td>Other library 1</td>") == 6
    assert "<td>FDX test library 1</td>" not in page


# Libraries


def test_a_manager_creates_a_library_through_its_page(client, persona):
    client.force_login(persona("kz_lab_head"))

    response = client.post(
        "/spectra/libraries/", {"name": "Own spectra", "version": "2025", "distribution_level": "national"}
    )

    library = SpectralLibrary.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/spectra/libraries/{library.global_id}/"
    assert (library.name, library.distribution_level) == ("Own spectra", "national")


def test_a_manager_shares_a_new_library_with_a_sharing_group_through_its_page(client, persona):
    group = SharingGroup.objects.create(code="kz-kg-labs", name_en="KZ–KG laboratories", name_ru="КЗ–КГ")
    group.organisations.set([persona("kz_lab_head").organisation, persona("kg_lab_head").organisation])
    client.force_login(persona("kz_lab_head"))

    response = client.post(
        "/spectra/libraries/",
        {"name": "Shared spectra", "distribution_level": "sharing_group", "sharing_group": "kz-kg-labs"},
    )

    library = SpectralLibrary.objects.get()
    assert response.status_code == 302
    assert (library.distribution_level, library.sharing_group) == ("sharing_group", group)


def test_a_chemist_cannot_create_a_library(client, persona):
    client.force_login(persona("kz_lab_chemist"))

    response = client.post(
        "/spectra/libraries/", {"name": "Own spectra", "distribution_level": "organisation"}
    )

    assert response.status_code == 403
    assert not SpectralLibrary.objects.exists()


def test_importing_through_the_library_page(client, persona):
    head = persona("kz_lab_head")
    library = make_library(head)
    client.force_login(head)

    response = client.post(
        f"/spectra/libraries/{library.global_id}/",
        {"file": SimpleUploadedFile("reference.msp", REFERENCE_TEXT), "format": ""},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "6 of 6 records imported (0 already present); 100.0 % linked to registry substances." in page
    assert Spectrum.objects.filter(library=library, source_file="reference.msp").count() == 6
    assert AuditEvent.objects.filter(action="spectra.import.done").count() == 1


def test_a_bad_file_imported_through_the_page_imports_nothing(client, persona):
    head = persona("kz_lab_head")
    library = make_library(head)
    client.force_login(head)
    content = (METHAMPHETAMINE.text() + "\nName: Empty\nNum Peaks: 0\n").encode()

    refused = client.post(
        f"/spectra/libraries/{library.global_id}/",
        {"file": SimpleUploadedFile("bad.msp", content)},
        follow=True,
    ).content.decode()
    skipped = client.post(
        f"/spectra/libraries/{library.global_id}/",
        {"file": SimpleUploadedFile("bad.msp", content), "skip_bad": "on"},
    ).content.decode()

    assert "bad.msp, record 2 (line 18): the record has no peaks" in refused
    assert "Nothing was imported." in refused
    assert "1 of 2 records imported (0 already present); 100.0 % linked to registry substances." in skipped
    assert "<li>bad.msp, record 2 (line 18): the record has no peaks</li>" in skipped
    assert list(Spectrum.objects.values_list("name", flat=True)) == ["Methamphetamine"]


def test_only_the_managers_import_through_the_page(client, persona, library):
    client.force_login(persona("kz_lab_chemist"))
    before = Spectrum.objects.count()

    page = client.get(f"/spectra/libraries/{library.global_id}/").content.decode()
    response = client.post(
        f"/spectra/libraries/{library.global_id}/", {"file": SimpleUploadedFile("more.msp", REFERENCE_TEXT)}
    )

    assert 'id="import-form"' not in page
    assert response.status_code == 403
    assert Spectrum.objects.count() == before


def test_withdrawing_through_the_spectrum_page(client, persona, library):
    meth = Spectrum.objects.get(record_id="T-1")
    client.force_login(persona("kz_lab_chemist"))
    refused = client.post(f"/spectra/{meth.global_id}/withdraw/", {"reason": "wrong"})
    client.force_login(persona("kz_lab_head"))

    response = client.post(f"/spectra/{meth.global_id}/withdraw/", {"reason": "mislabelled"})

    assert refused.status_code == 403
    assert response.status_code == 302
    assert response["Location"] == f"/spectra/{meth.global_id}/"
    meth.refresh_from_db()
    assert meth.withdrawal_reason == "mislabelled"


def test_a_file_of_unknowns_over_the_size_limit_is_refused(client, persona, library, monkeypatch):
    monkeypatch.setattr("fdx.spectra.transfer.MAX_QUERY_FILE_BYTES", 2**20)
    client.force_login(persona("kz_lab_chemist"))
    content = METHAMPHETAMINE.text().encode() * (2**20 // len(METHAMPHETAMINE.text()) + 1)

    page = client.post("/spectra/", {"file": SimpleUploadedFile("big.msp", content), "top": "1"})

    assert "A file of unknowns may hold at most 1 MiB." in page.content.decode()
    assert hit_names(page.content.decode()) == []


# A fresh node, and how a hit was linked


def test_a_node_without_a_library_says_what_to_import_instead_of_no_hit(client, persona):
    # Given a fresh node: no spectral library at all
    client.force_login(persona("kz_lab_chemist"))

    # When a chemist opens the search page and searches
    opened = client.get("/spectra/").content.decode()
    searched = client.post("/spectra/", {"peaks": CAFFEINE.peak_text(), "top": "10"}).content.decode()

    # Then both say there is nothing to search, what to import and how, and never "no hit"
    for page in (opened, searched):
        assert 'id="no-library"' in page
        assert "fdx spectra import FILE --library NAME" in page
        assert "NIST MSP" in page and "JCAMP-DX" in page
    assert "No hit in the libraries searched." not in searched
    assert "No library to search: import one first" in searched


def test_with_a_library_the_search_page_says_nothing_of_importing(client, persona, library):
    client.force_login(persona("kz_lab_chemist"))

    page = client.post("/spectra/", {"peaks": CAFFEINE.peak_text(), "top": "10"}).content.decode()

    assert 'id="no-library"' not in page
    assert hit_names(page)[0] == "Caffeine"


def test_a_hit_linked_by_name_says_so_on_the_hits_and_the_spectrum_page(client, persona, library):
    client.force_login(persona("kz_lab_chemist"))
    caffeine = Spectrum.objects.get(record_id="T-3")  # the record gives no structure: linked by its name

    hits = client.post("/spectra/", {"peaks": CAFFEINE.peak_text(), "top": "1"}).content.decode()
    spectrum_page = client.get(f"/spectra/{caffeine.global_id}/").content.decode()
    meth_page = client.get(f"/spectra/{Spectrum.objects.get(record_id='T-1').global_id}/").content.decode()

    assert "linked-by-name" in hits
    assert "linked-by-name" in spectrum_page
    assert "linked-by-name" not in meth_page
