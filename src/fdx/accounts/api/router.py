"""People API: organisations, users, roles, API tokens, and who am I."""

import uuid

from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from fdx.accounts import actions, node, selectors
from fdx.accounts.api.schemas import (
    EventStatusOut,
    NodeOut,
    OrganisationIn,
    OrganisationOut,
    OrganisationPatch,
    PasswordResetOut,
    RevokeIn,
    RolesIn,
    SharingGroupIn,
    SharingGroupOut,
    SharingGroupPatch,
    TokenCreatedOut,
    TokenIn,
    TokenOut,
    UserCreatedOut,
    UserIn,
    UserOut,
    UserPatch,
)
from fdx.accounts.choices import OrganisationType, Role
from fdx.accounts.models import Organisation, SharingGroup
from fdx.core import node as core_node
from fdx.core.api.pagination import FdxPagination
from fdx.geo.models import Country

router = Router(tags=["people"])


class OrganisationFilters(Schema):
    country: str | None = None
    org_type: OrganisationType | None = None
    q: str | None = None


class UserFilters(Schema):
    organisation: str | None = None
    role: Role | None = None
    active: bool | None = None
    q: str | None = None


@router.get("/organisations", response=list[OrganisationOut], summary="List organisations")
@paginate(FdxPagination)
def list_organisations(request, filters: Query[OrganisationFilters]):
    return selectors.list_organisations(
        request.user, country=filters.country, org_type=filters.org_type, text=filters.q
    )


@router.get("/organisations/{code}", response=OrganisationOut, summary="One organisation")
def get_organisation(request, code: str):
    return selectors.get_organisation(request.user, code)


@router.post(
    "/organisations", response={201: OrganisationOut}, summary="Create an organisation (node admins)"
)
def create_organisation(request, payload: OrganisationIn):
    values = payload.dict()
    values["country"] = get_object_or_404(Country, code=values.pop("country").upper())
    return Status(201, actions.create_organisation(request.user, **values))


@router.patch(
    "/organisations/{code}", response=OrganisationOut, summary="Change an organisation (node admins)"
)
def update_organisation(request, code: str, payload: OrganisationPatch):
    organisation = selectors.get_organisation(request.user, code, "change")
    values = payload.dict(exclude_unset=True)
    reason = values.pop("reason", "")
    if "country" in values:
        values["country"] = get_object_or_404(Country, code=values["country"].upper())
    return actions.update_organisation(request.user, organisation, reason=reason, **values)


@router.get("/users", response=list[UserOut], summary="List the users you administer")
@paginate(FdxPagination)
def list_users(request, filters: Query[UserFilters]):
    return selectors.list_users(
        request.user,
        organisation=filters.organisation,
        role=filters.role,
        active=filters.active,
        text=filters.q,
    )


@router.get("/users/{username}", response=UserOut, summary="One user")
def get_user(request, username: str):
    return selectors.get_user(request.user, username)


@router.post("/users", response={201: UserCreatedOut}, summary="Create a user (organisation or node admins)")
def create_user(request, payload: UserIn):
    values = payload.dict()
    organisation = selectors.get_organisation(request.user, values.pop("organisation"))
    user, generated = actions.create_user(request.user, organisation=organisation, **values)
    return Status(
        201, {"user": selectors.get_user(request.user, user.username), "generated_password": generated}
    )


@router.patch("/users/{username}", response=UserOut, summary="Change a user's details or active flag")
def update_user(request, username: str, payload: UserPatch):
    user = selectors.get_user(request.user, username, "change")
    values = payload.dict(exclude_unset=True)
    reason = values.pop("reason", "")
    if "organisation" in values:
        values["organisation"] = selectors.get_organisation(request.user, values["organisation"])
    actions.update_user(request.user, user, reason=reason, **values)
    return selectors.get_user(request.user, username)


@router.put("/users/{username}/roles", response=UserOut, summary="Replace a user's roles")
def set_roles(request, username: str, payload: RolesIn):
    user = selectors.get_user(request.user, username, "change")
    actions.set_user_roles(request.user, user, [str(role) for role in payload.roles], reason=payload.reason)
    return selectors.get_user(request.user, username)


@router.post(
    "/users/{username}/password-reset",
    response=PasswordResetOut,
    summary="Give a user a new generated password (shown once)",
)
def reset_password(request, username: str, payload: RevokeIn):
    user = selectors.get_user(request.user, username, "change")
    return {"generated_password": actions.reset_password(request.user, user, reason=payload.reason)}


@router.get("/node", response=NodeOut, summary="This node: its identifier, role and key (node admins)")
def node_identity(request):
    described = node.describe_node(request.user)
    return {
        **vars(described),
        "fingerprint_grouped": core_node.grouped(described.fingerprint),
        "key_file": str(described.key_file),
    }


@router.get(
    "/node/events", response=EventStatusOut, summary="Domain event deliveries by state, and those given up"
)
def node_events(request):
    status = node.delivery_status(request.user)
    return {"counts": status.counts, "more": status.more, "failed": status.failed}


@router.get("/me", response=UserOut, summary="The signed-in user")
def me(request):
    return selectors.get_user(request.user, request.user.username)


@router.get("/tokens", response=list[TokenOut], summary="API tokens you own or administer")
@paginate(FdxPagination)
def list_tokens(request):
    return selectors.list_tokens(request.user)


@router.post("/tokens", response={201: TokenCreatedOut}, summary="Create an API token (shown once)")
def create_token(request, payload: TokenIn):
    owner = request.user
    if payload.username and payload.username != request.user.username:
        owner = selectors.get_user(request.user, payload.username, "change")
    token, secret = actions.create_api_token(request.user, owner, name=payload.name, days=payload.days)
    return Status(201, {"token": secret, "details": token})


@router.post("/tokens/{token_id}/revoke", response=TokenOut, summary="Revoke an API token")
def revoke_token(request, token_id: uuid.UUID, payload: RevokeIn):
    token = selectors.get_token(request.user, token_id, "change")
    return actions.revoke_api_token(request.user, token, reason=payload.reason)


@router.get(
    "/sharing-groups", response=list[SharingGroupOut], summary="Sharing groups (yours; all for node admins)"
)
def list_sharing_groups(request):
    return list(
        SharingGroup.objects.restrict(request.user, "view").prefetch_related("organisations").order_by("code")
    )


@router.post(
    "/sharing-groups", response={201: SharingGroupOut}, summary="Create a sharing group (node admins)"
)
def create_sharing_group(request, payload: SharingGroupIn):
    values = payload.dict()
    values["organisations"] = _organisations(values["organisations"])
    return Status(201, actions.create_sharing_group(request.user, **values))


@router.patch(
    "/sharing-groups/{code}", response=SharingGroupOut, summary="Change a sharing group (node admins)"
)
def update_sharing_group(request, code: str, payload: SharingGroupPatch):
    group = get_object_or_404(SharingGroup.objects.restrict(request.user, "change"), code=code)
    values = payload.dict(exclude_unset=True)
    reason = values.pop("reason", "")
    if "organisations" in values:
        values["organisations"] = _organisations(values["organisations"])
    return actions.update_sharing_group(request.user, group, reason=reason, **values)


def _organisations(codes: list[str]) -> list:
    found = list(Organisation.objects.filter(code__in=codes))
    missing = sorted(set(codes) - {organisation.code for organisation in found})
    if missing:
        from django.core.exceptions import ValidationError

        raise ValidationError({"organisations": f"unknown organisation {missing[0]!r}"})
    return found
