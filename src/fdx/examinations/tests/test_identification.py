"""Spectral identification started from case data: the spectra app's search page opened from an examination
or a case's spectrum file (through the spectra app's extension point), and a hit recorded as a finding."""

import re
from types import SimpleNamespace

import pytest
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from fdx.audit.models import AuditEvent
from fdx.examinations import actions
from fdx.examinations.models import Finding
from fdx.examinations.tests.builders import add_exhibit, draft_examination, open_case
from fdx.spectra import actions as spectra_actions
from fdx.spectra.forms import IdentificationForm
from fdx.spectra.models import Spectrum
from fdx.spectra.tests.builders import CAFFEINE, METHAMPHETAMINE, imported_library, noisy

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("spectral_index_folder")]


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


# Recording a hit as a finding


def kz_draft_examination(persona):
    chemist = persona("kz_lab_chemist")
    return draft_examination(chemist, add_exhibit(chemist, open_case(chemist)))


def test_recording_an_identification_adds_a_qualitative_finding_citing_the_hit(persona, tmp_path):
    imported_library(persona("kz_lab_head"), tmp_path)
    examination = kz_draft_examination(persona)
    meth = Spectrum.objects.get(record_id="T-1")

    finding = actions.record_identification(
        persona("kz_lab_chemist"), examination, meth, score=965.85, reverse=967.38, query="peak at 6.21 min"
    )

    assert (finding.examination, finding.substance.key) == (examination, "methamphetamine")
    assert (finding.result_type, finding.role, finding.purity_percent) == ("qualitative", "main", None)
    assert finding.note == (
        "Identified by EI mass-spectral library search: Methamphetamine, FDX test library 1 record T-1; "
        "match 966/999 (reverse 967); query peak at 6.21 min."
    )
    event = AuditEvent.objects.get(action="spectra.identification.recorded")
    assert event.after == {"spectrum": str(meth.global_id), "score": 965.9, "reverse": 967.4}


def test_an_identification_is_refused_for_an_examination_of_another_organisation(persona, tmp_path):
    imported_library(persona("kz_lab_head"), tmp_path, level="international")
    examination = kz_draft_examination(persona)
    meth = Spectrum.objects.get(record_id="T-1")
    outsider = persona("kg_lab_chemist")
    events = AuditEvent.objects.count()

    with pytest.raises(PermissionDenied):
        actions.record_identification(outsider, examination, meth, score=999, reverse=999, query="q")

    assert not Finding.objects.filter(examination=examination).exists()
    assert AuditEvent.objects.count() == events


def test_an_identification_needs_a_spectrum_the_user_may_search(persona, tmp_path):
    imported_library(persona("kg_lab_head"), tmp_path)  # a Kyrgyz laboratory's own library
    examination = kz_draft_examination(persona)
    other = Spectrum.objects.get(record_id="T-1")

    with pytest.raises(PermissionDenied):
        actions.record_identification(
            persona("kz_lab_chemist"), examination, other, score=999, reverse=999, query="q"
        )

    assert not Finding.objects.filter(examination=examination).exists()


def test_an_identification_needs_a_linked_spectrum(persona, tmp_path):
    imported_library(persona("kz_lab_head"), tmp_path)
    # A spectrum whose compound is not in the registry (imported before the linker registered substances)
    Spectrum.objects.filter(record_id="T-6").update(substance=None, substance_link="none")
    unlinked = Spectrum.objects.get(record_id="T-6")
    examination = kz_draft_examination(persona)

    with pytest.raises(ValidationError) as refused:
        actions.record_identification(
            persona("kz_lab_chemist"), examination, unlinked, score=900, reverse=900, query="q"
        )

    assert refused.value.message_dict == {
        "spectrum": ["This library spectrum is not linked to a registry substance."]
    }
    assert not Finding.objects.filter(examination=examination).exists()


def test_an_identification_is_refused_for_a_withdrawn_spectrum(persona, tmp_path):
    # Given a library spectrum its laboratory has withdrawn
    imported_library(persona("kz_lab_head"), tmp_path)
    meth = spectra_actions.withdraw_spectrum(
        persona("kz_lab_head"), Spectrum.objects.get(record_id="T-1"), reason="wrong compound"
    )
    examination = kz_draft_examination(persona)

    # When a chemist records it as a finding anyway
    with pytest.raises(ValidationError) as refused:
        actions.record_identification(
            persona("kz_lab_chemist"), examination, meth, score=950, reverse=950, query="q"
        )

    # Then nothing is recorded
    assert refused.value.message_dict == {
        "spectrum": ["This library spectrum is withdrawn; it cannot support a finding."]
    }
    assert not Finding.objects.filter(examination=examination).exists()


