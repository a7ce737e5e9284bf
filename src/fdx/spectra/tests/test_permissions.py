"""Who sees and who changes a spectral library, as a table: every distribution level against readers at
every distance from the owner, and every change tried by anonymous, another organisation, the same
organisation without the manage role, and the library's managers — through the actions, the selectors and
the API. A refused change changes nothing.

Owner: the Kazakh forensic centre, whose head of laboratory (kz_lab_head) manages its libraries.
"""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from fdx.accounts.models import SharingGroup
from fdx.audit.models import AuditEvent
from fdx.spectra import actions, selectors
from fdx.spectra.models import SpectralLibrary, Spectrum
from fdx.spectra.tests.builders import (
    CAFFEINE,
    METHAMPHETAMINE,
    REFERENCE,
    Record,
    imported_library,
    make_library,
    write_msp,
)
from fdx.substances.models import Substance

pytestmark = pytest.mark.django_db

READERS = [
    "kz_lab_head",
    "kz_lab_chemist",
    "kz_lab_viewer",
    "kz_lab_admin",  # an organisation administrator: no case-reader role, so no spectra
    "kz_police_analyst",
    "kg_lab_chemist",
    "uz_police_analyst",
    "kg_court_viewer",
    "rc_analyst",
    "intl_analyst",
    "hub_admin",
]
OWN = {"kz_lab_head", "kz_lab_chemist", "kz_lab_viewer"}
EXPECTED = {
    "organisation": OWN,
    "national": OWN | {"kz_police_analyst"},
    "sharing_group": OWN | {"kg_lab_chemist"},
    "regional": OWN
    | {
        "kz_police_analyst",
        "kg_lab_chemist",
        "uz_police_analyst",
        "kg_court_viewer",
        "rc_analyst",
        "hub_admin",
    },
    "international": set(READERS) - {"kz_lab_admin"},
}


def sharing_group(persona):
    group = SharingGroup.objects.create(code="kz-kg-labs", name_en="KZ–KG laboratories", name_ru="КЗ–КГ")
    group.organisations.set([persona("kz_lab_head").organisation, persona("kg_lab_chemist").organisation])
    return group


def shared_library(persona, tmp_path, level):
    extra = {"sharing_group": sharing_group(persona)} if level == "sharing_group" else {}
    head = persona("kz_lab_head")
    library = make_library(head, level=level, **extra)
    actions.import_spectra(head, library, write_msp(tmp_path, "reference.msp"))
    return library


def finds_meth(user, library) -> bool:
    query = selectors.QuerySpectrum("unknown", METHAMPHETAMINE.mz, METHAMPHETAMINE.intensity)
    try:
        hits = selectors.search(user, [query])[0].hits
    except PermissionDenied:
        return False
    return any(hit.spectrum.library_id == library.pk and hit.score == 999.0 for hit in hits)


def state():
    """Everything a refused change could have touched."""
    return (
        list(
            Spectrum.objects.order_by("pk").values_list(
                "pk", "substance_id", "substance_link", "withdrawn_at"
            )
        ),
        list(
            SpectralLibrary.objects.order_by("pk").values_list(
                "pk", "name", "distribution_level", "description"
            )
        ),
        Substance.objects.count(),
        AuditEvent.objects.exclude(action="accounts.token.created").count(),
    )


# Reading


@pytest.mark.parametrize("level", list(EXPECTED))
def test_each_distribution_level_reaches_exactly_its_readers(persona, tmp_path, level):
    library = shared_library(persona, tmp_path, level)
    meth = Spectrum.objects.get(record_id="T-1")

    sees_library = {n for n in READERS if selectors.libraries_for(persona(n)).filter(pk=library.pk).exists()}
    sees_spectrum = {n for n in READERS if selectors.spectra_for(persona(n)).filter(pk=meth.pk).exists()}
    finds = {n for n in READERS if finds_meth(persona(n), library)}

    assert sees_library == EXPECTED[level]
    assert sees_spectrum == EXPECTED[level]
    assert finds == EXPECTED[level]


@pytest.mark.parametrize("name", READERS)
def test_the_api_hides_a_national_library_from_those_it_does_not_reach(api, persona, tmp_path, name):
    library = shared_library(persona, tmp_path, "national")
    meth = Spectrum.objects.get(record_id="T-1")
    user = persona(name)
    expected = 200 if name in EXPECTED["national"] else 404

    library_page = api.get(f"/spectral-libraries/{library.global_id}", user=user)
    spectrum_page = api.get(f"/spectra/{meth.global_id}", user=user)
    listed = api.get("/spectral-libraries", user=user).json()

    assert (library_page.status_code, spectrum_page.status_code) == (expected, expected)
    assert listed["count"] == (1 if name in EXPECTED["national"] else 0)


