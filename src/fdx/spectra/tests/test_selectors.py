"""Reads of the spectral libraries: identity search (scores, filters by library, class and retention index),
and the lists and pages of libraries and spectra."""

import uuid

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from fdx.spectra import selectors
from fdx.spectra.models import Spectrum
from fdx.spectra.tests.builders import (
    CAFFEINE,
    COCAINE,
    METHAMPHETAMINE,
    UNNAMED_COMPOUND,
    Record,
    imported_library,
    make_library,
    noisy,
)

pytestmark = pytest.mark.django_db


def query_of(record: Record, retention_index=None) -> selectors.QuerySpectrum:
    return selectors.QuerySpectrum(record.name, record.mz, record.intensity, retention_index)


def hits_for(user, record: Record, filters=selectors.SearchFilters(), retention_index=None):
    return selectors.search(user, [query_of(record, retention_index)], filters)[0].hits


def test_a_query_equal_to_a_library_spectrum_finds_it_with_999(persona, tmp_path):
    head = persona("kz_lab_head")
    imported_library(head, tmp_path)

    hits = hits_for(persona("kz_lab_chemist"), METHAMPHETAMINE)

    best = hits[0]
    assert (best.rank, best.spectrum.record_id, best.spectrum.name) == (1, "T-1", "Methamphetamine")
    assert (best.score, best.forward, best.reverse) == (999.0, 999.0, 999.0)
    assert best.entropy == pytest.approx(1.0)
    assert best.verdict == "excellent"
    assert [hit.rank for hit in hits] == [1, 2, 3, 4, 5, 6]
    assert all(hit.score < 100 for hit in hits[1:])


@pytest.mark.parametrize(
    "record", [METHAMPHETAMINE, COCAINE, CAFFEINE, UNNAMED_COMPOUND], ids=lambda r: r.name
)
def test_a_noisy_measurement_still_finds_its_compound_first(persona, tmp_path, record):
    head = persona("kz_lab_head")
    imported_library(head, tmp_path)

    hits = hits_for(head, noisy(record))

    assert hits[0].spectrum.name == record.name
    assert 800 < hits[0].score < 999
    assert 800 < hits[0].reverse < 999
    assert hits[1].score < 200


def test_a_batch_of_queries_keeps_its_order(persona, tmp_path):
    head = persona("kz_lab_head")
    imported_library(head, tmp_path)

    results = selectors.search(
        head, [query_of(noisy(COCAINE)), query_of(CAFFEINE), query_of(noisy(METHAMPHETAMINE))]
    )

    assert [r.query.name for r in results] == ["Cocaine (noisy)", "Caffeine", "Methamphetamine (noisy)"]
    assert [r.hits[0].spectrum.name for r in results] == ["Cocaine", "Caffeine", "Methamphetamine"]


def test_top_limits_the_hits(persona, tmp_path):
    head = persona("kz_lab_head")
    imported_library(head, tmp_path)

    hits = hits_for(head, METHAMPHETAMINE, selectors.SearchFilters(top=2))

    assert [hit.spectrum.name for hit in hits] == ["Methamphetamine", "Cocaine"]


def test_the_library_filter(persona, tmp_path):
    head = persona("kz_lab_head")
    first = imported_library(head, tmp_path, "Laboratory spectra")
    second = imported_library(head, tmp_path, "Purchased spectra")

    both = hits_for(head, METHAMPHETAMINE)
    only_second = hits_for(head, METHAMPHETAMINE, selectors.SearchFilters(libraries=(second.global_id,)))

    assert {hit.spectrum.library for hit in both[:2]} == {first, second}
    assert [hit.score for hit in both[:2]] == [999.0, 999.0]
    assert len(both) == 10
    assert {hit.spectrum.library for hit in only_second} == {second}
    assert [hit.spectrum.name for hit in only_second[:1]] == ["Methamphetamine"]
    assert len(only_second) == 6


def test_a_library_filter_cannot_reach_an_unshared_library(persona, tmp_path):
    other = imported_library(persona("kg_lab_head"), tmp_path)  # the Kyrgyz laboratory's own

    hits = hits_for(
        persona("kz_lab_head"), METHAMPHETAMINE, selectors.SearchFilters(libraries=(other.global_id,))
    )

    assert hits == []


@pytest.mark.parametrize(
    ("code", "names"),
    [
        ("tropanes", ["Cocaine"]),
        ("amphetamines", ["Methamphetamine"]),
        ("other_stimulants", ["Caffeine"]),
        ("opioids", []),
    ],
)
def test_the_substance_class_filter(persona, tmp_path, code, names):
    head = persona("kz_lab_head")
    imported_library(head, tmp_path)

    hits = hits_for(head, noisy(COCAINE), selectors.SearchFilters(substance_class=code))

    assert [hit.spectrum.name for hit in hits] == names


def test_a_negative_retention_index_window_is_refused(persona, tmp_path):
    head = persona("kz_lab_head")
    imported_library(head, tmp_path)

    with pytest.raises(ValidationError) as refused:
        hits_for(head, METHAMPHETAMINE, selectors.SearchFilters(retention_window=-5), retention_index=1181)

    assert refused.value.message_dict == {
        "retention_window": ["The retention-index window must be 0 or more."]
    }


