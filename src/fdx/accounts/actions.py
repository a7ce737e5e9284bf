"""Every change to organisations, users, roles, passwords and API tokens.

Each action checks the actor's permission (and its scope: own organisation or the whole node), validates,
writes, and appends to the audit chain in one transaction. Views, API routes and the CLI call these.
"""

from __future__ import annotations

import datetime
import secrets
import string

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from fdx.accounts import audit_events, events, otp, throttling, tokens
from fdx.accounts.choices import Role
from fdx.accounts.models import ApiToken, ApiTokenFailure, Organisation, SharingGroup, User
from fdx.accounts.roles import ORG_GRANTABLE_ROLES, STAFF_ROLES
from fdx.audit.actions import changes, record, snapshot
from fdx.core.actors import is_system, is_user, require_permission, require_user
from fdx.core.events import emit

ORGANISATION_FIELDS = ("code", "name_en", "name_ru", "name_local", "country", "org_type", "is_active")
USER_FIELDS = ("first_name", "last_name", "email", "position", "is_active")


# Organisations


@transaction.atomic
def create_organisation(actor, **values) -> Organisation:
    """Create an organisation (node administrators only)."""
    require_permission(actor, "accounts.manage_organisations")
    unknown = set(values) - set(ORGANISATION_FIELDS)
    if unknown:
        raise ValueError(f"unknown organisation fields: {', '.join(sorted(unknown))}")
    organisation = Organisation(**values)
    organisation.full_clean()
    organisation.save()
    record(
        audit_events.ORGANISATION_CREATED,
        actor=actor,
        organisation=organisation,
        obj=organisation,
        after=snapshot(organisation, Organisation.audit_fields),
    )
    return organisation


@transaction.atomic
def update_organisation(actor, organisation: Organisation, *, reason: str = "", **values) -> Organisation:
    """Change an organisation's names, country, type or active flag (node administrators only)."""
    require_permission(actor, "accounts.manage_organisations")
    unknown = set(values) - set(ORGANISATION_FIELDS)
    if unknown:
        raise ValueError(f"unknown organisation fields: {', '.join(sorted(unknown))}")
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    before = snapshot(organisation, Organisation.audit_fields)
    for name, value in values.items():
        setattr(organisation, name, value)
    organisation.full_clean()
    organisation.save()
    old, new = changes(before, snapshot(organisation, Organisation.audit_fields))
    if new:
        record(
            audit_events.ORGANISATION_CHANGED,
            actor=actor,
            organisation=organisation,
            obj=organisation,
            before=old,
            after=new,
            reason=reason,
        )
    return organisation


# Users


@transaction.atomic
def create_user(
    actor,
    *,
    username: str,
    organisation: Organisation,
    roles: list[str] | tuple[str, ...] = (),
    password: str | None = None,
    must_change_password: bool = True,
    **values,
) -> tuple[User, str | None]:
    """Create a user in ``organisation`` with ``roles``.

    Returns the user and, when no password was given, the generated one (to be shown once). The user must
    change the password an administrator chose at first sign-in, unless ``must_change_password`` is False
    (the demo people, service accounts).
    """
    _require_user_admin(actor, organisation, roles)
    unknown = set(values) - set(USER_FIELDS)
    if unknown:
        raise ValueError(f"unknown user fields: {', '.join(sorted(unknown))}")
    if not organisation.is_active:
        raise ValidationError({"organisation": _("The organisation is not active.")})
    user = User(username=username, organisation=organisation, **values)
    generated = None
    if password is None:
        generated = password = generate_password()
    user.full_clean(exclude=["password"])
    validate_password(password, user)
    user.set_password(password)
    user.must_change_password = must_change_password
    user.save()
    _set_groups(user, roles)
    after = snapshot(user, User.audit_fields) | {"roles": sorted(roles)}
    record(audit_events.USER_CREATED, actor=actor, organisation=organisation, obj=user, after=after)
    return user, generated


@transaction.atomic
def update_user(
    actor, user: User, *, reason: str = "", organisation: Organisation | None = None, **values
) -> User:
    """Change a user's details or active flag; moving a user to another organisation is for node admins."""
    _require_user_admin(actor, user.organisation, user_roles(user), target=user)
    unknown = set(values) - set(USER_FIELDS)
    if unknown:
        raise ValueError(f"unknown user fields: {', '.join(sorted(unknown))}")
    user = User.objects.select_for_update().get(pk=user.pk)
    if values.get("is_active") is False:
        _refuse_removing_last_node_admin(user)
    before = snapshot(user, User.audit_fields)
    if organisation is not None and organisation.pk != user.organisation_id:
        require_permission(actor, "accounts.manage_all_users")
        user.organisation = organisation
    for name, value in values.items():
        setattr(user, name, value)
    user.full_clean(exclude=["password"])
    user.save()
    old, new = changes(before, snapshot(user, User.audit_fields))
    if new:
        record(
            audit_events.USER_CHANGED,
            actor=actor,
            organisation=user.organisation,
            obj=user,
            before=old,
            after=new,
            reason=reason,
        )
    return user


