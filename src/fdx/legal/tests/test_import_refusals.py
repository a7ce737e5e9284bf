"""Listing and structure files that cannot be read are refused with file, line and field; nothing is written.

``fdx legal import`` printed a traceback for bytes that are not UTF-8 and for a field past Python's csv limit,
accepted rows cut short, and the web page and API replaced bad bytes silently (names garbled on import)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from typer.testing import CliRunner

from fdx.cli import app
from fdx.core.csvfile import MAX_FIELD_CHARS
from fdx.legal.models import Listing
from fdx.legal.reference import LISTING_COLUMNS
from fdx.legal.transfer import StructureFileError, read_structures
from fdx.testing.child import run_in_small_stack

pytestmark = pytest.mark.django_db
runner = CliRunner()
HEADER = ",".join(LISTING_COLUMNS) + "\n"
GOOD = "KZ-LIST-I,Probe-three,,CCCCCCCCCCCCCCCN,,2023-01-01,,,,,,false,,false,,\n"


def cells(name_en="Probe-four", name_ru="", smiles="CCCCCCCCCCCCCCCCN", note=""):
    return f"KZ-LIST-I,{name_en},{name_ru},{smiles},,2023-01-01,,,,,,false,,false,,{note}\n"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            (HEADER + GOOD + cells(name_ru="пробa")).encode("cp1251"),
            "kz.csv, line 3, field 'name_ru': is not UTF-8 text (byte 0xEF)",
        ),
        (
            (HEADER + GOOD + cells(note="n" * (MAX_FIELD_CHARS + 5))).encode(),
            f"kz.csv, line 3, field 'note': is {MAX_FIELD_CHARS + 5} characters long",
        ),
        (
            (HEADER + GOOD + "KZ-LIST-I,Probe-four,,CCN,,2023-01-01\n").encode(),
            "kz.csv, line 3, field 'effective_from_earliest': is missing: the row has 6 fields",
        ),
        (
            (HEADER + GOOD + cells(smiles="C" * 18000)).encode(),
            "kz.csv, line 3, field 'smiles': the structure has 18000 atoms; FDX accepts at most",
        ),
    ],
)
def test_the_cli_refuses_with_the_place_and_writes_nothing(tmp_path, data, message):
    path = tmp_path / "kz.csv"
    path.write_bytes(data)

    result = runner.invoke(app, ["legal", "import", "KZ", str(path), "--reason", "test"])

    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert message in " ".join(result.output.split())
    assert "Traceback" not in result.output
    assert not Listing.objects.filter(name_en__startswith="Probe-").exists()


def test_the_page_and_the_api_refuse_bytes_that_are_not_utf8(client, api, persona):
    admin = persona("kz_node_admin")
    data = (HEADER + cells(name_ru="проба")).encode("cp1251")
    client.force_login(admin)

    page = client.post("/legal/jurisdictions/KZ/import/", {"file": SimpleUploadedFile("kz.csv", data)})
    response = client.post(
        "/api/v1/legal/jurisdictions/KZ/import",
        {"file": SimpleUploadedFile("kz.csv", data)},
        HTTP_AUTHORIZATION=f"Bearer {api.token_for(admin)}",
    )

    assert page.status_code == 200
    assert b"kz.csv, line 2, field &#x27;name_ru&#x27;: is not UTF-8 text (byte 0xEF)" in page.content
    assert response.status_code == 422
    assert response.json()["error"]["fields"]["file"][0].startswith(
        "kz.csv, line 2, field 'name_ru': is not UTF-8 text"
    )
    assert not Listing.objects.filter(name_en="Probe-four").exists()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("x.csv", "smiles,name\nCCN,\nЖ,x\n".encode("cp1251"), "x.csv, line 3, field 'smiles': is not UTF-8"),
        ("x.smi", "CCN\nCCO Ж\n".encode("cp1251"), "x.smi, line 2, field 'file': is not UTF-8"),
        ("x.csv", b"smiles,name,label\nCCN,a\n", "x.csv, line 2, field 'label': is missing"),
    ],
)
def test_structure_files_name_the_line_of_a_bad_byte_or_a_cut_row(tmp_path, name, data, message):
    path = tmp_path / name
    path.write_bytes(data)

    with pytest.raises(StructureFileError) as error:
        read_structures(path)

    assert str(error.value).startswith(message)


def test_a_listing_csv_with_a_long_chain_is_refused_naming_file_line_and_field(tmp_path):
    row = ["KZ-1", "Chain", "", "C" * 18000, "", "2024-01-01"] + [""] * (len(LISTING_COLUMNS) - 6)
    (tmp_path / "kz.csv").write_text(
        ",".join(LISTING_COLUMNS) + "\n" + ",".join(row) + "\n", encoding="utf-8"
    )

    result = run_in_small_stack(
        """
        from pathlib import Path
        from fdx.legal.reference import read_listings
        read_listings((Path(sys.argv[1]) / "kz.csv").open("rb"), "kz.csv")
        """,
        tmp_path,
    )

    assert result["error"].startswith(
        "LegalDataError: kz.csv, line 2, field 'smiles': the structure has 18000"
    )
