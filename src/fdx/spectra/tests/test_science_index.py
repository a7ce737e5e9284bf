"""The spectral index of ``science.index`` on the real SWGDRUG 3.4 library: exact and clustered search,
agreement with brute-force identity scoring, masks, retention windows, growing, saving and loading."""

import math
import re

import numpy
import pytest

from fdx.spectra.science import index as index_module
from fdx.spectra.science import scores
from fdx.spectra.science.index import DIMENSIONS, SearchOptions, SpectralIndex
from fdx.spectra.science.peaks import nominal
from fdx.spectra.science.scores import PeakTable, QueryBlock
from fdx.testing.shared_data import shared_file

_PAIR = re.compile(r"([0-9.]+)\s+([0-9.]+)")


def read_msp(path) -> list[tuple[int, str, list[float], list[float]]]:
    """(id, name, m/z values, intensities) per record: a tiny reader, independent of ``spectra.formats``."""
    records = []
    in_peaks = False
    for line in path.read_text(encoding="latin-1").splitlines():
        key, _, value = line.partition(":")
        if key.lower() == "name":
            in_peaks = False
            records.append([None, value.strip(), [], []])
        elif key.lower() == "id" and not in_peaks:
            records[-1][0] = int(value)
        elif key.lower() == "num peaks":
            in_peaks = True
        elif in_peaks:
            for mz, intensity in _PAIR.findall(line):
                records[-1][2].append(float(mz))
                records[-1][3].append(float(intensity))
    return [tuple(record) for record in records]


@pytest.fixture(scope="module")
def swgdrug():
    """The library on the nominal scale: ``ids``, ``spectra``, ``row_of`` (id -> row) and ``twins`` (rows
    whose spectrum is identical to another row's, so a self-query may tie)."""
    records = read_msp(shared_file("spectra/swgdrug_3.4.msp"))
    spectra = [nominal(mz, intensity) for _, _, mz, intensity in records]
    ids = [identifier for identifier, *_ in records]
    seen: dict[bytes, list[int]] = {}
    for row, s in enumerate(spectra):
        seen.setdefault(s.mz.tobytes() + s.intensity.tobytes(), []).append(row)
    twins = {row for rows in seen.values() if len(rows) > 1 for row in rows}
    return {"ids": ids, "spectra": spectra, "row_of": {v: i for i, v in enumerate(ids)}, "twins": twins}


@pytest.fixture(scope="module")
def exact_index(swgdrug):
    return SpectralIndex.build(swgdrug["spectra"], swgdrug["ids"])


@pytest.fixture(scope="module")
def clustered_index(swgdrug):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(index_module, "EXACT_LIMIT", 500)
        patch.setattr(index_module, "TRAINING_SAMPLE", 1500)
        return SpectralIndex.build(swgdrug["spectra"], swgdrug["ids"], seed=0)


@pytest.fixture(scope="module")
def replicate_queries(swgdrug):
    """Rows of the first spectrum of each replicate group (a compound with two or more spectra)."""
    lines = shared_file("spectra/replicate_groups_swgdrug_3.4.tsv").read_text().splitlines()
    header = lines[0].split("\t")
    column = header.index("accessions")
    first = [line.split("\t")[column].split(",")[0] for line in lines[1:]]
    return [swgdrug["row_of"][int(accession.removeprefix("SWG"))] for accession in first]