# A spectrum attached to a case, and recording a hit as a finding


def case_with_a_spectrum(persona):
    """A draft examination of the Kazakh laboratory with the unknown's spectrum attached."""
    chemist = persona("kz_lab_chemist")
    case = open_case(chemist)
    examination = draft_examination(chemist, add_exhibit(chemist, case))
    attachment = actions.attach_file(
        chemist,
        case,
        SimpleUploadedFile("exhibit-1.msp", noisy(METHAMPHETAMINE).text().encode()),
        kind="spectrum",
        examination=examination,
    )
    return examination, attachment


def test_searching_a_spectrum_attached_to_a_case_and_recording_the_hit(client, persona, library):
    examination, attachment = case_with_a_spectrum(persona)
    client.force_login(persona("kz_lab_chemist"))

    response = client.get(
        "/spectra/", {"attachment": attachment.global_id, "examination": examination.global_id}
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "For case KZ-2025-0001, exhibit 1: a hit can be recorded as a finding of this examination." in page
    assert hit_names(page)[0] == "Methamphetamine"
    assert AuditEvent.objects.filter(action="examinations.attachment.downloaded").count() == 1
    meth = Spectrum.objects.get(record_id="T-1")
    assert hidden(page, "spectrum")[0] == str(meth.global_id)
    offered = signing.loads(hidden(page, "hit")[0], salt=IdentificationForm.SALT)
    assert (offered["spectrum"], offered["query"]) == (str(meth.global_id), "Methamphetamine (noisy)")

    # When the chemist records the best hit
    recorded = client.post(
        "/spectra/identifications/",
        {
            "examination": str(examination.global_id),
            "hit": hidden(page, "hit")[0],
        },
    )

    # Then it is a finding of the examination, citing the library, the record and the scores
    assert recorded.status_code == 302
    assert recorded["Location"] == f"/cases/examinations/{examination.global_id}/"
    finding = Finding.objects.get(examination=examination)
    assert (finding.substance.key, finding.result_type) == ("methamphetamine", "qualitative")
    score, reverse = round(offered["score"]), round(offered["reverse"])
    assert finding.note == (
        "Identified by EI mass-spectral library search: Methamphetamine, FDX test library 1 record T-1; "
        f"match {score}/999 (reverse {reverse}); query Methamphetamine (noisy)."
    )
    assert 800 < score < 999


def test_a_search_from_a_case_of_another_organisation_offers_no_recording(client, persona, tmp_path):
    imported_library(persona("kz_lab_head"), tmp_path, level="international")
    examination, _attachment = case_with_a_spectrum(persona)
    client.force_login(persona("kg_lab_chemist"))

    page = client.post(
        f"/spectra/?examination={examination.global_id}",
        {"peaks": METHAMPHETAMINE.peak_text(), "top": "3", "examination": str(examination.global_id)},
    ).content.decode()
    meth = Spectrum.objects.get(record_id="T-1")
    token = IdentificationForm.token_for(SimpleNamespace(spectrum=meth, score=999, reverse=999), "q")
    recorded = client.post(
        "/spectra/identifications/", {"examination": str(examination.global_id), "hit": token}
    )

    assert hit_names(page)[0] == "Methamphetamine"
    assert hidden(page, "spectrum") == []
    assert recorded.status_code == 404
    assert not Finding.objects.filter(examination=examination).exists()


def test_an_attachment_not_shared_with_the_user_is_not_found(client, persona, library):
    _examination, attachment = case_with_a_spectrum(persona)
    client.force_login(persona("kg_lab_chemist"))

    response = client.get("/spectra/", {"attachment": attachment.global_id})

    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="examinations.attachment.downloaded").exists()


