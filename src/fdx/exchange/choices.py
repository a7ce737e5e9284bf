from django.db import models
from django.utils.translation import gettext_lazy as _

from fdx.exchange.rules import NodeRole


class PeerRole(models.TextChoices):
    """What a peer is in the network (the values of ``fdx.exchange.rules.NodeRole``)."""

    NATIONAL = NodeRole.NATIONAL.value, _("National node")
    HUB = NodeRole.HUB.value, _("Regional hub")
    INTERNATIONAL = NodeRole.INTERNATIONAL.value, _("International organisation's node")
