"""The peer pages, for node administrators: the list, one peer, registering one (its token shown once), and
suspending and resuming it. The same actions and selectors as ``fdx exchange peers`` and the API."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from fdx.core.actors import require_permission
from fdx.core.forms_support import add_action_errors
from fdx.core.signing import grouped
from fdx.exchange import actions, selectors
from fdx.exchange.forms import PeerForm, PeerReasonForm
from fdx.exchange.models import Peer


@login_required
def peers(request):
    """Every peer: name, role, country, address, key fingerprint and state."""
    rows = [(peer, grouped(peer.key_fingerprint)) for peer in selectors.list_peers(request.user)]
    return render(request, "exchange/peers.html", {"rows": rows})


@login_required
def peer(request, name):
    """One peer, with the form that suspends or resumes it."""
    found = peer_or_404(request.user, name)
    return _peer_page(request, found, PeerReasonForm())


@login_required
@never_cache
def register_peer(request):
    """The registration form; on success the page shows the peer token, once (it is not kept)."""
    require_permission(request.user, actions.MANAGE_PEERS)
    form = PeerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            registered, token = actions.register_peer(request.user, **form.action_values())
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            return render(
                request,
                "exchange/peer_registered.html",
                {"peer": registered, "token": token, "fingerprint": grouped(registered.key_fingerprint)},
            )
    status = 422 if request.method == "POST" else 200
    return render(request, "exchange/peer_form.html", {"form": form}, status=status)


@login_required
@require_POST
def suspend_peer(request, name):
    return _change_state(request, name, actions.suspend_peer, _("Peer %(name)s is suspended."))


@login_required
@require_POST
def resume_peer(request, name):
    return _change_state(request, name, actions.resume_peer, _("Exchange with peer %(name)s resumes."))


def _change_state(request, name, action, done: str):
    found = peer_or_404(request.user, name)
    form = PeerReasonForm(request.POST)
    if form.is_valid():
        try:
            action(request.user, found, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, done % {"name": found.name})
            return redirect("exchange:peer", name=found.name)
    return _peer_page(request, found, form, status=422)


def peer_or_404(user, name) -> Peer:
    """The peer called ``name`` that ``user`` may administer; 404 otherwise (the pages of a peer share it)."""
    try:
        return selectors.get_peer(user, name)
    except Peer.DoesNotExist:
        raise Http404(_("No peer is called %(name)s.") % {"name": name}) from None


def _peer_page(request, found: Peer, form, status: int = 200):
    from fdx.exchange.views.sync import sync_context

    context = {
        "peer": found,
        "fingerprint": grouped(found.key_fingerprint),
        "hosts": found.organisations.order_by("code"),
        "state_form": form,
        **sync_context(request.user, found),
    }
    return render(request, "exchange/peer.html", context, status=status)
