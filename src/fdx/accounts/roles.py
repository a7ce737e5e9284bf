"""Roles as data: which Django permissions each role's group holds.

A permission is ``app_label.codename``. Scope (own organisation or the whole node) is part of the
permission's meaning and is enforced by the restricted querysets and actions, never by the views alone.
Later capabilities add their permissions here, and ``sync_roles`` brings the groups in line.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from fdx.accounts.choices import Role

_ORG_ADMIN = {
    "accounts.manage_org_users",
    "audit.view_org_events",
}
_NODE_ADMIN = _ORG_ADMIN | {
    "accounts.manage_node",
    "accounts.manage_all_users",
    "exchange.manage_peers",
    "accounts.manage_organisations",
    "audit.view_all_events",
    "audit.verify_chain",
    "geo.manage_geography",
    # Django admin pages for reference data and the people directory.
    "accounts.view_organisation",
    "accounts.view_user",
    "geo.view_country",
    "geo.change_country",
    "geo.view_region",
    "geo.add_region",
    "geo.change_region",
    "geo.view_regionalias",
    "geo.add_regionalias",
    "geo.change_regionalias",
    "geo.view_regionsuccession",
    "geo.add_regionsuccession",
    "geo.change_regionsuccession",
    "geo.view_bordercrossingpoint",
    "geo.add_bordercrossingpoint",
    "geo.change_bordercrossingpoint",
    "substances.add_substance",
    "substances.change_substance",
    "substances.import_substances",
    "substances.view_substance",
    "legal.maintain_legal_lists",
    "legal.view_jurisdiction",
    "legal.view_instrument",
    "legal.add_instrument",
    "legal.change_instrument",
    "legal.view_controllist",
    "legal.change_controllist",
    "legal.view_listincorporation",
    "legal.add_listincorporation",
    "legal.change_listincorporation",
    "legal.view_genericdefinition",
    "legal.add_genericdefinition",
    "legal.change_genericdefinition",
    "legal.view_quantitythreshold",
    "legal.add_quantitythreshold",
    "legal.change_quantitythreshold",
    "spectra.search_spectra",
    "spectra.manage_spectral_libraries",
    "spectra.view_spectrallibrary",
    "spectra.view_spectrum",
}

_CASE_READER = {
    "examinations.view_case_data",
    "spectra.search_spectra",
}
#: Working notes on the cases one may see (this node, one's organisation only): for those who work with the
#: cases (data entry, reviewers, analysts), not for a reader who only reads (viewer).
_CASE_WORKER = _CASE_READER | {
    "examinations.add_casenote",
}
_DATA_ENTRY = _CASE_WORKER | {
    "substances.add_substance",
    "examinations.record_case_data",
}
_REVIEWER = _DATA_ENTRY | {
    "substances.change_substance",
    "examinations.review_examination",
    # The head of laboratory manages the laboratory's reference spectra.
    "spectra.manage_spectral_libraries",
}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.DATA_ENTRY: frozenset(_DATA_ENTRY),
    Role.REVIEWER: frozenset(_REVIEWER),
    Role.ANALYST: frozenset(_CASE_WORKER),
    Role.VIEWER: frozenset(_CASE_READER),
    Role.ORG_ADMIN: frozenset(_ORG_ADMIN),
    Role.NODE_ADMIN: frozenset(_NODE_ADMIN),
}

#: Roles that may sign in to the Django admin (reference data).
STAFF_ROLES = frozenset({Role.NODE_ADMIN})

#: Roles an organisation administrator may grant; node administration is granted by a node admin only.
ORG_GRANTABLE_ROLES = frozenset({Role.DATA_ENTRY, Role.REVIEWER, Role.ANALYST, Role.VIEWER, Role.ORG_ADMIN})


def permission(dotted: str) -> Permission:
    """The ``Permission`` named ``app_label.codename``, or ``LookupError`` naming it."""
    app_label, codename = dotted.split(".", 1)
    try:
        return Permission.objects.get(content_type__app_label=app_label, codename=codename)
    except Permission.DoesNotExist:
        raise LookupError(f"permission {dotted!r} does not exist (is its app migrated?)") from None


@transaction.atomic
def sync_roles() -> dict[str, int]:
    """Create a group per role and give it exactly the permissions of ``ROLE_PERMISSIONS``; idempotent."""
    counts = {}
    for role, dotted_names in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        group.permissions.set([permission(name) for name in sorted(dotted_names)])
        counts[str(role)] = len(dotted_names)
    return counts


#: Roles that must sign in with a second factor: every role that reads case data, and the administrators.
TWO_FACTOR_ROLES = frozenset(
    role
    for role, dotted_names in ROLE_PERMISSIONS.items()
    if "examinations.view_case_data" in dotted_names or role in (Role.ORG_ADMIN, Role.NODE_ADMIN)
)
