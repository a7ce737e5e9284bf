"""Reference data API.

For peers (authenticated by the peer token, as synchronisation): ``GET catalogue`` — the publications the
rules let the calling node hold; ``POST``/``DELETE catalogue/{id}/subscription`` — subscribe, or end it.

For node administrators: this node's publications and their subscribers (``publications…``), and the
publications of a peer — its catalogue, asked of it, and those this node follows (``peers/{name}/…``). The
same actions and selectors as the pages and ``fdx exchange publications|catalogue|follow``.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Status
from ninja.errors import HttpError

from fdx.accounts.models import Organisation, SharingGroup
from fdx.core.actors import SystemActor, require_permission
from fdx.core.api.openapi import also_answers
from fdx.exchange import actions, publications, selectors, transport
from fdx.exchange.api.router import router
from fdx.exchange.api.schemas import (
    CatalogueOut,
    FollowedOut,
    FollowIn,
    PublicationIn,
    PublicationOut,
    PublicationPatch,
    SubscriberIn,
)
from fdx.exchange.api.sync import peer_auth
from fdx.exchange.choices import SubscriptionOrigin
from fdx.exchange.models import Peer, Publication
from fdx.legal.models import Jurisdiction
from fdx.spectra.models import SpectralLibrary

# Peers


@router.get(
    "/catalogue",
    auth=peer_auth,
    response=CatalogueOut,
    summary="Peers only: the publications of reference data the calling node may subscribe to",
)
def catalogue(request):
    peer: Peer = request.peer
    return {"publications": [publications.describe(p, peer) for p in publications.visible_to(peer)]}


@router.post(
    "/catalogue/{publication_id}/subscription",
    auth=peer_auth,
    summary="Peers only: subscribe to a publication (its records come in the caller's queue)",
)
def subscribe(request, publication_id: uuid.UUID):
    peer: Peer = request.peer
    publication = _offered(peer, publication_id)
    actions.add_subscriber(_peer_actor(peer), publication, peer, origin=SubscriptionOrigin.PEER)
    return publications.describe(publication, peer)


@router.delete(
    "/catalogue/{publication_id}/subscription",
    auth=peer_auth,
    summary="Peers only: end a subscription (what was sent of it is withdrawn)",
)
def unsubscribe(request, publication_id: uuid.UUID):
    peer: Peer = request.peer
    publication = Publication.objects.filter(global_id=publication_id).first()
    if publication is None:
        raise HttpError(404, "no such publication")
    ended = actions.remove_subscriber(_peer_actor(peer), publication, peer, origin=SubscriptionOrigin.PEER)
    return {"ended": ended}


def _offered(peer: Peer, publication_id) -> Publication:
    try:
        return publications.offered(peer, publication_id)
    except Publication.DoesNotExist:
        raise HttpError(404, "no such publication for this peer") from None


def _peer_actor(peer: Peer) -> SystemActor:
    """How the audit chain names a peer's own call."""
    return SystemActor(label=f"peer:{peer.name}")


# Node administrators: this node's publications


@router.get(
    "/publications", response=list[PublicationOut], summary="This node's publications of reference data"
)
def list_publications(request):
    return list(selectors.list_publications(request.user))


@router.get("/publications/{code}", response=PublicationOut, summary="One publication")
def get_publication(request, code: str):
    return selectors.get_publication(request.user, code)


@router.post("/publications", response={201: PublicationOut}, summary="Publish reference data to peers")
def create_publication(request, payload: PublicationIn):
    require_permission(request.user, actions.MANAGE_PEERS)
    values = payload.dict()
    values["owner_organisation"] = _organisation(values["owner_organisation"])
    values["sharing_group"] = _group(values["sharing_group"])
    values["spectral_library"] = _library(values["spectral_library"])
    values["jurisdiction"] = _jurisdiction(values["jurisdiction"])
    publication = actions.create_publication(request.user, **values)
    return Status(201, selectors.get_publication(request.user, publication.code))


@router.patch("/publications/{code}", response=PublicationOut, summary="Change a publication")
def update_publication(request, code: str, payload: PublicationPatch):
    publication = selectors.get_publication(request.user, code)
    values = payload.dict(exclude_unset=True)
    if "sharing_group" in values:
        values["sharing_group"] = _group(values["sharing_group"])
    actions.update_publication(request.user, publication, **values)
    return selectors.get_publication(request.user, code)


