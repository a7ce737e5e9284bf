"""Bad and unusual files through every face (reader, command line, API, pages): a clear refusal naming the
file, record, line and field, or a good import; never a traceback, a 500 or an empty library left behind.
And the files of more than a thousand spectra that the page refuses and the command line searches."""

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from typer.testing import CliRunner

from fdx.cli import app
from fdx.spectra.formats import MAX_MZ, FormatError, read_spectra
from fdx.spectra.models import SpectralLibrary, Spectrum
from fdx.spectra.tests.builders import (
    CAFFEINE,
    COCAINE,
    METHAMPHETAMINE,
    imported_library,
    make_library,
    noisy,
)
from fdx.spectra.transfer import MAX_QUERIES, read_queries
from fdx.testing.personas import organisation
from fdx.testing.shared_data import shared_file

runner = CliRunner()
BAD_BYTES = b"\xc0\xc1\xc2\x98"  # three Cyrillic letters in Windows-1251, then a byte it leaves undefined
ELEY = "formats/pymassspec/ELEY_1_SUBTRACT.JDX"  # a GC-MS run exported as JCAMP-DX: 2,103 scans

MSP_WITH_BAD_BYTES = b"Name: Methamphetamine " + BAD_BYTES + b"\nNum Peaks: 2\n58 999\n91 120\n"
JCAMP_WITH_BAD_BYTES = (
    b"##TITLE=Methamphetamine " + BAD_BYTES + b"\n##JCAMP-DX=4.24\n##DATA TYPE=MASS SPECTRUM\n"
    b"##NPOINTS=2\n##PEAK TABLE=(XY..XY)\n58,999 91,120\n##END=\n"
)
MASSBANK_WITH_BAD_BYTES = (
    b"ACCESSION: FDX000001\nRECORD_TITLE: Methamphetamine " + BAD_BYTES + b"\nCH$NAME: Methamphetamine\n"
    b"PK$NUM_PEAK: 2\nPK$PEAK: m/z int. rel.int.\n  58 999 999\n  91 120 120\n//\n"
)


def said(result) -> str:
    return " ".join(result.output.split())


def cli_import(path, library="Seized 2025"):
    organisation("demo-kz-forensic-centre")
    return runner.invoke(
        app, ["spectra", "import", str(path), "--library", library, "--org", "demo-kz-forensic-centre"]
    )


# Readers


@pytest.mark.parametrize(
    ("name", "content", "fmt"),
    [
        ("bad.msp", MSP_WITH_BAD_BYTES, None),
        ("bad.jdx", JCAMP_WITH_BAD_BYTES, None),
        ("bad.txt", MASSBANK_WITH_BAD_BYTES, "massbank"),
    ],
)
def test_a_byte_that_windows_1251_leaves_undefined_does_not_break_the_reading(name, content, fmt, tmp_path):
    path = tmp_path / name
    path.write_bytes(content)

    spectra = read_spectra(path, fmt).spectra

    assert [spectrum.mz.tolist() for spectrum in spectra] == [[58.0, 91.0]]
    assert "Methamphetamine АБВ\ufffd" in spectra[0].name + str(spectra[0].metadata)  # Russian kept


def test_an_absurd_mz_is_refused_with_its_file_line_and_field(tmp_path):
    path = tmp_path / "scaled.msp"
    path.write_text("Name: x\nNum Peaks: 3\n41 100\n58 999\n1e20 5\n", encoding="utf-8")

    with pytest.raises(FormatError) as refused:
        read_spectra(path)

    assert str(refused.value) == (
        "scaled.msp, record 1 (line 5), field 'm/z': m/z 1e+20 is above 100,000, the highest m/z FDX reads: "
        "the file is damaged or mis-scaled"
    )
    assert MAX_MZ == 100_000


