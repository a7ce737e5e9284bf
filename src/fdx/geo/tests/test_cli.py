import json

import pytest
from typer.testing import CliRunner

from fdx.cli import app

pytestmark = pytest.mark.django_db
runner = CliRunner()


def test_resolve_a_former_code_on_a_date():
    result = runner.invoke(app, ["geo", "resolve", "KZ-YUZ", "--date", "2017-05-01"])

    assert result.exit_code == 0
    assert json.loads(result.stdout)["name_en"] == "South Kazakhstan Region"


def test_unknown_code():
    assert runner.invoke(app, ["geo", "resolve", "KZ-NOPE"]).exit_code == 1


def test_load_is_idempotent():
    result = runner.invoke(app, ["geo", "load"])

    assert result.exit_code == 0
    assert json.loads(result.stdout)["regions_created"] == 0
