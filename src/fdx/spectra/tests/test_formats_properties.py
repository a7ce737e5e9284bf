"""Every reader, fed real files damaged at random (bytes flipped, inserted, deleted, lines cut or doubled),
either reads spectra that pass the checks or refuses with its own error naming the file and the place:
never another exception, never a spectrum that breaks the rules of :mod:`fdx.spectra.formats`."""

from pathlib import Path

import numpy
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fdx.spectra.formats import MAX_MZ, FormatError, detect_format, read_spectra, read_spectra_text
from fdx.spectra.formats.base import read_text
from fdx.testing.shared_data import shared_file

# A small real file (or the first records of a large one) of each format the readers know.
SAMPLES = {
    "msp": ("formats/matchms/massbank_five_spectra.msp", None),
    "msp-golm": ("formats/matchms/golm.msp", None),
    "msl": ("formats/matchms/JL_2021_V2.msl", None),
    "msp-swgdrug": ("spectra/swgdrug_3.4.msp", 6000),
    "msp-massbank-ei": ("spectra/massbank_ei_dev.msp", 6000),
    "jcamp": ("formats/pymassspec/nist08_test.jca", None),
    "massbank": ("formats/massbank_records/MSBNK-Fac_Eng_Univ_Tokyo-JP002772.txt", None),
    "mgf": ("formats/matchms/testdata.mgf", 8000),
    "mzml": ("formats/matchms/testdata.mzml", None),
    "mzxml": ("formats/matchms/testdata.mzXML", None),
    "andi": ("formats/andi_netcdf/agilent-gcms-tic.cdf", None),
}
FORMAT_OF = {"msp-golm": "msp", "msp-swgdrug": "msp", "msp-massbank-ei": "msp", "massbank": "massbank"}
BAD_BYTES = [b"\xc0\xc1\xc2\x98", b"\x00", b"\xff\xfe", b"\r", b"\n\n", b"1e20", b"-", b"nan", b"##", b":"]


def _sample(name: str) -> bytes:
    relative, head = SAMPLES[name]
    data = shared_file(relative).read_bytes()
    if head is not None:
        data = data[:head]
        end = b"END IONS\n" if name == "mgf" else b"\n\n"
        data = data[: data.rfind(end) + len(end)]  # whole records only
    return data


@st.composite
def damaged(draw, data: bytes) -> bytes:
    """``data`` after one to four random edits of the kinds real files suffer."""
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        kind = draw(st.sampled_from(["flip", "insert", "delete", "cut", "double", "bad"]))
        if kind == "flip" and data:
            data = data[:at] + bytes([draw(st.integers(0, 255))]) + data[at + 1 :]
        elif kind == "insert":
            data = data[:at] + draw(st.binary(min_size=1, max_size=8)) + data[at:]
        elif kind == "delete":
            data = data[:at] + data[at + draw(st.integers(1, 40)) :]
        elif kind == "cut":
            data = data[:at]
        elif kind == "double":
            end = data.find(b"\n", at)
            data = data[:end] + data[at:end] + data[end:] if end > 0 else data
        else:
            data = data[:at] + draw(st.sampled_from(BAD_BYTES)) + data[at:]
    return data


def _assert_sound(path: Path, fmt: str) -> None:
    """Read the file both ways; every outcome must be a checked spectrum or a located FormatError."""
    try:
        result = read_spectra(path, fmt, skip_bad=True)
    except FormatError as refused:
        _assert_located(refused, path)
        return
    for error in result.errors:
        _assert_located(error, path)
    for spectrum in result.spectra:
        assert len(spectrum.mz) == len(spectrum.intensity) > 0
        assert spectrum.mz.dtype == numpy.float64 and spectrum.intensity.dtype == numpy.float64
        assert (spectrum.mz > 0).all() and (spectrum.mz <= MAX_MZ).all()
        assert numpy.isfinite(spectrum.intensity).all() and (spectrum.intensity >= 0).all()
        assert spectrum.intensity.max() > 0
        assert (numpy.diff(spectrum.mz) >= 0).all()
        assert spectrum.record >= 1


def _assert_located(error: FormatError, path: Path) -> None:
    assert error.path.endswith(path.name)
    assert str(error).startswith(path.name)
    whole_file = (
        "spectrum" in error.problem
        or "empty" in error.problem
        or "zero bytes" in error.problem
        or "netCDF" in error.problem
        or "chromatogram" in error.problem
        or error.field is not None
    )
    assert error.record is not None or error.line or whole_file, str(error)


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_an_undamaged_sample_reads(name, tmp_path):
    path = tmp_path / Path(SAMPLES[name][0]).name
    path.write_bytes(_sample(name))
    fmt = FORMAT_OF.get(name)

    if name == "andi":  # the TIC-only file: refused with its reason
        with pytest.raises(FormatError, match="only a total-ion chromatogram"):
            read_spectra(path, fmt)
        return
    assert read_spectra(path, fmt).spectra


@pytest.mark.parametrize("name", sorted(SAMPLES))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_damaged_file_reads_or_is_refused_with_its_place(name, tmp_path, data):
    original = _sample(name)
    path = tmp_path / Path(SAMPLES[name][0]).name
    path.write_bytes(data.draw(damaged(original)))

    _assert_sound(path, FORMAT_OF.get(name))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_damaged_andi_run_reads_or_is_refused(tmp_path, data):
    # The full run is 2.5 MB: damage lands in its header and scan tables (the first 64 KiB) or its tail.
    original = shared_file("formats/andi_netcdf/agilent-gcms.cdf").read_bytes()
    head = data.draw(st.booleans())
    part = original[: 1 << 16] if head else original[-(1 << 16) :]
    damaged_part = data.draw(damaged(part))
    path = tmp_path / "run.cdf"
    path.write_bytes(damaged_part + original[1 << 16 :] if head else original[: -(1 << 16)] + damaged_part)

    _assert_sound(path, None)


@pytest.mark.parametrize("name", ["msp", "msp-swgdrug", "msl", "jcamp", "massbank"])
@pytest.mark.parametrize("line_end", [b"\n", b"\r\n", b"\r"])
def test_a_text_file_read_line_by_line_reads_as_the_text_in_memory(name, line_end, tmp_path):
    path = tmp_path / Path(SAMPLES[name][0]).name
    path.write_bytes(_sample(name).replace(b"\r\n", b"\n").replace(b"\n", line_end))
    fmt = FORMAT_OF.get(name) or detect_format(path)

    streamed = read_spectra(path, fmt).spectra
    in_memory = read_spectra_text(read_text(path), fmt, name=path.name).spectra

    assert [(s.name, s.record, s.line) for s in streamed] == [(s.name, s.record, s.line) for s in in_memory]
    assert all(numpy.array_equal(a.mz, b.mz) for a, b in zip(streamed, in_memory, strict=True))
