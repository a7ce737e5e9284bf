"""The spectra API, route by route: status codes, the documented fields, and the one error shape
``{"error": {"code", "message", "fields"}}``."""

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

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
from fdx.substances.models import Substance

pytestmark = pytest.mark.django_db

HIT_FIELDS = {
    "rank",
    "name",
    "spectrum",
    "record_id",
    "inchikey",
    "substance",
    "substance_name",
    "library",
    "score",
    "forward_score",
    "reverse_score",
    "entropy",
    "shortlisted",
}
REFERENCE_TEXT = "\n".join(record.text() for record in REFERENCE).encode()


def upload(api, path, user, name, content: bytes, **form):
    """A multipart POST of one file (and form fields) to an API route."""
    data = {"file": SimpleUploadedFile(name, content), **form}
    return api.client.post("/api/v1" + path, data, **api._headers(user))


def assert_error(response, status, code, fields=None):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == code
    if fields is not None:
        assert body["error"]["fields"] == fields
    return body["error"]


# Libraries


def test_create_and_list_libraries(api, persona):
    head = persona("kz_lab_head")

    created = api.post(
        "/spectral-libraries",
        {
            "name": "Laboratory EI spectra",
            "version": "2025",
            "licence": "internal",
            "distribution_level": "national",
        },
        user=head,
    )
    listed = api.get("/spectral-libraries", user=persona("kz_police_analyst"))

    assert created.status_code == 201
    library = SpectralLibrary.objects.get()
    assert created.json() == {
        "id": str(library.global_id),
        "name": "Laboratory EI spectra",
        "version": "2025",
        "source": "",
        "licence": "internal",
        "description": "",
        "kind": "ei_ms",
        "distribution_level": "national",
        "sharing_group": None,
        "owner_organisation": "demo-kz-forensic-centre",
        "spectrum_count": 0,
    }
    assert listed.status_code == 200
    assert (listed.json()["count"], listed.json()["limit"], listed.json()["offset"]) == (1, 50, 0)
    assert listed.json()["items"] == [created.json()]


def test_a_duplicate_library_and_an_unknown_sharing_group_are_refused(api, persona):
    head = persona("kz_lab_head")
    api.post("/spectral-libraries", {"name": "Own", "version": "1"}, user=head)

    duplicate = api.post("/spectral-libraries", {"name": "Own", "version": "1"}, user=head)
    unknown_group = api.post(
        "/spectral-libraries",
        {"name": "Shared", "distribution_level": "sharing_group", "sharing_group": "nobody"},
        user=head,
    )
    no_name = api.post("/spectral-libraries", {"name": ""}, user=head)
    bad_level = api.post("/spectral-libraries", {"name": "X", "distribution_level": "everyone"}, user=head)

    assert_error(
        duplicate,
        422,
        "invalid",
        {"name": ["Your organisation already has a library of this name and version."]},
    )
    assert_error(unknown_group, 422, "invalid", {"sharing_group": ["No such sharing group."]})
    assert list(assert_error(no_name, 422, "invalid")["fields"]) == ["name"]
    assert list(assert_error(bad_level, 422, "invalid")["fields"]) == ["distribution_level"]
    assert SpectralLibrary.objects.count() == 1


def test_get_and_describe_a_library(api, persona, tmp_path):
    head = persona("kz_lab_head")
    library = imported_library(head, tmp_path)

    got = api.get(f"/spectral-libraries/{library.global_id}", user=persona("kz_lab_viewer"))
    patched = api.patch(
        f"/spectral-libraries/{library.global_id}",
        {"name": library.name, "version": "1", "description": "Reference set", "reason": "described"},
        user=head,
    )
    unknown = api.get(f"/spectral-libraries/{uuid.uuid4()}", user=head)

    assert got.status_code == 200
    assert (got.json()["name"], got.json()["spectrum_count"]) == ("FDX test library", 6)
    assert patched.status_code == 200
    assert patched.json()["description"] == "Reference set"
    assert_error(unknown, 404, "not_found", {})


def test_a_patch_changes_only_the_fields_it_sends(api, persona, tmp_path):
    # Given an international library with a version, source and licence
    head = persona("kz_lab_head")
    library = imported_library(head, tmp_path, level="international")
    SpectralLibrary.objects.filter(pk=library.pk).update(
        version="3.4", source="SWGDRUG", licence="see source"
    )

    # When its head sends a new description only
    patched = api.patch(
        f"/spectral-libraries/{library.global_id}", {"description": "Checked 2026", "reason": "x"}, user=head
    )

    # Then the description changes and nothing else: the library stays shared
    assert patched.status_code == 200
    library.refresh_from_db()
    assert (library.description, library.version, library.source, library.licence) == (
        "Checked 2026",
        "3.4",
        "SWGDRUG",
        "see source",
    )
    assert library.distribution_level == "international"


