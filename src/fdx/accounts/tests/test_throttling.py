"""Throttling: one address trying many usernames is locked out; repeated bad API tokens get 429."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from fdx.accounts.models import ApiTokenFailure

pytestmark = pytest.mark.django_db


def test_one_address_trying_many_usernames_is_locked_out(client, persona, settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.FDX_LOGIN_ADDRESS_FAILURE_LIMIT = 8
    persona("kz_lab_chemist")
    # Eight usernames, one wrong password each: no username reaches its own limit of five, but the eighth
    # failure reaches the address's limit.
    for number in range(7):
        response = client.post(reverse("accounts:signin"), {"username": f"guess{number}", "password": "x"})
        assert response.status_code == 200, number
    response = client.post(reverse("accounts:signin"), {"username": "guess7", "password": "x"})
    assert response.status_code == 429

    # The address is now locked: even the right password of a real user is refused.
    response = client.post(
        reverse("accounts:signin"),
        {"username": "kz_lab_chemist", "password": "correct horse battery staple 42"},
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_few_failures_from_one_address_lock_nobody(client, persona, settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.FDX_LOGIN_ADDRESS_FAILURE_LIMIT = 8
    persona("kz_lab_chemist")
    for number in range(4):
        client.post(reverse("accounts:signin"), {"username": f"guess{number}", "password": "x"})

    response = client.post(
        reverse("accounts:signin"),
        {"username": "kz_lab_chemist", "password": "correct horse battery staple 42"},
    )

    assert response.status_code == 302


def test_one_username_is_still_locked_at_its_own_limit(client, persona, settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.FDX_LOGIN_ADDRESS_FAILURE_LIMIT = 20
    persona("kz_lab_chemist")
    for _attempt in range(3):
        client.post(reverse("accounts:signin"), {"username": "kz_lab_chemist", "password": "x"})

    response = client.post(
        reverse("accounts:signin"),
        {"username": "kz_lab_chemist", "password": "correct horse battery staple 42"},
    )

    assert response.status_code == 429


def test_repeated_bad_tokens_from_one_address_get_429_with_retry_after(api, persona, settings):
    settings.FDX_TOKEN_FAILURE_LIMIT = 3
    good = api.token_for(persona("kz_lab_chemist"))
    for number in range(3):
        response = api.get("/me", token=f"fdx_{'x' * 40}{number}")
        assert response.status_code == 401

    response = api.get("/me", token=f"fdx_{'y' * 41}")

    assert response.status_code == 429
    body = response.json()
    assert body["error"]["code"] == "too_many_requests"
    assert set(body["error"]) == {"code", "message", "fields"}
    assert 0 < int(response["Retry-After"]) <= int(settings.FDX_TOKEN_FAILURE_WINDOW.total_seconds())
    # The address is throttled whatever token it presents, until the window ends.
    assert api.get("/me", token=good).status_code == 429


def test_the_token_window_ends(api, persona, settings):
    settings.FDX_TOKEN_FAILURE_LIMIT = 2
    for _attempt in range(2):
        api.get("/me", token="fdx_" + "z" * 41)
    ApiTokenFailure.objects.update(window_started_at=timezone.now() - datetime.timedelta(days=1))

    assert api.get("/me", user=persona("kz_lab_chemist")).status_code == 200
    # A failure after the window starts a new count.
    api.get("/me", token="fdx_" + "z" * 41)
    assert ApiTokenFailure.objects.get().failures == 1


def test_good_tokens_and_sessions_are_not_counted(api, persona):
    api.get("/me", user=persona("kz_lab_chemist"))

    assert not ApiTokenFailure.objects.exists()
