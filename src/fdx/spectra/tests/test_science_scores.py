"""Scores of ``science.scores`` on spectra built by hand, and cross-checked against an independent
re-implementation of the identity match factor, against ms_entropy, and against a direct weighted cosine."""

import math

import numpy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fdx.spectra.science import scores
from fdx.spectra.science.peaks import MAX_MZ, NominalSpectrum
from fdx.spectra.science.scores import EntropyTable, PeakTable, QueryBlock

# A toluene-like reference: 39 .. 92, base peak 91
TOLUENE = {39: 40, 50: 30, 51: 60, 63: 50, 65: 120, 89: 30, 91: 999, 92: 620}


def spectrum(peaks: dict[int, float]) -> NominalSpectrum:
    mz = sorted(peaks)
    return NominalSpectrum(
        numpy.array(mz, dtype=numpy.int32), numpy.array([peaks[m] for m in mz], dtype=numpy.float32)
    )


def identity(query: dict, reference: dict) -> tuple[float, float, float]:
    """Forward, reverse and composite of one pair, as plain floats."""
    scored = scores.identity(QueryBlock.of([spectrum(query)]), PeakTable.of([spectrum(reference)]), [0], [0])
    return float(scored.forward[0]), float(scored.reverse[0]), float(scored.composite[0])


def entropy(query: dict, reference: dict) -> float:
    table = PeakTable.of([spectrum(reference)])
    block = QueryBlock.of([spectrum(query)])
    return float(scores.entropy_similarity(block, EntropyTable.of(table), table, [0], [0])[0])


# An independent identity match factor, straight from the formula in the notes of ``scores``


def reference_identity(query: dict, library: dict) -> tuple[float, float]:
    """Forward and reverse match factors by a plain walk over the merged peaks."""
    lowest = max(min(query), min(library))  # the common scan range
    # The common intensity range: above the higher of the two lowest intensities, at most FLOOR_CAP
    floor = min(max(math.ceil(min(query.values())), math.ceil(min(library.values()))), scores.FLOOR_CAP)
    query = {m: i for m, i in query.items() if i >= floor}
    library = {m: i for m, i in library.items() if i >= floor}
    # A trace peak (<= 1) counts only where the other spectrum has a peak above 1
    u = {m: i for m, i in query.items() if m >= lowest and (i > 1 or library.get(m, 0) > 1)}
    lib = {m: i for m, i in library.items() if m >= lowest and (i > 1 or query.get(m, 0) > 1)}
    forward = _match_factor(u, lib)
    reverse = _match_factor({m: i for m, i in u.items() if m in lib}, lib)
    return forward, reverse


def _match_factor(u: dict, lib: dict) -> float:
    common = sorted(set(u) & set(lib))
    if not common:
        return 0.0
    dot = sum(m * math.sqrt(u[m]) * math.sqrt(lib[m]) for m in common)
    cos2 = dot**2 / (sum(m * i for m, i in u.items()) * sum(m * i for m, i in lib.items()))
    ratio_sum = mz_sum = 0.0
    n2 = 0
    previous = None
    for m in sorted(set(u) | set(lib)):
        if m not in u or m not in lib:
            previous = None  # an unmatched peak above 1 breaks the chain
            continue
        if previous is not None:
            rho = (math.sqrt(u[m]) / math.sqrt(u[previous])) / (math.sqrt(lib[m]) / math.sqrt(lib[previous]))
            ratio_sum += m * min(rho, 1 / rho)
            mz_sum += m
            n2 += 1
        previous = m
    n1 = len(common)
    ratio = ratio_sum / mz_sum if n2 else 0.0
    score = 1000 * (cos2 * n1 + ratio * n2) / (n1 + n2) - 0.5
    return min(max(score, 0.0), 999.0)


