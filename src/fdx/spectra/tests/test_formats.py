"""The public face of fdx.spectra.formats: format detection, errors, MGF/mzML/mzXML (pyteomics), MassBank."""

import pickle

import numpy
import pytest

from fdx.spectra.formats import (
    FORMATS,
    FormatError,
    ParsedSpectrum,
    detect_format,
    read_spectra,
    read_spectra_text,
)
from fdx.testing.shared_data import shared_file


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("library.msp", "msp"),
        ("LIBRARY.MSP", "msp"),
        ("amdis.MSL", "msl"),
        ("webbook.jdx", "jcamp"),
        ("run.JDX", "jcamp"),
        ("old.dx", "jcamp"),
        ("x.jcamp", "jcamp"),
        ("nist.jca", "jcamp"),
        ("gnps.mgf", "mgf"),
        ("run.mzML", "mzml"),
        ("run.mzXML", "mzxml"),
    ],
)
def test_format_is_detected_from_the_extension(name, fmt):
    # Given a file name, when its format is detected, then the extension decides, in any case
    assert detect_format(f"/uploads/{name}") == fmt
    assert fmt in FORMATS


def test_an_unknown_extension_is_a_format_error():
    # Given a file of a kind FDX does not read
    # When its format is detected
    with pytest.raises(FormatError) as caught:
        detect_format("/uploads/record.txt")

    # Then the error names the file and the extension
    assert caught.value.path == "/uploads/record.txt"
    assert str(caught.value).startswith(
        "record.txt: the extension '.txt' is not a spectrum format (.cdf, .dx, "
    )


def test_format_error_reads_like_a_place_in_a_file():
    # Given the parts of an error in the 12th record of a library
    error = FormatError(
        "/data/swgdrug.msp", "says 40 peaks, 39 were given", record=12, line=345, field="Num Peaks"
    )

    # Then it reads as one sentence, keeps its parts, and survives pickling (tasks carry it)
    assert str(error) == "swgdrug.msp, record 12 (line 345), field 'Num Peaks': says 40 peaks, 39 were given"
    assert isinstance(error, ValueError)
    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes, made one line above
    assert (copy.path, copy.record, copy.line, copy.field, copy.problem) == (
        "/data/swgdrug.msp",
        12,
        345,
        "Num Peaks",
        "says 40 peaks, 39 were given",
    )
    assert str(copy) == str(error)


def test_format_error_of_an_xml_spectrum_names_its_id():
    # Given an error in an mzML spectrum, which has no useful line
    error = FormatError("run.mzML", "the record has no peaks", record=3, spectrum_id="scan=3")

    # Then the spectrum's id stands where the line would
    assert str(error) == "run.mzML, record 3 (spectrum 'scan=3'): the record has no peaks"


def test_an_unknown_format_name_is_refused(tmp_path):
    # Given a file and a format FDX does not know
    path = tmp_path / "x.msp"
    path.write_text("Name: x\nNum Peaks: 1\n41 1\n", encoding="utf-8")

    # When it is read with that format, then it is refused
    with pytest.raises(FormatError, match="'netcdf' is not a format FDX reads"):
        read_spectra(path, "netcdf")
    with pytest.raises(FormatError, match="'mgf' is not a text format"):
        read_spectra_text("", "mgf")


def test_mgf_library_of_gnps():
    # Given GNPS's MGF sample: NAME lines and no TITLE
    path = shared_file("formats/matchms/testdata.mgf")

    # When it is read
    spectra = read_spectra(path).spectra

    # Then every ion block is a spectrum with its compound name, precursor and structure
    assert len(spectra) == 30 == path.read_text().count("BEGIN IONS")
    first = spectra[0]
    assert first.name == "1,2-Dierucoyl-sn-glycero-3-phosphocholine M+H"
    assert (first.record, first.line) == (1, 0)
    assert len(first.mz) == 23
    assert (first.mz[0], first.intensity[0]) == (66.137428, 428881.90625)
    assert first.metadata["precursor_mz"] == 898.727
    assert first.metadata["ms_level"] == 2
    assert first.metadata["record_id"] == "CCMSLIB00000479320"
    assert first.metadata["instrument_type"] == "DI-ESI-Orbitrap"
    assert first.metadata["inchi"].startswith("InChI=1S/C26H52NO7P/")
    assert "smiles" not in first.metadata  # "SMILES= " is empty
    assert first.metadata["extra"]["ionmode"] == "n/a"
    last = spectra[-1]
    assert last.metadata["ion_mode"] == "positive"
    assert last.metadata["inchi"].startswith("InChI=1S/C19H19N7O6/")  # GNPS's quotes removed
    assert last.metadata["extra"]["smiles"] == "N/A"


