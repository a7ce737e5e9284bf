"""The synchronisation pages, for node administrators: a peer's sync status, queue, refusals and receipts,
syncing now, the token for calling the peer, and bundles (download one for a peer, upload one from a peer).
The same actions and selectors as ``fdx exchange sync|queue|export|import``."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from fdx.core.actors import require_permission
from fdx.core.forms_support import add_action_errors
from fdx.exchange import actions, bundles, selectors
from fdx.exchange.views.peers import peer_or_404

#: Rows of the queue, refusals and receipts shown on a peer's page (the CLI and API page through all).
SHOWN = 20


class TokenForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("Token for calling the peer"),
        max_length=200,
        widget=forms.PasswordInput(render_value=False),
        help_text=gettext_lazy("The token the peer's administrator gave you when they registered this node."),
    )


class BundleForm(forms.Form):
    bundle = forms.FileField(
        label=gettext_lazy("Bundle file"),
        help_text=gettext_lazy("A bundle a peer exported for this node (fdx exchange export)."),
    )


def sync_context(user, peer) -> dict:
    """What a peer's page shows about its synchronisation."""
    return {
        "status": selectors.sync_status(user, peer),
        "pending_entries": list(selectors.queue_entries(user, peer)[:SHOWN]),
        "refused_entries": list(selectors.queue_entries(user, peer, refused=True)[:SHOWN]),
        "receipts": list(selectors.receipts(user, peer)[:SHOWN]),
        "token_form": TokenForm(),
    }


@login_required
@require_POST
def sync_now(request, name):
    peer = peer_or_404(request.user, name)
    result = actions.sync_peer(request.user, peer)
    if result.error:
        messages.error(
            request, _("Sync with %(peer)s failed: %(error)s") % {"peer": peer.name, "error": result.error}
        )
    else:
        messages.success(
            request,
            _(
                "Synced with %(peer)s: %(applied)d applied, %(unchanged)d unchanged, %(refused)d refused; "
                "%(pushed)d sent."
            )
            % {
                "peer": peer.name,
                "applied": result.applied,
                "unchanged": result.unchanged,
                "refused": result.refused,
                "pushed": result.pushed,
            },
        )
    return redirect("exchange:peer", name=peer.name)


@login_required
@require_POST
def set_token(request, name):
    peer = peer_or_404(request.user, name)
    form = TokenForm(request.POST)
    if form.is_valid():
        try:
            actions.set_outgoing_token(request.user, peer, token=form.cleaned_data["token"])
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The token for calling %(peer)s is recorded.") % {"peer": peer.name})
            return redirect("exchange:peer", name=peer.name)
    messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("exchange:peer", name=peer.name)


@login_required
@never_cache
def export_bundle(request, name):
    """Download a bundle of the peer's queue (written to a temporary file first, then streamed)."""
    peer = peer_or_404(request.user, name)
    handle = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    actions.export_bundle(request.user, peer, handle)
    handle.seek(0)
    filename = f"fdx-{peer.name}-{timezone.now():%Y%m%dT%H%M%SZ}.fdxbundle"
    return FileResponse(handle, as_attachment=True, filename=filename, content_type="application/x-ndjson")


@login_required
@never_cache
def import_bundle(request):
    """Upload a bundle a peer exported for this node; it is checked whole before anything is applied."""
    require_permission(request.user, actions.MANAGE_PEERS)
    form = BundleForm(request.POST or None, request.FILES or None)
    result = None
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / Path(form.cleaned_data["bundle"].name).name
                with path.open("wb") as target:
                    for chunk in form.cleaned_data["bundle"].chunks():
                        target.write(chunk)
                try:
                    result = actions.import_bundle(request.user, path)
                except bundles.BundleError as exc:
                    form.add_error(
                        "bundle", _("Refused (%(code)s): %(reason)s") % {"code": exc.code, "reason": exc}
                    )
                else:
                    status = 200
    return render(request, "exchange/bundle_import.html", {"form": form, "result": result}, status=status)
