"""The nominal-mass scale of ``science.peaks``: NIST's ceil(m/z - 0.649) binning, summing, scaling to 999,
the errors a chemist reads, and pasted peak text."""

import numpy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fdx.spectra.science.peaks import MAX_MZ, PeakError, nominal, parse_peak_text


def _pairs(spectrum) -> list[tuple[int, float]]:
    return [(int(m), float(i)) for m, i in zip(spectrum.mz, spectrum.intensity, strict=True)]


# nominal(): the ceil(m/z - 0.649) rule, one integer holds (n - 0.351, n + 0.649]


@pytest.mark.parametrize(
    ("mz", "expected"),
    [
        (91.0, 91),
        (91.35, 91),
        (91.351, 91),  # a positive mass defect up to +0.649 stays on its integer
        (91.649, 91),  # the upper edge belongs to the integer below
        (91.6491, 92),
        (91.65, 92),
        (90.6491, 91),  # the lower edge of 91 is open: 90.649 itself is 90
        (90.649, 90),
        (90.352, 90),
        (90.65, 91),
        (90.66, 91),  # a negative defect down to -0.35 goes up to its integer
        (0.65, 1),  # the lowest m/z that reaches integer 1
    ],
)
def test_nominal_assigns_each_mz_to_ceil_of_mz_minus_0_649(mz, expected):
    # When a single peak is put on the nominal scale
    spectrum = nominal([mz], [50.0])

    # Then it lands on the integer of the rule, scaled to the base peak
    assert _pairs(spectrum) == [(expected, 999.0)]


def test_nominal_sums_the_peaks_that_fall_on_one_integer():
    # Given three peaks that all round to 91 (90.7, 91.2, 91.6) and one at 92
    mz = [90.7, 91.2, 91.6, 92.0]
    intensity = [100.0, 200.0, 300.0, 300.0]

    # When they are put on the nominal scale
    spectrum = nominal(mz, intensity)

    # Then 91 holds their sum (600, the base peak) and 92 is scaled against it
    assert _pairs(spectrum) == [(91, 999.0), (92, 500.0)]  # 300 / 600 * 999 = 499.5, rounded half to even


def test_nominal_scales_to_base_peak_999_rounds_and_drops_the_zeros():
    # Given a base peak of 2000 and peaks that scale to 499.9995, 0.4995 and 1.4985
    spectrum = nominal([50.0, 51.0, 52.0, 53.0], [2000.0, 1001.0, 1.0, 3.0])

    # Then the intensities are rounded integers and the one that rounds to zero is gone
    assert _pairs(spectrum) == [(50, 999.0), (51, 500.0), (53, 1.0)]
    assert spectrum.mz.dtype == numpy.int32
    assert spectrum.intensity.dtype == numpy.float32
    assert len(spectrum) == 3


def test_nominal_drops_zero_intensities_and_keeps_the_order_of_mz():
    # Given unsorted peaks, one of them of zero intensity
    spectrum = nominal([120.0, 43.0, 77.0, 91.0], [10.0, 999.0, 0.0, 500.0])

    # Then the zero peak is gone and the rest is sorted by m/z
    assert _pairs(spectrum) == [(43, 999.0), (91, 500.0), (120, 10.0)]


def test_nominal_drops_peaks_above_max_mz_and_scales_to_the_highest_kept():
    # Given the tallest peak above MAX_MZ and one exactly on its upper edge
    spectrum = nominal([100.0, MAX_MZ + 0.649, MAX_MZ + 0.65, 3000.0], [10.0, 5.0, 50.0, 100.0])

    # Then everything above MAX_MZ is dropped and the base peak is the highest left
    assert _pairs(spectrum) == [(100, 999.0), (MAX_MZ, 500.0)]  # 5 / 10 * 999 = 499.5, half to even


