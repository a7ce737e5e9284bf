"""NIST MSP and AMDIS MSL: real libraries, every dialect's quirks, errors that name the place, round trips."""

import io

import numpy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fdx.spectra.formats import FormatError, read_spectra, read_spectra_text, write_msp
from fdx.spectra.formats.base import ParsedSpectrum
from fdx.testing.shared_data import shared_file


def _names_in(path) -> int:
    """An independent count: the lines that start a record with a name, in any case."""
    return sum(line.lower().startswith("name:") for line in path.read_text(encoding="latin-1").splitlines())


def test_swgdrug_library_reads_whole_with_its_first_record_exact():
    # Given the SWGDRUG 3.4 library
    path = shared_file("spectra/swgdrug_3.4.msp")

    # When it is read
    result = read_spectra(path)

    # Then every record is there and the first is Epiandrosterone as the file writes it
    assert len(result.spectra) == 2988 == _names_in(path)
    assert result.errors == []
    first = result.spectra[0]
    assert first.name == "Epiandrosterone"
    assert (first.record, first.line) == (1, 1)
    assert len(first.mz) == 211
    assert (first.mz[0], first.intensity[0]) == (40.0, 42.0)
    assert first.mz[numpy.argmax(first.intensity)] == 107.0
    assert first.intensity.max() == 999.0
    assert first.metadata == {
        "synonyms": ["Isoandrosterone", "3.beta.-hydroxy-5.alpha.-Androstan-17-one"],
        "formula": "C19H30O2",
        "molecular_weight": 290.0,
        "exact_mass": 290.22458,
        "cas": "481-29-8",
        "record_id": "314",
        "comment": "DEA SWL",
        "extra": {},
    }


def test_swgdrug_placeholder_cas_zero_stays_in_extra():
    # Given the second SWGDRUG record, whose CASNO is 0
    result = read_spectra(shared_file("spectra/swgdrug_3.4.msp"))

    # When its metadata is looked at
    second = result.spectra[1]

    # Then no CAS number is made up and the file's text is kept
    assert second.name == "2,5-Dimethoxyphenylnitrostyrene"
    assert "cas" not in second.metadata
    assert second.metadata["extra"] == {"CASNO": "0"}
    assert second.metadata["inchikey"] == "IRRZIWHEPWPPJF-WAYWQWQTSA-N"


def test_massbank_ei_library_reads_whole():
    # Given the MassBank EI development library
    path = shared_file("spectra/massbank_ei_dev.msp")

    # When it is read
    result = read_spectra(path)

    # Then every record is there, peaks ascending, and the first record's fields are normalised
    assert len(result.spectra) == 12494 == _names_in(path)
    assert all(numpy.all(numpy.diff(spectrum.mz) >= 0) for spectrum in result.spectra)
    first = result.spectra[0]
    assert first.name == "1-NITROPYRENE"
    assert len(first.mz) == 75
    assert first.metadata["record_id"] == "MSBNK-Fac_Eng_Univ_Tokyo-JP000001"
    assert first.metadata["ionisation_energy_ev"] == 70.0
    assert first.metadata["license"] == "CC BY-NC-SA"
    assert first.metadata["instrument_type"] == "EI-B"


@pytest.mark.parametrize(
    ("relative", "count"),
    [
        ("formats/matchms/MoNA-export-GC-MS-first10.msp", 10),
        ("formats/matchms/edge_golm.msp", 1),
        ("formats/matchms/golm.msp", 3),
        ("formats/matchms/massbank_five_spectra.msp", 5),
        ("formats/matchms/rcx_gc-ei_ms_20201028_perylene.msp", 1),
        ("formats/matchms/riken_style_five_spectra.msp", 5),
        ("formats/matchms/JL_2021_V2.msl", 1),
    ],
)
def test_each_matchms_sample_reads_with_the_records_it_holds(relative, count):
    # Given a sample file of the matchms project
    path = shared_file(relative)

    # When it is read, format from the extension
    result = read_spectra(path)

    # Then it gives as many spectra as it has named records
    assert len(result.spectra) == count == _names_in(path)
    assert [spectrum.record for spectrum in result.spectra] == list(range(1, count + 1))


