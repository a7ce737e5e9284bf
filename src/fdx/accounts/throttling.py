"""Throttling of guessing: sign-in failures (django-axes) and rejected API tokens, per address."""

from __future__ import annotations

import math

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_lockout_parameters
from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from fdx.accounts.models import ApiTokenFailure


class FdxAxesHandler(AxesDatabaseHandler):
    """django-axes' database handler with two limits: ``AXES_FAILURE_LIMIT`` for one username from one
    address, and the larger ``FDX_LOGIN_ADDRESS_FAILURE_LIMIT`` for one address whatever the usernames (so
    that an office behind one address is not locked out by a few typing mistakes, but one address cannot try
    many usernames)."""

    def get_failures(self, request, credentials=None) -> int:
        limit = settings.AXES_FAILURE_LIMIT
        address_limit = settings.FDX_LOGIN_ADDRESS_FAILURE_LIMIT
        parameters = get_lockout_parameters(request, credentials)
        worst = 0
        for parameter, attempts in zip(
            parameters, self.get_user_attempts(request, credentials), strict=False
        ):
            count = attempts.aggregate(Sum("failures_since_start"))["failures_since_start__sum"] or 0
            if parameter == "ip_address":
                # Scaled so that axes' single limit is reached exactly when the address limit is.
                count = count * limit // address_limit
            worst = max(worst, count)
        return worst


def client_address(request) -> str:
    """The address the request came from, as django-axes sees it (behind a proxy too)."""
    from axes.helpers import get_client_ip_address

    return (get_client_ip_address(request) or "unknown")[:64]


def address_retry_after(address: str) -> int | None:
    """Seconds until ``address`` may present tokens again, or None when it is not throttled."""
    row = ApiTokenFailure.objects.filter(ip_address=address).first()
    return None if row is None else retry_after(row.failures, row.window_started_at)


def retry_after(failures: int | None, window_started_at) -> int | None:
    """Seconds left in the window when ``failures`` reached the limit within it; else None."""
    if failures is None or failures < settings.FDX_TOKEN_FAILURE_LIMIT:
        return None
    remaining = (window_started_at + settings.FDX_TOKEN_FAILURE_WINDOW - timezone.now()).total_seconds()
    return max(1, math.ceil(remaining)) if remaining > 0 else None


def note_token_failure(request) -> None:
    """Count one rejected token from the request's address (a new window once the old one has passed)."""
    now = timezone.now()
    with transaction.atomic():
        row, _created = ApiTokenFailure.objects.select_for_update().get_or_create(
            ip_address=client_address(request), defaults={"window_started_at": now}
        )
        if row.window_started_at + settings.FDX_TOKEN_FAILURE_WINDOW <= now:
            row.failures, row.window_started_at = 0, now
        row.failures += 1
        row.save(update_fields=["failures", "window_started_at"])