@pytest.mark.filterwarnings("ignore:invalid value encountered in cast:RuntimeWarning")
def test_nominal_drops_a_huge_mz():
    assert _pairs(nominal([100.0, 1e300], [10.0, 20.0])) == [(100, 999.0)]


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize(
    ("mz", "intensity", "expected"),
    [
        ([50.0, 60.0], [1e-320, 5e-321], [(50, 999.0), (60, 500.0)]),  # actual: [(50, inf), (60, inf)]
        ([50.0, 50.2, 60.0], [1e308, 1e308, 1e307], [(50, 999.0), (60, 50.0)]),  # actual: [], no error
    ],
)
def test_nominal_scales_intensities_of_extreme_magnitude(mz, intensity, expected):
    assert _pairs(nominal(mz, intensity)) == expected


def test_nominal_drops_peaks_below_integer_one():
    # Given a peak at m/z 0.6 (integer 0) and one at 28
    spectrum = nominal([0.6, 28.0], [999.0, 10.0])

    # Then only 28 is kept, as the base peak
    assert _pairs(spectrum) == [(28, 999.0)]


@pytest.mark.parametrize(
    ("mz", "intensity", "message"),
    [
        ([], [], "the spectrum has no peaks"),
        ([41.0, 43.0], [10.0], "m/z values and intensities must be two lists of the same length"),
        ([[41.0]], [[10.0]], "m/z values and intensities must be two lists of the same length"),
        ([41.0, 0.0], [10.0, 10.0], "an m/z value is zero or negative"),
        ([41.0, -43.0], [10.0, 10.0], "an m/z value is zero or negative"),
        ([41.0, 43.0], [10.0, -1.0], "an intensity is negative"),
        ([41.0, 43.0], [0.0, 0.0], "every intensity is zero"),
        ([41.0, float("nan")], [10.0, 10.0], "an m/z value or an intensity is not a number"),
        ([41.0, 43.0], [float("nan"), 10.0], "an m/z value or an intensity is not a number"),
        ([41.0, float("inf")], [10.0, 10.0], "an m/z value or an intensity is not a number"),
        ([0.5, 3000.0], [10.0, 10.0], f"no peak with a positive intensity between m/z 1 and {MAX_MZ}"),
        ([41.0, 3000.0], [0.0, 10.0], f"no peak with a positive intensity between m/z 1 and {MAX_MZ}"),
    ],
)
def test_nominal_refuses_what_cannot_be_a_spectrum_and_says_why(mz, intensity, message):
    # When peaks that cannot be a mass spectrum are put on the nominal scale
    with pytest.raises(PeakError) as raised:
        nominal(mz, intensity)

    # Then the error says why in plain words
    assert str(raised.value) == message


def test_peak_error_is_a_value_error():
    assert issubclass(PeakError, ValueError)


# nominal(): properties over random valid peak lists

_peak_lists = st.lists(
    st.tuples(
        st.floats(min_value=0.65, max_value=MAX_MZ + 0.649, allow_nan=False),
        st.floats(min_value=1e-3, max_value=1e6, allow_nan=False),
    ),
    min_size=1,
    max_size=60,
)


def _nominal_of(peaks, factor=1.0):
    mz = [m for m, _ in peaks]
    intensity = [i * factor for _, i in peaks]
    return nominal(mz, intensity)


@given(_peak_lists)
@settings(max_examples=200, deadline=None)
def test_nominal_output_is_a_sorted_integer_spectrum_with_base_peak_999(peaks):
    # When any valid peak list is put on the nominal scale
    spectrum = _nominal_of(peaks)

    # Then m/z values are sorted, unique and within 1..MAX_MZ
    mz = spectrum.mz
    assert len(mz) >= 1
    assert (numpy.diff(mz) > 0).all()
    assert mz[0] >= 1
    assert mz[-1] <= MAX_MZ
    # And intensities are integers in 1..999 with the base peak exactly 999
    intensity = spectrum.intensity
    assert intensity.max() == 999.0
    assert (intensity >= 1).all()
    assert (intensity <= 999).all()
    assert (intensity == numpy.round(intensity)).all()
    # And every input peak's integer is present unless its share rounded to zero
    expected = {int(numpy.ceil(m - 0.649)) for m, _ in peaks}
    assert set(mz.tolist()) <= expected