def _spread(count: int, total: int, skip=frozenset()) -> list[int]:
    rows = [row for row in range(0, total, 7) if row not in skip]
    return rows[:: max(1, len(rows) // count)][:count]


def _same(a, b) -> bool:
    return a.mz.tolist() == b.mz.tolist() and a.intensity.tolist() == b.intensity.tolist()


def _brute_force(
    index: SpectralIndex, query, allowed: numpy.ndarray
) -> tuple[numpy.ndarray, scores.PairScores]:
    rows = numpy.flatnonzero(allowed)
    scored = scores.identity(QueryBlock.of([query]), index.table, numpy.zeros(len(rows), numpy.int64), rows)
    return rows, scored


def _assert_clusters_cover_every_row_once(index: SpectralIndex) -> None:
    clusters = index.clusters
    n = len(index)
    assert sorted(clusters.order.tolist()) == list(range(n))
    assert clusters.offsets[0] == 0
    assert clusters.offsets[-1] == n
    assert (numpy.diff(clusters.offsets) >= 0).all()
    assert len(clusters.offsets) == len(clusters.centroids) + 1
    assert clusters.embedded.shape == (n, DIMENSIONS)
    # Each row sits in the cluster of its nearest centroid
    nearest = numpy.argmax(clusters.embedded @ clusters.centroids.T, axis=1)
    filed = numpy.repeat(numpy.arange(len(clusters.centroids)), numpy.diff(clusters.offsets))
    assert (nearest == filed).all()


# Exact index


def ranked_as_documented(hits) -> bool:
    """The shortlisted hits first, then the others, each part best first by the composite."""
    shortlisted = [hit.shortlisted for hit in hits]
    parts = [
        [hit.score for hit in hits if hit.shortlisted],
        [hit.score for hit in hits if not hit.shortlisted],
    ]
    return shortlisted == sorted(shortlisted, reverse=True) and all(
        part == sorted(part, reverse=True) for part in parts
    )


def test_exact_index_finds_each_of_50_library_spectra_first_with_999(swgdrug, exact_index):
    # Given an index of the whole library, below EXACT_LIMIT, and 50 of its spectra without an identical twin
    assert len(exact_index) == 2988 < index_module.EXACT_LIMIT
    assert exact_index.clusters is None
    rows = _spread(50, len(exact_index), swgdrug["twins"])
    assert len(rows) == 50

    # When each is searched for
    results = exact_index.search([swgdrug["spectra"][row] for row in rows])

    # Then each finds itself first with 999 forward, reverse and composite, and entropy and cosine of 1
    for row, hits in zip(rows, results, strict=True):
        assert len(hits) == 10
        best = hits[0]
        assert (best.row, best.score, best.forward, best.reverse) == (row, 999.0, 999.0, 999.0)
        assert best.entropy == pytest.approx(1.0, abs=1e-6)
        assert best.cosine == pytest.approx(1.0, abs=1e-5)
        assert ranked_as_documented(hits)


def test_identical_twins_both_score_999(swgdrug, exact_index):
    # Given a spectrum whose identical twin is also in the library
    row = min(swgdrug["twins"])

    hits = exact_index.search([swgdrug["spectra"][row]])[0]

    # Then the two top hits are it and its twin, both at 999
    twin = next(
        r for r in swgdrug["twins"] if r != row and _same(swgdrug["spectra"][r], swgdrug["spectra"][row])
    )
    assert {hits[0].row, hits[1].row} == {row, twin}
    assert [h.score for h in hits[:2]] == [999.0, 999.0]


def test_search_ranks_like_brute_force_identity_for_replicate_queries(
    swgdrug, exact_index, replicate_queries
):
    # Given 30 replicate queries, each searched with its own row excluded
    queries = replicate_queries[:30]
    assert len(queries) == 30
    for row in queries:
        allowed = numpy.ones(len(exact_index), dtype=bool)
        allowed[row] = False
        query = swgdrug["spectra"][row]

        # When the index searches and every allowed library spectrum is scored by brute force
        hits = exact_index.search([query], allowed=allowed)[0]
        rows, brute = _brute_force(exact_index, query, allowed)

        # Then the index's top hit is a brute-force best, with the same scores
        best = brute.composite.max()
        top = hits[0]
        assert top.score == best
        assert top.row in set(rows[brute.composite == best].tolist())
        position = numpy.searchsorted(rows, top.row)
        assert (top.forward, top.reverse) == (brute.forward[position], brute.reverse[position])
        assert row not in {h.row for h in hits}


def test_allowed_mask_excludes_rows(swgdrug, exact_index):
    # Given queries that are library rows 0..9, and a mask that excludes exactly those rows
    queries = [swgdrug["spectra"][row] for row in range(10)]
    allowed = numpy.ones(len(exact_index), dtype=bool)
    allowed[:10] = False

    results = exact_index.search(queries, allowed=allowed)

    # Then no hit is an excluded row
    assert all(h.row >= 10 for hits in results for h in hits)
    assert all(len(hits) == 10 for hits in results)


def test_allowed_mask_of_five_rows_returns_exactly_those_rows(swgdrug, exact_index):
    # Given a mask that allows five rows only
    allowed = numpy.zeros(len(exact_index), dtype=bool)
    allowed[[3, 500, 1000, 2000, 2987]] = True

    hits = exact_index.search([swgdrug["spectra"][500]], allowed=allowed)[0]

    # Then the hits are those five rows, the query's own row first
    assert hits[0].row == 500
    assert sorted(h.row for h in hits) == [3, 500, 1000, 2000, 2987]


@pytest.fixture(scope="module")
def retention_index(swgdrug):
    """300 spectra; even rows have a retention index of 1000 + 10 * row, odd rows none."""
    spectra = swgdrug["spectra"][:300]
    retention = [1000.0 + 10 * row if row % 2 == 0 else None for row in range(300)]
    return SpectralIndex.build(spectra, swgdrug["ids"][:300], retention_index=retention)


def test_retention_window_keeps_spectra_within_it_or_without_retention_index(swgdrug, retention_index):
    # Given the spectrum of row 100 (RI 2000) searched with RI 1500 +/- 50, every candidate kept
    options = SearchOptions(top=1000, rescored=1000)
    query = swgdrug["spectra"][100]

    hits = retention_index.search([query], options, query_retention=[1500.0], retention_window=50.0)[0]

    # Then the hits are exactly the rows with RI 1450..1550 and the rows without a retention index
    within = [row for row in range(0, 300, 2) if 1450 <= 1000 + 10 * row <= 1550]
    assert within == [46, 48, 50, 52, 54]
    assert sorted(h.row for h in hits) == sorted(within + list(range(1, 300, 2)))


def test_retention_window_edges_are_inclusive(swgdrug, retention_index):
    options = SearchOptions(top=1000, rescored=1000)

    hits = retention_index.search(
        [swgdrug["spectra"][0]], options, query_retention=[1020.0], retention_window=20
    )[0]

    assert sorted(h.row for h in hits if h.row % 2 == 0) == [0, 2, 4]


def test_retention_window_finds_the_spectrum_at_its_own_retention_index(swgdrug, retention_index):
    query = swgdrug["spectra"][100]

    hits = retention_index.search([query], query_retention=[2004.0], retention_window=10.0)[0]

    assert (hits[0].row, hits[0].score) == (100, 999.0)


def test_no_retention_filter_without_a_query_retention_or_a_window(swgdrug, retention_index):
    # Given two queries, one without a retention index, searched with a window; and one search without window
    options = SearchOptions(top=1000, rescored=1000)
    queries = [swgdrug["spectra"][100], swgdrug["spectra"][102]]

    with_window = retention_index.search(queries, options, query_retention=[None, 1500.0], retention_window=5)
    without_window = retention_index.search(queries, options, query_retention=[1500.0, 1500.0])

    # Then the query without a retention index, and both queries without a window, see every row
    assert sorted(h.row for h in with_window[0]) == list(range(300))
    assert sorted(h.row for h in with_window[1]) == sorted([50, *range(1, 300, 2)])
    assert all(sorted(h.row for h in hits) == list(range(300)) for hits in without_window)


def test_retention_window_combines_with_the_allowed_mask(swgdrug, retention_index):
    options = SearchOptions(top=1000, rescored=1000)
    allowed = numpy.zeros(300, dtype=bool)
    allowed[[1, 3, 48, 50, 200]] = True

    hits = retention_index.search(
        [swgdrug["spectra"][50]], options, allowed=allowed, query_retention=[1500.0], retention_window=10
    )[0]

    assert sorted(h.row for h in hits) == [1, 3, 50]


def test_build_refuses_a_count_of_ids_that_differs_from_the_spectra(swgdrug):
    with pytest.raises(ValueError, match="one id per spectrum is needed"):
        SpectralIndex.build(swgdrug["spectra"][:3], [1, 2])


def test_build_refuses_a_count_of_retention_indices_that_differs_from_the_spectra(swgdrug):
    with pytest.raises(ValueError):
        SpectralIndex.build(swgdrug["spectra"][:3], [1, 2, 3], retention_index=[1500.0])


def test_search_with_nothing_allowed_finds_nothing_and_no_queries_give_no_results(swgdrug, exact_index):
    nothing = numpy.zeros(len(exact_index), dtype=bool)

    assert exact_index.search([swgdrug["spectra"][0]], allowed=nothing) == [[]]
    assert exact_index.search([]) == []


def test_search_in_threads_gives_the_same_hits_as_one_thread(swgdrug, exact_index, monkeypatch):
    # Given chunks of 16 queries, so that 40 queries make three chunks
    monkeypatch.setattr(index_module, "CHUNK", 16)
    queries = swgdrug["spectra"][:40]

    assert exact_index.search(queries, workers=2) == exact_index.search(queries)


def test_extend_then_search_finds_the_new_spectra_as_a_fresh_build_does(swgdrug, exact_index):
    # Given an index of the first 2,000 spectra, extended with the remaining 988
    spectra, ids = swgdrug["spectra"], swgdrug["ids"]
    grown = SpectralIndex.build(spectra[:2000], ids[:2000], groups=[1] * 2000)
    grown.extend(spectra[2000:], ids[2000:], retention_index=[1234.0] * 988, groups=[2] * 988)
    grown.extend([], [])

    # Then it holds every spectrum with its id, group and retention index, and is still exact
    assert len(grown) == 2988
    assert grown.clusters is None
    assert grown.ids.tolist() == ids
    assert grown.groups.tolist() == [1] * 2000 + [2] * 988
    assert numpy.isnan(grown.retention_index[:2000]).all()
    assert (grown.retention_index[2000:] == 1234.0).all()
    # And new spectra are found first, with the same hits as an index built at once
    rows = [row for row in range(2000, 2988, 33) if row not in swgdrug["twins"]]
    results = grown.search([spectra[row] for row in rows])
    assert [hits[0].row for hits in results] == rows
    assert all(hits[0].score == 999.0 for hits in results)
    assert results == exact_index.search([spectra[row] for row in rows])


def test_extend_refuses_a_count_of_ids_that_differs_from_the_spectra(swgdrug):
    # Given a small index
    grown = SpectralIndex.build(swgdrug["spectra"][:2], [1, 2])

    # When it is extended with two spectra and one id
    with pytest.raises(ValueError, match="one id per spectrum is needed"):
        grown.extend(swgdrug["spectra"][2:4], [3])

    # Then nothing changed
    assert len(grown) == len(grown.table) == 2


def test_save_and_load_round_trip_gives_identical_search_results(swgdrug, tmp_path):
    # Given a small index with retention indices and groups, saved and loaded
    spectra = swgdrug["spectra"][:400]
    original = SpectralIndex.build(
        spectra,
        swgdrug["ids"][:400],
        [float(r) if r % 3 else None for r in range(400)],
        [r % 4 for r in range(400)],
    )
    path = tmp_path / "library.npz"
    original.save(path)
    loaded = SpectralIndex.load(path)

    # Then the arrays and the search results are the same, and no temporary file is left
    assert sorted(p.name for p in tmp_path.iterdir()) == ["library.npz"]
    assert loaded.clusters is None
    for name in ("ids", "groups", "weights", "retention_index"):
        numpy.testing.assert_array_equal(getattr(loaded, name), getattr(original, name))
    queries = spectra[::20]
    assert loaded.search(queries) == original.search(queries)
    assert loaded.search(queries, query_retention=[100.0] * 20, retention_window=50) == original.search(
        queries, query_retention=[100.0] * 20, retention_window=50
    )


def test_load_refuses_an_index_of_another_format_version(swgdrug, tmp_path, monkeypatch):
    path = tmp_path / "library.npz"
    SpectralIndex.build(swgdrug["spectra"][:5], swgdrug["ids"][:5]).save(path)
    monkeypatch.setattr(index_module, "FORMAT_VERSION", 2)

    with pytest.raises(ValueError, match="written by another version of FDX; rebuild the index"):
        SpectralIndex.load(path)


def test_memory_bytes_counts_the_arrays(exact_index):
    table = exact_index.table
    assert exact_index.memory_bytes() > table.mz.nbytes + table.intensity.nbytes + table.ptr.nbytes


# Clustered index (EXACT_LIMIT patched down, so that SWGDRUG is a "large" library)


def test_clustered_index_is_trained_with_clusters_covering_every_row_once(clustered_index):
    assert clustered_index.clusters is not None
    assert len(clustered_index.clusters.centroids) == max(16, int(2 * math.sqrt(2988))) == 109
    assert clustered_index.clusters.trained_size == 2988
    _assert_clusters_cover_every_row_once(clustered_index)


def test_clustered_index_finds_at_least_95_of_100_spectra_themselves_first(swgdrug, clustered_index):
    # Given 100 library spectra picked at random
    rows = numpy.random.default_rng(3).choice(len(clustered_index), 100, replace=False).tolist()

    # When each is searched for in the clustered index
    results = clustered_index.search([swgdrug["spectra"][row] for row in rows])

    # Then at least 95 find themselves first, at 999
    found = [hits[0].row == row and hits[0].score == 999.0 for row, hits in zip(rows, results, strict=True)]
    assert sum(found) >= 95


def test_clustered_search_top_hit_matches_the_exact_search(
    swgdrug, clustered_index, exact_index, replicate_queries
):
    # Given replicate queries, each with its own row excluded
    agree = 0
    for row in replicate_queries[:30]:
        allowed = numpy.ones(len(exact_index), dtype=bool)
        allowed[row] = False
        query = [swgdrug["spectra"][row]]

        clustered = clustered_index.search(query, allowed=allowed)[0]
        exact = exact_index.search(query, allowed=allowed)[0]

        # Then the mask holds on the clustered path too, and the top hit mostly agrees with the exact one
        assert row not in {h.row for h in clustered}
        agree += clustered[0].score == exact[0].score
    assert agree >= 27


def test_clustered_index_save_and_load_round_trip(swgdrug, clustered_index, tmp_path):
    path = tmp_path / "clustered.npz"
    clustered_index.save(path)
    loaded = SpectralIndex.load(path)

    assert loaded.clusters.trained_size == clustered_index.clusters.trained_size
    for name in ("basis", "centroids", "order", "offsets", "embedded"):
        numpy.testing.assert_array_equal(
            getattr(loaded.clusters, name), getattr(clustered_index.clusters, name)
        )
    queries = swgdrug["spectra"][::100]
    assert loaded.search(queries) == clustered_index.search(queries)


def test_clustered_extend_files_new_spectra_in_the_trained_clusters(swgdrug, monkeypatch):
    # Given a clustered index of 2,000 spectra
    monkeypatch.setattr(index_module, "EXACT_LIMIT", 500)
    monkeypatch.setattr(index_module, "TRAINING_SAMPLE", 1500)
    spectra, ids = swgdrug["spectra"], swgdrug["ids"]
    grown = SpectralIndex.build(spectra[:2000], ids[:2000], seed=1)
    basis, centroids = grown.clusters.basis, grown.clusters.centroids

    # When it grows by 988 spectra (less than double: no new training)
    grown.extend(spectra[2000:], ids[2000:])

    # Then the basis and centroids are kept, every row is filed once, and the new spectra are found
    assert grown.clusters.trained_size == 2000
    assert grown.clusters.basis is basis
    assert grown.clusters.centroids is centroids
    _assert_clusters_cover_every_row_once(grown)
    rows = [row for row in range(2000, 2988, 10) if row not in swgdrug["twins"]]
    results = grown.search([spectra[row] for row in rows])
    assert sum(hits[0].row == row for row, hits in zip(rows, results, strict=True)) >= 0.95 * len(rows)


def test_clustered_extend_trains_anew_once_the_library_has_doubled(swgdrug, monkeypatch):
    # Given a clustered index of 1,000 spectra
    monkeypatch.setattr(index_module, "EXACT_LIMIT", 500)
    monkeypatch.setattr(index_module, "TRAINING_SAMPLE", 1500)
    spectra, ids = swgdrug["spectra"], swgdrug["ids"]
    grown = SpectralIndex.build(spectra[:1000], ids[:1000])
    assert len(grown.clusters.centroids) == 63

    # When it grows to 2,988 (more than double)
    grown.extend(spectra[1000:], ids[1000:])

    # Then it is trained anew on the whole library
    assert grown.clusters.trained_size == 2988
    assert len(grown.clusters.centroids) == 109
    _assert_clusters_cover_every_row_once(grown)


def test_extend_below_exact_limit_drops_the_clusters(swgdrug, monkeypatch):
    # Given a clustered index of 600 spectra (EXACT_LIMIT 500) whose limit is then raised
    monkeypatch.setattr(index_module, "EXACT_LIMIT", 500)
    monkeypatch.setattr(index_module, "TRAINING_SAMPLE", 600)
    grown = SpectralIndex.build(swgdrug["spectra"][:600], swgdrug["ids"][:600])
    assert grown.clusters is not None
    monkeypatch.setattr(index_module, "EXACT_LIMIT", 1000)

    # When it grows to 700
    grown.extend(swgdrug["spectra"][600:700], swgdrug["ids"][600:700])

    # Then it is an exact index again
    assert grown.clusters is None


def test_peak_table_of_the_index_keeps_every_spectrum(swgdrug, exact_index):
    table: PeakTable = exact_index.table
    for row in (0, 1500, 2987):
        assert table.spectrum(row).mz.tolist() == swgdrug["spectra"][row].mz.tolist()
        assert table.spectrum(row).intensity.tolist() == swgdrug["spectra"][row].intensity.tolist()


# The first stage of an exact scan


def test_screen_leaves_out_only_faint_peaks_and_hits_report_the_full_cosine(swgdrug, exact_index):
    # Given the exact index of SWGDRUG and ten of its spectra as queries
    screen = exact_index._screening_matrix()
    queries = [swgdrug["spectra"][row] for row in _spread(10, len(swgdrug["spectra"]))]

    # Then the screen keeps every peak at or above the floor and nothing else
    full = exact_index.matrix
    assert screen.nnz == int((full.data >= index_module.SCREEN_FLOOR).sum())
    assert (screen.data >= index_module.SCREEN_FLOOR).all()
    assert 0 < screen.nnz < full.nnz

    # And each hit's cosine is the weighted cosine over all the peaks of both spectra
    block = QueryBlock.of(queries)
    for query, hits in enumerate(exact_index.search(queries)):
        rows = numpy.array([hit.row for hit in hits])
        expected = scores.weighted_cosine(
            block, exact_index.table, exact_index.weights, [query] * len(rows), rows
        )
        numpy.testing.assert_allclose([hit.cosine for hit in hits], expected, rtol=1e-6)
        dense = full[rows].toarray() @ block.weight[query]
        numpy.testing.assert_allclose(expected, dense, rtol=1e-5)


def _top_by_sorting(similarity, count, masks):
    pairs = []
    for query, (row, mask) in enumerate(zip(similarity, masks, strict=True)):
        allowed = numpy.arange(len(row)) if mask is None else numpy.flatnonzero(mask)
        order = allowed[numpy.argsort(-row[allowed], kind="stable")][:count]
        pairs += [(query, int(column)) for column in order]
    return pairs


@pytest.mark.parametrize("width", [3, 40, 1000])
@pytest.mark.parametrize("count", [1, 10, 50])
def test_top_of_rows_agrees_with_sorting_each_row(width, count):
    # Given similarities with ties (two decimals), a query whose mask allows few rows and one that allows none
    rng = numpy.random.default_rng(width * 100 + count)
    similarity = numpy.round(rng.random((6, width)), 2).astype(numpy.float32)
    similarity[5] = 0  # a query that shares peaks with two rows only: the rest tie at 0
    similarity[5, [1, width - 1]] = 0.5
    masks = [None, rng.random(width) < 0.5, numpy.zeros(width, bool), None, rng.random(width) < 0.02, None]

    # When each query's best are taken in one pass
    pq, pl = index_module._top_of_rows(similarity, count, masks)

    # Then they are the rows a full sort of each row gives, best first, ties by row
    assert list(zip(pq.tolist(), pl.tolist(), strict=True)) == _top_by_sorting(similarity, count, masks)


def test_top_of_rows_of_no_queries_is_empty():
    pq, pl = index_module._top_of_rows(numpy.zeros((0, 100), numpy.float32), 10, [])

    assert (len(pq), len(pl)) == (0, 0)


@pytest.mark.parametrize("top", [25, 60])
def test_asking_for_more_hits_than_are_rescored_gets_them_all(swgdrug, exact_index, clustered_index, top):
    # Given a query and options that rescore 10 candidates by default
    query = [swgdrug["spectra"][100]]
    options = SearchOptions(top=top)
    assert options.rescored < top

    for index in (exact_index, clustered_index):
        # When more hits than that are asked for
        hits = index.search(query, options)[0]

        # Then as many come back, distinct, the shortlist first, each part best first by the composite
        assert len(hits) == top
        assert len({hit.row for hit in hits}) == top
        assert ranked_as_documented(hits)


def test_the_first_hits_do_not_depend_on_how_many_are_asked_for(swgdrug, exact_index, clustered_index):
    # Given 120 queries from the library
    queries = [swgdrug["spectra"][row] for row in range(0, 2400, 20)]

    for index in (exact_index, clustered_index):
        # When one, three, ten and twenty-five hits are asked for
        found = {top: index.search(queries, SearchOptions(top=top)) for top in (1, 3, 10, 25)}

        # Then the first hit is the same whatever the number, and so is the shortlist
        for position in range(len(queries)):
            lists = [found[top][position] for top in (1, 3, 10, 25)]
            assert len({hits[0].row for hits in lists}) == 1
            shortlist = [hit.row for hit in lists[3] if hit.shortlisted]
            assert [hit.row for hit in lists[2] if hit.shortlisted] == shortlist
            assert [hit.row for hit in lists[1] if hit.shortlisted] == shortlist[:3]


def test_the_shortlist_is_the_candidates_near_the_best_cosine(swgdrug, clustered_index):
    # Given queries searched in a clustered index (its candidates' cosines are exact)
    queries = [swgdrug["spectra"][row] for row in range(5, 2400, 40)]
    found = clustered_index.search(queries, SearchOptions(top=10))

    # Then a hit is shortlisted exactly when its cosine is at least 0.8 of the best candidate's; some are not
    beyond = 0
    for hits in found:
        best = max(hit.cosine for hit in hits)
        for hit in hits:
            assert hit.shortlisted == (hit.cosine >= 0.8 * best - 1e-6)
            beyond += not hit.shortlisted
    assert beyond > 0
