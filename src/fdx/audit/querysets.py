"""Who may read the audit chain: the whole node's events, or their own organisation's."""

from __future__ import annotations

from fdx.core.querysets import RestrictedQuerySet


class AuditEventQuerySet(RestrictedQuerySet):
    actions = ("view",)

    def _restrict(self, user, action):
        if user.has_perm("audit.view_all_events"):
            return self
        if user.has_perm("audit.view_org_events"):
            return self.filter(organisation_id=user.organisation_id)
        return self.none()