@transaction.atomic
def set_user_roles(actor, user: User, roles: list[str] | tuple[str, ...], *, reason: str = "") -> User:
    """Replace the roles a user holds. Organisation admins grant only the roles of their organisation."""
    _require_user_admin(actor, user.organisation, set(roles) | user_roles(user), target=user)
    if is_user(actor) and actor.pk == user.pk and not actor.has_perm("accounts.manage_all_users"):
        raise PermissionDenied(_("You cannot change your own roles."))
    user = User.objects.select_for_update().get(pk=user.pk)
    before = sorted(user_roles(user))
    if Role.NODE_ADMIN in before and Role.NODE_ADMIN not in roles:
        _refuse_removing_last_node_admin(user)
    _set_groups(user, roles)
    after = sorted(set(roles))
    if before != after:
        record(
            audit_events.USER_ROLES_CHANGED,
            actor=actor,
            organisation=user.organisation,
            obj=user,
            before={"roles": before},
            after={"roles": after},
            reason=reason,
        )
    return user


@transaction.atomic
def change_own_password(actor: User, *, old_password: str, new_password: str) -> None:
    """A user changes their own password, proving the old one."""
    require_user(actor)
    if is_system(actor) or not actor.check_password(old_password):
        raise ValidationError({"old_password": _("The current password is not correct.")})
    validate_password(new_password, actor)
    if actor.check_password(new_password):
        raise ValidationError({"new_password": _("Choose a password different from the current one.")})
    actor.set_password(new_password)
    # The password is now the user's own: the first-sign-in change is done.
    actor.must_change_password = False
    actor.save(update_fields=["password", "must_change_password"])
    record(audit_events.USER_PASSWORD_CHANGED, actor=actor, obj=actor)


@transaction.atomic
def reset_password(actor, user: User, *, password: str | None = None, reason: str = "") -> str | None:
    """An administrator sets a user's password (given, or generated and returned to be shown once); the user
    must change it at their next sign-in."""
    _require_user_admin(actor, user.organisation, user_roles(user), target=user)
    generated = None
    if password is None:
        generated = password = generate_password()
    validate_password(password, user)
    user.set_password(password)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    record(
        audit_events.USER_PASSWORD_RESET, actor=actor, organisation=user.organisation, obj=user, reason=reason
    )
    return generated


def generate_password(length: int = 20) -> str:
    """A random password of letters and digits, long enough for the validators."""
    alphabet = string.ascii_letters + string.digits
    while True:
        password = "".join(secrets.choice(alphabet) for _ in range(length))
        if any(c.isdigit() for c in password) and any(c.isalpha() for c in password):
            return password


def user_roles(user: User) -> set[str]:
    """The role codes ``user`` holds now (read from the database, not a cached value)."""
    valid = set(Role.values)
    return {name for name in user.groups.values_list("name", flat=True) if name in valid}


# API tokens


@transaction.atomic
def create_api_token(actor, user: User, *, name: str, days: int | None = None) -> tuple[ApiToken, str]:
    """Create an API token for ``user``; returns the token row and the token itself (shown once)."""
    if not (is_user(actor) and actor.pk == user.pk):
        _require_user_admin(actor, user.organisation, user_roles(user), target=user)
    if not user.is_active:
        raise ValidationError({"user": _("The user is not active.")})
    days = settings.FDX_TOKEN_LIFETIME_DAYS if days is None else days
    if not 1 <= days <= 730:
        raise ValidationError({"days": _("A token lives between 1 and 730 days.")})
    name = name.strip()
    if not name or len(name) > 100:
        raise ValidationError({"name": _("Give the token a name of at most 100 characters.")})
    secret = tokens.generate_token()
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=tokens.display_prefix(secret),
        token_hash=tokens.hash_token(secret),
        expires_at=timezone.now() + datetime.timedelta(days=days),
        created_by=actor if is_user(actor) else None,
    )
    record(
        audit_events.TOKEN_CREATED,
        actor=actor,
        organisation=user.organisation,
        obj=token,
        after=snapshot(token, ApiToken.audit_fields),
    )
    return token, secret


@transaction.atomic
def revoke_api_token(actor, token: ApiToken, *, reason: str = "") -> ApiToken:
    """Revoke a token now; its owner or an administrator of the owner may."""
    if not (is_user(actor) and actor.pk == token.user_id):
        _require_user_admin(actor, token.user.organisation, user_roles(token.user), target=token.user)
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
        record(
            audit_events.TOKEN_REVOKED,
            actor=actor,
            organisation=token.user.organisation,
            obj=token,
            after={"revoked_at": token.revoked_at},
            reason=reason,
        )
    return token


