"""JCAMP-DX mass spectra: NIST libraries, GC-MS runs in pages, linked blocks, errors, round trips."""

import contextlib
import io

import numpy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fdx.spectra.formats import FormatError, read_spectra, read_spectra_text, write_jcamp, write_msp
from fdx.spectra.tests.test_formats_msp import generated_spectra
from fdx.testing.shared_data import shared_file


def test_nist_library_of_concatenated_blocks():
    # Given NIST's .jca test library: ten blocks, one after the other, without ##END
    path = shared_file("formats/pymassspec/nist08_test.jca")

    # When it is read
    spectra = read_spectra(path).spectra

    # Then each ##TITLE block is a spectrum with its label fields
    titles = [line for line in path.read_text().splitlines() if line.startswith("##TITLE=")]
    assert len(spectra) == 10 == len(titles)
    assert [spectrum.name for spectrum in spectra] == [f"Example test entry {n}" for n in range(1, 11)]
    first = spectra[0]
    assert (first.record, first.line) == (1, 1)
    assert first.mz.tolist() == [12.0, 13.0, 14.0, 24.0, 25.0, 26.0, 27.0, 28.0]
    assert first.intensity.tolist() == [250.0, 560.0, 20.0, 560.0, 2010.0, 9999.0, 280.0, 20.0]
    assert first.metadata["molecular_weight"] == 26.016
    assert first.metadata["synonyms"] == ["TEST"]
    assert first.metadata["formula"] == "XXXX"
    assert "cas" not in first.metadata  # 000000-00-0 is a placeholder
    assert first.metadata["extra"]["CAS REGISTRY NO"] == "000000-00-0"
    assert first.metadata["extra"]["$CONDENSED SPECTRUM"] == "NO"
    assert first.metadata["extra"]["$RETENTION INDEX"] == "0"
    assert (spectra[1].record, spectra[1].line) == (2, 24)


def test_gc_ms_run_in_pages_gives_one_spectrum_a_scan():
    # Given a MassLynx GC-MS run exported as JCAMP-DX pages (retention times in seconds)
    path = shared_file("formats/pymassspec/ELEY_1_SUBTRACT.JDX")

    # When it is read
    spectra = read_spectra(path).spectra

    # Then every scan is a spectrum with the run's labels and its own retention time
    assert len(spectra) == 2103 == path.read_text().count("##SCAN_NUMBER=")
    first, last = spectra[0], spectra[-1]
    assert (first.name, len(first.mz), first.line) == ("scan 1", 101, 1)
    assert (first.mz[0], first.intensity[0]) == (52.0131, 5356.0)
    assert first.metadata["retention_time_s"] == 1.05200003833
    assert first.metadata["ionisation"] == "EI"
    assert first.metadata["ion_mode"] == "positive"
    assert first.metadata["extra"]["TIC"] == "2687783.0"
    assert (last.name, last.record) == ("scan 2103", 2103)
    assert last.metadata["retention_time_s"] == 2220.76400757
    assert last.metadata["extra"]["SCAN_NUMBER"] == "2103"


def test_run_with_an_empty_scan_fails_whole_or_skips_the_scan():
    # Given a run whose third scan has no peaks
    path = shared_file("formats/pymassspec/aa_4_aq_110124_056.func_0.JDX")

    # When it is read, strictly and then skipping bad records
    with pytest.raises(FormatError) as caught:
        read_spectra(path)
    result = read_spectra(path, skip_bad=True)

    # Then the strict read names the scan, the lenient one keeps the 7,665 others
    assert str(caught.value) == "aa_4_aq_110124_056.func_0.JDX, record 3 (line 46): the record has no peaks"
    assert len(result.spectra) == 7665
    assert [(error.record, error.line) for error in result.errors] == [(3, 46)]
    assert result.spectra[0].name == "AA_4_Aq_110124_056 scan 1"