def test_mona_comments_fill_the_fields_the_record_lacks():
    # Given MoNA's GC-MS export, whose structure and licence are inside "Comments:"
    spectrum = read_spectra(shared_file("formats/matchms/MoNA-export-GC-MS-first10.msp")).spectra[0]

    # Then the embedded pairs give the fields, the first SMILES wins, and "PrecursorMZ: 0" is not a precursor
    assert spectrum.metadata["smiles"] == "[O-1][N+1](=O)c(c4)c(c1)c(c3c4)c(c2cc3)c(ccc2)c1"
    assert spectrum.metadata["inchi"].startswith("InChI=1S/C16H9NO2/")
    assert spectrum.metadata["license"] == "CC BY-NC-SA"
    assert spectrum.metadata["exact_mass"] == 247.06333
    assert spectrum.metadata["ms_level"] == 1
    assert spectrum.metadata["ion_mode"] == "positive"
    assert spectrum.metadata["record_id"] == "JP000001"
    assert spectrum.metadata["synonyms"] == ["1-NITROPYRENE"]
    assert spectrum.metadata["comment"].startswith('"accession=JP000001" "author=KOGA M')
    assert "precursor_mz" not in spectrum.metadata
    assert spectrum.metadata["extra"] == {"PrecursorMZ": "0"}


def test_golm_colon_pairs_and_decimal_commas():
    # Given Golm's dialect: "70:10 76:35" peaks, "MW: 175,258" and synonyms that look like fields
    spectrum = read_spectra(shared_file("formats/matchms/edge_golm.msp")).spectra[0]

    # Then the pairs, the comma decimal and the CAS number read as meant
    assert len(spectrum.mz) == 26
    assert (spectrum.mz[0], spectrum.intensity[0]) == (85.0, 201.0)
    assert spectrum.intensity.max() == 1000.0
    assert spectrum.metadata["molecular_weight"] == 175.258
    assert spectrum.metadata["cas"] == "55493-91-9"
    assert spectrum.metadata["record_id"] == "21"
    assert len(spectrum.metadata["synonyms"]) == 26
    assert spectrum.metadata["synonyms"][0] == "MST N: Glyoxylic acid (1MEOX) (1TMS)"


def test_ms_dial_tab_peaks_with_quoted_annotations():
    # Given an MS-DIAL export: tab-separated peaks, some with a quoted annotation, RETENTIONTIME -1
    spectrum = read_spectra(shared_file("formats/matchms/rcx_gc-ei_ms_20201028_perylene.msp")).spectra[0]

    # Then the annotations are dropped, "EI+" splits into method and polarity, -1 is no retention time
    assert spectrum.name == "Perylene"
    assert len(spectrum.mz) == 19
    assert spectrum.intensity[spectrum.mz == 252.09323].tolist() == [1955166.0]
    assert spectrum.metadata["ionisation"] == "EI"
    assert spectrum.metadata["ion_mode"] == "positive"
    assert spectrum.metadata["retention_index"] == 2886.9
    assert spectrum.metadata["precursor_mz"] == 252.09323
    assert "retention_time_s" not in spectrum.metadata
    assert spectrum.metadata["extra"]["RETENTIONTIME"] == "-1"
    assert "inchi" not in spectrum.metadata  # "INCHI: " is empty


def test_riken_records_name_in_the_middle():
    # Given RIKEN's dialect, with NAME among the other fields and "NUM PEAKS"
    spectra = read_spectra(shared_file("formats/matchms/riken_style_five_spectra.msp")).spectra

    # Then names and peaks belong to their own records
    assert [spectrum.name for spectrum in spectra] == [
        "ADP",
        "Kojic acid",
        "Cyclizine",
        "Metoclopramide",
        "Tentotoxin",
    ]
    assert [len(spectrum.mz) for spectrum in spectra] == [2, 1, 3, 3, 32]
    assert spectra[1].metadata["precursor_type"] == "[M-H]-"
    assert spectra[1].metadata["ion_mode"] == "negative"


