"""Peers API, for node administrators: list, one peer, register (its token returned once), suspend, resume."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Status
from ninja.pagination import paginate

from fdx.accounts.models import Organisation
from fdx.core.actors import require_permission
from fdx.core.api.pagination import KeysetPagination
from fdx.exchange import actions, selectors
from fdx.exchange.api.router import router
from fdx.exchange.api.schemas import PeerCreatedOut, PeerIn, PeerOut, PeerReasonIn
from fdx.geo.models import Country


@router.get("/peers", response=list[PeerOut], summary="List the peers (node administrators)")
@paginate(KeysetPagination)
def list_peers(request):
    return selectors.list_peers(request.user)


@router.get("/peers/{name}", response=PeerOut, summary="One peer (node administrators)")
def get_peer(request, name: str):
    return selectors.get_peer(request.user, name)


@router.post("/peers", response={201: PeerCreatedOut}, summary="Register a peer; its token is returned once")
def register_peer(request, payload: PeerIn):
    require_permission(request.user, actions.MANAGE_PEERS)
    values = payload.dict()
    values["country"] = _country(values["country"])
    values["organisations"] = _organisations(values.pop("hosts"))
    try:
        peer, token = actions.register_peer(request.user, **values)
    except ValidationError as error:
        raise _as_sent(error) from None
    return Status(201, {"peer": selectors.get_peer(request.user, peer.name), "token": token})


@router.post("/peers/{name}/suspend", response=PeerOut, summary="Suspend exchange with a peer")
def suspend_peer(request, name: str, payload: PeerReasonIn):
    peer = selectors.get_peer(request.user, name)
    return actions.suspend_peer(request.user, peer, reason=payload.reason)


@router.post("/peers/{name}/resume", response=PeerOut, summary="Resume exchange with a suspended peer")
def resume_peer(request, name: str, payload: PeerReasonIn):
    peer = selectors.get_peer(request.user, name)
    return actions.resume_peer(request.user, peer, reason=payload.reason)


def _country(code: str | None):
    if not code:
        return None
    found = Country.objects.filter(code=code.upper()).first()
    if found is None:
        raise ValidationError({"country": _("No country has the code %(code)s.") % {"code": code}})
    return found


def _organisations(codes: list[str]) -> list:
    found = list(Organisation.objects.filter(code__in=codes))
    missing = sorted(set(codes) - {organisation.code for organisation in found})
    if missing:
        raise ValidationError({"hosts": _("No organisation has the code %(code)s.") % {"code": missing[0]}})
    return found


def _as_sent(error: ValidationError) -> ValidationError:
    """The action's error under the names of the body's fields (its ``organisations`` are ``hosts`` here)."""
    if not hasattr(error, "error_dict"):
        return error
    return ValidationError(
        {
            ("hosts" if field == "organisations" else field): errors
            for field, errors in error.error_dict.items()
        }
    )
