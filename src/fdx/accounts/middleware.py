"""Before anything else, a signed-in person finishes setting up their account: two-factor enrolment where it
is required (or the code, where a session skipped it), then a new password where an administrator chose it.

Only the pages needed to do that are reachable meanwhile (and sign-out, the language switch and static
files). The API is left alone: a bearer token is a factor of its own; a browser session calling the API
without the second factor is refused in the API's error shape.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from fdx.accounts import otp
from fdx.core.api.errors import error_response

API_PREFIX = "/api/"


class AccountSetupMiddleware:
    """Send a signed-in user to two-factor enrolment, then to the password change, until both are done."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        step = _pending_step(request)
        if step is None or _always_allowed(request.path):
            return self.get_response(request)
        if request.path.startswith(API_PREFIX):
            if "Authorization" in request.headers:
                return self.get_response(request)
            return error_response(
                403, "account_setup_required", _("Finish setting up your account in the browser first.")
            )
        if step == "verify":
            # A session that has a confirmed device but never gave its code: sign in again, with the code.
            logout(request)
            return redirect(_with_next(reverse("accounts:signin"), request))
        target = reverse("accounts:two-factor" if step == "enrol" else "accounts:password-change-required")
        if request.path == target:
            return self.get_response(request)
        return redirect(_with_next(target, request))


def _pending_step(request) -> str | None:
    """``enrol``, ``verify``, ``password`` or None (nothing to do)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    if otp.two_factor_required(user) and not user.is_verified():
        return "verify" if otp.has_two_factor(user) else "enrol"
    if user.must_change_password:
        return "password"
    return None


def _always_allowed(path: str) -> bool:
    allowed = (
        settings.STATIC_URL,
        reverse("accounts:signout"),
        reverse("accounts:signin"),
        reverse("accounts:signin-otp"),
        reverse("set_language"),
    )
    return path.startswith(allowed)


def _with_next(url: str, request) -> str:
    if request.method != "GET" or request.path == "/":
        return url
    return f"{url}?{urlencode({'next': request.get_full_path()})}"
