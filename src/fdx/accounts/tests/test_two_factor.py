"""Two-factor sign-in required for readers of case data and administrators: enrolment first, recovery codes,
the administrator's reset, relaxing the requirement, and API tokens left alone."""

import logging

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from fdx.accounts import actions, otp
from fdx.accounts.apps import warn_if_two_factor_relaxed
from fdx.audit.models import AuditEvent
from fdx.core.actors import system
from fdx.testing.personas import PERSONA_PASSWORD

pytestmark = pytest.mark.django_db

SIGNIN = "/accounts/signin/"


@pytest.fixture
def required(settings):
    settings.FDX_REQUIRE_TWO_FACTOR = True


def code_for(device, drift=0) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, drift):06d}"


def sign_in(client, username, password=PERSONA_PASSWORD):
    return client.post(SIGNIN, {"username": username, "password": password})


def enrol(client, user) -> list[str]:
    """Go through the enrolment page as ``user`` (signed in) and return the recovery codes shown."""
    client.get(reverse("accounts:two-factor"))
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(reverse("accounts:two-factor"), {"token": code_for(device)})
    assert response.status_code == 200
    return response.context["codes"]


def test_every_role_reads_case_data_or_administers_so_all_need_two_factor(persona, required):
    from fdx.accounts.choices import Role
    from fdx.accounts.roles import TWO_FACTOR_ROLES

    assert set(TWO_FACTOR_ROLES) == set(Role.values)
    assert otp.two_factor_required(persona("kz_lab_chemist"))
    assert otp.two_factor_required(persona("hub_admin"))