def test_amdis_msl_bracketed_peaks_and_minutes():
    # Given an AMDIS MSL file: "( 52    3) ( 55  136)" groups, RI and RT (minutes)
    spectrum = read_spectra(shared_file("formats/matchms/JL_2021_V2.msl")).spectra[0]

    # Then the groups are peaks and RT is turned into seconds
    assert spectrum.name == "G3P"
    assert len(spectrum.mz) == 30
    assert (spectrum.mz[0], spectrum.intensity[0]) == (52.0, 3.0)
    assert spectrum.intensity.max() == 1000.0
    assert spectrum.metadata["retention_index"] == 1586.2
    assert spectrum.metadata["retention_time_s"] == pytest.approx(9.648 * 60)
    assert "cas" not in spectrum.metadata
    assert spectrum.metadata["extra"]["CASNO"] == "TUBE2_~1-N1010"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("CASNO: 481298", "481-29-8"),
        ("CAS#: 50-78-2", "50-78-2"),
        ("CASNO: 7732185", "7732-18-5"),
        ("cas: 0000050-78-2", "50-78-2"),
        ("CASNO: 0", None),
        ("CAS#: NA", None),
        ("CASNO: 2147483647", None),  # the check digit is wrong: a database's integer overflow
        ("CAS#: 50-78-3", None),
    ],
)
def test_cas_numbers_get_their_hyphens_and_a_checked_digit(line, expected):
    # Given a record with a CAS field
    text = f"Name: aspirin\n{line}\nNum Peaks: 1\n41 100\n"

    # When it is read
    metadata = read_spectra_text(text, "msp").spectra[0].metadata

    # Then a valid number is formatted NNN-NN-N and anything else stays verbatim in extra
    assert metadata.get("cas") == expected
    if expected is None:
        assert list(metadata["extra"].values()) == [line.partition(":")[2].strip()]


@pytest.mark.parametrize(
    ("line", "seconds"),
    [
        ("RETENTIONTIME: 12.5", 750.0),  # MS-DIAL and MoNA write minutes
        ("RT: 9.648", 578.88),  # AMDIS writes minutes
        ("RT: 738 s", 738.0),
        ("retention time: 12.3 min", 738.0),
        ("RETENTION_TIME: 95 sec", 95.0),
        ("RETENTIONTIME: -1", None),
        ("RETENTIONTIME: soon", None),
    ],
)
def test_retention_time_is_seconds_with_minutes_by_default(line, seconds):
    # Given a record with a retention time
    text = f"Name: x\n{line}\nNum Peaks: 1\n41 100\n"

    # When it is read
    metadata = read_spectra_text(text, "msp").spectra[0].metadata

    # Then it is in seconds: a bare number is minutes, a unit is honoured, nonsense stays in extra
    if seconds is None:
        assert "retention_time_s" not in metadata
        assert len(metadata["extra"]) == 1
    else:
        assert metadata["retention_time_s"] == pytest.approx(seconds)


def test_nist_dollar_synonyms_are_annotations_not_names():
    # Given NIST's in-source annotation written as a synonym
    text = "Name: x\nSynon: aspirin\nSynon: $:00in-source\nNum Peaks: 1\n41 100\n"

    # When it is read
    metadata = read_spectra_text(text, "msp").spectra[0].metadata

    # Then only the real name is a synonym and the annotation is kept aside
    assert metadata["synonyms"] == ["aspirin"]
    assert metadata["extra"] == {"Synon": "$:00in-source"}


def test_records_without_blank_lines_between_them_and_mixed_separators():
    # Given records that follow each other without a blank line, SWGDRUG "mz int;" pairs, one unsorted
    text = "NAME: one\nNUM PEAKS: 3\n43 20; 41 100;\n42 5\nName: two\nNum peaks: 1\n50\t7\n"

    # When the text is read
    spectra = read_spectra_text(text, "msp").spectra

    # Then there are two records, the peaks sorted by m/z with their intensities
    assert [(spectrum.name, spectrum.record, spectrum.line) for spectrum in spectra] == [
        ("one", 1, 1),
        ("two", 2, 5),
    ]
    assert spectra[0].mz.tolist() == [41.0, 42.0, 43.0]
    assert spectra[0].intensity.tolist() == [100.0, 5.0, 20.0]
    assert spectra[0].mz.dtype == numpy.float64


