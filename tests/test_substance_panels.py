"""What the apps above the substance registry show about a spectral search hit, through the substances app's
extension point: the legal status of the best hit's substance (the legal app answers; spectra never imports
it)."""

import pytest

from fdx.legal.models import Jurisdiction
from fdx.spectra import actions, selectors
from fdx.spectra.models import Spectrum
from fdx.spectra.tests.builders import METHAMPHETAMINE, UNNAMED_COMPOUND, Record, imported_library, noisy
from fdx.substances.extensions import SubstanceRef, panels_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("spectral_index_folder")]


def hits_for(user, record: Record):
    query = selectors.QuerySpectrum(record.name, record.mz, record.intensity, None)
    return selectors.search(user, [query], selectors.SearchFilters())[0].hits


def legal_status_under(hit):
    """The answers of the legal panel shown under ``hit`` (an empty list when no panel is shown)."""
    spectrum = hit.spectrum
    ref = SubstanceRef(spectrum.substance, spectrum.inchikey, spectrum.name, placement="hit")
    legal = [panel for panel in panels_for(ref) if panel.template == "legal/substance_panel.html"]
    return legal[0].data["answers"] if legal else []


def test_the_legal_status_of_a_hit_has_one_answer_per_jurisdiction(persona, tmp_path):
    head = persona("kz_lab_head")
    imported_library(head, tmp_path)
    best = hits_for(head, noisy(METHAMPHETAMINE))[0]

    answers = legal_status_under(best)

    assert [a.jurisdiction for a in answers] == list(Jurisdiction.objects.values_list("code", flat=True))
    by_code = {a.jurisdiction: a for a in answers}
    assert by_code["UN"].controlled is True and by_code["UN"].lists == ["UN-1971-II"]
    assert by_code["KZ"].controlled is True and by_code["KZ"].lists == ["KZ-LIST-II"]
    assert {by_code[code].controlled for code in ("KG", "TJ", "TM", "UZ")} == {True}


def test_the_legal_status_of_a_hit_without_a_structure_or_key_is_unknown(persona, tmp_path):
    head = persona("kz_lab_head")
    imported_library(head, tmp_path)
    best = hits_for(head, UNNAMED_COMPOUND)[0]

    assert best.spectrum.substance.smiles == ""
    assert legal_status_under(best) == []


def test_the_legal_status_of_a_hit_falls_back_on_the_librarys_inchikey(persona, tmp_path):
    # Given a methamphetamine spectrum linked (by hand) to a registry substance without a structure
    head = persona("kz_lab_head")
    imported_library(head, tmp_path)
    meth = Spectrum.objects.get(record_id="T-1")
    actions.link_spectrum(head, meth, Spectrum.objects.get(record_id="T-6").substance, reason="test")
    best = hits_for(head, METHAMPHETAMINE)[0]

    # When its legal status is asked for
    answers = legal_status_under(best)

    # Then the explicit listings of the library's InChIKey answer
    assert best.spectrum == meth
    assert [a.jurisdiction for a in answers] == list(Jurisdiction.objects.values_list("code", flat=True))
    assert {a.jurisdiction: a.inchikey for a in answers}["UN"] == "MYWUZJCMWCOHBA-UHFFFAOYSA-N"
    assert {a.jurisdiction: a.controlled for a in answers}["UN"] is True
