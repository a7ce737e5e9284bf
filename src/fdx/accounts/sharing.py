"""The sharing rule: which organisations a record's distribution level reaches.

The rule lives here, once, as a ``Q`` builder; every restricted queryset of shared data uses it. The levels
themselves are ``fdx.core.distribution.DistributionLevel``.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _

from fdx.accounts.choices import OrganisationType
from fdx.accounts.models import SharingGroup
from fdx.core.distribution import DistributionLevel

#: Organisations above the states: the national level of their host country does not reach them.
SUPRANATIONAL_TYPES = (OrganisationType.REGIONAL_CENTRE, OrganisationType.INTERNATIONAL)


def sharing_group_problem(level: str, sharing_group, owner_organisation_id) -> str | None:
    """What is wrong with a record's sharing group for its distribution level (the group is named exactly
    when the level is "sharing group", and the owner is a member of it); None when nothing is."""
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
        organisation.country_id in settings.FDX_REGION_COUNTRIES
        or organisation.org_type == OrganisationType.REGIONAL_CENTRE
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
    groups = SharingGroup.objects.filter(organisations=organisation, is_active=True).values("pk")
    reach |= Q(**{level: DistributionLevel.SHARING_GROUP, f"{prefix}sharing_group__in": groups})
    return reach & ~Q(**{f"{prefix}owner_organisation": organisation})
