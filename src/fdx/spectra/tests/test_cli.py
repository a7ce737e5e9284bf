"""``fdx spectra``: import a library file, search a file of unknowns, export a library, rebuild the index."""

import json

import pytest
from typer.testing import CliRunner

from fdx.audit.models import AuditEvent
from fdx.cli import app
from fdx.core.actors import system
from fdx.spectra import actions
from fdx.spectra.formats import read_spectra
from fdx.spectra.models import SpectralLibrary, Spectrum
from fdx.spectra.tests.builders import (
    CAFFEINE,
    METHAMPHETAMINE,
    REFERENCE,
    noisy,
    reference_msp,
    write_msp,
)
from fdx.testing.personas import organisation

pytestmark = pytest.mark.django_db
runner = CliRunner()


def said(result) -> str:
    """What the command printed (standard output and errors), with Rich's line wrapping undone."""
    return " ".join(result.output.split())


def import_reference(tmp_path, *extra, org="demo-kz-forensic-centre", version=("--version", "2025")):
    organisation(org)
    return runner.invoke(
        app,
        [
            "spectra",
            "import",
            str(reference_msp(tmp_path)),
            "--library",
            "Laboratory EI spectra",
            *version,
            "--org",
            org,
            "--level",
            "international",
            *extra,
        ],
    )


def test_import_creates_the_library_and_reports_the_links(tmp_path):
    result = import_reference(tmp_path, "--source", "own measurements")

    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert {k: v for k, v in report.items() if k != "sha256"} == {
        "library": "Laboratory EI spectra 2025",
        "file": "reference.msp",
        "read": 6,
        "imported": 6,
        "already_present": 0,
        "skipped": [],
        "links": {"inchikey": 3, "name": 1, "created": 1, "created_without_structure": 1},
        "linked_percent": 100.0,
        "substances_registered": {"with_structure": 1, "without_structure": 1},
        "linked_by_name": [{"record": "T-3", "name": "Caffeine", "substance": "Caffeine"}],
        "indexed": 6,
    }
    library = SpectralLibrary.objects.get()
    assert (library.owner_organisation.code, library.distribution_level, library.source) == (
        "demo-kz-forensic-centre",
        "international",
        "own measurements",
    )
    assert AuditEvent.objects.get(action="spectra.import.done").actor_username.startswith("cli:")


def test_importing_again_into_the_existing_library_adds_nothing(tmp_path):
    import_reference(tmp_path)

    again = runner.invoke(
        app, ["spectra", "import", str(reference_msp(tmp_path)), "--library", "Laboratory EI spectra"]
    )

    assert again.exit_code == 0, again.output
    assert (json.loads(again.stdout)["imported"], json.loads(again.stdout)["already_present"]) == (0, 6)
    assert SpectralLibrary.objects.count() == 1
    assert Spectrum.objects.count() == 6


def test_a_new_library_needs_its_owner(tmp_path):
    result = runner.invoke(app, ["spectra", "import", str(reference_msp(tmp_path)), "--library", "Nobody"])

    assert result.exit_code == 1
    assert said(result) == "error: there is no library 'Nobody'; name its owner with --org to create it"
    assert not SpectralLibrary.objects.exists()


def test_import_with_an_owner_never_lands_in_another_organisations_library(tmp_path):
    # Given a Kazakh library of a name a Kyrgyz laboratory also wants to use
    import_reference(tmp_path)

    # When the Kyrgyz laboratory imports under that name, as its own
    result = import_reference(tmp_path, org="demo-kg-forensic-service", version=())

    # Then a library of its own is created and the Kazakh one is untouched
    assert result.exit_code == 0, result.output
    owners = dict(SpectralLibrary.objects.values_list("owner_organisation__code", "version"))
    assert owners == {"demo-kz-forensic-centre": "2025", "demo-kg-forensic-service": ""}
    kz = SpectralLibrary.objects.get(owner_organisation__code="demo-kz-forensic-centre")
    assert kz.spectra.count() == 6

    # And a later import naming neither owner is refused as ambiguous
    ambiguous = runner.invoke(
        app, ["spectra", "import", str(reference_msp(tmp_path)), "--library", "Laboratory EI spectra"]
    )
    assert ambiguous.exit_code == 1
    assert "Several organisations have a library called Laboratory EI spectra" in said(ambiguous)


def test_a_malformed_file_exits_1_with_the_message(tmp_path):
    path = write_msp(
        tmp_path, "bad.msp", text=METHAMPHETAMINE.text() + "\nName: Short\nNum Peaks: 3\n58 999\n91 120\n"
    )

    organisation("demo-kz-forensic-centre")

    result = runner.invoke(
        app, ["spectra", "import", str(path), "--library", "Lab", "--org", "demo-kz-forensic-centre"]
    )

    assert result.exit_code == 1
    assert said(result) == (
        "bad.msp, record 2 (line 19), field 'Num Peaks': says 3 peaks, 2 were given "
        "nothing imported (use --skip-bad to import the good records)"
    )
    assert not Spectrum.objects.exists()
    # The library made for the refused file is not left behind, empty
    assert not SpectralLibrary.objects.filter(name="Lab").exists()
    again = ["spectra", "import", str(path), "--library", "Lab", "--skip-bad"]
    skipped = runner.invoke(app, [*again, "--org", "demo-kz-forensic-centre"])
    assert skipped.exit_code == 0, skipped.output
    assert json.loads(skipped.stdout)["imported"] == 1