def test_an_mgf_peak_without_intensity_names_its_record_and_line(tmp_path):
    path = tmp_path / "run.mgf"
    path.write_text(
        "BEGIN IONS\nTITLE=first\nPEPMASS=100\n41 100\n50 3\nEND IONS\n"
        "BEGIN IONS\nTITLE=second\nPEPMASS=100\n41 100\n50\n60 7\nEND IONS\n"
        "BEGIN IONS\nTITLE=third\nPEPMASS=100\n41 100\nEND IONS\n",
        encoding="utf-8",
    )

    with pytest.raises(FormatError) as refused:
        read_spectra(path)

    assert str(refused.value) == (
        "run.mgf, record 2 (spectrum 'second', line 11), field 'peaks': 3 m/z values but 2 intensities: "
        "a peak lacks its intensity"
    )


@pytest.mark.parametrize("name", ["x.msp", "x.msl", "x.jdx", "x.mgf", "x.mzml", "x.mzxml", "x.cdf"])
@pytest.mark.parametrize(("content", "problem"), [(b"", "the file is empty"), (b"\0" * 5000, "zero bytes")])
def test_an_empty_or_zero_byte_file_is_refused_as_such(name, content, problem, tmp_path):
    path = tmp_path / name
    path.write_bytes(content)

    with pytest.raises(FormatError, match=problem) as refused:
        read_spectra(path)

    assert str(refused.value).startswith(f"{name}: ")


# The command line


@pytest.mark.django_db
def test_cli_import_of_a_file_with_bad_bytes_imports_it(tmp_path):
    path = tmp_path / "bad.msp"
    path.write_bytes(MSP_WITH_BAD_BYTES)

    result = cli_import(path)

    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert json.loads(result.stdout)["imported"] == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "x.msp: the file is empty"),
        (b"\0\0\0\0", "x.msp: the file holds only zero bytes, not spectra: the copy may be damaged"),
        (
            b"Name: x\nNum Peaks: 2\n41 100\n1e20 5\n",
            "x.msp, record 1 (line 4), field 'm/z': m/z 1e+20 is above",
        ),
    ],
)
def test_a_refused_cli_import_leaves_no_library_behind(content, message, tmp_path):
    path = tmp_path / "x.msp"
    path.write_bytes(content)

    result = cli_import(path, library="New library")

    assert result.exit_code == 1
    assert said(result).startswith(message)
    assert "Traceback" not in result.output
    assert not SpectralLibrary.objects.filter(name="New library").exists()
    assert not Spectrum.objects.exists()


@pytest.mark.django_db
def test_cli_search_of_more_than_a_thousand_spectra_searches_them_all_in_blocks(persona, tmp_path):
    imported_library(persona("kz_lab_head"), tmp_path, level="international")
    path = shared_file(ELEY)

    result = runner.invoke(app, ["spectra", "search", str(path), "--json", "--top", "1", "--block", "500"])

    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert len(rows) == 2103
    assert rows[0]["query"].endswith("scan 1")


@pytest.mark.django_db
def test_cli_search_in_blocks_finds_what_one_block_finds(persona, tmp_path):
    imported_library(persona("kz_lab_head"), tmp_path, level="international")
    path = tmp_path / "unknowns.msp"
    path.write_text("\n".join(noisy(r, seed).text() for seed, r in enumerate([COCAINE, CAFFEINE] * 3)))

    blocks = runner.invoke(app, ["spectra", "search", str(path), "--json", "--block", "2"])
    whole = runner.invoke(app, ["spectra", "search", str(path), "--json"])

    assert blocks.exit_code == whole.exit_code == 0, blocks.output
    assert json.loads(blocks.stdout) == json.loads(whole.stdout)
    assert [row["hits"][0]["name"] for row in json.loads(blocks.stdout)] == ["Cocaine", "Caffeine"] * 3