def test_a_patch_to_an_unknown_sharing_group_is_refused(api, persona, tmp_path):
    head = persona("kz_lab_head")
    library = imported_library(head, tmp_path)

    refused = api.patch(
        f"/spectral-libraries/{library.global_id}",
        {"distribution_level": "sharing_group", "sharing_group": "NOPE"},
        user=head,
    )

    assert_error(refused, 422, "invalid", {"sharing_group": ["No such sharing group."]})


# Importing


def test_import_a_file(api, persona):
    head = persona("kz_lab_head")
    library = make_library(head)

    response = upload(
        api, f"/spectral-libraries/{library.global_id}/import", head, "reference.msp", REFERENCE_TEXT
    )

    assert response.status_code == 200, response.content
    report = response.json()
    assert {k: v for k, v in report.items() if k != "sha256"} == {
        "library": "FDX test library 1",
        "file": "reference.msp",
        "read": 6,
        "imported": 6,
        "already_present": 0,
        "skipped": [],
        "links": {"inchikey": 3, "name": 1, "created": 1, "created_without_structure": 1},
        "linked_percent": 100.0,
        "substances_registered": {"with_structure": 1, "without_structure": 1},
        "linked_by_name": [{"record": "T-3", "name": "Caffeine", "substance": "Caffeine"}],
    }
    assert len(report["sha256"]) == 64
    assert Spectrum.objects.filter(library=library, source_file="reference.msp").count() == 6


def test_a_bad_upload_imports_nothing_and_names_the_line(api, persona):
    head = persona("kz_lab_head")
    library = make_library(head)
    content = (METHAMPHETAMINE.text() + "\nName: Broken\nNum Peaks: 2\n58 999\n91 1x0\n").encode()

    refused = upload(api, f"/spectral-libraries/{library.global_id}/import", head, "unknowns.msp", content)
    skipped = upload(
        api, f"/spectral-libraries/{library.global_id}/import", head, "unknowns.msp", content, skip_bad="true"
    )

    problem = "unknowns.msp, record 2 (line 21): a peak line holds '1x0' where a number belongs"
    error = assert_error(refused, 422, "invalid", {"file": [problem]})
    assert error["message"] == "The file has bad records; nothing was imported."
    assert skipped.status_code == 200
    assert (skipped.json()["imported"], skipped.json()["skipped"]) == (1, [problem])
    assert list(Spectrum.objects.values_list("name", flat=True)) == ["Methamphetamine"]


def test_an_upload_of_an_unknown_format_is_refused(api, persona):
    head = persona("kz_lab_head")
    library = make_library(head)

    response = upload(api, f"/spectral-libraries/{library.global_id}/import", head, "notes.docx", b"x")

    error = assert_error(response, 422, "invalid")
    assert error["fields"]["file"][0].startswith("notes.docx: the extension '.docx' is not a spectrum format")
    assert not Spectrum.objects.exists()


def test_an_import_into_an_unknown_library_is_not_found(api, persona):
    response = upload(
        api, f"/spectral-libraries/{uuid.uuid4()}/import", persona("kz_lab_head"), "r.msp", REFERENCE_TEXT
    )

    assert_error(response, 404, "not_found", {})
    assert not Spectrum.objects.exists()


# Spectra


def test_list_spectra_of_a_library(api, persona, tmp_path):
    head = persona("kz_lab_head")
    library = imported_library(head, tmp_path)
    imported_library(head, tmp_path, "Another library")

    everything = api.get("/spectra", user=head).json()
    of_one = api.get("/spectra", user=head, library=str(library.global_id)).json()
    cocaine = api.get("/spectra", user=head, library=str(library.global_id), q="coca").json()
    unknown = api.get("/spectra", user=head, library=str(uuid.uuid4()))

    assert (everything["count"], of_one["count"], cocaine["count"]) == (12, 6, 1)
    item = cocaine["items"][0]
    assert item == {
        "id": str(Spectrum.objects.get(library=library, record_id="T-2").global_id),
        "library": str(library.global_id),
        "name": "Cocaine",
        "record_id": "T-2",
        "kind": "ei_ms",
        "substance": str(Substance.objects.get(key="cocaine").global_id),
        "substance_name": "Cocaine",
        "substance_link": "inchikey",
        "inchikey": "ZPUCINDJVBIVPJ-LJISPDSOSA-N",
        "formula": "C17H21NO4",
        "cas_number": "",
        "retention_index": 2190.0,
        "instrument": "",
        "instrument_type": "",
        "peak_count": 10,
        "peaks_sha256": Spectrum.objects.get(library=library, record_id="T-2").peaks_sha256,
        "withdrawn": False,
    }
    assert_error(unknown, 404, "not_found")