def test_mzml_run_with_times_in_seconds():
    # Given matchms's mzML sample (scan start times in seconds)
    path = shared_file("formats/matchms/testdata.mzml")

    # When it is read
    spectra = read_spectra(path).spectra

    # Then every spectrum comes with its id, level, polarity, time and precursor
    assert len(spectra) == 12 == path.read_text().count("<spectrum ")
    first, last = spectra[0], spectra[-1]
    assert len(first.mz) == 1111
    assert first.metadata["record_id"] == "controllerType=0 controllerNumber=1 scan=1"
    assert first.metadata["ms_level"] == 1
    assert first.metadata["ion_mode"] == "positive"
    assert first.metadata["retention_time_s"] == 0.121088
    assert last.metadata["ms_level"] == 2
    assert last.metadata["precursor_mz"] == 121.06
    assert first.mz.dtype == first.intensity.dtype == numpy.float64


def test_mzml_of_pymassspec():
    # Given PyMassSpec's mzML sample
    path = shared_file("formats/pymassspec/example.mzML")

    # When it is read, then its 11 scans come back, named by their id
    spectra = read_spectra(path).spectra
    assert len(spectra) == 11 == path.read_text().count("<spectrum ")
    assert spectra[0].name == "controllerType=0 controllerNumber=1 scan=1"
    assert len(spectra[0].mz) == 917


def test_mzxml_run_with_times_in_minutes():
    # Given matchms's mzXML sample (retention times written as durations, read by pyteomics as minutes)
    path = shared_file("formats/matchms/testdata.mzXML")

    # When it is read
    spectra = read_spectra(path).spectra

    # Then the scans come back with times converted to seconds
    assert len(spectra) == 5 == path.read_text().count("<scan ")
    first, last = spectra[0], spectra[-1]
    assert (first.name, len(first.mz)) == ("scan 217", 1148)
    assert first.metadata["retention_time_s"] == pytest.approx(348.146)
    assert first.metadata["ion_mode"] == "negative"
    assert (last.metadata["ms_level"], last.metadata["precursor_mz"]) == (3, 191.0561371)


_MGF = """\
BEGIN IONS
TITLE=silent
PEPMASS=200.5
41 0
43 0
END IONS
BEGIN IONS
TITLE=good
PEPMASS=180.1
RTINSECONDS=61.5
41 10
43 20
END IONS
"""


def test_mgf_record_failing_the_checks_is_reported_by_title(tmp_path):
    # Given an MGF file whose first spectrum has only zero intensities
    path = tmp_path / "two.mgf"
    path.write_text(_MGF, encoding="utf-8")

    # When it is read strictly, then leniently
    with pytest.raises(FormatError) as caught:
        read_spectra(path)
    result = read_spectra(path, skip_bad=True)

    # Then the spectrum is named by its title, and the good one is kept
    assert str(caught.value) == "two.mgf, record 1 (spectrum 'silent', line 1): every intensity is zero"
    assert [spectrum.name for spectrum in result.spectra] == ["good"]
    assert result.spectra[0].metadata["retention_time_s"] == 61.5
    assert result.spectra[0].metadata["precursor_mz"] == 180.1


def test_damaged_mgf_is_a_format_error_naming_the_spectrum(tmp_path):
    # Given an MGF file whose second spectrum has a peak line of words
    path = tmp_path / "damaged.mgf"
    path.write_text(_MGF.replace("43 20", "43 twenty").replace("41 0\n43 0", "41 5\n43 6"), encoding="utf-8")

    # When it is read
    with pytest.raises(FormatError) as caught:
        read_spectra(path)

    # Then the error names the file and the spectrum after the last good one
    assert caught.value.record == 2
    assert str(caught.value).startswith("damaged.mgf, record 2: cannot be read after spectrum 'silent': ")
    assert "43 twenty" in caught.value.problem


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("broken.mzML", "<mzML><run><spectrumList><spectrum id='x'>garbage"),
        ("broken.mzXML", "not xml at all"),
    ],
)
def test_damaged_xml_is_a_format_error_with_its_line(tmp_path, name, text):
    # Given a damaged XML run
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")

    # When it is read
    with pytest.raises(FormatError) as caught:
        read_spectra(path)

    # Then the error names the file and the XML line lxml stopped at
    assert (caught.value.path, caught.value.record, caught.value.line) == (str(path), 1, 1)
    assert str(caught.value).startswith(f"{name}, record 1 (line 1): cannot be read: ")


