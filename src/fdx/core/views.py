"""The home page, and the error pages (400, 403, 404, 500, a refused CSRF check) in the site's layout and
the user's language."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token

import fdx
from fdx.core.extensions import HOME_PANELS

logger = logging.getLogger(__name__)


@login_required
def home(request):
    """What this node is, what the signed-in user can do on it, and the work waiting for them."""
    panels = [
        panel for implementation in HOME_PANELS.implementations() for panel in implementation(request.user)
    ]
    return render(request, "core/home.html", {"panels": panels})


def _error_page(request, status: int, title: str, explanation: str) -> HttpResponse:
    return render(
        request,
        "core/error.html",
        {"status": status, "error_title": title, "explanation": explanation},
        status=status,
    )


@requires_csrf_token
def bad_request(request, exception=None):
    """400: the request could not be read (a malformed form or address)."""
    return _error_page(
        request,
        400,
        _("The request could not be read"),
        _("Something in what was sent is malformed. Go back, check what you entered and try again."),
    )


@requires_csrf_token
def permission_denied(request, exception=None):
    """403: the reason the action gave, when it gave one in words meant for the user."""
    reason = str(exception) if isinstance(exception, PermissionDenied) and exception.args else ""
    return _error_page(
        request,
        403,
        _("You may not do this"),
        reason or _("Your roles do not allow this page or action. Ask your organisation's administrator."),
    )


@requires_csrf_token
def page_not_found(request, exception=None):
    """404: nothing here, or nothing you may see (the two look the same, so existence is not disclosed)."""
    return _error_page(
        request,
        404,
        _("Page not found"),
        _("There is nothing at this address, or it is not visible to you. Check the address or go back."),
    )


def csrf_failure(request, reason=""):
    """A form refused by the CSRF check: usually a page left open past sign-out, or cookies disabled."""
    return _error_page(
        request,
        403,
        _("The form has expired"),
        _(
            "The form was sent from a page that is no longer valid (you signed out or in meanwhile, or "
            "cookies are blocked). Reload the page, enter the data again and send it."
        ),
    )


def server_error(request):
    """500: rendered without the request's context processors or the database, which may be what failed."""
    context = {
        "status": 500,
        "error_title": _("Something went wrong on the server"),
        "explanation": _(
            "The error has been logged with the request's identifier. Try again later; if it happens again, "
            "give the identifier to your administrator."
        ),
        "request_id": getattr(request, "request_id", ""),
        "fdx_node_name": settings.FDX_NODE_NAME,
        "fdx_node_country": settings.FDX_NODE_COUNTRY,
        "fdx_version": fdx.__version__,
        "bare_layout": True,
    }
    try:
        return HttpResponseServerError(loader.get_template("core/error.html").render(context))
    except Exception:  # the layout itself failed: the plainest page still says what happened
        logger.exception("the 500 page could not be rendered")
        return HttpResponseServerError(
            f"<!DOCTYPE html><title>500</title><h1>500</h1><p>{context['error_title']}</p>",
            content_type="text/html; charset=utf-8",
        )
