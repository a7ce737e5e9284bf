"""Who may see or change organisations, people, API tokens and sharing groups."""

from __future__ import annotations

from django.utils import timezone

from fdx.core.querysets import RestrictedQuerySet


class OrganisationQuerySet(RestrictedQuerySet):
    def _restrict(self, user, action):
        if action == "view":
            # The directory of organisations is open to every signed-in user: sharing needs it.
            return self if user.has_perm("accounts.manage_organisations") else self.filter(is_active=True)
        if user.has_perm("accounts.manage_organisations"):
            return self
        return self.none()


class UserQuerySet(RestrictedQuerySet):
    def _restrict(self, user, action):
        if user.has_perm("accounts.manage_all_users"):
            return self
        if user.has_perm("accounts.manage_org_users"):
            return self.filter(organisation_id=user.organisation_id)
        if action == "view":
            return self.filter(pk=user.pk)
        return self.none()


class ApiTokenQuerySet(RestrictedQuerySet):
    actions = ("view", "change")

    def _restrict(self, user, action):
        if user.has_perm("accounts.manage_all_users"):
            return self
        if user.has_perm("accounts.manage_org_users"):
            return self.filter(user__organisation_id=user.organisation_id)
        return self.filter(user=user)

    def usable(self):
        """Tokens that still authenticate now: not revoked, not expired, owner active."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now(), user__is_active=True)


class SharingGroupQuerySet(RestrictedQuerySet):
    def _restrict(self, user, action):
        if user.has_perm("accounts.manage_organisations"):
            return self
        if action == "view":
            return self.filter(organisations=user.organisation_id, is_active=True).distinct()
        return self.none()
