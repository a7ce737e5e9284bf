"""The publication pages, for node administrators: this node's publications of reference data and their
subscribers; a peer's catalogue, with subscribing and unsubscribing. The same actions and selectors as the
API and ``fdx exchange publications|catalogue|follow``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fdx.core.actors import require_permission
from fdx.core.distribution import DistributionLevel
from fdx.core.forms_support import add_action_errors
from fdx.exchange import actions, selectors, transport
from fdx.exchange.choices import SubscriptionOrigin
from fdx.exchange.forms import PublicationChangeForm, PublicationForm, SubscriberForm
from fdx.exchange.models import PUBLISHED_LEVELS, Publication
from fdx.exchange.views.peers import peer_or_404


@login_required
def publications(request):
    """This node's publications, and the other nodes' publications it takes."""
    rows = [
        (publication, selectors.publication_size(publication))
        for publication in selectors.list_publications(request.user)
    ]
    followed = selectors.followed_publications(request.user)
    return render(request, "exchange/publications.html", {"rows": rows, "followed": followed})


@login_required
def publish(request):
    """The form that publishes reference data."""
    require_permission(request.user, actions.MANAGE_PEERS)
    form = PublicationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            publication = actions.create_publication(request.user, **form.action_values())
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("Publication %(code)s is published.") % {"code": publication.code})
            return redirect("exchange:publication", code=publication.code)
    status = 422 if request.method == "POST" else 200
    return render(request, "exchange/publication_form.html", {"form": form}, status=status)


@login_required
def publication(request, code):
    """One publication: what it carries, its subscribers, and the forms that change it."""
    found = _publication_or_404(request.user, code)
    if request.method == "POST":
        form = PublicationChangeForm(request.POST)
        if form.is_valid():
            try:
                actions.update_publication(request.user, found, **form.cleaned_data)
            except ValidationError as exc:
                add_action_errors(form, exc)
            else:
                messages.success(request, _("Publication %(code)s is changed.") % {"code": found.code})
                return redirect("exchange:publication", code=found.code)
        return _publication_page(request, found, form, status=422)
    return _publication_page(request, found, PublicationChangeForm(initial=_initial(found)))


@login_required
@require_POST
def add_subscriber(request, code):
    found = _publication_or_404(request.user, code)
    form = SubscriberForm(request.POST)
    if form.is_valid():
        try:
            actions.add_subscriber(
                request.user, found, form.cleaned_data["peer"], origin=SubscriptionOrigin.ADMINISTRATOR
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The peer is subscribed."))
    else:
        messages.error(request, _("Choose a peer."))
    return redirect("exchange:publication", code=found.code)


@login_required
@require_POST
def remove_subscriber(request, code, name):
    found = _publication_or_404(request.user, code)
    actions.remove_subscriber(
        request.user, found, peer_or_404(request.user, name), origin=SubscriptionOrigin.ADMINISTRATOR
    )
    messages.success(request, _("The subscription has ended; what the peer holds of it is withdrawn."))
    return redirect("exchange:publication", code=found.code)


@login_required
def catalogue(request, name):
    """What a peer publishes for this node (asked of the peer now), with what this node takes of it."""
    peer = peer_or_404(request.user, name)
    entries, error = [], ""
    try:
        entries = transport.catalogue(peer)
    except transport.SyncError as exc:
        error = str(exc)
    followed = {str(f.publication_id) for f in selectors.followed_publications(request.user, peer)}
    levels = dict(DistributionLevel.choices)
    for entry in entries:
        entry["followed"] = str(entry.get("id")) in followed
        entry["level_label"] = levels.get(entry.get("distribution_level"), entry.get("distribution_level"))
    context = {"peer": peer, "entries": entries, "error": error}
    return render(request, "exchange/catalogue.html", context, status=502 if error else 200)


@login_required
@require_POST
def follow(request, name, publication_id):
    peer = peer_or_404(request.user, name)
    try:
        followed = actions.follow(request.user, peer, publication_id)
    except transport.SyncError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("Subscribed to %(code)s: its records come with each sync.") % {"code": followed.code}
        )
    return redirect("exchange:catalogue", name=peer.name)


@login_required
@require_POST
def unfollow(request, name, publication_id):
    peer = peer_or_404(request.user, name)
    try:
        actions.unfollow(request.user, peer, publication_id)
    except transport.SyncError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The subscription has ended: the peer withdraws what it sent of it."))
    return redirect("exchange:catalogue", name=peer.name)


def _publication_or_404(user, code) -> Publication:
    try:
        return selectors.get_publication(user, code)
    except Publication.DoesNotExist:
        raise Http404(_("No publication has the code %(code)s.") % {"code": code}) from None


def _initial(publication: Publication) -> dict:
    return {
        "name_en": publication.name_en,
        "name_ru": publication.name_ru,
        "description": publication.description,
        "distribution_level": publication.distribution_level,
        "sharing_group": publication.sharing_group,
        "active": publication.active,
    }


def _publication_page(request, found: Publication, form, status: int = 200):
    from fdx.exchange import publications as published

    level, group = published.level_and_group(found)
    context = {
        "publication": found,
        "size": selectors.publication_size(found),
        "level": DistributionLevel(level).label,
        "leaves": level in PUBLISHED_LEVELS,
        "group": group,
        "subscriptions": found.subscriptions.select_related("peer").order_by("peer__name"),
        "form": form,
        "subscriber_form": SubscriberForm(),
    }
    return render(request, "exchange/publication.html", context, status=status)