def test_get_one_spectrum_with_its_peaks(api, persona, tmp_path):
    head = persona("kz_lab_head")
    imported_library(head, tmp_path)
    meth = Spectrum.objects.get(record_id="T-1")

    response = api.get(f"/spectra/{meth.global_id}", user=persona("kz_lab_chemist"))
    unknown = api.get(f"/spectra/{uuid.uuid4()}", user=head)

    assert response.status_code == 200
    body = response.json()
    assert body["peaks"] == [[float(mz), float(intensity)] for mz, intensity in METHAMPHETAMINE.peaks]
    assert (body["source_file"], body["source_line"], body["comment"]) == ("FDX-test-library.msp", 1, "")
    assert body["metadata"]["inchikey"] == "MYWUZJCMWCOHBA-UHFFFAOYSA-N"
    assert_error(unknown, 404, "not_found", {})


def test_withdraw_a_spectrum(api, persona, tmp_path):
    head = persona("kz_lab_head")
    imported_library(head, tmp_path)
    meth = Spectrum.objects.get(record_id="T-1")

    no_reason = api.post(f"/spectra/{meth.global_id}/withdraw", {"reason": ""}, user=head)
    withdrawn = api.post(f"/spectra/{meth.global_id}/withdraw", {"reason": "mislabelled"}, user=head)
    again = api.post(f"/spectra/{meth.global_id}/withdraw", {"reason": "mislabelled"}, user=head)

    assert list(assert_error(no_reason, 422, "invalid")["fields"]) == ["reason"]
    assert withdrawn.status_code == 200
    assert withdrawn.json()["withdrawn"] is True
    assert_error(again, 422, "invalid", {"reason": ["This spectrum is already withdrawn."]})


def test_link_a_spectrum(api, persona, tmp_path):
    head = persona("kz_lab_head")
    imported_library(head, tmp_path)
    meth = Spectrum.objects.get(record_id="T-1")
    amphetamine = Substance.objects.get(key="amphetamine")

    linked = api.post(
        f"/spectra/{meth.global_id}/link",
        {"substance": str(amphetamine.global_id), "reason": "relabelled"},
        user=head,
    )
    unknown = api.post(
        f"/spectra/{meth.global_id}/link", {"substance": str(uuid.uuid4()), "reason": "relabelled"}, user=head
    )

    assert linked.status_code == 200
    assert (linked.json()["substance"], linked.json()["substance_link"]) == (
        str(amphetamine.global_id),
        "manual",
    )
    assert linked.json()["substance_name"] == "Amphetamine"
    assert_error(unknown, 404, "not_found")


# Search


def test_search_returns_the_documented_fields(api, persona, tmp_path):
    head = persona("kz_lab_head")
    library = imported_library(head, tmp_path)
    meth = Spectrum.objects.get(record_id="T-1")

    response = api.post(
        "/spectra/search",
        {
            "spectra": [
                {"name": "exhibit 1", "peaks": [list(p) for p in METHAMPHETAMINE.peaks]},
                {"name": "exhibit 2", "text": noisy(COCAINE).peak_text()},
            ],
            "top": 3,
        },
        user=persona("kz_lab_chemist"),
    )

    assert response.status_code == 200, response.content
    first, second = response.json()
    assert first["query"] == "exhibit 1"
    assert [set(hit) for hit in first["hits"]] == [HIT_FIELDS] * 3
    assert first["hits"][0] == {
        "rank": 1,
        "name": "Methamphetamine",
        "spectrum": str(meth.global_id),
        "record_id": "T-1",
        "inchikey": "MYWUZJCMWCOHBA-UHFFFAOYSA-N",
        "substance": str(meth.substance.global_id),
        "substance_name": "Methamphetamine",
        "library": str(library),
        "score": 999.0,
        "forward_score": 999.0,
        "reverse_score": 999.0,
        "entropy": 1.0,
        "shortlisted": True,
    }
    assert [hit["rank"] for hit in first["hits"]] == [1, 2, 3]
    assert (second["query"], second["hits"][0]["name"]) == ("exhibit 2", "Cocaine")
    assert 800 < second["hits"][0]["score"] < 999


