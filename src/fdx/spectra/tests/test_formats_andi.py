"""AIA/ANDI-MS netCDF GC-MS runs: the apex scan of each total-ion-chromatogram peak is a spectrum to search;
a chromatogram without mass spectra is refused with that reason."""

import json

import numpy
import pytest
from typer.testing import CliRunner

from fdx.cli import app
from fdx.spectra.formats import FormatError, detect_format, read_spectra
from fdx.spectra.formats.andi import WHOLE_FILE_SCANS
from fdx.spectra.tests.builders import imported_library
from fdx.spectra.transfer import read_queries
from fdx.testing.shared_data import shared_file

RUN = "formats/andi_netcdf/agilent-gcms.cdf"  # 6,401 scans of an essential oil (Agilent, MIT)
TIC_ONLY = "formats/andi_netcdf/agilent-gcms-tic.cdf"


def test_a_cdf_file_is_an_andi_run():
    assert detect_format("RUN01.CDF") == "andi"


def test_a_run_gives_the_apex_scan_of_each_chromatogram_peak():
    spectra = read_spectra(shared_file(RUN)).spectra

    # 38 peaks stand out of the chromatogram (prominence at least 0.5 % of the highest)
    assert len(spectra) == 38
    times = [spectrum.metadata["retention_time_s"] for spectrum in spectra]
    assert times == sorted(times) and 0 < times[0] < times[-1] < 3780
    first = spectra[0]
    assert first.name == "scan 156 (1.61 min)" and first.record == 156
    assert first.metadata["extra"]["experiment title"] == "P071 Essence super BP"
    assert all(spectrum.mz.dtype == numpy.float64 and len(spectrum.mz) > 0 for spectrum in spectra)


def test_the_apex_is_the_scan_of_the_highest_total_ion_current():
    from scipy.io import netcdf_file

    with netcdf_file(str(shared_file(RUN)), "r", mmap=False) as dataset:
        tic = numpy.array(dataset.variables["total_intensity"].data)
    spectra = read_spectra(shared_file(RUN)).spectra

    assert int(numpy.argmax(tic)) + 1 in [spectrum.record for spectrum in spectra]


def test_a_short_file_is_a_table_of_spectra_read_whole(tmp_path, monkeypatch):
    monkeypatch.setattr("fdx.spectra.formats.andi.WHOLE_FILE_SCANS", 10_000)

    spectra = read_spectra(shared_file(RUN)).spectra

    assert len(spectra) == 6401 > WHOLE_FILE_SCANS
    assert [spectrum.record for spectrum in spectra[:3]] == [1, 2, 3]


def test_a_chromatogram_without_mass_spectra_is_refused_with_that_reason():
    with pytest.raises(FormatError) as refused:
        read_spectra(shared_file(TIC_ONLY))

    assert str(refused.value) == (
        "agilent-gcms-tic.cdf, field 'scan_index': "
        "this file holds only a total-ion chromatogram, no mass spectra"
    )


def test_a_file_that_is_not_netcdf_is_refused(tmp_path):
    path = tmp_path / "run.cdf"
    path.write_bytes(b"CDF\x01" + b"\xff" * 64)

    with pytest.raises(FormatError, match="run.cdf: is not a readable netCDF-3"):
        read_spectra(path)


def test_a_run_is_a_query_file():
    queries = read_queries(shared_file(RUN))

    assert len(queries) == 38 and queries[0].name == "scan 156 (1.61 min)"


@pytest.mark.django_db
def test_the_command_line_searches_a_run(persona, tmp_path):
    imported_library(persona("kz_lab_head"), tmp_path, level="international")

    result = CliRunner().invoke(app, ["spectra", "search", str(shared_file(RUN)), "--json", "--top", "1"])

    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)) == 38