class TokenRejected(Exception):
    """A bearer token that does not authenticate; ``code`` says why (unknown, expired, revoked, inactive)."""

    def __init__(self, code: str, message: str):
        self.code = code
        super().__init__(message)


class TokenThrottled(Exception):
    """Too many rejected tokens from the request's address: ``wait`` seconds until it may try again."""

    def __init__(self, wait: int):
        self.wait = wait
        super().__init__(f"try again in {wait} s")


def authenticate_token(secret: str, *, address: str | None = None) -> User:
    """The user a bearer token belongs to, or ``TokenRejected``. Notes when the token was last used.

    With ``address``, an address throttled for rejected tokens gets ``TokenThrottled`` whatever the token
    (its count is read in the same query as the token, so a good token costs no extra query)."""
    if not tokens.looks_like_token(secret):
        _refuse_if_throttled(address)
        raise TokenRejected("token_invalid", _("The API token is not valid."))
    queryset = ApiToken.objects.select_related("user", "user__organisation").filter(
        token_hash=tokens.hash_token(secret)
    )
    if address is not None:
        failures = ApiTokenFailure.objects.filter(ip_address=address)
        queryset = queryset.annotate(
            address_failures=Subquery(failures.values("failures")[:1]),
            address_window_started_at=Subquery(failures.values("window_started_at")[:1]),
        )
    token = queryset.first()
    if token is None:
        _refuse_if_throttled(address)
        raise TokenRejected("token_invalid", _("The API token is not valid."))
    if address is not None:
        wait = throttling.retry_after(token.address_failures, token.address_window_started_at)
        if wait is not None:
            raise TokenThrottled(wait)
    now = timezone.now()
    if token.revoked_at is not None:
        raise TokenRejected("token_revoked", _("The API token has been revoked."))
    if token.expires_at <= now:
        raise TokenRejected("token_expired", _("The API token has expired."))
    if not token.user.is_active:
        raise TokenRejected("user_inactive", _("The token's user is not active."))
    if token.last_used_at is None or now - token.last_used_at > datetime.timedelta(minutes=5):
        # A bookkeeping field, not an audited change; written at most every five minutes per token.
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def _refuse_if_throttled(address: str | None) -> None:
    if address is not None:
        wait = throttling.address_retry_after(address)
        if wait is not None:
            raise TokenThrottled(wait)


# Two-factor sign-in


@transaction.atomic
def confirm_two_factor(actor, token: str) -> tuple[TOTPDevice, list[str]]:
    """Turn two-factor sign-in on once the user proves their app shows the right code.

    Returns the device and fresh recovery codes (to be shown once; only their hashes are kept)."""
    require_user(actor)
    device = TOTPDevice.objects.select_for_update().filter(user=actor, confirmed=False).first()
    if device is None or not device.verify_token(token):
        raise ValidationError({"token": _("The code is not correct or has expired.")})
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=actor).exclude(pk=device.pk).delete()
    codes = otp.new_recovery_codes()
    otp.store_recovery_codes(actor, codes)
    record(audit_events.OTP_DEVICE_ADDED, actor=actor, obj=actor, after={"recovery_codes": len(codes)})
    return device, codes


@transaction.atomic
def provision_two_factor(actor, user: User) -> str:
    """Give ``user`` a confirmed authenticator and return its secret (base32) to print once. Only the node's
    set-up does this (the demo people); a person enrols themself on the two-factor page."""
    if not is_system(actor):
        raise PermissionDenied(_("Only the node's set-up provisions an authenticator for someone else."))
    TOTPDevice.objects.filter(user=user).delete()
    device = TOTPDevice.objects.create(user=user, name=otp.DEVICE_NAME, confirmed=True)
    record(audit_events.OTP_DEVICE_ADDED, actor=actor, organisation=user.organisation, obj=user)
    return otp.secret_text(device)


@transaction.atomic
def regenerate_recovery_codes(actor) -> list[str]:
    """Replace the user's recovery codes by new ones (shown once); the old ones stop working."""
    require_user(actor)
    if not otp.has_two_factor(actor):
        raise ValidationError(_("Turn two-factor sign-in on first."))
    codes = otp.new_recovery_codes()
    otp.store_recovery_codes(actor, codes)
    record(audit_events.OTP_RECOVERY_CODES_REGENERATED, actor=actor, obj=actor, after={"count": len(codes)})
    return codes


@transaction.atomic
def turn_off_two_factor(actor, *, password: str) -> None:
    """Turn two-factor sign-in off; the user confirms with their password. Refused where it is required."""
    require_user(actor)
    if otp.two_factor_required(actor):
        raise ValidationError(
            {"password": _("Two-factor sign-in is required for your roles on this node; it stays on.")}
        )
    if not actor.check_password(password):
        raise ValidationError({"password": _("The password is not correct.")})
    deleted, _detail = TOTPDevice.objects.filter(user=actor).delete()
    StaticDevice.objects.filter(user=actor).delete()
    if deleted:
        record(audit_events.OTP_DEVICE_REMOVED, actor=actor, obj=actor)