def test_reference_identity_of_a_worked_example():
    # Given a query {50: 100, 60: 400} and a library {50: 400, 60: 100}: cos2 = (50*200 + 60*200)^2 /
    # ((5000 + 24000) * (20000 + 6000)) = 484e6 / 754e6, one ratio with rho = (2/1) / (1/2) = 4
    cos2 = 22000**2 / (29000 * 26000)
    expected = 1000 * (cos2 * 2 + 0.25) / 3 - 0.5

    # Then the re-implementation and the score agree with the hand computation
    assert reference_identity({50: 100, 60: 400}, {50: 400, 60: 100}) == pytest.approx((expected, expected))
    forward, reverse, composite = identity({50: 100, 60: 400}, {50: 400, 60: 100})
    assert forward == pytest.approx(expected, abs=1e-3)
    assert reverse == pytest.approx(expected, abs=1e-3)
    assert composite == pytest.approx(expected, abs=1e-3)


# Hand-built spectra


def test_a_spectrum_against_itself_scores_999_and_entropy_one():
    assert identity(TOLUENE, TOLUENE) == (999.0, 999.0, 999.0)
    assert entropy(TOLUENE, TOLUENE) == pytest.approx(1.0, abs=1e-12)


def test_a_single_peak_against_itself_scores_999():
    assert identity({91: 999}, {91: 999}) == (999.0, 999.0, 999.0)


def test_spectra_with_no_common_peak_score_zero():
    # Given two spectra over the same range that share no m/z
    query = {41: 999, 55: 300, 69: 500}
    reference = {43: 999, 57: 800, 71: 200}

    assert identity(query, reference) == (0.0, 0.0, 0.0)
    assert entropy(query, reference) == pytest.approx(0.0, abs=1e-12)


def test_a_query_peak_the_reference_lacks_lowers_forward_but_not_reverse():
    # Given the reference itself, and the same with a peak at 77 the reference lacks (a mixture)
    mixture = {**TOLUENE, 77: 400}

    # When both are scored against the reference
    forward, reverse, composite = identity(mixture, TOLUENE)

    # Then the reverse score ignores the extra peak; the forward score and the composite do not
    assert reverse == 999.0
    assert forward < 999.0
    assert composite == pytest.approx((2 * forward + 999.0) / 3)
    assert (forward, reverse) == pytest.approx(reference_identity(mixture, TOLUENE), abs=0.01)


def test_a_reference_peak_the_query_lacks_lowers_both_forward_and_reverse():
    # Given a query without the reference's peak at 65
    query = {m: i for m, i in TOLUENE.items() if m != 65}

    forward, reverse, _ = identity(query, TOLUENE)

    assert forward < 999.0
    assert reverse < 999.0
    assert forward == pytest.approx(reverse)  # the query has no peak of its own to tell them apart


def test_forward_score_is_symmetric_in_query_and_reference():
    # Given two different spectra
    other = {39: 60, 51: 40, 63: 90, 65: 150, 77: 100, 91: 999, 92: 300}

    # Then the forward score does not depend on which one is the query
    assert identity(other, TOLUENE)[0] == pytest.approx(identity(TOLUENE, other)[0], abs=1e-6)


def test_peaks_below_the_reference_scan_range_do_not_count():
    # Given a query like the reference, but not identical, and the same query with peaks below m/z 39
    query = {39: 55, 50: 20, 51: 70, 63: 40, 65: 150, 89: 20, 91: 999, 92: 560}
    with_low_peaks = {27: 300, 28: 999, 29: 150, 32: 400, **query}

    # Then both score the same in every direction
    assert identity(with_low_peaks, TOLUENE) == identity(query, TOLUENE)
    assert identity(query, TOLUENE)[0] < 999.0


def test_peaks_below_the_query_scan_range_do_not_count():
    # Given a reference that also reaches below the query's first m/z (a scan from m/z 29)
    reference = {29: 400, 31: 200, **TOLUENE}

    # Then the query scores as it does against the reference without them
    assert identity(TOLUENE, reference) == (999.0, 999.0, 999.0)


def test_a_trace_query_peak_without_a_partner_does_not_count():
    # Given a reference that reports trace peaks (one at 93), and queries with a peak at 77 it lacks
    reference = {**TOLUENE, 93: 1}
    with_trace = {**TOLUENE, 77: 1}
    with_small_peak = {**TOLUENE, 77: 2}

    # Then the trace peak changes nothing, while a peak of 2 does
    assert identity(with_trace, reference) == (999.0, 999.0, 999.0)
    assert identity(with_small_peak, reference)[0] < 999.0


