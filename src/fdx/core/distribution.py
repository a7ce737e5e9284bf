"""Distribution levels: who, beyond the owning organisation, may see a shared record.

The rule lives here, once, as a ``Q`` builder; every restricted queryset of shared data uses it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class DistributionLevel(models.TextChoices):
    ORGANISATION = "organisation", _("Own organisation only")
    NATIONAL = "national", _("National (organisations of the same country)")
    SHARING_GROUP = "sharing_group", _("A named sharing group")
    REGIONAL = "regional", _("Regional (the participating states and the regional centre)")
    INTERNATIONAL = "international", _("International (everyone on this node)")


SUPRANATIONAL_TYPES = ("regional_centre", "international")


SUPRANATIONAL_TYPES = ("regional_centre", "international")


def sharing_group_problem(level: str, sharing_group, owner_organisation_id) -> str | None:
    """What is wrong with a record's sharing group for its distribution level (the group is named exactly
    when the level is "sharing group", and the owner is a member of it); None when nothing is."""
    from django.utils.translation import gettext as _

    if level == DistributionLevel.SHARING_GROUP:
        if sharing_group is None:
            return _("Name the sharing group.")
        if not sharing_group.organisations.filter(pk=owner_organisation_id).exists():
            return _("Your organisation is not a member of this sharing group.")
    elif sharing_group is not None:
        return _("A sharing group is given only with the sharing-group distribution level.")
    return None


def in_region(organisation) -> bool:
    """Whether an organisation belongs to the region: a participating state, or the regional centre."""
    return (
        organisation.country_id in settings.FDX_REGION_COUNTRIES or organisation.org_type == "regional_centre"
    )


def shared_with(organisation, prefix: str = "") -> Q:
    """Records of other organisations whose distribution level reaches ``organisation``.

    ``prefix`` is the path from the queried model to the record carrying the owner and level fields
    (for example ``"case__"`` from an exhibit). The owner's own records are not included. The national
    level reaches the state's own bodies, not a regional or international office that the state hosts.
    """
    level = f"{prefix}distribution_level"
    reach = Q(**{level: DistributionLevel.INTERNATIONAL})
    if organisation.org_type not in SUPRANATIONAL_TYPES:
        reach |= Q(
            **{
                f"{level}__in": [DistributionLevel.NATIONAL, DistributionLevel.REGIONAL],
                f"{prefix}owner_organisation__country_id": organisation.country_id,
            }
        )
    if in_region(organisation):
        reach |= Q(**{level: DistributionLevel.REGIONAL})
    # A subquery, not a join through the group's members: a join would repeat the record once per member.
    from fdx.accounts.models import SharingGroup

    groups = SharingGroup.objects.filter(organisations=organisation, is_active=True).values("pk")
    reach |= Q(**{level: DistributionLevel.SHARING_GROUP, f"{prefix}sharing_group__in": groups})
    return reach & ~Q(**{f"{prefix}owner_organisation": organisation})