def test_search_filters_by_library_and_class(api, persona, tmp_path):
    head = persona("kz_lab_head")
    imported_library(head, tmp_path)
    other = imported_library(head, tmp_path, "Other library")
    query = [{"peaks": [list(p) for p in CAFFEINE.peaks]}]

    in_other = api.post("/spectra/search", {"spectra": query, "libraries": [str(other.global_id)]}, user=head)
    tropanes = api.post("/spectra/search", {"spectra": query, "substance_class": "tropanes"}, user=head)

    assert {hit["library"] for hit in in_other.json()[0]["hits"]} == {"Other library 1"}
    assert [hit["name"] for hit in tropanes.json()[0]["hits"]] == ["Cocaine", "Cocaine"]


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"peaks": [[58, 999], [91, -5]]}, "spectra.0", "an intensity is negative"),
        (
            {"text": "58 999 91"},
            "spectra.0",
            "the peaks must come in pairs of m/z and intensity; one number is left over",
        ),
        ({"text": "58 999 91 abc"}, "spectra.0", "'abc' is not a number"),
        ({"name": "empty"}, "spectra.0", "give the peaks as 'peaks' or 'text'"),
    ],
)
def test_a_search_with_bad_peaks_is_refused(api, persona, tmp_path, query, field, message):
    head = persona("kz_lab_head")
    imported_library(head, tmp_path)

    response = api.post("/spectra/search", {"spectra": [query]}, user=head)

    error = assert_error(response, 422, "invalid", {field: [message]})
    assert error["message"] == f"spectrum 1 ({query.get('name', 'query')}): {message}"


def test_a_search_without_spectra_is_refused(api, persona):
    response = api.post("/spectra/search", {"spectra": [], "top": 500}, user=persona("kz_lab_head"))

    assert set(assert_error(response, 422, "invalid")["fields"]) == {"spectra", "top"}


def test_search_a_file(api, persona, tmp_path):
    head = persona("kz_lab_head")
    imported_library(head, tmp_path)
    content = (noisy(METHAMPHETAMINE).text() + "\n" + noisy(CAFFEINE).text()).encode()

    response = upload(api, "/spectra/search-file", head, "unknowns.msp", content, top="2")

    assert response.status_code == 200, response.content
    results = response.json()
    assert [r["query"] for r in results] == ["Methamphetamine (noisy)", "Caffeine (noisy)"]
    assert [r["hits"][0]["name"] for r in results] == ["Methamphetamine", "Caffeine"]
    assert [len(r["hits"]) for r in results] == [2, 2]


def test_searching_a_bad_file_names_the_line(api, persona, tmp_path):
    head = persona("kz_lab_head")
    imported_library(head, tmp_path)
    content = b"Name: unknown 1\nNum Peaks: 2\n58 999\n91 x\n"

    response = upload(api, "/spectra/search-file", head, "unknowns.msp", content)

    problem = "unknowns.msp, record 1 (line 4): a peak line holds 'x' where a number belongs"
    error = assert_error(response, 422, "invalid", {"file": [problem]})
    assert error["message"] == problem


def test_searching_a_file_whose_peaks_are_beyond_the_nominal_scale_is_refused(api, persona, tmp_path):
    head = persona("kz_lab_head")
    imported_library(head, tmp_path)

    response = upload(
        api, "/spectra/search-file", head, "heavy.msp", b"Name: heavy\nNum Peaks: 1\n2500 100\n"
    )

    error = assert_error(response, 422, "invalid")
    assert "no peak with a positive intensity between m/z 1 and 2047" in error["message"]


def test_search_file_over_the_size_limit_is_refused(api, persona, tmp_path, monkeypatch):
    monkeypatch.setattr("fdx.spectra.transfer.MAX_QUERY_FILE_BYTES", 2**20)
    head = persona("kz_lab_head")
    imported_library(head, tmp_path)

    response = upload(api, "/spectra/search-file", head, "big.msp", b"x" * (2**20 + 1))

    assert_error(response, 422, "invalid", {"file": ["A file of unknowns may hold at most 1 MiB."]})