def _bad_library(tmp_path, bad_record: str):
    path = tmp_path / "swgdrug.msp"
    good = "Name: good {n}\nNum Peaks: 2\n41 100; 43 50;\n"
    path.write_text(good.format(n=1) + "\n" + bad_record + "\n" + good.format(n=3), encoding="utf-8")
    return path


def test_a_wrong_peak_count_names_file_record_line_and_field(tmp_path):
    # Given a library whose second record says 3 peaks and gives 2
    path = _bad_library(tmp_path, "Name: bad\nNum Peaks: 3\n41 100; 43 50;\n")

    # When it is read
    with pytest.raises(FormatError) as caught:
        read_spectra(path)

    # Then the error says where and what, and nothing is imported
    error = caught.value
    assert (error.path, error.record, error.line, error.field) == (str(path), 2, 6, "Num Peaks")
    assert error.problem == "says 3 peaks, 2 were given"
    assert str(error) == "swgdrug.msp, record 2 (line 6), field 'Num Peaks': says 3 peaks, 2 were given"


@pytest.mark.parametrize(
    ("bad_record", "line", "problem"),
    [
        ("Name: bad\nNum Peaks: 2\n41 100\n43 abc\n", 8, "a peak line holds 'abc' where a number belongs"),
        ("Name: bad\nNum Peaks: 2\n41 100\n0 50\n", 8, "m/z 0 is not a finite number above 0"),
        ("Name: bad\nNum Peaks: 2\n41 100\n-3 50\n", 8, "m/z -3 is not a finite number above 0"),
        ("Name: bad\nNum Peaks: 2\n41 100\n43 -5\n", 8, "intensity -5 is not a finite number of 0 or more"),
        ("Name: bad\nNum Peaks: 2\n41 nan\n43 5\n", 7, "intensity nan is not a finite number of 0 or more"),
        ("Name: bad\nNum Peaks: 2\n41 100\n43 inf\n", 8, "intensity inf is not a finite number of 0 or more"),
        ("Name: bad\nNum Peaks: 2\n41 0\n43 0\n", 5, "every intensity is zero"),
        ("Name: bad\nNum Peaks: 0\n", 5, "the record has no peaks"),
        (
            "Name: bad\nNum Peaks: 2\n41 100 43\n",
            7,
            "peak line '41 100 43' does not hold pairs of m/z and intensity",
        ),
        (
            "Name: bad\nthis line means nothing\n",
            6,
            "'this line means nothing' is neither a 'key: value' line nor a peak line",
        ),
    ],
)
def test_each_bad_peak_is_named_by_its_line(tmp_path, bad_record, line, problem):
    # Given a library whose second record is bad in one way
    path = _bad_library(tmp_path, bad_record)

    # When it is read
    with pytest.raises(FormatError) as caught:
        read_spectra(path)

    # Then the error names the second record and the line to fix
    assert (caught.value.record, caught.value.line, caught.value.problem) == (2, line, problem)


def test_num_peaks_that_is_not_a_number_is_a_field_error(tmp_path):
    # Given a record whose count is words
    path = _bad_library(tmp_path, "Name: bad\nNum Peaks: forty\n41 100\n")

    # When it is read
    with pytest.raises(FormatError) as caught:
        read_spectra(path)

    # Then the field is named
    assert (
        str(caught.value)
        == "swgdrug.msp, record 2 (line 6), field 'Num Peaks': 'forty' is not a whole number"
    )


