import pytest
from typer.testing import CliRunner

from fdx.accounts.models import ApiToken, Organisation, User
from fdx.audit.models import AuditEvent
from fdx.cli import app

pytestmark = pytest.mark.django_db
runner = CliRunner()


def test_users_create_with_password_from_stdin(persona):
    persona("kz_lab_chemist")

    result = runner.invoke(
        app,
        [
            "users",
            "create",
            "aidana",
            "--org",
            "demo-kz-forensic-centre",
            "--role",
            "data_entry",
            "--role",
            "reviewer",
            "--password-stdin",
        ],
        input="a long enough passphrase 1\n",
    )

    assert result.exit_code == 0, result.output
    user = User.objects.get(username="aidana")
    assert user.check_password("a long enough passphrase 1")
    assert set(user.groups.values_list("name", flat=True)) == {"data_entry", "reviewer"}
    event = AuditEvent.objects.filter(action="accounts.user.created").latest("sequence")
    assert event.actor_username.startswith("cli:")


def test_users_create_prints_a_generated_password_once(persona):
    persona("kz_lab_chemist")

    result = runner.invoke(app, ["users", "create", "bolat", "--org", "demo-kz-forensic-centre"])

    assert result.exit_code == 0
    assert "password (shown once):" in result.output


def test_users_create_reports_errors_without_a_traceback(persona):
    result = runner.invoke(app, ["users", "create", "x", "--org", "no-such-org"])

    assert result.exit_code == 1
    assert "not found" in result.output
    assert "Traceback" not in result.output


def test_users_create_refuses_an_unknown_role(persona):
    persona("kz_lab_chemist")

    result = runner.invoke(
        app, ["users", "create", "x2", "--org", "demo-kz-forensic-centre", "--role", "boss"]
    )

    assert result.exit_code == 1
    assert "roles" in result.output
    assert not User.objects.filter(username="x2").exists()


def test_users_token_prints_a_working_token(persona, api):
    persona("kz_lab_chemist")

    result = runner.invoke(app, ["users", "token", "kz_lab_chemist", "--days", "3"])

    assert result.exit_code == 0
    secret = result.stdout.strip().splitlines()[0]
    assert api.get("/me", token=secret).json()["username"] == "kz_lab_chemist"
    token = ApiToken.objects.get(user__username="kz_lab_chemist", name="cli")
    revoke = runner.invoke(app, ["users", "revoke-token", token.prefix, "--reason", "test"])
    assert revoke.exit_code == 0
    assert api.get("/me", token=secret).status_code == 401


def test_users_roles_and_list(persona):
    persona("kz_lab_chemist")

    assert runner.invoke(app, ["users", "roles", "kz_lab_chemist", "--role", "analyst"]).exit_code == 0
    listed = runner.invoke(app, ["users", "list", "--json"])

    assert '"analyst"' in listed.output


def test_orgs_create_and_list():
    result = runner.invoke(
        app,
        [
            "orgs",
            "create",
            "tj-customs",
            "--name-en",
            "Customs Service",
            "--name-ru",
            "Таможенная служба",
            "--country",
            "tj",
            "--type",
            "customs",
        ],
    )

    assert result.exit_code == 0, result.output
    assert Organisation.objects.get(code="tj-customs").country_id == "TJ"
    assert "tj-customs" in runner.invoke(app, ["orgs", "list"]).output


def test_orgs_create_reports_a_bad_type():
    result = runner.invoke(
        app,
        ["orgs", "create", "tj-x", "--name-en", "X", "--name-ru", "Х", "--country", "TJ", "--type", "bakery"],
    )

    assert result.exit_code == 1
    assert "org_type" in result.output
