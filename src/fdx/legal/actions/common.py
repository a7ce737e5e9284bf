"""Who may change a jurisdiction's legal data, and the version that tells every process it changed."""

from __future__ import annotations

import uuid

from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from fdx.accounts.sharing import SUPRANATIONAL_TYPES
from fdx.core.actors import is_system, require_permission
from fdx.core.events import emit
from fdx.legal import events
from fdx.legal.models import (
    Jurisdiction,
    LegalDataVersion,
)

MAINTAIN = "legal.maintain_legal_lists"


# Who may change what


def may_maintain(actor, jurisdiction: Jurisdiction) -> bool:
    """The system; or a holder of the permission whose organisation is of that country, or supranational (the
    regional centre keeps the UN schedules and helps every state)."""
    if is_system(actor):
        return True
    if not getattr(actor, "is_authenticated", False) or not actor.has_perm(MAINTAIN):
        return False
    return may_maintain_as(actor.organisation, jurisdiction)


def may_maintain_as(organisation, jurisdiction: Jurisdiction) -> bool:
    """Whether ``organisation`` keeps ``jurisdiction``'s lists: its own country's, or every one for a
    supranational body."""
    if organisation is None:
        return False
    if organisation.org_type in SUPRANATIONAL_TYPES:
        return True
    return jurisdiction.country_id is not None and organisation.country_id == jurisdiction.country_id


def require_maintainer(actor, jurisdiction: Jurisdiction) -> None:
    require_permission(actor, MAINTAIN)
    if not may_maintain(actor, jurisdiction):
        raise PermissionDenied(_("You may maintain only the lists of your own jurisdiction."))


def bump_version() -> None:
    """Tell every process that the legal data changed (their compiled engines are stale), and the apps
    above (``legal.data.changed``): answers given from now on may differ."""
    updated = LegalDataVersion.objects.filter(pk=1).update(
        number=F("number") + 1, token=uuid.uuid4(), changed_at=timezone.now()
    )
    if not updated:
        LegalDataVersion.objects.get_or_create(pk=1, defaults={"number": 1})
    emit(
        events.LEGAL_DATA_CHANGED, version=LegalDataVersion.objects.values_list("number", flat=True).get(pk=1)
    )