def test_a_trace_reference_peak_without_a_partner_does_not_count():
    # Given a reference with a trace peak at 77 the query lacks
    reference = {**TOLUENE, 77: 1}

    assert identity(TOLUENE, reference) == (999.0, 999.0, 999.0)


def test_peaks_below_the_other_spectrum_reporting_floor_do_not_count():
    # Given a reference whose smallest peak is 4 (its laboratory reported nothing smaller), and a query
    # that reports down to 1: the same spectrum with small peaks the reference lacks
    reference = {**TOLUENE, 52: 4}
    query = {**reference, 74: 1, 75: 2, 76: 3}

    # Then the query's peaks below 4 are as if absent in both directions, while one of 4 counts
    assert identity(query, reference) == (999.0, 999.0, 999.0)
    assert identity(reference, query) == (999.0, 999.0, 999.0)
    assert identity({**query, 77: 4}, reference)[0] < 999.0
    assert (identity(query, reference)[:2]) == pytest.approx(reference_identity(query, reference), abs=0.01)


def test_the_reporting_floor_counts_up_to_its_cap():
    # Given a reference whose smallest peak is 30 (toluene drawn with few peaks)
    below_cap = {**TOLUENE, 77: scores.FLOOR_CAP - 1}
    at_cap = {**TOLUENE, 77: scores.FLOOR_CAP}

    # Then a query peak below the cap the reference lacks does not count, one at the cap does: a few small
    # peaks do not make a spectrum a thresholded one
    assert identity(below_cap, TOLUENE) == (999.0, 999.0, 999.0)
    assert identity(at_cap, TOLUENE)[0] < 999.0


def test_two_trace_peaks_at_one_mz_do_not_count():
    # Given a query that differs from the reference, and both with a trace peak at 77
    query = {**TOLUENE, 65: 200}
    both_trace = identity({**query, 77: 1}, {**TOLUENE, 77: 1})

    # Then the pair of trace peaks is as if absent
    assert both_trace == identity(query, TOLUENE)


def test_a_trace_peak_counts_against_a_partner_above_1():
    # Given a reference that reports trace peaks, and a query with a trace peak at 92 where it has 620
    reference = {**TOLUENE, 93: 1}
    query = {**TOLUENE, 92: 1}
    without = {m: i for m, i in TOLUENE.items() if m != 92}

    # Then the trace peak is a common peak: the score differs from leaving it out, and agrees with the formula
    forward, reverse, _ = identity(query, reference)
    assert (forward, reverse) != identity(without, reference)[:2]
    assert (forward, reverse) == pytest.approx(reference_identity(query, reference), abs=0.01)


def test_an_unmatched_query_peak_breaks_the_ratio_chain_in_forward_only():
    # Given a query with a peak at 90, between the common peaks 89 and 91, that the reference lacks
    reference = {89: 300, 91: 999}
    query = {89: 300, 90: 500, 91: 999}

    # Then forward has 2 common peaks and no ratio; reverse 2 common peaks and one ratio of 1
    forward, reverse, _ = identity(query, reference)
    cos2 = (89 * 300 + 91 * 999) ** 2 / ((89 * 300 + 90 * 500 + 91 * 999) * (89 * 300 + 91 * 999))
    assert forward == pytest.approx(1000 * cos2 - 0.5, abs=1e-3)
    assert reverse == 999.0


def test_identity_scores_many_pairs_in_one_call_in_the_order_asked():
    # Given two queries and three references, scored in a scrambled order of pairs
    queries = [TOLUENE, {**TOLUENE, 77: 400}]
    references = [{41: 999, 43: 50}, TOLUENE, {**TOLUENE, 65: 10}]
    pq, pl = [1, 0, 0, 1, 0], [1, 1, 2, 0, 0]

    scored = scores.identity(
        QueryBlock.of([spectrum(q) for q in queries]), PeakTable.of([spectrum(r) for r in references]), pq, pl
    )

    # Then each pair scores as it does alone
    for position, (q, r) in enumerate(zip(pq, pl, strict=True)):
        alone = identity(queries[q], references[r])
        assert (scored.forward[position], scored.reverse[position], scored.composite[position]) == alone