# Internals


def _require_user_admin(actor, organisation: Organisation, roles, target: User | None = None) -> None:
    """Node admins manage everyone; organisation admins the non-node-admin users of their organisation."""
    if is_system(actor):
        return
    require_user(actor)
    if actor.has_perm("accounts.manage_all_users"):
        return
    if not actor.has_perm("accounts.manage_org_users") or organisation.pk != actor.organisation_id:
        raise PermissionDenied(_("You may manage only the users of your own organisation."))
    if not set(roles) <= ORG_GRANTABLE_ROLES:
        raise PermissionDenied(_("Only a node administrator may grant or change node administration."))
    if target is not None and target.organisation_id != actor.organisation_id:
        raise PermissionDenied(_("You may manage only the users of your own organisation."))


def _set_groups(user: User, roles) -> None:
    unknown = set(roles) - set(Role.values)
    if unknown:
        raise ValidationError({"roles": _("Unknown role: %(roles)s") % {"roles": ", ".join(sorted(unknown))}})
    groups = list(Group.objects.filter(name__in=set(roles)))
    if len(groups) != len(set(roles)):
        raise RuntimeError("role groups are missing; run `fdx setup` (it calls sync_roles)")
    user.groups.set(groups)
    is_staff = bool(set(roles) & STAFF_ROLES)
    if user.is_staff != is_staff:
        user.is_staff = is_staff
        user.save(update_fields=["is_staff"])
    user.__dict__.pop("roles", None)
    for cache in ("_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        user.__dict__.pop(cache, None)


def _refuse_removing_last_node_admin(user: User) -> None:
    others = User.objects.filter(groups__name=Role.NODE_ADMIN, is_active=True).exclude(pk=user.pk)
    if user_roles(user) & {Role.NODE_ADMIN} and not others.exists():
        raise ValidationError({"roles": _("The node must keep at least one active node administrator.")})


@transaction.atomic
def reset_two_factor(actor, user: User, *, reason: str) -> None:
    """An administrator turns a user's two-factor sign-in off (lost phone); the user enrols again (at their
    next sign-in, where it is required). Their recovery codes go with it."""
    _require_user_admin(actor, user.organisation, user_roles(user), target=user)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why two-factor sign-in is reset.")})
    deleted, _detail = TOTPDevice.objects.filter(user=user).delete()
    recovery, _detail = StaticDevice.objects.filter(user=user).delete()
    if deleted or recovery:
        record(
            audit_events.OTP_DEVICE_REMOVED,
            actor=actor,
            organisation=user.organisation,
            obj=user,
            reason=reason,
        )


# Sharing groups


@transaction.atomic
def create_sharing_group(
    actor, *, code: str, name_en: str, name_ru: str, description: str = "", organisations=()
) -> SharingGroup:
    """Create a named group of organisations that records can be shared with (node administrators)."""
    require_permission(actor, "accounts.manage_organisations")
    group = SharingGroup(code=code, name_en=name_en, name_ru=name_ru, description=description)
    group.full_clean()
    group.save()
    group.organisations.set(organisations)
    record(
        audit_events.SHARING_GROUP_CREATED,
        actor=actor,
        obj=group,
        after=snapshot(group, SharingGroup.audit_fields),
    )
    return group


@transaction.atomic
def update_sharing_group(
    actor, group: SharingGroup, *, reason: str = "", organisations=None, **values
) -> SharingGroup:
    """Change a sharing group's names, purpose, active flag or members."""
    require_permission(actor, "accounts.manage_organisations")
    group = SharingGroup.objects.select_for_update().get(pk=group.pk)
    before = snapshot(group, SharingGroup.audit_fields)
    allowed = {"name_en", "name_ru", "description", "is_active"}
    if set(values) - allowed:
        raise ValueError(f"unknown sharing group fields: {', '.join(sorted(set(values) - allowed))}")
    for name, value in values.items():
        setattr(group, name, value)
    group.full_clean()
    group.save()
    if organisations is not None:
        group.organisations.set(organisations)
    old, new = changes(before, snapshot(group, SharingGroup.audit_fields))
    if new:
        record(
            audit_events.SHARING_GROUP_CHANGED, actor=actor, obj=group, before=old, after=new, reason=reason
        )
    if {"organisations", "is_active"} & set(new):
        # Who the group's records reach changed: the exchange withdraws or sends copies.
        emit(
            events.SHARING_GROUP_CHANGED,
            obj=group,
            actor=actor,
            changed=sorted({"organisations", "is_active"} & set(new)),
        )
    return group