def test_first_sign_in_without_a_device_leads_to_enrolment_before_any_other_page(client, persona, required):
    persona("kz_lab_chemist")

    response = sign_in(client, "kz_lab_chemist")
    assert response.status_code == 302

    # Every other page sends them to the enrolment page, with the page they wanted as "next".
    response = client.get(reverse("examinations:cases"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:two-factor"))
    assert client.get(reverse("accounts:account"))["Location"].startswith(reverse("accounts:two-factor"))
    assert client.get("/")["Location"] == reverse("accounts:two-factor")
    # The enrolment page itself, the language switch and sign-out are reachable.
    page = client.get(reverse("accounts:two-factor"))
    assert page.status_code == 200 and b'id="two-factor-required"' in page.content
    assert client.post(reverse("set_language"), {"language": "ru"}).status_code == 302


def test_enrolment_shows_ten_recovery_codes_once_and_then_every_page_opens(client, persona, required):
    chemist = persona("kz_lab_chemist")
    sign_in(client, "kz_lab_chemist")

    codes = enrol(client, chemist)

    assert len(codes) == 10 and len(set(codes)) == 10
    stored = set(StaticToken.objects.filter(device__user=chemist).values_list("token", flat=True))
    assert len(stored) == 10
    assert not stored & set(codes)  # only the hashes are kept
    assert stored == {otp.recovery_code_hash(code) for code in codes}
    assert client.get(reverse("examinations:cases")).status_code == 200
    assert client.get(reverse("accounts:two-factor")).content.count(b"recovery-codes") == 0


def test_enrolled_user_gives_the_code_at_sign_in(client, persona, required):
    chemist = persona("kz_lab_chemist")
    sign_in(client, "kz_lab_chemist")
    enrol(client, chemist)
    client.post(reverse("accounts:signout"))

    response = sign_in(client, "kz_lab_chemist")

    assert response["Location"] == reverse("accounts:signin-otp")
    device = TOTPDevice.objects.get(user=chemist, confirmed=True)
    # The next step's code (the enrolment used this step's, and a code is accepted once).
    response = client.post(reverse("accounts:signin-otp"), {"token": code_for(device, drift=1)})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get(reverse("examinations:cases")).status_code == 200


def test_a_recovery_code_signs_in_once_in_place_of_the_app(client, persona, required):
    chemist = persona("kz_lab_chemist")
    sign_in(client, "kz_lab_chemist")
    codes = enrol(client, chemist)
    client.post(reverse("accounts:signout"))

    sign_in(client, "kz_lab_chemist")
    response = client.post(reverse("accounts:signin-otp"), {"token": codes[3].upper()})

    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get(reverse("examinations:cases")).status_code == 200
    assert otp.recovery_codes_left(chemist) == 9
    assert AuditEvent.objects.filter(action="accounts.signin.recovery_code_used").count() == 1

    # The same code a second time is refused.
    client.post(reverse("accounts:signout"))
    sign_in(client, "kz_lab_chemist")
    response = client.post(reverse("accounts:signin-otp"), {"token": codes[3]})
    assert response.status_code == 200
    assert b"not correct" in response.content


def test_a_session_with_a_device_but_no_code_must_sign_in_again(client, persona, required):
    chemist = persona("kz_lab_chemist")
    actions.provision_two_factor(system("test"), chemist)
    client.force_login(chemist)

    response = client.get(reverse("examinations:cases"))

    assert response.status_code == 302 and response["Location"].startswith(SIGNIN)
    assert client.get(reverse("examinations:cases"))["Location"].startswith(SIGNIN)


def test_user_regenerates_recovery_codes_and_the_old_ones_stop_working(client, persona, required):
    chemist = persona("kz_lab_chemist")
    sign_in(client, "kz_lab_chemist")
    old = enrol(client, chemist)
    mark = AuditEvent.objects.count()

    response = client.post(reverse("accounts:two-factor-recovery-codes"))

    new = response.context["codes"]
    assert response.status_code == 200 and len(new) == 10 and not set(new) & set(old)
    assert otp.use_recovery_code(chemist, new[0]) is not None
    assert otp.use_recovery_code(chemist, old[0]) is None
    assert AuditEvent.objects.count() == mark + 1
    assert AuditEvent.objects.latest("sequence").action == "accounts.otp.recovery_codes_regenerated"


def test_a_required_user_cannot_turn_two_factor_off(client, persona, required):
    chemist = persona("kz_lab_chemist")
    sign_in(client, "kz_lab_chemist")
    enrol(client, chemist)

    client.post(reverse("accounts:two-factor-off"), {"password": PERSONA_PASSWORD})

    assert otp.has_two_factor(chemist)


def test_administrator_resets_two_factor_audited_and_the_user_enrols_again(client, persona, required):
    chemist = persona("kz_lab_chemist")
    sign_in(client, "kz_lab_chemist")
    enrol(client, chemist)
    client.post(reverse("accounts:signout"))

    actions.reset_two_factor(persona("kz_lab_admin"), chemist, reason="lost phone")

    assert not otp.has_two_factor(chemist) and otp.recovery_codes_left(chemist) == 0
    event = AuditEvent.objects.latest("sequence")
    assert event.action == "accounts.otp.device_removed" and event.reason == "lost phone"
    sign_in(client, "kz_lab_chemist")
    assert client.get("/")["Location"] == reverse("accounts:two-factor")


def test_relaxed_node_lets_password_sign_in_through_and_logs_a_warning(client, persona, settings, caplog):
    settings.FDX_REQUIRE_TWO_FACTOR = False
    persona("kz_lab_chemist")
    sign_in(client, "kz_lab_chemist")

    assert client.get(reverse("examinations:cases")).status_code == 200
    with caplog.at_level(logging.WARNING, logger="fdx.accounts"):
        assert warn_if_two_factor_relaxed()
    assert "FDX_REQUIRE_TWO_FACTOR is false" in caplog.text


def test_no_warning_when_two_factor_is_required(required):
    assert not warn_if_two_factor_relaxed()


def test_api_tokens_are_their_own_factor(api, persona, required):
    chemist = persona("kz_lab_chemist")

    assert api.get("/me", user=chemist).status_code == 200


def test_a_browser_session_without_the_second_factor_is_refused_by_the_api(client, persona, required):
    persona("kz_lab_chemist")
    sign_in(client, "kz_lab_chemist")

    response = client.get("/api/v1/me")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "account_setup_required"


def test_provisioning_an_authenticator_is_for_the_set_up_only(persona):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        actions.provision_two_factor(persona("hub_admin"), persona("kz_lab_chemist"))


def test_cli_resets_two_factor_with_a_reason(persona):
    from typer.testing import CliRunner

    from fdx.cli import app

    chemist = persona("kz_lab_chemist")
    actions.provision_two_factor(system("test"), chemist)

    result = CliRunner().invoke(
        app, ["users", "reset-two-factor", "kz_lab_chemist", "--reason", "lost phone"]
    )

    assert result.exit_code == 0, result.output
    assert not otp.has_two_factor(chemist)
    assert AuditEvent.objects.latest("sequence").reason == "lost phone"