def test_the_retention_index_window(persona, tmp_path):
    # Methamphetamine has RI 1180 and cocaine 2190 in the library; the others have none and always pass
    head = persona("kz_lab_head")
    imported_library(head, tmp_path)
    window = selectors.SearchFilters(retention_window=20)

    near = hits_for(head, noisy(METHAMPHETAMINE), window, retention_index=1195)
    far = hits_for(head, noisy(METHAMPHETAMINE), window, retention_index=1250)
    at_cocaine = hits_for(head, noisy(COCAINE), window, retention_index=2170)
    without_window = hits_for(head, noisy(METHAMPHETAMINE), retention_index=1250)

    assert near[0].spectrum.name == "Methamphetamine"
    assert "Cocaine" not in [hit.spectrum.name for hit in near]
    assert sorted(hit.spectrum.name for hit in far) == [
        "1-Aminoundecane (supplier B)",
        "Caffeine",
        "FDX test compound 7",
        "Undecylamine",
    ]
    assert at_cocaine[0].spectrum.name == "Cocaine"
    assert "Methamphetamine" not in [hit.spectrum.name for hit in at_cocaine]
    assert without_window[0].spectrum.name == "Methamphetamine"


def test_searching_with_nothing_shared_finds_nothing(persona, tmp_path):
    imported_library(persona("kz_lab_head"), tmp_path)

    assert hits_for(persona("uz_police_analyst"), METHAMPHETAMINE) == []


def test_a_spectrum_committed_after_one_with_a_higher_id_is_still_found(persona, tmp_path):
    # Given two imports running at once: the slower one took id N+1 from the sequence, the faster one N+2
    # and committed first; a search ran in between
    head = persona("kz_lab_head")
    imported_library(head, tmp_path)
    last = Spectrum.objects.order_by("-pk").values_list("pk", flat=True).first()
    faster, slower = Spectrum.objects.get(record_id="T-2"), Spectrum.objects.get(record_id="T-3")
    for spectrum, pk in ((faster, last + 2), (slower, last + 1)):
        spectrum.pk, spectrum.global_id, spectrum.record_id = pk, uuid.uuid4(), f"late-{pk}"
    faster.save(force_insert=True)
    hits_for(head, COCAINE)

    # When the slower import commits
    slower.save(force_insert=True)

    # Then its spectrum is found like any other
    assert [hit.spectrum.record_id for hit in hits_for(head, CAFFEINE)[:2]] == ["T-3", f"late-{last + 1}"]


# Libraries and spectra


def test_libraries_for_counts_the_spectra(persona, tmp_path):
    head = persona("kz_lab_head")
    imported_library(head, tmp_path, "Laboratory spectra")

    rows = list(selectors.libraries_for(persona("kz_lab_viewer")))

    assert [(str(row), row.spectrum_count) for row in rows] == [("Laboratory spectra 1", 6)]


def test_spectra_for_finds_by_name_record_or_inchikey(persona, tmp_path):
    head = persona("kz_lab_head")
    library = imported_library(head, tmp_path)

    by_name = selectors.spectra_for(head, library, "undecyl")
    by_record = selectors.spectra_for(head, library, "T-2")
    by_key = selectors.spectra_for(head, None, "mywuzj")

    assert [s.name for s in by_name] == ["Undecylamine"]
    assert [s.name for s in by_record] == ["Cocaine"]
    assert [s.name for s in by_key] == ["Methamphetamine"]


def test_get_library_and_get_spectrum_hide_what_is_not_shared(persona, tmp_path):
    library = imported_library(persona("kz_lab_head"), tmp_path)
    meth = Spectrum.objects.get(record_id="T-1")
    outsider = persona("kg_lab_chemist")

    assert selectors.get_library(persona("kz_lab_viewer"), library.global_id) == library
    assert selectors.get_spectrum(persona("kz_lab_viewer"), meth.global_id) == meth
    with pytest.raises(Http404):
        selectors.get_library(outsider, library.global_id)
    with pytest.raises(Http404):
        selectors.get_spectrum(outsider, meth.global_id)
    with pytest.raises(Http404):
        selectors.get_library(persona("kz_lab_viewer"), library.global_id, "change")


def test_library_by_name_takes_the_newest_version(persona):
    head = persona("kz_lab_head")
    make_library(head, "SWGDRUG", version="3.3")
    newest = make_library(head, "SWGDRUG", version="3.4")

    assert selectors.library_by_name(head, "SWGDRUG") == newest
    assert selectors.library_by_name(head, "SWGDRUG", "3.3").version == "3.3"
    assert selectors.library_by_name(persona("kg_lab_chemist"), "SWGDRUG") is None


def test_library_by_name_of_several_owners_needs_the_owner(persona):
    kz = make_library(persona("kz_lab_head"), "SWGDRUG", version="3.4", level="international")
    kg = make_library(persona("kg_lab_head"), "SWGDRUG", version="3.4", level="international")
    reader = persona("hub_admin")

    with pytest.raises(ValidationError) as ambiguous:
        selectors.library_by_name(reader, "SWGDRUG")

    assert "Several organisations have a library called SWGDRUG" in ambiguous.value.messages[0]
    assert selectors.library_by_name(reader, "SWGDRUG", "3.4", owner=kg.owner_organisation) == kg
    assert selectors.library_by_name(reader, "SWGDRUG", "3.4", owner=kz.owner_organisation) == kz
    assert selectors.library_by_name(reader, "SWGDRUG", "3.3", owner=kz.owner_organisation) is None


def test_libraries_named_gives_each_owners_newest_version(persona):
    make_library(persona("kz_lab_head"), "SWGDRUG", version="3.3", level="international")
    kz = make_library(persona("kz_lab_head"), "SWGDRUG", version="3.4", level="international")
    kg = make_library(persona("kg_lab_head"), "SWGDRUG", version="3.4", level="international")
    make_library(persona("kg_lab_head"), "Other", level="international")

    assert set(selectors.libraries_named(persona("hub_admin"), "SWGDRUG")) == {kz, kg}
    assert selectors.libraries_named(persona("hub_admin"), "Nothing") == []