_LINKED = """\
##TITLE=Two drugs
##JCAMP-DX=5.01
##DATA TYPE=LINK
##BLOCKS=2
##TITLE=Aspirin $$ the first block
##JCAMP-DX=5.01
##BLOCK_ID=1
##DATA TYPE=MASS SPECTRUM
##NAMES=acetylsalicylic acid
2-acetoxybenzoic acid
##MOLFORM=C 9 H 8 O 4
##CAS REGISTRY NO=50-78-2
##$RETENTION INDEX=1389
##$NIST SOURCE=MSDC
##RETENTION_TIME=612.5
##NPOINTS=4
##PEAK TABLE=(XY..XY)
120,999 92,310; 138,250
$$ a comment line inside the table
180,60
##END=
##TITLE=Caffeine
##JCAMP-DX=4.24
##BLOCK_ID=2
##DATA TYPE=MASS SPECTRUM
##XFACTOR=0.1
##YFACTOR=10
##NPOINTS=2
##XYDATA=(XYXY)
1940 99.9 1090 40
##END=
##END=
"""


def test_linked_blocks_with_every_peak_layout():
    # Given a LINK block holding two spectra, points separated by commas, spaces and semicolons
    result = read_spectra_text(_LINKED, "jcamp")

    # Then the container is no spectrum and each block is read with its labels and factors
    aspirin, caffeine = result.spectra
    assert (aspirin.name, aspirin.record, aspirin.line) == ("Aspirin", 1, 5)
    assert aspirin.mz.tolist() == [92.0, 120.0, 138.0, 180.0]
    assert aspirin.intensity.tolist() == [310.0, 999.0, 250.0, 60.0]
    assert aspirin.metadata == {
        "synonyms": ["acetylsalicylic acid", "2-acetoxybenzoic acid"],
        "formula": "C9H8O4",
        "cas": "50-78-2",
        "retention_index": 1389.0,
        "retention_time_s": 612.5,
        "extra": {"$NIST SOURCE": "MSDC"},
    }
    assert (caffeine.name, caffeine.record) == ("Caffeine", 2)
    assert caffeine.mz.tolist() == [109.0, 194.0]
    assert caffeine.intensity.tolist() == [400.0, 999.0]


@pytest.mark.parametrize(
    ("change", "line", "field", "problem"),
    [
        (("##NPOINTS=4", "##NPOINTS=5"), 16, "NPOINTS", "says 5 peaks, 4 were given"),
        (("138,250", "138,x"), 18, None, "a peak line holds 'x' where a number belongs"),
        (("180,60", "180"), 20, None, "peak line '180' does not hold pairs of m/z and intensity"),
        (("180,60", "0,60"), 20, "m/z", "m/z 0 is not a finite number above 0"),
        (
            ("##PEAK TABLE=(XY..XY)", "##XYDATA=(X++(Y..Y))"),
            17,
            "XYDATA",
            "data form '(X++(Y..Y))' is not a peak table such as (XY..XY)",
        ),
        (
            ("##DATA TYPE=MASS SPECTRUM\n##NAMES", "##DATA TYPE=INFRARED SPECTRUM\n##NAMES"),
            8,
            "DATA TYPE",
            "'INFRARED SPECTRUM' is not a mass spectrum",
        ),
    ],
)
def test_a_bad_block_names_its_line_and_field(tmp_path, change, line, field, problem):
    # Given the linked file with one fault in its first block
    path = tmp_path / "drugs.jdx"
    path.write_text(_LINKED.replace(*change), encoding="utf-8")

    # When it is read
    with pytest.raises(FormatError) as caught:
        read_spectra(path)

    # Then the first record is blamed, at the line and field to fix
    error = caught.value
    assert (error.record, error.line, error.field, error.problem) == (1, line, field, problem)
    assert str(error).startswith("drugs.jdx, record 1 (line ")