@given(_peak_lists, st.integers(min_value=-20, max_value=20))
@settings(max_examples=200, deadline=None)
def test_nominal_is_exactly_invariant_to_scaling_by_a_power_of_two(peaks, exponent):
    # Given the same peaks with all intensities scaled by 2**exponent (exact in binary floating point)
    original = _nominal_of(peaks)
    scaled = _nominal_of(peaks, 2.0**exponent)

    # Then the nominal spectrum is the same, peak for peak
    assert _pairs(scaled) == _pairs(original)


def _dense(spectrum) -> numpy.ndarray:
    row = numpy.zeros(MAX_MZ + 1)
    row[spectrum.mz] = spectrum.intensity
    return row


@given(_peak_lists, st.floats(min_value=1e-4, max_value=1e4, allow_nan=False, exclude_min=True))
@settings(max_examples=200, deadline=None)
def test_nominal_is_invariant_to_scaling_by_any_positive_factor_up_to_rounding_ties(peaks, factor):
    # Given the same peaks with all intensities scaled by any positive factor
    original = _dense(_nominal_of(peaks))
    scaled = _dense(_nominal_of(peaks, factor))

    # Then each integer differs by at most the one unit a rounding tie (x.5) may flip in floating point
    assert numpy.abs(scaled - original).max() <= 1
    assert scaled.max() == original.max() == 999.0


# parse_peak_text()


def test_parse_peak_text_reads_pairs_separated_by_spaces_and_tabs_one_per_line():
    mz, intensity = parse_peak_text("41 12\n43\t100\n  57   30.5  \n")

    assert mz.tolist() == [41.0, 43.0, 57.0]
    assert intensity.tolist() == [12.0, 100.0, 30.5]
    assert mz.dtype == intensity.dtype == numpy.float64


def test_parse_peak_text_reads_msp_style_semicolon_lines_with_several_pairs():
    mz, intensity = parse_peak_text("41 12; 43 100; 44 3;\n55 7; 57 40;")

    assert mz.tolist() == [41.0, 43.0, 44.0, 55.0, 57.0]
    assert intensity.tolist() == [12.0, 100.0, 3.0, 7.0, 40.0]


def test_parse_peak_text_reads_commas_and_colons():
    # Given "m/z,intensity" lines and "m/z:intensity" pairs, as instrument software exports them
    mz, intensity = parse_peak_text("41.05,12\n43.1, 100\n57:30 58:4")

    assert mz.tolist() == [41.05, 43.1, 57.0, 58.0]
    assert intensity.tolist() == [12.0, 100.0, 30.0, 4.0]


def test_parse_peak_text_reads_exponents():
    mz, intensity = parse_peak_text("4.1e1 1.2E3")

    assert mz.tolist() == [41.0]
    assert intensity.tolist() == [1200.0]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "no peaks were given"),
        (" \n\t ;, ", "no peaks were given"),
        ("41 12; 43", "the peaks must come in pairs of m/z and intensity; one number is left over"),
        ("41 12; 43 abc;", "'abc' is not a number"),
        ("41 12\nx43 100", "'x43' is not a number"),
        ("41 12 43 1O0", "'1O0' is not a number"),
    ],
)
def test_parse_peak_text_refuses_bad_text_and_names_the_problem(text, message):
    with pytest.raises(PeakError) as raised:
        parse_peak_text(text)

    assert str(raised.value) == message


_finite = st.floats(allow_nan=False, allow_infinity=False)


@given(
    st.lists(st.tuples(_finite, _finite), min_size=1, max_size=40),
    st.sampled_from([" ", "\t", ":", ",", " , ", ";"]),
    st.sampled_from(["\n", "; ", ";", "\t", " ", "\r\n", ",\n"]),
)
@settings(max_examples=200, deadline=None)
def test_parse_peak_text_round_trips_a_formatted_peak_list(peaks, inside, between):
    # Given a peak list written as text with any of the separators
    text = between.join(f"{m!r}{inside}{i!r}" for m, i in peaks)

    # When it is parsed
    mz, intensity = parse_peak_text(text)

    # Then every number comes back exactly
    assert mz.tolist() == [m for m, _ in peaks]
    assert intensity.tolist() == [i for _, i in peaks]
