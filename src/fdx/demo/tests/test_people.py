import pytest
from typer.testing import CliRunner

from fdx.accounts.choices import Role
from fdx.accounts.models import Organisation, User
from fdx.cli import app
from fdx.core.actors import system
from fdx.demo.people import DEMO_ORGANISATIONS, DEMO_USERS, ensure_demo_people

pytestmark = pytest.mark.django_db


def test_one_demo_user_per_role_with_passwords_shown_once():
    created = ensure_demo_people(system("setup"))

    assert sorted(role for _u, role, _p in created) == sorted(Role.values)
    for username, _role, password in created:
        assert User.objects.get(username=username).check_password(password)
    assert ensure_demo_people(system("setup")) == []


def test_demo_organisations_are_labelled_and_span_the_five_states():
    ensure_demo_people(system("setup"))

    organisations = Organisation.objects.filter(code__startswith="demo-")
    assert organisations.count() == len(DEMO_ORGANISATIONS)
    assert {o.country_id for o in organisations} == {"KZ", "KG", "TJ", "TM", "UZ"}
    assert all("(demo)" in o.name_en and "(демо)" in o.name_ru for o in organisations)
    assert {u.username for u in User.objects.all()} >= {d.username for d in DEMO_USERS}


def test_demo_load_command():
    result = CliRunner().invoke(app, ["demo", "load"])

    assert result.exit_code == 0
    assert "hub_admin" in result.output
    assert "exist already" in CliRunner().invoke(app, ["demo", "load"]).output