@router.post(
    "/publications/{code}/subscribers",
    response=PublicationOut,
    summary="Subscribe a peer (one reached by bundle files) to a publication",
)
def add_subscriber(request, code: str, payload: SubscriberIn):
    publication = selectors.get_publication(request.user, code)
    peer = selectors.get_peer(request.user, payload.peer)
    actions.add_subscriber(request.user, publication, peer, origin=SubscriptionOrigin.ADMINISTRATOR)
    return selectors.get_publication(request.user, code)


@router.delete(
    "/publications/{code}/subscribers/{name}",
    response=PublicationOut,
    summary="End a peer's subscription (what it holds of the publication is withdrawn)",
)
def remove_subscriber(request, code: str, name: str):
    publication = selectors.get_publication(request.user, code)
    peer = selectors.get_peer(request.user, name)
    actions.remove_subscriber(request.user, publication, peer, origin=SubscriptionOrigin.ADMINISTRATOR)
    return selectors.get_publication(request.user, code)


# Node administrators: other nodes' publications

#: What a route that asks a peer may answer besides: 409 when this node cannot call it as set up, 502 when it
#: cannot be reached or refuses.
ASKS_A_PEER = (409, 502)


@router.get(
    "/peers/{name}/catalogue",
    response=CatalogueOut,
    summary="Ask a peer what it publishes for this node",
    openapi_extra=also_answers(*ASKS_A_PEER),
)
def peer_catalogue(request, name: str):
    peer = selectors.get_peer(request.user, name)
    return {"publications": _asked(lambda: transport.catalogue(peer))}


@router.get(
    "/peers/{name}/followed", response=list[FollowedOut], summary="The peer's publications this node takes"
)
def followed(request, name: str):
    return list(selectors.followed_publications(request.user, selectors.get_peer(request.user, name)))


@router.post(
    "/peers/{name}/followed",
    response={201: FollowedOut},
    summary="Subscribe to one of the peer's publications",
    openapi_extra=also_answers(*ASKS_A_PEER),
)
def follow(request, name: str, payload: FollowIn):
    peer = selectors.get_peer(request.user, name)
    return Status(201, _asked(lambda: actions.follow(request.user, peer, payload.publication_id)))


@router.delete(
    "/peers/{name}/followed/{publication_id}",
    response={204: None},
    summary="End this node's subscription to one of the peer's publications",
    openapi_extra=also_answers(*ASKS_A_PEER),
)
def unfollow(request, name: str, publication_id: uuid.UUID):
    peer = selectors.get_peer(request.user, name)
    _asked(lambda: actions.unfollow(request.user, peer, publication_id))
    return Status(204, None)


def _asked(call):
    """Call a peer: a peer this node cannot call as it is set up (suspended, no address or token) is a
    409, one that cannot be reached or refuses a 502, each naming why (never a 500)."""
    try:
        return call()
    except transport.NotCallable as exc:
        raise HttpError(409, str(exc)) from None
    except transport.SyncError as exc:
        raise HttpError(502, str(exc)) from None


def _organisation(code: str) -> Organisation:
    found = Organisation.objects.filter(code=code).first()
    if found is None:
        raise ValidationError(
            {"owner_organisation": _("No organisation has the code %(code)s.") % {"code": code}}
        )
    return found


def _group(code: str | None) -> SharingGroup | None:
    if not code:
        return None
    found = SharingGroup.objects.filter(code=code).first()
    if found is None:
        raise ValidationError(
            {"sharing_group": _("No sharing group has the code %(code)s.") % {"code": code}}
        )
    return found


def _jurisdiction(code) -> Jurisdiction | None:
    if code is None:
        return None
    found = Jurisdiction.objects.filter(pk=code).first()
    if found is None:
        raise ValidationError({"jurisdiction": _("No jurisdiction has the code %(code)s.") % {"code": code}})
    return found


def _library(global_id) -> SpectralLibrary | None:
    if global_id is None:
        return None
    found = SpectralLibrary.objects.filter(global_id=global_id).first()
    if found is None:
        raise ValidationError({"spectral_library": _("No spectral library has this identifier.")})
    return found
