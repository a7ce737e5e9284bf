"""Distribution levels: who, beyond the owning organisation, may see a shared record.

The vocabulary lives here, at the bottom, because every record that may leave its node carries a level. The
rule that turns a level into "which organisations it reaches" needs organisations and sharing groups, so it
lives with them in ``fdx.accounts.sharing``.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DistributionLevel(models.TextChoices):
    ORGANISATION = "organisation", _("Own organisation only")
    NATIONAL = "national", _("National (organisations of the same country)")
    SHARING_GROUP = "sharing_group", _("A named sharing group")
    REGIONAL = "regional", _("Regional (the participating states and the regional centre)")
    INTERNATIONAL = "international", _("International (everyone on this node)")
