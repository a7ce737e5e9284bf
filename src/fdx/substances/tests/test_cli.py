import json

import pytest
from typer.testing import CliRunner

from fdx.cli import app
from fdx.substances.models import Substance

pytestmark = pytest.mark.django_db
runner = CliRunner()


def test_export_csv_and_json(tmp_path):
    target = tmp_path / "registry.csv"

    result = runner.invoke(app, ["substances", "export", "--format", "csv", "-o", str(target)])
    as_json = runner.invoke(app, ["substances", "export", "--format", "json"])

    assert result.exit_code == 0
    assert len(target.read_text(encoding="utf-8").splitlines()) == Substance.objects.count() + 1
    assert len(json.loads(as_json.stdout)) == Substance.objects.count()


def test_import_refuses_a_bad_file_and_names_the_line(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("name_en,smiles\nProbe,CCCCCCCCCCCN\nBroken,C1CC(\n", encoding="utf-8")

    result = runner.invoke(app, ["substances", "import", str(path)])

    assert result.exit_code == 1
    assert "bad.csv, line 3, field 'smiles'" in result.output
    assert not Substance.objects.filter(name_en="Probe").exists()
    assert runner.invoke(app, ["substances", "import", str(path), "--skip-bad"]).exit_code == 0
    assert Substance.objects.filter(name_en="Probe").exists()


def test_search_modes():
    by_name = json.loads(runner.invoke(app, ["substances", "search", "героин"]).stdout)
    similar = json.loads(
        runner.invoke(app, ["substances", "search", "CNC(C)C(=O)c1ccc(C)cc1", "--mode", "similarity"]).stdout
    )

    assert by_name[0]["name"] == "Heroin"
    assert similar[0]["score"] == 1.0


def test_load_reference_is_idempotent():
    assert json.loads(runner.invoke(app, ["substances", "load-reference"]).stdout)["created"] == 0