@pytest.mark.parametrize(
    ("name", "expected"),
    [("kz_police_analyst", [record.name for record in REFERENCE]), ("uz_police_analyst", [])],
)
def test_the_api_search_sees_only_shared_libraries(api, persona, tmp_path, name, expected):
    shared_library(persona, tmp_path, "national")
    query = {"spectra": [{"name": "unknown", "peaks": [list(p) for p in METHAMPHETAMINE.peaks]}]}

    response = api.post("/spectra/search", query, user=persona(name))

    assert response.status_code == 200
    assert [hit["name"] for hit in response.json()[0]["hits"]] == expected


def test_the_api_search_is_refused_without_the_search_role(api, persona, tmp_path):
    shared_library(persona, tmp_path, "international")
    query = {"spectra": [{"name": "unknown", "peaks": [list(p) for p in METHAMPHETAMINE.peaks]}]}

    response = api.post("/spectra/search", query, user=persona("kz_lab_admin"))

    assert response.status_code == 403
    assert response.json() == {
        "error": {
            "code": "forbidden",
            "message": "You do not have permission to search the spectral libraries.",
            "fields": {},
        }
    }


def test_anonymous_sees_nothing(persona, tmp_path):
    library = shared_library(persona, tmp_path, "international")
    anonymous = AnonymousUser()

    assert list(SpectralLibrary.objects.restrict(anonymous, "view")) == []
    assert list(Spectrum.objects.restrict(anonymous, "view")) == []
    with pytest.raises(Http404):
        selectors.get_library(anonymous, library.global_id)
    with pytest.raises(PermissionDenied):
        selectors.search(anonymous, [selectors.QuerySpectrum("q", CAFFEINE.mz, CAFFEINE.intensity)])


def test_anonymous_is_asked_to_authenticate_by_the_api(api, persona, tmp_path):
    library = shared_library(persona, tmp_path, "international")

    responses = [
        api.get("/spectral-libraries"),
        api.get(f"/spectral-libraries/{library.global_id}"),
        api.get("/spectra"),
        api.post("/spectra/search", {"spectra": [{"text": "58 999"}]}),
        api.post("/spectral-libraries", {"name": "x"}),
    ]

    assert [r.status_code for r in responses] == [401] * 5
    assert {r.json()["error"]["code"] for r in responses} == {"unauthenticated"}


# Changing


def try_each_change(user, library, tmp_path):
    """Every change of the library and its spectra, each one expected to be refused."""
    meth = Spectrum.objects.get(library=library, record_id="T-1")
    amphetamine = Substance.objects.get(key="amphetamine")
    data = actions.LibraryInput(name="Renamed", version="1", distribution_level="international")
    changes = [
        lambda: actions.import_spectra(user, library, write_msp(tmp_path, "more.msp", records=[CAFFEINE])),
        lambda: actions.update_library(user, library, data),
        lambda: actions.withdraw_spectrum(user, meth, reason="wrong"),
        lambda: actions.link_spectrum(user, meth, amphetamine, reason="wrong"),
    ]
    refused = 0
    for change in changes:
        with pytest.raises(PermissionDenied):
            change()
        refused += 1
    return refused


@pytest.mark.parametrize(
    "name",
    [
        None,  # anonymous
        "kz_lab_chemist",  # same organisation, records cases, no manage role
        "kz_lab_viewer",  # same organisation, reads only
        "kz_police_analyst",  # same country, sees the library
        "kg_lab_head",  # manages another country's libraries
        "hub_admin",  # node administrator, manages libraries of the regional centre only
    ],
)
def test_only_the_owners_managers_change_a_library(persona, tmp_path, name):
    library = imported_library(persona("kz_lab_head"), tmp_path, level="international")
    user = AnonymousUser() if name is None else persona(name)
    before = state()

    refused = try_each_change(user, library, tmp_path)

    assert refused == 4
    assert state() == before


