"""The starter EI library of a demo node: openly licensed records only, each with its attribution, found
by a first search."""

import re

import pytest

from fdx.core.actors import system
from fdx.demo.people import ensure_demo_people
from fdx.demo.spectra import STARTER_FILE, ensure_starter_library
from fdx.spectra import selectors
from fdx.spectra.formats import read_spectra
from fdx.spectra.models import Spectrum
from fdx.testing.shared_data import shared_file

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("spectral_index_folder")]

#: 4-Hydroxybenzyl alcohol measured again: a real MassBank replicate that the starter library leaves out
#: (one record per compound and contributor), read from the shared data as the unknown. (MassBank has no
#: openly licensed EI spectrum of methamphetamine or cocaine, so the starter library cannot find those.)
QUERY_ACCESSION = "MSBNK-Kazusa-KZ000100"


def test_the_shipped_file_holds_only_cc_by_and_cc_by_sa_records_with_their_attribution():
    text = STARTER_FILE.read_text(encoding="utf-8")
    records = [block for block in re.split(r"\n\s*\n", text) if block.strip()]

    licences = {re.search(r"^LICENSE: (.*)$", block, re.M).group(1) for block in records}
    assert licences <= {"CC BY", "CC BY-SA", "CC0"}
    assert 20 <= len(records) <= 400
    assert all(re.search(r"^DB#: MSBNK-", block, re.M) for block in records)
    assert all(re.search(r"^COMMENT: MassBank-data \S+", block, re.M) for block in records)
    notice = (STARTER_FILE.parent / "NOTICE.md").read_text(encoding="utf-8")
    assert "CC BY-SA" in notice and "MassBank" in notice


def query_record(tmp_path):
    """The query record, cut from the shared MassBank file."""
    text = shared_file("spectra/massbank_ei_dev.msp").read_text(encoding="utf-8")
    block = next(b for b in re.split(r"\n\s*\n", text) if f"DB#: {QUERY_ACCESSION}\n" in b)
    path = tmp_path / "query.msp"
    path.write_text(block.strip() + "\n", encoding="utf-8")
    return read_spectra(path).spectra[0]


def test_after_the_demo_setup_a_first_search_finds_the_right_substance_with_its_attribution(
    client, persona, tmp_path
):
    # Given a demo node set up with its starter library
    actor = system("setup")
    ensure_demo_people(actor)
    imported = ensure_starter_library(actor)
    assert imported > 0
    assert ensure_starter_library(actor) == 0  # once only

    # When a chemist of another organisation searches a replicate spectrum of 4-hydroxybenzyl alcohol
    query = query_record(tmp_path)
    chemist = persona("kg_lab_chemist")
    hits = selectors.search(chemist, [selectors.QuerySpectrum("unknown", query.mz, query.intensity)])[0].hits

    # Then the best hit is 4-hydroxybenzyl alcohol, with the record's accession, contributor and licence
    best = hits[0].spectrum
    assert best.substance.inchikey == "BVJSUAQZOZWCKN-UHFFFAOYSA-N"
    assert best.record_id.startswith("MSBNK-") and best.record_id != QUERY_ACCESSION
    assert best.licence in {"CC BY", "CC BY-SA"}
    assert best.comment.startswith("MassBank-data ")
    client.force_login(chemist)
    page = client.get(f"/spectra/{best.global_id}/").content.decode()
    assert 'id="attribution"' in page and best.record_id in page and best.licence in page
    hits_page = client.post(
        "/spectra/",
        {
            "peaks": "\n".join(f"{m:g} {i:g}" for m, i in zip(query.mz, query.intensity, strict=True)),
            "top": "5",
        },
    ).content.decode()
    assert "attribution" in hits_page and best.record_id in hits_page
    assert Spectrum.objects.filter(library=best.library).count() == imported