# Cross-checks on random pairs


def _random_spectrum(rng: numpy.random.Generator, low: int) -> dict[int, float]:
    count = int(rng.integers(1, 30))
    mz = rng.choice(numpy.arange(low, 110), size=count, replace=False)
    intensity = rng.integers(2, 1000, size=count).astype(float)
    intensity[rng.random(count) < 0.2] = 1.0  # trace peaks
    return dict(zip(mz.tolist(), intensity.tolist(), strict=True))


def _relative(rng: numpy.random.Generator, peaks: dict[int, float]) -> dict[int, float]:
    """A spectrum like ``peaks``: intensities jittered, peaks lost and added, sometimes a later scan start."""
    out = {}
    for m, i in peaks.items():
        if rng.random() < 0.15:
            continue
        out[m] = float(numpy.clip(numpy.rint(i * rng.lognormal(0, 0.4)), 1, 999))
    for m in rng.integers(30, 110, size=int(rng.integers(0, 6))).tolist():
        out.setdefault(m, float(rng.choice([1.0, 2.0, float(rng.integers(2, 1000))])))
    if rng.random() < 0.3:
        start = int(rng.integers(30, 70))
        out = {m: i for m, i in out.items() if m >= start}
    if rng.random() < 0.3:  # a laboratory that reports nothing below a floor
        floor = int(rng.integers(2, 9))
        out = {m: i for m, i in out.items() if i >= floor}
    return out or {int(rng.integers(30, 110)): 999.0}


def _random_pairs(seed: int, count: int) -> list[tuple[dict, dict]]:
    rng = numpy.random.default_rng(seed)
    pairs = []
    for _ in range(count):
        a = _random_spectrum(rng, int(rng.choice([30, 30, 45])))
        b = _relative(rng, a) if rng.random() < 0.7 else _random_spectrum(rng, 30)
        pairs.append((a, b))
    return pairs


def test_identity_agrees_with_the_independent_re_implementation_on_random_pairs():
    # Given 400 random pairs (mostly related spectra, with trace peaks and different scan ranges)
    pairs = _random_pairs(seed=20240601, count=400)

    # When they are scored in one call
    scored = scores.identity(
        QueryBlock.of([spectrum(a) for a, _ in pairs]),
        PeakTable.of([spectrum(b) for _, b in pairs]),
        numpy.arange(len(pairs)),
        numpy.arange(len(pairs)),
    )

    # Then forward, reverse and composite agree with the plain walk over merged peaks within 0.01
    expected = numpy.array([reference_identity(a, b) for a, b in pairs])
    numpy.testing.assert_allclose(scored.forward, expected[:, 0], rtol=0, atol=0.01)
    numpy.testing.assert_allclose(scored.reverse, expected[:, 1], rtol=0, atol=0.01)
    numpy.testing.assert_allclose(
        scored.composite, (2 * expected[:, 0] + expected[:, 1]) / 3, rtol=0, atol=0.01
    )
    # And the pairs span the scale, so the agreement means something
    assert (expected[:, 0] == 0).sum() > 10
    assert (expected[:, 0] > 700).sum() > 50
    assert (expected[:, 0] != expected[:, 1]).sum() > 100


_peaks = st.dictionaries(
    st.integers(30, 80), st.sampled_from([1.0, 2.0, 5.0, 40.0, 300.0, 999.0]), min_size=1
)


@given(_peaks, _peaks)
@settings(max_examples=150, deadline=None)
def test_identity_agrees_with_the_re_implementation_for_any_pair(query, reference):
    forward, reverse, composite = identity(query, reference)

    assert composite == pytest.approx((2 * forward + reverse) / 3)
    expected_forward, expected_reverse = reference_identity(query, reference)
    assert forward == pytest.approx(expected_forward, abs=0.01)
    assert reverse == pytest.approx(expected_reverse, abs=0.01)
    assert forward == pytest.approx(identity(reference, query)[0], abs=1e-3)  # forward is symmetric


