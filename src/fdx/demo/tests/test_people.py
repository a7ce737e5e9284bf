import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from typer.testing import CliRunner

from fdx.accounts import otp
from fdx.accounts.choices import Role
from fdx.accounts.models import Organisation, User
from fdx.cli import app
from fdx.core.actors import system
from fdx.demo.people import DEMO_ORGANISATIONS, DEMO_USERS, ensure_demo_people

pytestmark = pytest.mark.django_db


def test_one_demo_user_per_role_with_passwords_shown_once():
    created = ensure_demo_people(system("setup"))

    assert sorted(role for _u, role, _p, _s in created) == sorted(Role.values)
    for username, _role, password, secret in created:
        user = User.objects.get(username=username)
        assert user.check_password(password)
        # Demo passwords need no change; the printed secret is the person's confirmed authenticator.
        assert not user.must_change_password
        device = TOTPDevice.objects.get(user=user, confirmed=True)
        assert otp.secret_text(device) == secret
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
