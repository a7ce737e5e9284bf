"""The signed-in user's own account: password, API tokens, two-factor sign-in."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from fdx.accounts import actions, otp, selectors
from fdx.accounts.forms import OtpForm, PasswordChangeForm, TokenForm
from fdx.core.forms_support import add_action_errors


@login_required
def account(request):
    """Profile, roles, tokens and two-factor status of the signed-in user."""
    return _account_page(request)


def _account_page(request, *, token_form=None, password_form=None, status=200):
    return render(
        request,
        "accounts/account.html",
        {
            "tokens": selectors.list_tokens(request.user, user=request.user),
            "token_form": token_form or TokenForm(),
            "password_form": password_form or PasswordChangeForm(),
            "two_factor": otp.has_two_factor(request.user),
            "two_factor_required": otp.two_factor_required(request.user),
            "recovery_codes_left": otp.recovery_codes_left(request.user),
        },
        status=status,
    )


@login_required
@require_POST
def change_password(request):
    form = PasswordChangeForm(request.POST)
    if form.is_valid():
        try:
            actions.change_own_password(
                request.user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, _("Your password has been changed."))
            return redirect("accounts:account")
    return _account_page(request, password_form=form, status=422)


@login_required
@require_POST
def create_token(request):
    form = TokenForm(request.POST)
    if form.is_valid():
        try:
            token, secret = actions.create_api_token(
                request.user, request.user, name=form.cleaned_data["name"], days=form.cleaned_data["days"]
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            return render(request, "accounts/token_created.html", {"token": token, "secret": secret})
    return _account_page(request, token_form=form, status=422)


@login_required
@require_POST
def revoke_token(request, token_id):
    token = selectors.get_token(request.user, token_id, "change")
    actions.revoke_api_token(request.user, token, reason=request.POST.get("reason", ""))
    messages.success(request, _("The token %(prefix)s… has been revoked.") % {"prefix": token.prefix})
    if token.user_id == request.user.pk:
        return redirect("accounts:account")
    return redirect("accounts:person", username=token.user.username)


@login_required
@never_cache
def two_factor(request):
    """Turn two-factor sign-in on: show the secret and QR code, confirm with a code, then show the recovery
    codes once. Where two-factor sign-in is required, a first sign-in comes here before any other page."""
    next_url = _safe_next(request)
    if otp.has_two_factor(request.user):
        return render(request, "accounts/two_factor.html", {"enabled": True})
    device = otp.pending_device(request.user)
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = actions.confirm_two_factor(request.user, form.cleaned_data["token"])
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            # This session has just proved the second factor.
            otp_login(request, device)
            messages.success(
                request, _("Two-factor sign-in is on. You will be asked for a code at each sign-in.")
            )
            return render(
                request, "accounts/recovery_codes.html", {"codes": codes, "next": next_url, "new": True}
            )
    return render(
        request,
        "accounts/two_factor.html",
        {
            "enabled": False,
            "required": otp.two_factor_required(request.user),
            "form": form,
            "next": next_url,
            "secret": otp.secret_text(device),
            "qr_code": otp.qr_code_data_uri(device),
        },
    )


@login_required
@require_POST
@never_cache
def regenerate_recovery_codes(request):
    """New recovery codes, shown once; the old ones stop working."""
    try:
        codes = actions.regenerate_recovery_codes(request.user)
    except ValidationError:
        messages.error(request, _("Turn two-factor sign-in on first."))
        return redirect("accounts:account")
    return render(
        request,
        "accounts/recovery_codes.html",
        {"codes": codes, "next": reverse("accounts:account"), "new": False},
    )


@login_required
@never_cache
def password_change_required(request):
    """The first-sign-in password change: an administrator chose the password, so the user replaces it."""
    if not request.user.must_change_password:
        return redirect(_safe_next(request))
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.change_own_password(
                request.user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, _("Your password has been changed."))
            return redirect(_safe_next(request))
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "accounts/password_change_required.html",
        {"form": form, "next": _safe_next(request)},
        status=status,
    )


def _safe_next(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("core:home")


@login_required
@require_POST
def two_factor_off(request):
    try:
        actions.turn_off_two_factor(request.user, password=request.POST.get("password", ""))
    except ValidationError as exc:
        if otp.two_factor_required(request.user):
            messages.error(request, " ".join(exc.messages))
        else:
            messages.error(request, _("The password is not correct; two-factor sign-in stays on."))
    else:
        messages.success(request, _("Two-factor sign-in is off."))
    return redirect("accounts:account")