def test_skip_bad_returns_the_good_records_and_reports_each_bad_one(tmp_path):
    # Given a library with a good, a bad, a good, another bad and a good record
    path = tmp_path / "mixed.msp"
    path.write_text(
        "Name: a\nNum Peaks: 1\n41 1\n\nName: b\nNum Peaks: 2\n41 1\n\n"
        "Name: c\nNum Peaks: 1\n41 1\n\nName: d\nNum Peaks: 1\n0 1\n\nName: e\nNum Peaks: 1\n41 1\n",
        encoding="utf-8",
    )

    # When it is read skipping bad records
    result = read_spectra(path, skip_bad=True)

    # Then the good ones come back and each bad one is reported with its place
    assert [spectrum.name for spectrum in result.spectra] == ["a", "c", "e"]
    assert [spectrum.record for spectrum in result.spectra] == [1, 3, 5]
    assert [(error.record, error.line, error.field) for error in result.errors] == [
        (2, 6, "Num Peaks"),
        (4, 15, "m/z"),
    ]


def test_a_file_without_spectra_is_an_error(tmp_path):
    # Given an empty file and a file of bad records only
    empty = tmp_path / "empty.msp"
    empty.write_text("\n\n", encoding="utf-8")
    bad = tmp_path / "bad.msp"
    bad.write_text("Name: x\nNum Peaks: 1\n0 1\n", encoding="utf-8")

    # When they are read, the second skipping bad records
    with pytest.raises(FormatError) as nothing:
        read_spectra(empty)
    with pytest.raises(FormatError) as only_bad:
        read_spectra(bad, skip_bad=True)

    # Then both are errors that say so
    assert str(nothing.value) == "empty.msp: holds no spectrum"
    assert str(only_bad.value).startswith(
        "bad.msp: holds no readable spectrum (1 bad records; the first: bad.msp"
    )


def test_latin1_text_is_read(tmp_path):
    # Given an old export in Latin-1
    path = tmp_path / "old.msp"
    path.write_bytes("Name: Äthanol\nNum Peaks: 1\n31 999\n".encode("latin-1"))

    # When it is read
    spectrum = read_spectra(path).spectra[0]

    # Then the name is right
    assert spectrum.name == "Äthanol"


def test_windows_1251_text_is_read_as_cyrillic(tmp_path):
    # Given an export of the region's older software, in Windows-1251
    path = tmp_path / "old-ru.msp"
    text = "Name: Метамфетамин\nComments: образец изъят, 5 мкг\nNum Peaks: 2\n58 999\n91 120\n"
    path.write_bytes(text.encode("cp1251"))

    # When it is read
    spectrum = read_spectra(path).spectra[0]

    # Then the name is the Russian one, not Latin-1 mojibake
    assert spectrum.name == "Метамфетамин"


@pytest.mark.parametrize(
    "name", ["Äthanol", "1-Aminoundécane", "Cocaïne (2 µg/mL, 20 °C)", "Ñ-méthyl-éphédrine"]
)
def test_latin1_names_are_not_taken_for_cyrillic(tmp_path, name):
    path = tmp_path / "old.msp"
    path.write_bytes(f"Name: {name}\nNum Peaks: 1\n31 999\n".encode("latin-1"))

    assert read_spectra(path).spectra[0].name == name


def test_written_library_reads_back_the_same(tmp_path):
    # Given the first 200 SWGDRUG spectra
    spectra = read_spectra(shared_file("spectra/swgdrug_3.4.msp")).spectra[:200]

    # When they are written as MSP and read again
    path = tmp_path / "copy.msp"
    with path.open("w", encoding="utf-8") as stream:
        assert write_msp(spectra, stream) == 200
    again = read_spectra(path).spectra

    # Then names, peaks and all metadata are the same
    assert [spectrum.name for spectrum in again] == [spectrum.name for spectrum in spectra]
    for before, after in zip(spectra, again, strict=True):
        numpy.testing.assert_array_equal(after.mz, before.mz)
        numpy.testing.assert_array_equal(after.intensity, before.intensity)
        assert after.metadata == before.metadata


# Text that a library holds: no quote (an annotation in MSP), no "$" (a NIST annotation), no line break.
_TEXT = st.text(
    alphabet=st.characters(categories=("L", "N"), include_characters=" -,()[]'+.=/", codec="utf-8"),
    min_size=1,
    max_size=30,
).map(str.strip)
_NAME = _TEXT.filter(bool)