def test_a_missing_file_is_not_a_format_error(tmp_path):
    # Given a path where nothing is, when it is read, then the operating system's error comes through
    with pytest.raises(FileNotFoundError):
        read_spectra(tmp_path / "gone.mzML")
    with pytest.raises(FileNotFoundError):
        read_spectra(tmp_path / "gone.msp")


@pytest.mark.parametrize(
    ("record", "name", "peaks"),
    [
        ("MSBNK-Fac_Eng_Univ_Tokyo-JP002772", "COCAINE", 169),
        ("MSBNK-Fac_Eng_Univ_Tokyo-JP002800", "LSD", 150),
        ("MSBNK-Fac_Eng_Univ_Tokyo-JP003206", "BARBITAL", 26),
        ("MSBNK-Fac_Eng_Univ_Tokyo-JP003836", "DIAZEPAM", 168),
        ("MSBNK-Fac_Eng_Univ_Tokyo-JP003853", "CODEINE", 255),
        ("MSBNK-Fac_Eng_Univ_Tokyo-JP008252", "PHENETHYLAMINE", 15),
        ("MSBNK-Kazusa-KZ000017", "Caffeine", 50),
    ],
)
def test_massbank_records_read_when_asked_for(record, name, peaks):
    # Given a MassBank record file (.txt, so the format is named)
    path = shared_file(f"formats/massbank_records/{record}.txt")

    # When it is read as MassBank
    spectra = read_spectra(path, "massbank").spectra

    # Then it is one spectrum with its accession, name and declared number of peaks
    assert [(spectrum.name, len(spectrum.mz)) for spectrum in spectra] == [(name, peaks)]
    assert spectra[0].metadata["record_id"] == record
    assert spectra[0].metadata["ion_mode"] == "positive"


def test_massbank_record_fields_and_absolute_intensities():
    # Given Kazusa's caffeine record (GC-EI-TOF, with retention index and time in seconds)
    spectrum = read_spectra(
        shared_file("formats/massbank_records/MSBNK-Kazusa-KZ000017.txt"), "massbank"
    ).spectra[0]

    # Then the subtagged fields are normalised and the others kept with their subtag
    assert (spectrum.mz[0], spectrum.intensity[0]) == (82.0, 763.0)
    assert spectrum.metadata["cas"] == "58-08-2"
    assert spectrum.metadata["inchikey"] == "RYYVLZVUVIJVGH-UHFFFAOYSA-N"
    assert spectrum.metadata["inchi"] == "InChI=1S/C8H10N4O2/c1-10-4-9-6-5(10)7(13)12(3)8(14)11(6)2/h4H,1-3H3"
    assert spectrum.metadata["retention_index"] == 2379.4
    assert spectrum.metadata["retention_time_s"] == 1063.86
    assert spectrum.metadata["instrument_type"] == "GC-EI-TOF"
    assert spectrum.metadata["ms_level"] == 1
    assert spectrum.metadata["license"] == "CC BY-SA"
    assert spectrum.metadata["extra"]["CH$LINK KEGG"] == "C07481"
    assert spectrum.metadata["extra"]["AC$CHROMATOGRAPHY COLUMN_NAME"] == "DB-17MS"


def test_massbank_record_with_a_wrong_peak_count(tmp_path):
    # Given a MassBank record that declares more peaks than it lists
    text = shared_file("formats/massbank_records/MSBNK-Kazusa-KZ000017.txt").read_text()
    path = tmp_path / "KZ000017.txt"
    path.write_text(text.replace("PK$NUM_PEAK: 50", "PK$NUM_PEAK: 51"), encoding="utf-8")

    # When it is read, then the count's line and field are named
    with pytest.raises(FormatError) as caught:
        read_spectra(path, "massbank")
    assert (
        str(caught.value)
        == "KZ000017.txt, record 1 (line 29), field 'PK$NUM_PEAK': says 51 peaks, 50 were given"
    )


def test_a_parsed_spectrum_is_a_plain_record():
    # Given a spectrum made by hand, then it holds what it was given, with empty metadata by default
    spectrum = ParsedSpectrum("x", numpy.array([41.0]), numpy.array([1.0]))
    assert (spectrum.name, spectrum.metadata, spectrum.record, spectrum.line) == ("x", {}, 0, 0)
