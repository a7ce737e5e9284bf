"""Sign-in (password, then the authenticator code for users who turned two-factor sign-in on) and sign-out."""

from __future__ import annotations

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth import get_user_model, login, logout
from django.contrib.auth.signals import user_login_failed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from fdx.accounts import audit_events, otp
from fdx.accounts.forms import SignInCodeForm, SignInForm
from fdx.audit.actions import record

PENDING_USER = "fdx_otp_pending_user"
PENDING_BACKEND = "fdx_otp_pending_backend"
PENDING_NEXT = "fdx_otp_pending_next"


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def signin(request):
    """Step one: username and password. Locked-out users get django-axes' lock-out page."""
    next_url = _safe_next(request)
    if request.user.is_authenticated:
        return redirect(next_url)
    form = SignInForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.get_user()
        if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            request.session.cycle_key()
            request.session[PENDING_USER] = user.pk
            request.session[PENDING_BACKEND] = user.backend
            request.session[PENDING_NEXT] = next_url
            return redirect("accounts:signin-otp")
        login(request, user)
        return redirect(next_url)
    return render(request, "accounts/signin.html", {"form": form, "next": next_url})


@sensitive_post_parameters("token")
@csrf_protect
@never_cache
def signin_otp(request):
    """Step two: the six-digit code, or a recovery code (used up). A wrong code counts as a failed sign-in
    (throttled and audited)."""
    user_id = request.session.get(PENDING_USER)
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first() if user_id else None
    if user is None:
        return redirect("accounts:signin")
    if not AxesProxyHandler.is_allowed(request, credentials={"username": user.get_username()}):
        return render(request, "accounts/locked_out.html", status=429)
    form = SignInCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["token"].strip()
        device = _match_authenticator(user, code)
        recovery = None if device is not None else otp.use_recovery_code(user, code)
        if device is not None or recovery is not None:
            next_url = request.session.get(PENDING_NEXT) or reverse("core:home")
            backend = request.session.get(PENDING_BACKEND)
            login(request, user, backend=backend)
            otp_login(request, device or recovery)
            if recovery is not None:
                record(
                    audit_events.SIGNIN_RECOVERY_CODE_USED,
                    actor=user,
                    obj=user,
                    after={"recovery_codes_left": otp.recovery_codes_left(user)},
                )
            return redirect(next_url)
        user_login_failed.send(
            sender=__name__, credentials={"username": user.get_username()}, request=request
        )
        form.add_error("token", _wrong_code())
    return render(request, "accounts/signin_otp.html", {"form": form, "pending_user": user})


@require_POST
def signout(request):
    logout(request)
    return redirect("accounts:signin")


def _match_authenticator(user, code: str):
    """The user's confirmed authenticator device when ``code`` is its current code (never a recovery code:
    those are checked against their hashes by ``otp.use_recovery_code``)."""
    if not code.isdigit():
        return None
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device if device is not None and device.verify_token(code) else None


def _wrong_code():
    from django.utils.translation import gettext as _

    return _("The code is not correct or has expired.")


def _safe_next(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("core:home")