@st.composite
def _cas_numbers(draw):
    body = draw(st.integers(min_value=1000, max_value=99_999_999))  # at least NN-NN-N
    digits = str(body)
    check = sum(int(digit) * weight for weight, digit in enumerate(reversed(digits), 1)) % 10
    return f"{digits[:-2]}-{digits[-2:]}-{check}"


_METADATA = st.fixed_dictionaries(
    {},
    optional={
        "inchikey": st.from_regex(r"[A-Z]{14}-[A-Z]{10}-[A-Z]", fullmatch=True),
        "smiles": st.sampled_from(["CC(=O)Oc1ccccc1C(=O)O", "CN1CCC[C@H]1c1cccnc1", "O", "C#N"]),
        "formula": st.from_regex(r"C[1-9][0-9]?H[1-9][0-9]?(N[1-9])?(O[1-9])?", fullmatch=True),
        "cas": _cas_numbers(),
        "retention_index": st.floats(min_value=1, max_value=5000, allow_nan=False),
        "record_id": st.from_regex(r"[A-Z]{2}[0-9]{3,8}", fullmatch=True),
        "synonyms": st.lists(_NAME, min_size=1, max_size=4),
        "comment": _NAME,
    },
)


@st.composite
def generated_spectra(draw):
    """Spectra with one positive peak at least and main metadata, as a library holds them."""
    size = draw(st.integers(min_value=1, max_value=40))
    mz = draw(st.lists(st.floats(min_value=0.001, max_value=5000), min_size=size, max_size=size))
    intensity = draw(st.lists(st.floats(min_value=0, max_value=1e9), min_size=size, max_size=size))
    intensity[draw(st.integers(0, size - 1))] = draw(st.floats(min_value=0.01, max_value=1e9))
    metadata = {**draw(_METADATA), "extra": {}}
    return ParsedSpectrum(draw(_NAME), numpy.array(mz), numpy.array(intensity), metadata)


@settings(max_examples=150, deadline=None)
@given(st.lists(generated_spectra(), min_size=1, max_size=4))
def test_property_msp_write_then_read_gives_the_same_spectra(spectra):
    # Given generated spectra, written as MSP
    stream = io.StringIO()
    write_msp(spectra, stream)

    # When the text is read back
    again = read_spectra_text(stream.getvalue(), "msp").spectra

    # Then names, peaks (sorted by m/z) and metadata are the same
    assert len(again) == len(spectra)
    for before, after in zip(spectra, again, strict=True):
        order = numpy.argsort(before.mz, kind="stable")
        assert after.name == before.name
        numpy.testing.assert_array_equal(after.mz, before.mz[order])
        numpy.testing.assert_array_equal(after.intensity, before.intensity[order])
        assert after.metadata == before.metadata


_MSP_PIECES = st.sampled_from([
    "Name: x", "NAME:y", "Num Peaks: 2", "NUM PEAKS: -1", "Num peaks: 1e3", "41 12", "41:12 42:13", "41 abc",
    "( 41 12) (42 13)", "41\t12\t\"ann", "", " ", "Synon: $:00in-source", "CASNO: 123", "1e999 5", "-1 3",
    "RETENTIONTIME: 1,5 min", "Comments: \"SMILES=C\" \"retention time=x\"", "MW: ,", "RI: 1.2.3", ":", "::",
    "nonsense", "(", "\"", "Spectrum_type: MS99999999999999999999",
])  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(_MSP_PIECES | st.text(max_size=20), max_size=30), st.booleans())
def test_property_msp_reader_raises_only_format_errors(lines, skip_bad):
    # Given arbitrary text, made of MSP fragments and anything else
    text = "\n".join(lines)

    # When it is read, then it gives spectra or a FormatError, never another exception
    try:
        result = read_spectra_text(text, "msp", skip_bad=skip_bad)
    except FormatError:
        return
    assert all(len(spectrum.mz) > 0 and spectrum.intensity.any() for spectrum in result.spectra)
