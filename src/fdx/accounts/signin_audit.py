"""Sign-in, sign-out, failed sign-in and lock-out go to the audit chain.

STYLE says no Django signals for business logic; these receivers are the exception on purpose: the
authentication framework (our sign-in view, the admin site, django-axes) reports through these signals
only, and a security log must see every path. They only record; they change nothing else.
"""

from __future__ import annotations

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

from fdx.accounts import audit_events
from fdx.audit.actions import record

_MAX_USERNAME = 150


def connect() -> None:
    user_logged_in.connect(_signed_in, dispatch_uid="fdx-audit-signin")
    user_logged_out.connect(_signed_out, dispatch_uid="fdx-audit-signout")
    user_login_failed.connect(_failed, dispatch_uid="fdx-audit-signin-failed")
    user_locked_out.connect(_locked_out, dispatch_uid="fdx-audit-locked-out")


def _signed_in(sender, request, user, **kwargs):
    record(audit_events.SIGNIN_SUCCEEDED, actor=user, obj=user)


def _signed_out(sender, request, user, **kwargs):
    if user is not None and user.is_authenticated:
        record(audit_events.SIGNOUT, actor=user, obj=user)


def _failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:_MAX_USERNAME]
    record(
        audit_events.SIGNIN_FAILED,
        object_type="accounts.user",
        object_id=username,
        object_repr=username,
        after={"username": username},
    )


def _locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    username = str(username or "")[:_MAX_USERNAME]
    record(
        audit_events.SIGNIN_LOCKED_OUT,
        object_type="accounts.user",
        object_id=username,
        object_repr=username,
        after={"username": username},
    )
