"""Files and structures that cannot be imported are refused with file, line and field, and nothing is written.

Each case printed a traceback, a bare codec message, or was imported half-read (a cut row, an empty SDF)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from typer.testing import CliRunner

from fdx.cli import app
from fdx.core.csvfile import MAX_FIELD_CHARS
from fdx.substances import chem
from fdx.substances.models import Substance

pytestmark = pytest.mark.django_db
runner = CliRunner()
CHAIN = "C" * 18000


def imported(tmp_path, name, data: bytes, *options):
    path = tmp_path / name
    path.write_bytes(data)
    return runner.invoke(app, ["substances", "import", str(path), *options])


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        (
            "cp1251.csv",
            "name_en,smiles\nProbe one,CCCCCCCCCCCCN\nМетамфетамин,CNC(C)Cc1ccccc1\n".encode("cp1251"),
            "cp1251.csv, line 3, field 'name_en': is not UTF-8 text (byte 0xCC)",
        ),
        (
            "long.csv",
            (
                "name_en,smiles,note\nProbe one,CCCCCCCCCCCCN,\nX,CC," + "n" * (MAX_FIELD_CHARS + 1) + "\n"
            ).encode(),
            f"long.csv, line 3, field 'note': is {MAX_FIELD_CHARS + 1} characters long",
        ),
        (
            "cut.csv",
            b"name_en,name_ru,smiles\nProbe one,,CCCCCCCCCCCCN\nProbe two,CCCCCCCCCCCCCN\n",
            "cut.csv, line 3, field 'smiles': is missing: the row has 2 fields, the header names 3",
        ),
        ("empty.sdf", b"", "empty.sdf, line 1, field 'file': the file holds no record"),
        ("nul.sdf", b"\x00" * 64, "nul.sdf, line 1, field 'file': the file holds no record"),
        (
            "bad.sdf",
            b"\xff\xfe\n  M  END\n$$$$\n",
            "bad.sdf, line 1, field 'file': is not UTF-8 text (byte 0xFF)",
        ),
    ],
)
@pytest.mark.parametrize("skip_bad", [False, True])
def test_unreadable_files_are_refused_by_the_cli_naming_the_place(tmp_path, name, data, message, skip_bad):
    count = Substance.objects.count()

    result = imported(tmp_path, name, data, *(["--skip-bad"] if skip_bad else []))

    assert result.exit_code == 1
    assert message in " ".join(result.output.split())
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)
    assert "nothing imported: the file cannot be read" in result.output
    assert Substance.objects.count() == count


def test_a_chain_past_the_atom_limit_is_a_bad_record_of_the_cli_import(tmp_path):
    result = imported(tmp_path, "chain.csv", f"name_en,smiles\nChain,{CHAIN}\n".encode())

    assert result.exit_code == 1
    assert (
        f"chain.csv, line 2, field 'smiles': the structure has 18000 atoms; FDX accepts at most "
        f"{chem.MAX_HEAVY_ATOMS}" in " ".join(result.output.split())
    )


def test_the_api_refuses_a_chain_and_a_file_that_is_not_utf8(api, persona):
    chemist, admin = persona("kz_lab_chemist"), persona("hub_admin")
    created = api.post("/substances", {"name_en": "Chain", "structure": CHAIN}, user=chemist)
    upload = SimpleUploadedFile("cp1251.csv", "name_en,smiles\nМет,CNC(C)Cc1ccccc1\n".encode("cp1251"))
    imported = api.client.post(
        "/api/v1/substances/import", {"file": upload}, HTTP_AUTHORIZATION=f"Bearer {api.token_for(admin)}"
    )

    assert created.status_code == 422
    assert "18000 atoms" in created.json()["error"]["fields"]["structure"][0]
    assert imported.status_code == 422
    assert imported.json()["error"]["fields"]["file"] == [
        "cp1251.csv, line 2, field 'name_en': is not UTF-8 text (byte 0xCC); save the file as UTF-8"
    ]


def test_the_register_form_refuses_a_chain(client, persona):
    client.force_login(persona("kz_lab_chemist"))

    response = client.post("/substances/new/", {"name_en": "Chain", "structure": CHAIN})

    assert response.status_code == 200
    assert b"the structure has 18000 atoms; FDX accepts at most" in response.content
    assert not Substance.objects.filter(name_en="Chain").exists()


def test_refusals_are_in_the_users_language(tmp_path):
    from django.utils import translation

    from fdx.substances.transfer import read_substance_file

    path = tmp_path / "cp1251.csv"
    path.write_bytes("name_en,smiles\nМет,CNC\n".encode("cp1251"))
    chain = tmp_path / "chain.csv"
    chain.write_text(f"name_en,smiles\nChain,{CHAIN}\n", encoding="utf-8")

    with translation.override("ru"):
        unreadable = str(read_substance_file(path).problems[0])
        too_large = str(read_substance_file(chain).problems[0])

    assert unreadable == (
        "cp1251.csv, строка 2, поле 'name_en': не является текстом в UTF-8 (байт 0xCC); "
        "сохраните файл в кодировке UTF-8"
    )
    assert too_large == (
        f"chain.csv, строка 2, поле 'smiles': в структуре 18000 атомов; FDX принимает не более "
        f"{chem.MAX_HEAVY_ATOMS}"
    )