def test_search_prints_json(tmp_path):
    import_reference(tmp_path)
    unknowns = write_msp(tmp_path, "unknowns.msp", records=[noisy(METHAMPHETAMINE), CAFFEINE])

    result = runner.invoke(app, ["spectra", "search", str(unknowns), "--json", "--top", "2"])

    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [row["query"] for row in rows] == ["Methamphetamine (noisy)", "Caffeine"]
    assert [set(row) for row in rows] == [{"query", "hits"}] * 2
    best = rows[1]["hits"][0]
    assert best == {
        "rank": 1,
        "name": "Caffeine",
        "inchikey": "RYYVLZVUVIJVGH-UHFFFAOYSA-N",  # the registry's, as the library gives none
        "substance": "Caffeine",
        "library": "Laboratory EI spectra 2025",
        "record_id": "T-3",
        "score": 999.0,
        "forward_score": 999.0,
        "reverse_score": 999.0,
        "entropy": 1.0,
        "shortlisted": True,
    }
    meth = rows[0]["hits"][0]
    assert (meth["rank"], meth["name"], meth["inchikey"]) == (
        1,
        "Methamphetamine",
        "MYWUZJCMWCOHBA-UHFFFAOYSA-N",
    )
    assert 800 < meth["score"] < 999
    assert [hit["rank"] for hit in rows[0]["hits"]] == [1, 2]


def test_search_of_one_library_by_name(tmp_path):
    import_reference(tmp_path)
    unknowns = write_msp(tmp_path, "unknowns.msp", records=[CAFFEINE])

    named = runner.invoke(
        app, ["spectra", "search", str(unknowns), "--json", "--library", "Laboratory EI spectra"]
    )
    unknown = runner.invoke(app, ["spectra", "search", str(unknowns), "--library", "Nope"])

    assert json.loads(named.stdout)[0]["hits"][0]["name"] == "Caffeine"
    assert unknown.exit_code == 1
    assert said(unknown) == "not found: no library 'Nope'"


def test_search_of_a_malformed_file_exits_1_with_the_message(tmp_path):
    import_reference(tmp_path)
    path = write_msp(tmp_path, "unknowns.msp", text="Name: unknown 1\nNum Peaks: 2\n58 999\n91 x\n")

    result = runner.invoke(app, ["spectra", "search", str(path), "--json"])

    assert result.exit_code == 1
    assert (
        said(result) == "error: unknowns.msp, record 1 (line 4): a peak line holds 'x' where a number belongs"
    )
    assert result.stdout == ""


def test_export_msp_round_trips_the_peaks(tmp_path):
    import_reference(tmp_path)
    withdrawn = Spectrum.objects.get(record_id="T-6")
    actions.withdraw_spectrum(system("test"), withdrawn, reason="not a drug")
    target = tmp_path / "export.msp"

    result = runner.invoke(
        app, ["spectra", "export", "--library", "Laboratory EI spectra", "--format", "msp", "-o", str(target)]
    )

    assert result.exit_code == 0, result.output
    assert "wrote 5 spectra to" in result.output
    back = read_spectra(target).spectra
    originals = [record for record in REFERENCE if record.name != "FDX test compound 7"]
    assert [spectrum.name for spectrum in back] == [record.name for record in originals]
    for spectrum, record in zip(back, originals, strict=True):
        assert spectrum.mz.tolist() == record.mz.tolist()
        assert spectrum.intensity.tolist() == record.intensity.tolist()
    assert [spectrum.metadata["record_id"] for spectrum in back] == ["T-1", "T-2", "T-3", "T-4", "T-5"]
    assert back[0].metadata["retention_index"] == 1180.0
    assert back[3].metadata["smiles"] == "CCCCCCCCCCCN"  # the registered substance's structure


def test_export_to_standard_output_and_refusals(tmp_path):
    import_reference(tmp_path)

    to_stdout = runner.invoke(app, ["spectra", "export", "--library", "Laboratory EI spectra"])
    bad_format = runner.invoke(
        app, ["spectra", "export", "--library", "Laboratory EI spectra", "--format", "csv"]
    )
    unknown = runner.invoke(app, ["spectra", "export", "--library", "Nope"])

    assert to_stdout.exit_code == 0
    assert to_stdout.stdout.count("Name: ") == 6
    assert bad_format.exit_code == 2
    assert "--format must be msp or jcamp" in bad_format.output
    assert unknown.exit_code == 1


def test_libraries_and_reindex(tmp_path):
    import_reference(tmp_path)

    libraries = runner.invoke(app, ["spectra", "libraries"])
    reindex = runner.invoke(app, ["spectra", "reindex"])

    assert libraries.exit_code == 0
    [library] = json.loads(libraries.stdout)
    assert {k: v for k, v in library.items() if k != "id"} == {
        "name": "Laboratory EI spectra",
        "version": "2025",
        "owner": "demo-kz-forensic-centre",
        "distribution_level": "international",
        "spectra": 6,
    }
    assert reindex.exit_code == 0
    assert json.loads(reindex.stdout)["indexed"] == 6
    assert json.loads(reindex.stdout)["clustered"] is False


def test_search_table_marks_the_hits_beyond_the_shortlist(tmp_path):
    import_reference(tmp_path)
    unknowns = write_msp(tmp_path, "unknowns.msp", records=[CAFFEINE])

    result = runner.invoke(app, ["spectra", "search", str(unknowns), "--top", "3"])

    # Then caffeine is first and shortlisted; the two far from it by the cosine carry an asterisk
    assert result.exit_code == 0, result.output
    rows = [line.split("│") for line in result.stdout.splitlines() if line.startswith("│")]
    assert [cells[1].strip() for cells in rows if cells[1].strip()] == ["1", "2*", "3*"]
    assert "* beyond the shortlist (cosine under 0.8 of the best), listed after it" in result.stdout