def test_recording_a_hit_works_in_russian(client, persona, library):
    examination, attachment = case_with_a_spectrum(persona)
    client.force_login(persona("kz_lab_chemist"))
    page = client.get(
        "/spectra/",
        {"attachment": attachment.global_id, "examination": examination.global_id},
        HTTP_ACCEPT_LANGUAGE="ru",
    ).content.decode()

    recorded = client.post(
        "/spectra/identifications/",
        {
            "examination": str(examination.global_id),
            "hit": hidden(page, "hit")[0],
        },
        HTTP_ACCEPT_LANGUAGE="ru",
    )

    assert recorded.status_code == 302
    assert Finding.objects.get(examination=examination).substance.key == "methamphetamine"


def test_a_hit_not_signed_by_fdx_is_not_recorded(client, persona, library):
    # Given a chemist with a search page of a case's spectrum
    examination, attachment = case_with_a_spectrum(persona)
    client.force_login(persona("kz_lab_chemist"))
    page = client.get(
        "/spectra/", {"attachment": attachment.global_id, "examination": examination.global_id}
    ).content.decode()
    token = hidden(page, "hit")[0]
    meth = Spectrum.objects.get(record_id="T-1")

    # When scores are typed into the request instead, or the signed hit is altered
    typed = {"spectrum": str(meth.global_id), "score": "999", "reverse": "999", "query": "q"}
    forged = signing.dumps({"spectrum": str(meth.global_id), "score": 999, "reverse": 999, "query": "q"})
    answers = [
        client.post("/spectra/identifications/", {"examination": str(examination.global_id), **typed}),
        client.post("/spectra/identifications/", {"examination": str(examination.global_id), "hit": forged}),
        client.post(
            "/spectra/identifications/", {"examination": str(examination.global_id), "hit": token[:-2] + "xx"}
        ),
    ]

    # Then nothing is recorded
    assert [answer.status_code for answer in answers] == [404, 404, 404]
    assert not Finding.objects.filter(examination=examination).exists()


def test_a_pasted_spectrum_posted_from_an_attachment_link_is_what_is_searched(client, persona, library):
    # Given the search page opened from a case's attachment (of methamphetamine)
    examination, attachment = case_with_a_spectrum(persona)
    client.force_login(persona("kz_lab_chemist"))
    downloads = AuditEvent.objects.filter(action="examinations.attachment.downloaded")

    # When the chemist pastes another spectrum on that page and searches
    page = client.post(
        f"/spectra/?attachment={attachment.global_id}&examination={examination.global_id}",
        {"peaks": CAFFEINE.peak_text(), "top": "1", "examination": str(examination.global_id)},
    ).content.decode()

    # Then the pasted spectrum is searched, with the options given, and the attachment is not read again
    assert hit_names(page) == ["Caffeine"]
    assert downloads.count() == 0


def test_a_malformed_attachment_identifier_is_not_found(client, persona, library):
    client.force_login(persona("kz_lab_chemist"))

    assert client.get("/spectra/", {"attachment": "not-a-uuid"}).status_code == 404


def test_a_search_from_a_case_on_a_node_without_a_library_says_what_to_import(client, persona):
    # Given a fresh node (no spectral library) and a case with an unknown's spectrum
    examination, attachment = case_with_a_spectrum(persona)
    client.force_login(persona("kz_lab_chemist"))

    # When the chemist searches it from the case
    page = client.get(
        "/spectra/", {"attachment": attachment.global_id, "examination": examination.global_id}
    ).content.decode()

    # Then the page says there is no library and how to import one, not "no hit"
    assert 'id="no-library"' in page
    assert "fdx spectra import FILE --library NAME" in page
    assert "No hit in the libraries searched." not in page


@pytest.mark.parametrize(
    ("file", "searched", "error"),
    [
        ("agilent-gcms.cdf", 38, ""),
        ("agilent-gcms-tic.cdf", 0, "this file holds only a total-ion chromatogram, no mass spectra"),
    ],
)
def test_an_andi_netcdf_run_attached_to_a_case_is_searched(client, persona, library, file, searched, error):
    from fdx.testing.shared_data import shared_file

    chemist = persona("kz_lab_chemist")
    case = open_case(chemist)
    content = shared_file(f"formats/andi_netcdf/{file}").read_bytes()
    attachment = actions.attach_file(chemist, case, SimpleUploadedFile(file, content), kind="spectrum")
    client.force_login(chemist)

    page = client.get("/spectra/", {"attachment": attachment.global_id}).content.decode()

    assert page.count('<section class="search-result"') == searched
    assert (error in page) if error else 'id="search-error"' not in page