@pytest.mark.django_db
def test_cli_search_stopped_by_a_bad_record_keeps_the_results_before_it(persona, tmp_path):
    imported_library(persona("kz_lab_head"), tmp_path, level="international")
    path = tmp_path / "unknowns.msp"
    good = "\n".join(noisy(record).text() for record in [COCAINE, CAFFEINE])
    path.write_text(good + "\nName: broken\nNum Peaks: 1\n58 x\n")

    result = runner.invoke(app, ["spectra", "search", str(path), "--json", "--block", "2"])

    assert result.exit_code == 1
    assert [row["query"] for row in json.loads(result.stdout)] == ["Cocaine (noisy)", "Caffeine (noisy)"]
    assert "unknowns.msp, record 3 (line" in said(result) and "Traceback" not in result.output


@pytest.mark.django_db
def test_substances_import_refuses_an_empty_or_zero_byte_sdf(tmp_path):
    paths = [tmp_path / "empty.sdf", tmp_path / "zeros.sdf", tmp_path / "blank.sdf"]
    for path, content in zip(paths, [b"", b"\0" * 100, b"\n\n\n"], strict=True):
        path.write_bytes(content)

    results = [runner.invoke(app, ["substances", "import", str(path)]) for path in paths]

    assert [result.exit_code for result in results] == [1, 1, 1]
    for path, result in zip(paths, results, strict=True):
        assert said(result).startswith(f"{path.name}, line 1, field 'file': the file holds no record")
        assert "Traceback" not in result.output


# The search page and the API


def test_read_queries_refuses_more_than_the_limit_in_plain_words():
    with pytest.raises(ValueError) as refused:
        read_queries(shared_file(ELEY))

    assert str(refused.value) == (
        f"ELEY_1_SUBTRACT.JDX holds more than {MAX_QUERIES} spectra; the search page and the API search at "
        f"most {MAX_QUERIES} at once. Split the file, or search it whole with the command line: "
        "fdx spectra search FILE"
    )


@pytest.mark.django_db
def test_the_search_page_refuses_a_file_of_2103_spectra_with_the_limit(client, persona, tmp_path):
    imported_library(persona("kz_lab_head"), tmp_path)
    client.force_login(persona("kz_lab_chemist"))
    content = shared_file(ELEY).read_bytes()

    response = client.post(
        "/spectra/", {"file": SimpleUploadedFile("ELEY_1_SUBTRACT.JDX", content), "top": "1"}
    )

    page = response.content.decode()
    assert response.status_code == 200
    error = re.search(r'<p class="message error" id="search-error">([^<]*)</p>', page).group(1)
    assert error.startswith("ELEY_1_SUBTRACT.JDX holds more than 1000 spectra")
    # The limit is said where the file is chosen, too
    assert "At most 1000 spectra and 20 MiB" in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "status"),
    [(MSP_WITH_BAD_BYTES, 200), (b"", 422), (b"\0\0", 422), (b"Name: x\nNum Peaks: 1\n1e20 5\n", 422)],
)
def test_api_import_of_bad_bytes_reads_and_bad_files_are_422(api, persona, content, status):
    head = persona("kz_lab_head")
    library = make_library(head)

    response = api.client.post(
        f"/api/v1/spectral-libraries/{library.global_id}/import",
        {"file": SimpleUploadedFile("x.msp", content)},
        **api._headers(head),
    )

    assert response.status_code == status, response.content


@pytest.mark.django_db
def test_the_library_page_import_of_bad_bytes_imports_and_of_an_empty_file_says_why(client, persona):
    head = persona("kz_lab_head")
    library = make_library(head)
    client.force_login(head)
    url = f"/spectra/libraries/{library.global_id}/"

    good = client.post(url, {"file": SimpleUploadedFile("x.msp", MSP_WITH_BAD_BYTES)}, follow=True)
    empty = client.post(url, {"file": SimpleUploadedFile("y.msp", b"\0\0\0")}, follow=True)

    assert good.status_code == empty.status_code == 200
    assert Spectrum.objects.filter(library=library).count() == 1
    assert "y.msp: the file holds only zero bytes" in empty.content.decode()
    assert METHAMPHETAMINE.name.split()[0] in good.content.decode()
