import json

import pytest
from typer.testing import CliRunner

from fdx.cli import app
from fdx.legal.models import Listing

pytestmark = pytest.mark.django_db
runner = CliRunner()


def test_status_json_has_the_documented_shape():
    result = runner.invoke(
        app,
        [
            "legal",
            "status",
            "--smiles",
            "CNC(C)C(=O)c1ccc(C)cc1",
            "-j",
            "UN",
            "-j",
            "RU",
            "--date",
            "2016-06-01",
            "--amount-g",
            "1.5",
            "--json",
        ],
    )

    assert result.exit_code == 0, result.output
    un, ru = json.loads(result.stdout)
    assert set(un) >= {
        "input",
        "inchikey",
        "jurisdiction",
        "date",
        "controlled",
        "lists",
        "basis",
        "amount_category",
    }
    assert un["date"] == "2016-06-01"
    assert set(un["basis"][0]) >= {
        "list",
        "kind",
        "entry",
        "instrument",
        "effective_from",
        "source_url",
        "verified",
    }
    assert ru["controlled"] is True and ru["amount_category"]["category"] == "significant"
    assert ru["amount_category"]["verified"] is False


def test_status_from_a_file_and_by_name(tmp_path):
    path = tmp_path / "seized.smi"
    path.write_text("CC(N)Cc1ccccc1 exhibit-1\nC1CC( exhibit-2\n", encoding="utf-8")

    result = runner.invoke(
        app, ["legal", "status", "--input", str(path), "--name", "героин", "-j", "UN", "--json"]
    )

    answers = json.loads(result.stdout)
    assert [a["input"] for a in answers] == ["героин", "exhibit-1", "exhibit-2"]
    assert [a["controlled"] for a in answers] == [True, True, None]


def test_status_refuses_bad_options(tmp_path):
    assert runner.invoke(app, ["legal", "status", "--smiles", "CCO", "--date", "May"]).exit_code == 2
    assert runner.invoke(app, ["legal", "status", "--smiles", "CCO", "-j", "XX"]).exit_code == 2
    assert runner.invoke(app, ["legal", "status"]).exit_code == 2
    bad = tmp_path / "x.csv"
    bad.write_text("weight\n1\n", encoding="utf-8")
    result = runner.invoke(app, ["legal", "status", "--input", str(bad)])
    assert result.exit_code == 1 and "x.csv, line 1" in result.output


def test_table_output_and_lists():
    table = runner.invoke(app, ["legal", "status", "--smiles", "CCO", "-j", "UN", "-j", "KZ"])
    lists = runner.invoke(app, ["legal", "lists"])

    assert table.exit_code == 0 and "cannot decide" in table.stdout and "no" in table.stdout
    assert "UN-1971-II" in lists.stdout and "KZ-LIST-I" in lists.stdout


def test_export_then_import(tmp_path):
    target = tmp_path / "kz.csv"
    export = runner.invoke(app, ["legal", "export", "UN", "-o", str(target)])
    row = "KZ-LIST-I,Probe-two,,CCCCCCCCCCCCCCN,,2023-01-01,,,,,,false,,false,,\n"
    source = tmp_path / "add.csv"
    source.write_text(target.read_text(encoding="utf-8").splitlines()[0] + "\n" + row, encoding="utf-8")

    dry = runner.invoke(app, ["legal", "import", "KZ", str(source), "--dry-run"])
    done = runner.invoke(app, ["legal", "import", "KZ", str(source), "--reason", "test"])

    assert export.exit_code == 0 and len(target.read_text(encoding="utf-8").splitlines()) > 380
    assert json.loads(dry.stdout) == {"dry_run": True, "added": 1, "corrected": 0, "unchanged": 0}
    assert done.exit_code == 0 and Listing.objects.current().filter(name_en="Probe-two").exists()