def test_skip_bad_keeps_the_good_block(tmp_path):
    # Given the linked file with a wrong count in its first block
    path = tmp_path / "drugs.dx"
    path.write_text(_LINKED.replace("##NPOINTS=4", "##NPOINTS=3"), encoding="utf-8")

    # When it is read skipping bad records
    result = read_spectra(path, skip_bad=True)

    # Then the second block comes back and the first is reported
    assert [spectrum.name for spectrum in result.spectra] == ["Caffeine"]
    assert [str(error) for error in result.errors] == [
        "drugs.dx, record 1 (line 16), field 'NPOINTS': says 3 peaks, 4 were given"
    ]


def test_a_mass_spectrum_block_without_table_and_stray_text_are_errors():
    # Given a block that announces a mass spectrum and has no peaks, and text before any block
    no_table = "##TITLE=empty\n##DATA TYPE=MASS SPECTRUM\n##END=\n" + _LINKED
    stray = "hello\n" + _LINKED

    # When they are read leniently
    first = read_spectra_text(no_table, "jcamp", name="a.jdx", skip_bad=True)
    second = read_spectra_text(stray, "jcamp", name="b.jdx", skip_bad=True)

    # Then each is reported and the good spectra remain
    assert [str(error) for error in first.errors] == ["a.jdx, record 1 (line 1): the block has no peak table"]
    assert [str(error) for error in second.errors] == [
        "b.jdx, line 1: text 'hello' is not inside a ##TITLE block"
    ]
    assert len(first.spectra) == len(second.spectra) == 2


def test_msp_library_written_as_jcamp_reads_back_the_same(tmp_path):
    # Given 100 SWGDRUG spectra
    spectra = read_spectra(shared_file("spectra/swgdrug_3.4.msp")).spectra[:100]

    # When they are written as one JCAMP-DX file of linked blocks and read again
    path = tmp_path / "swgdrug.jdx"
    with path.open("w", encoding="utf-8") as stream:
        assert write_jcamp(spectra, stream) == 100
    again = read_spectra(path).spectra

    # Then names, peaks and every metadata field are the same
    assert [spectrum.name for spectrum in again] == [spectrum.name for spectrum in spectra]
    for before, after in zip(spectra, again, strict=True):
        numpy.testing.assert_array_equal(after.mz, before.mz)
        numpy.testing.assert_array_equal(after.intensity, before.intensity)
        assert after.metadata == before.metadata


def test_jcamp_library_written_as_msp_keeps_its_fields():
    # Given the NIST .jca library read as JCAMP-DX
    spectra = read_spectra(shared_file("formats/pymassspec/nist08_test.jca")).spectra

    # When written as MSP and read again
    stream = io.StringIO()
    write_msp(spectra, stream)
    again = read_spectra_text(stream.getvalue(), "msp").spectra

    # Then the metadata, vendor labels included, survives the change of format
    assert [spectrum.metadata for spectrum in again] == [spectrum.metadata for spectrum in spectra]


@settings(max_examples=150, deadline=None)
@given(st.lists(generated_spectra(), min_size=1, max_size=4))
def test_property_jcamp_write_then_read_gives_the_same_spectra(spectra):
    # Given generated spectra, written as JCAMP-DX (one block, or linked blocks)
    stream = io.StringIO()
    write_jcamp(spectra, stream)

    # When the text is read back
    again = read_spectra_text(stream.getvalue(), "jcamp").spectra

    # Then names, peaks (sorted by m/z) and metadata are the same
    assert len(again) == len(spectra)
    for before, after in zip(spectra, again, strict=True):
        order = numpy.argsort(before.mz, kind="stable")
        assert after.name == before.name
        numpy.testing.assert_array_equal(after.mz, before.mz[order])
        numpy.testing.assert_array_equal(after.intensity, before.intensity[order])
        assert after.metadata == before.metadata


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_property_jcamp_reader_raises_only_format_errors(text):
    # Given arbitrary text after a title
    # When it is read, then it gives spectra or a FormatError, never another exception
    with contextlib.suppress(FormatError):
        read_spectra_text("##TITLE=x\n" + text, "jcamp", skip_bad=True)
