"""Sign-in through the real pages: throttling (django-axes), auditing, two-factor codes, sign-out."""

import pytest
from django.test import override_settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from fdx.audit.models import AuditEvent
from fdx.testing.personas import PERSONA_PASSWORD

pytestmark = pytest.mark.django_db

SIGNIN = "/accounts/signin/"


def sign_in(client, username, password=PERSONA_PASSWORD, **extra):
    return client.post(SIGNIN, {"username": username, "password": password}, **extra)


def actions_since(sequence):
    return list(
        AuditEvent.objects.filter(sequence__gt=sequence).order_by("sequence").values_list("action", flat=True)
    )


def last_sequence():
    return AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True).first() or 0


def test_sign_in_page_renders_without_outside_resources(client):
    response = client.get(SIGNIN)

    assert response.status_code == 200
    html = response.content.decode()
    assert "http://" not in html.replace("http://testserver", "") and "https://" not in html
    assert "default-src 'self'" in response["Content-Security-Policy"]


def test_successful_sign_in_is_audited_and_lands_on_home(client, persona):
    chemist = persona("kz_lab_chemist")
    mark = last_sequence()

    response = sign_in(client, "kz_lab_chemist")

    assert response.status_code == 302 and response["Location"] == "/"
    assert actions_since(mark) == ["accounts.signin.succeeded"]
    assert AuditEvent.objects.get(sequence=mark + 1).actor == chemist
    assert client.get("/").status_code == 200


def test_failed_sign_in_is_audited_without_the_password(client, persona):
    persona("kz_lab_chemist")
    mark = last_sequence()

    response = sign_in(client, "kz_lab_chemist", password="guess-1")

    assert response.status_code == 200
    assert actions_since(mark) == ["accounts.signin.failed"]
    event = AuditEvent.objects.get(sequence=mark + 1)
    assert event.after == {"username": "kz_lab_chemist"}
    assert "guess-1" not in str(event.before) + str(event.after) + event.reason


@override_settings(AXES_FAILURE_LIMIT=3)
def test_repeated_failures_lock_the_account_even_for_the_right_password(client, persona):
    persona("kz_lab_chemist")
    for attempt in range(3):
        sign_in(client, "kz_lab_chemist", password=f"wrong-{attempt}")

    response = sign_in(client, "kz_lab_chemist")

    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="accounts.signin.locked_out", object_id="kz_lab_chemist").exists()


@override_settings(AXES_FAILURE_LIMIT=3)
def test_lockout_is_per_username_and_address(client, persona):
    persona("kz_lab_chemist")
    persona("kz_lab_head")
    for attempt in range(3):
        sign_in(client, "kz_lab_chemist", password=f"wrong-{attempt}")

    assert sign_in(client, "kz_lab_head").status_code == 302
    assert sign_in(client, "kz_lab_chemist", REMOTE_ADDR="10.9.8.7").status_code == 302


def test_inactive_user_cannot_sign_in(client, persona):
    chemist = persona("kz_lab_chemist")
    chemist.is_active = False
    chemist.save()

    assert sign_in(client, "kz_lab_chemist").status_code == 200
    assert "_auth_user_id" not in client.session


def test_next_is_followed_only_within_the_site(client, persona):
    persona("kz_lab_chemist")

    assert sign_in(client, "kz_lab_chemist")["Location"] == "/"
    client.logout()
    response = client.post(
        SIGNIN + "?next=https://evil.example/", {"username": "kz_lab_chemist", "password": PERSONA_PASSWORD}
    )
    assert response["Location"] == "/"
    client.logout()
    response = client.post(
        SIGNIN + "?next=/accounts/me/", {"username": "kz_lab_chemist", "password": PERSONA_PASSWORD}
    )
    assert response["Location"] == "/accounts/me/"


def test_sign_out_is_audited_and_needs_post(client, persona):
    persona("kz_lab_chemist")
    sign_in(client, "kz_lab_chemist")
    mark = last_sequence()

    assert client.get("/accounts/signout/").status_code == 405
    response = client.post("/accounts/signout/")

    assert response.status_code == 302
    assert actions_since(mark) == ["accounts.signout.done"]
    assert client.get("/").status_code == 302


def confirmed_device(user):
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)


def current_code(device):
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def test_two_factor_user_needs_a_code_after_the_password(client, persona):
    chemist = persona("kz_lab_chemist")
    device = confirmed_device(chemist)

    response = sign_in(client, "kz_lab_chemist")

    assert response["Location"] == reverse("accounts:signin-otp")
    assert "_auth_user_id" not in client.session
    assert client.get("/").status_code == 302
    response = client.post(reverse("accounts:signin-otp"), {"token": current_code(device)})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_wrong_code_is_a_failed_sign_in(client, persona):
    chemist = persona("kz_lab_chemist")
    device = confirmed_device(chemist)
    sign_in(client, "kz_lab_chemist")
    mark = last_sequence()
    wrong = f"{(int(current_code(device)) + 1) % 1000000:06d}"

    response = client.post(reverse("accounts:signin-otp"), {"token": wrong})

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert actions_since(mark) == ["accounts.signin.failed"]


def test_code_page_without_a_password_step_goes_back_to_sign_in(client):
    assert client.get(reverse("accounts:signin-otp"))["Location"] == SIGNIN


def test_admin_site_has_no_sign_in_of_its_own(client):
    response = client.get("/admin/login/?next=/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith(SIGNIN)