@pytest.mark.parametrize(
    "name", [None, "kz_lab_chemist", "kz_lab_viewer", "kz_police_analyst", "kz_lab_admin"]
)
def test_only_library_managers_create_libraries(persona, name):
    user = AnonymousUser() if name is None else persona(name)
    before = state()

    with pytest.raises(PermissionDenied):
        actions.create_library(user, actions.LibraryInput(name="Own spectra"))

    assert state() == before


def test_the_owners_managers_change_their_library(persona, tmp_path):
    head = persona("kz_lab_head")
    library = imported_library(head, tmp_path)
    meth = Spectrum.objects.get(record_id="T-1")

    report = actions.import_spectra(
        head,
        library,
        write_msp(tmp_path, "more.msp", records=[Record("Laboratory standard 1", ((58, 999),))]),
    )
    actions.withdraw_spectrum(head, meth, reason="mislabelled")

    assert report.imported == 1
    assert Spectrum.objects.filter(library=library).count() == 7
    assert Spectrum.objects.filter(withdrawn_at__isnull=False).get() == meth
    assert list(selectors.libraries_for(head, "change")) == [library]
    assert list(selectors.libraries_for(persona("kz_lab_chemist"), "change")) == []


API_CHANGES = [
    ("post", "/spectral-libraries/{library}/import", "upload"),
    ("patch", "/spectral-libraries/{library}", {"name": "Renamed", "distribution_level": "international"}),
    ("post", "/spectra/{spectrum}/withdraw", {"reason": "wrong"}),
    ("post", "/spectra/{spectrum}/link", {"substance": "{amphetamine}", "reason": "wrong"}),
]
# Library at the national level: the same country sees it (403 to change), others do not (404).
API_REFUSALS = {
    "kz_lab_chemist": 403,
    "kz_lab_viewer": 403,
    "kz_police_analyst": 403,
    "kg_lab_head": 404,
    "hub_admin": 404,
    "kz_lab_admin": 404,
}


def call(api, method, path, body, user, ids):
    path = path.format(**ids)
    if body == "upload":
        upload = SimpleUploadedFile("more.msp", CAFFEINE.text().encode())
        headers = api._headers(user) if user else {}
        return api.client.post("/api/v1" + path, {"file": upload}, **headers)
    body = {key: value.format(**ids) for key, value in body.items()}
    return getattr(api, method)(path, body, user=user)


@pytest.mark.parametrize("name", [None, *API_REFUSALS])
@pytest.mark.parametrize(
    ("method", "path", "body"), API_CHANGES, ids=[f"{m} {p}" for m, p, _b in API_CHANGES]
)
def test_the_api_refuses_changes_by_anyone_but_the_managers(api, persona, tmp_path, name, method, path, body):
    library = imported_library(persona("kz_lab_head"), tmp_path, level="national")
    ids = {
        "library": str(library.global_id),
        "spectrum": str(Spectrum.objects.get(record_id="T-1").global_id),
        "amphetamine": str(Substance.objects.get(key="amphetamine").global_id),
    }
    user = persona(name) if name else None
    if user:
        api.token_for(user)
    before = state()

    response = call(api, method, path, body, user, ids)

    assert response.status_code == (API_REFUSALS[name] if name else 401), response.content
    assert set(response.json()["error"]) == {"code", "message", "fields"}
    assert state() == before


@pytest.mark.parametrize(
    ("method", "path", "body"), API_CHANGES, ids=[f"{m} {p}" for m, p, _b in API_CHANGES]
)
def test_the_api_lets_the_managers_change_their_library(api, persona, tmp_path, method, path, body):
    head = persona("kz_lab_head")
    library = imported_library(head, tmp_path, level="national")
    ids = {
        "library": str(library.global_id),
        "spectrum": str(Spectrum.objects.get(record_id="T-1").global_id),
        "amphetamine": str(Substance.objects.get(key="amphetamine").global_id),
    }
    api.token_for(head)
    before = state()

    response = call(api, method, path, body, head, ids)

    assert response.status_code == 200, response.content
    assert state() != before


def test_the_api_creates_libraries_for_managers_only(api, persona):
    refused = api.post("/spectral-libraries", {"name": "Own spectra"}, user=persona("kz_lab_chemist"))
    created = api.post("/spectral-libraries", {"name": "Own spectra"}, user=persona("kz_lab_head"))

    assert refused.status_code == 403
    assert created.status_code == 201
    assert created.json()["owner_organisation"] == "demo-kz-forensic-centre"
    assert SpectralLibrary.objects.get().name == "Own spectra"