def _as_array(peaks: dict[int, float]) -> numpy.ndarray:
    return numpy.array(sorted(peaks.items()), dtype=numpy.float32)


def test_entropy_similarity_agrees_with_ms_entropy_on_random_pairs():
    ms_entropy = pytest.importorskip("ms_entropy")

    # Given 300 random pairs, high-entropy and low-entropy (few peaks) alike
    pairs = _random_pairs(seed=7, count=300)
    table = PeakTable.of([spectrum(b) for _, b in pairs])

    # When they are scored in one call
    similarity = scores.entropy_similarity(
        QueryBlock.of([spectrum(a) for a, _ in pairs]),
        EntropyTable.of(table),
        table,
        numpy.arange(len(pairs)),
        numpy.arange(len(pairs)),
    )

    # Then they agree with Li et al.'s own implementation
    expected = [
        ms_entropy.calculate_entropy_similarity(
            _as_array(a), _as_array(b), ms2_tolerance_in_da=0.05, clean_spectra=True, noise_threshold=0.0
        )
        for a, b in pairs
    ]
    numpy.testing.assert_allclose(similarity, expected, rtol=0, atol=1e-5)
    assert min(expected) < 0.2
    assert max(expected) > 0.9


def test_weighted_cosine_agrees_with_a_direct_numpy_computation():
    # Given 200 random pairs
    pairs = _random_pairs(seed=11, count=200)
    library = PeakTable.of([spectrum(b) for _, b in pairs])

    # When the prefilter cosine is computed
    cosine = scores.weighted_cosine(
        QueryBlock.of([spectrum(a) for a, _ in pairs]),
        library,
        scores.prefilter_weights(library),
        numpy.arange(len(pairs)),
        numpy.arange(len(pairs)),
    )

    # Then it is the cosine of I^0.53 * m^1.3 on dense rows
    def weighted(peaks):
        row = numpy.zeros(MAX_MZ + 1)
        for m, i in peaks.items():
            row[m] = i**0.53 * m**1.3
        return row / numpy.linalg.norm(row)

    expected = [weighted(a) @ weighted(b) for a, b in pairs]
    numpy.testing.assert_allclose(cosine, expected, rtol=1e-5, atol=1e-6)


# Building blocks


def test_segment_sums_give_zero_for_pairs_without_elements():
    # Given elements of pairs 1, 1, 3 among five pairs (0, 2 and 4 have none, 4 is past the end)
    segments = scores._Segments(numpy.array([1, 1, 3]), 5)

    # Then each pair's sum is over its own elements only
    assert segments.sum(numpy.array([2.0, 3.0, 7.0])).tolist() == [0.0, 5.0, 0.0, 7.0, 0.0]
    assert segments.lengths.tolist() == [0, 2, 0, 1, 0]


def test_the_reporting_floor_is_each_spectrum_lowest_intensity_rounded_up():
    table = PeakTable.of(
        [spectrum({40: 1, 50: 500}), spectrum({30: 999, 45: 3}), spectrum({}), spectrum({7: 999})]
    )

    assert table.floor.tolist() == [1.0, 3.0, 0.0, 999.0]


def test_query_norms_start_at_an_mz_and_count_peaks_at_or_above_a_level():
    # Given two queries
    block = QueryBlock.of([spectrum({40: 1, 50: 500, 60: 3}), spectrum({30: 999, 45: 2, 70: 20})])

    # Then each norm sums m/z * I over the query's peaks from the m/z on, at or above the level's intensity
    norms = block.norm_from(
        numpy.array([0, 0, 1, 1, 1]),
        numpy.array([0, 55, 30, 31, 71]),
        scores._level(numpy.array([1.0, 1.0, 1.0, 3.0, 1.0])),
    )
    assert norms.tolist() == [50 * 500 + 60 * 3, 60 * 3, 30 * 999 + 45 * 2 + 70 * 20, 70 * 20, 0]
