"""The node page, for its administrators: the node's identifier, role and signing key (the fingerprint peers
compare out of band), and how its domain events stand."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fdx.accounts import node
from fdx.accounts.forms import ReasonForm
from fdx.core import node as core_node


@login_required
def node_page(request):
    """This node and its key; the domain event deliveries and those given up."""
    described = node.describe_node(request.user)
    return render(
        request,
        "accounts/node.html",
        {
            "node": described,
            "fingerprint": core_node.grouped(described.fingerprint),
            "deliveries": node.delivery_status(request.user),
            "retry_form": ReasonForm(),
        },
    )


@login_required
@require_POST
def retry_deliveries(request):
    """Give the deliveries that were given up a fresh start."""
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the deliveries are retried."))
        return redirect("accounts:node")
    try:
        retried = node.retry_failed_deliveries(request.user, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(count)s deliveries will be retried.") % {"count": retried})
    return redirect("accounts:node")
