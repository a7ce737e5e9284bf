"""A password an administrator chose must be changed at first sign-in; the user's own change clears that."""

import pytest
from django.urls import reverse
from typer.testing import CliRunner

from fdx.accounts import actions
from fdx.accounts.models import User
from fdx.cli import app

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a much better passphrase 2026"
ADMIN_PASSWORD = "set by the administrator 1"


def created_by_admin(persona, password=ADMIN_PASSWORD):
    admin = persona("kz_lab_admin")
    user, _generated = actions.create_user(
        admin,
        username="new_chemist",
        organisation=admin.organisation,
        roles=["data_entry"],
        password=password,
    )
    return user


def test_a_created_user_must_change_the_password(persona):
    assert created_by_admin(persona).must_change_password


def test_a_reset_password_must_be_changed(persona):
    chemist = persona("kz_lab_chemist")
    assert not chemist.must_change_password

    actions.reset_password(persona("kz_lab_admin"), chemist)

    chemist.refresh_from_db()
    assert chemist.must_change_password


def test_the_user_is_sent_to_the_password_change_until_they_change_it(client, persona):
    created_by_admin(persona)
    client.post(
        reverse("accounts:signin"), {"username": "new_chemist", "password": "set by the administrator 1"}
    )

    response = client.get(reverse("examinations:cases"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:password-change-required"))

    response = client.post(
        reverse("accounts:password-change-required") + "?next=/cases/",
        {
            "old_password": "set by the administrator 1",
            "new_password": NEW_PASSWORD,
            "new_password_again": NEW_PASSWORD,
        },
    )

    assert response.status_code == 302 and response["Location"] == "/cases/"
    user = User.objects.get(username="new_chemist")
    assert not user.must_change_password and user.check_password(NEW_PASSWORD)
    assert client.get(reverse("examinations:cases")).status_code == 200  # still signed in


def test_the_same_password_again_does_not_count_as_a_change(client, persona):
    created_by_admin(persona)
    client.post(
        reverse("accounts:signin"), {"username": "new_chemist", "password": "set by the administrator 1"}
    )

    response = client.post(
        reverse("accounts:password-change-required"),
        {
            "old_password": "set by the administrator 1",
            "new_password": "set by the administrator 1",
            "new_password_again": "set by the administrator 1",
        },
    )

    assert response.status_code == 422
    assert User.objects.get(username="new_chemist").must_change_password


def test_the_own_password_change_on_the_account_page_clears_the_flag(persona):
    user = created_by_admin(persona)

    actions.change_own_password(user, old_password="set by the administrator 1", new_password=NEW_PASSWORD)

    user.refresh_from_db()
    assert not user.must_change_password


def test_cli_created_user_must_change_unless_keep_password(persona):
    persona("kz_lab_admin")
    runner = CliRunner()
    for username, extra in (("cli_one", []), ("cli_two", ["--keep-password"])):
        result = runner.invoke(
            app,
            ["users", "create", username, "--org", "demo-kz-forensic-centre", "--password-stdin", *extra],
            input="a long cli passphrase 2026\n",
        )
        assert result.exit_code == 0, result.output

    assert User.objects.get(username="cli_one").must_change_password
    assert not User.objects.get(username="cli_two").must_change_password


def test_api_created_user_must_change(api, persona):
    response = api.post(
        "/users",
        {"username": "api_chemist", "organisation": "demo-kz-forensic-centre", "roles": ["data_entry"]},
        user=persona("kz_lab_admin"),
    )

    assert response.status_code == 201
    assert User.objects.get(username="api_chemist").must_change_password
