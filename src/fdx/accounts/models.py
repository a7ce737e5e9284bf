"""Organisations, users and API tokens."""

from __future__ import annotations

import uuid

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from fdx.accounts.choices import OrganisationType, Role
from fdx.accounts.querysets import (
    ApiTokenQuerySet,
    OrganisationQuerySet,
    SharingGroupQuerySet,
    UserQuerySet,
)
from fdx.core.models import GlobalRecord


class Organisation(GlobalRecord):
    """A forensic laboratory, agency, court, centre or ministry whose people use FDX."""

    code = models.SlugField(
        _("code"),
        max_length=50,
        unique=True,
        help_text=_("Short stable identifier, e.g. kz-forensic-centre."),
    )
    name_en = models.CharField(_("name (English)"), max_length=250)
    name_ru = models.CharField(_("name (Russian)"), max_length=250)
    name_local = models.CharField(_("name (national language)"), max_length=250, blank=True)
    country = models.ForeignKey(
        "geo.Country", verbose_name=_("country"), on_delete=models.PROTECT, related_name="organisations"
    )
    org_type = models.CharField(_("type"), max_length=40, choices=OrganisationType.choices)
    is_active = models.BooleanField(_("active"), default=True)

    objects = OrganisationQuerySet.as_manager()

    audit_fields = ("code", "name_en", "name_ru", "name_local", "country", "org_type", "is_active")

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["code"]
        permissions = [
            ("manage_organisations", _("Create and change every organisation of the node")),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        """The name in the active language (Russian or English)."""
        return self.name_ru if (get_language() or "").startswith("ru") and self.name_ru else self.name_en


class FdxUserManager(UserManager.from_queryset(UserQuerySet)):
    use_in_migrations = True


class User(AbstractUser):
    """A person who signs in to FDX; belongs to exactly one organisation and holds roles (groups)."""

    global_id = models.UUIDField(_("global identifier"), default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="users"
    )
    position = models.CharField(_("position"), max_length=150, blank=True)
    must_change_password = models.BooleanField(
        _("must change password"),
        default=False,
        help_text=_("Set when an administrator chose the password; cleared when the user changes it."),
    )

    objects = FdxUserManager()

    REQUIRED_FIELDS = ["email", "organisation"]
    audit_fields = ("username", "first_name", "last_name", "email", "organisation", "position", "is_active")

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]
        permissions = [
            ("manage_org_users", _("Create and change the users of one's own organisation")),
            ("manage_all_users", _("Create and change every user of the node")),
            ("manage_node", _("Run the node: its identity, its signing key and its domain events")),
        ]

    def __str__(self):
        full_name = self.get_full_name()
        return f"{full_name} ({self.username})" if full_name else self.username

    @cached_property
    def roles(self) -> frozenset[str]:
        """The role codes this user holds (from their groups)."""
        valid = set(Role.values)
        return frozenset(name for name in self.groups.values_list("name", flat=True) if name in valid)

    def has_role(self, role: str) -> bool:
        return role in self.roles

    @property
    def role_labels(self) -> list[str]:
        """The translated names of this user's roles, in the order roles are listed."""
        held = self.roles
        return [label for value, label in Role.choices if value in held]


class ApiToken(GlobalRecord):
    """A bearer token for the API. Only its SHA-256 is stored; the token itself is shown once."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.PROTECT, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16, db_index=True)
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    created_by = models.ForeignKey(
        User, verbose_name=_("created by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = ApiTokenQuerySet.as_manager()

    audit_fields = ("user", "name", "prefix", "expires_at", "revoked_at")

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]
        default_permissions = ()
        # The token list, newest first (tests/test_query_plans.py).
        indexes = [models.Index(fields=["-created_at"], name="apitoken_created_key")]

    def __str__(self):
        return f"{self.prefix}… ({self.name})"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now() and self.user.is_active


class SharingGroup(GlobalRecord):
    """A named group of organisations, possibly across countries, that records can be shared with."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=250)
    name_ru = models.CharField(_("name (Russian)"), max_length=250)
    description = models.TextField(_("purpose"), blank=True)
    organisations = models.ManyToManyField(
        Organisation, verbose_name=_("member organisations"), related_name="sharing_groups"
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = SharingGroupQuerySet.as_manager()

    audit_fields = ("code", "name_en", "name_ru", "description", "organisations", "is_active")

    class Meta:
        verbose_name = _("sharing group")
        verbose_name_plural = _("sharing groups")
        ordering = ["code"]

    def __str__(self):
        return self.name_ru if (get_language() or "").startswith("ru") and self.name_ru else self.name_en


class ApiTokenFailure(models.Model):
    """Rejected API tokens from one address within the current window (for throttling; not audited)."""

    ip_address = models.CharField(_("address"), max_length=64, unique=True)
    failures = models.PositiveIntegerField(_("failures"), default=0)
    window_started_at = models.DateTimeField(_("window started at"))

    class Meta:
        verbose_name = _("rejected API token count")
        verbose_name_plural = _("rejected API token counts")
        default_permissions = ()

    def __str__(self):
        return f"{self.ip_address}: {self.failures}"
