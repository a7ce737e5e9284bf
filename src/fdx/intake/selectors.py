"""The import runs and mappings a user may read: their own laboratory's."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from fdx.intake.actions import IMPORT
from fdx.intake.models import ImportMapping, ImportRun


def _laboratory(user):
    if not getattr(user, "is_authenticated", False) or not user.has_perm(IMPORT) or user.organisation is None:
        raise PermissionDenied(_("Importing is for the staff who record their laboratory's cases."))
    return user.organisation


def runs_for(user):
    """The runs of the user's laboratory, newest first."""
    return ImportRun.objects.filter(organisation=_laboratory(user)).select_related("created_by", "mapping")


def get_run(user, global_id) -> ImportRun:
    found = runs_for(user).filter(global_id=global_id).first()
    if found is None:
        raise Http404(_("No import run of your laboratory has this identifier."))
    return found


def mappings_for(user):
    """The saved mappings of the user's laboratory."""
    return ImportMapping.objects.filter(organisation=_laboratory(user)).order_by("name")


def get_mapping(user, name: str) -> ImportMapping:
    found = mappings_for(user).filter(name=name).first()
    if found is None:
        raise Http404(_("Your laboratory has no mapping called %(name)s.") % {"name": name})
    return found
