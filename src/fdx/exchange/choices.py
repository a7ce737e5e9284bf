from django.db import models
from django.utils.translation import gettext_lazy as _

from fdx.exchange.rules import NodeRole


class PeerRole(models.TextChoices):
    """What a peer is in the network (the values of ``fdx.exchange.rules.NodeRole``)."""

    NATIONAL = NodeRole.NATIONAL.value, _("National node")
    HUB = NodeRole.HUB.value, _("Regional hub")
    INTERNATIONAL = NodeRole.INTERNATIONAL.value, _("International organisation's node")


class PublicationKind(models.TextChoices):
    """What a publication of reference data carries."""

    SUBSTANCES = "substances", _("Substances registered on this node")
    SPECTRAL_LIBRARY = "spectral_library", _("A spectral library and its spectra")
    LEGAL_LISTS = "legal_lists", _("The control lists of a jurisdiction")


class SubscriptionOrigin(models.TextChoices):
    """Who made a subscription: the subscribing peer over the network, or this node's administrator (for a
    peer reached only by bundle files)."""

    PEER = "peer", _("Asked by the peer")
    ADMINISTRATOR = "administrator", _("Added by this node's administrator")
