"""Reads of organisations, users and tokens that enforce who may see what."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from fdx.accounts.models import ApiToken, Organisation, User


def list_organisations(
    viewer, *, country: str | None = None, org_type: str | None = None, text: str | None = None
) -> QuerySet[Organisation]:
    """Organisations ``viewer`` may see, optionally filtered by country, type and text in code or names."""
    queryset = Organisation.objects.restrict(viewer, "view").select_related("country")
    if country:
        queryset = queryset.filter(country_id=country.upper())
    if org_type:
        queryset = queryset.filter(org_type=org_type)
    if text:
        queryset = queryset.filter(
            Q(code__icontains=text)
            | Q(name_en__icontains=text)
            | Q(name_ru__icontains=text)
            | Q(name_local__icontains=text)
        )
    return queryset.order_by("code")


def get_organisation(viewer, code: str, action: str = "view") -> Organisation:
    """The organisation ``code`` if ``viewer`` may ``action`` it; else 404 (existence is not disclosed)."""
    return get_object_or_404(
        Organisation.objects.restrict(viewer, action).select_related("country"), code=code
    )


def list_users(
    viewer,
    *,
    organisation: str | None = None,
    role: str | None = None,
    active: bool | None = None,
    text: str | None = None,
) -> QuerySet[User]:
    """Users ``viewer`` may see (node admins: all; organisation admins: their organisation; others: self)."""
    queryset = (
        User.objects.restrict(viewer, "view")
        .select_related("organisation", "organisation__country")
        .prefetch_related(Prefetch("groups", queryset=Group.objects.only("name")))
    )
    if organisation:
        queryset = queryset.filter(organisation__code=organisation)
    if role:
        queryset = queryset.filter(groups__name=role)
    if active is not None:
        queryset = queryset.filter(is_active=active)
    if text:
        queryset = queryset.filter(
            Q(username__icontains=text)
            | Q(first_name__icontains=text)
            | Q(last_name__icontains=text)
            | Q(email__icontains=text)
        )
    return queryset.order_by("username")


def get_user(viewer, username: str, action: str = "view") -> User:
    """The user ``username`` if ``viewer`` may ``action`` them; otherwise 404."""
    return get_object_or_404(
        User.objects.restrict(viewer, action).select_related("organisation", "organisation__country"),
        username=username,
    )


def role_names(user: User) -> list[str]:
    """Role codes of a user loaded by ``list_users`` (uses the prefetched groups)."""
    return sorted(group.name for group in user.groups.all())


def list_tokens(viewer, *, user: User | None = None) -> QuerySet[ApiToken]:
    """API tokens ``viewer`` may see: their own, or those of users they administer."""
    queryset = ApiToken.objects.restrict(viewer, "view").select_related("user")
    if user is not None:
        queryset = queryset.filter(user=user)
    return queryset.order_by("-created_at")


def get_token(viewer, global_id, action: str = "view") -> ApiToken:
    return get_object_or_404(
        ApiToken.objects.restrict(viewer, action).select_related("user__organisation"), global_id=global_id
    )
