"""Spectral libraries and spectra as distributed records: a library received from another node takes no
import and no change here, its spectra are not withdrawn here but may be linked to this node's registry (a
local annotation); withdrawal keeps the spectrum, retracted; every change emits its domain event."""

import uuid

import pytest
from django.core.exceptions import PermissionDenied

from fdx.core.actors import system
from fdx.core.models import OutboxEvent, RecordState
from fdx.spectra import actions
from fdx.spectra.models import SpectralLibrary, Spectrum
from fdx.spectra.tests.builders import imported_library, reference_msp
from fdx.substances.models import Substance

pytestmark = pytest.mark.django_db
ELSEWHERE = uuid.UUID("7c1b6a8e-5e1f-4c57-9d0e-000000000002")


def _received(library):
    SpectralLibrary.objects.filter(pk=library.pk).update(origin_node=ELSEWHERE, record_version=3)
    Spectrum.objects.filter(library=library).update(origin_node=ELSEWHERE, record_version=3)
    library.refresh_from_db()


def test_a_received_library_takes_no_import_and_no_change(persona, tmp_path):
    head = persona("kz_lab_head")
    library = imported_library(head, tmp_path)
    _received(library)
    count = Spectrum.objects.filter(library=library).count()

    with pytest.raises(PermissionDenied, match="received from another node"):
        actions.import_spectra(head, library, reference_msp(tmp_path, "more.msp"))
    with pytest.raises(PermissionDenied, match="received from another node"):
        actions.update_library(head, library, actions.LibraryInput(name="Renamed"))

    assert Spectrum.objects.filter(library=library).count() == count
    library.refresh_from_db()
    assert library.name != "Renamed" and library.record_version == 3


def test_a_received_spectrum_is_linked_here_but_not_withdrawn_here(persona, tmp_path):
    head = persona("kz_lab_head")
    library = imported_library(head, tmp_path)
    _received(library)
    spectrum = Spectrum.objects.get(library=library, record_id="T-1")
    caffeine = Substance.objects.get(key="caffeine")

    linked = actions.link_spectrum(system("cli:root"), spectrum, caffeine, reason="our registry's entry")
    with pytest.raises(PermissionDenied, match="received from another node"):
        actions.withdraw_spectrum(system("cli:root"), spectrum, reason="not ours to withdraw")

    assert linked.substance == caffeine and linked.record_version == 3  # a local annotation
    spectrum.refresh_from_db()
    assert spectrum.withdrawn_at is None


def test_a_withdrawn_spectrum_is_retracted_and_kept(persona, tmp_path):
    head = persona("kz_lab_head")
    imported_library(head, tmp_path)
    spectrum = Spectrum.objects.get(record_id="T-1")

    actions.withdraw_spectrum(head, spectrum, reason="mislabelled")
    spectrum.refresh_from_db()

    assert spectrum.record_state == RecordState.RETRACTED and spectrum.record_version == 2
    event = OutboxEvent.objects.get(code="spectra.spectrum.withdrawn")
    assert event.object_id == str(spectrum.global_id) and event.object_version == 2


def test_an_import_emits_its_event_and_the_index_follows_after_commit(
    persona, tmp_path, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        library = imported_library(persona("kz_lab_head"), tmp_path)

    event = OutboxEvent.objects.get(code="spectra.spectra.imported")
    assert event.object_id == str(library.global_id) and event.payload == {"imported": 6}
    assert event.deliveries.get(subscriber="spectra.refresh_index").state == "done"
