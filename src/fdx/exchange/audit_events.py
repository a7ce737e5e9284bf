from django.utils.translation import gettext_lazy as _

from fdx.audit.events import EventCategory, register

PEER_REGISTERED = register(
    "exchange.peer.registered",
    _("Registered a peer node"),
    EventCategory.SECURITY,
    template=_("%(actor)s registered peer node %(object)s"),
)
PEER_SUSPENDED = register(
    "exchange.peer.suspended",
    _("Suspended a peer node"),
    EventCategory.SECURITY,
    template=_("%(actor)s suspended peer node %(object)s"),
)
PEER_RESUMED = register(
    "exchange.peer.resumed",
    _("Resumed exchange with a peer node"),
    EventCategory.SECURITY,
    template=_("%(actor)s resumed exchange with peer node %(object)s"),
)
PEER_TOKEN_SET = register(
    "exchange.peer.token_set",
    _("Set the token for calling a peer node"),
    EventCategory.SECURITY,
    template=_("%(actor)s set the token for calling peer node %(object)s"),
)
RECEIVED = register(
    "exchange.records.received",
    _("Received records from a peer node"),
    EventCategory.DATA,
    template=_("%(actor)s received records from peer node %(object)s"),
)
BUNDLE_EXPORTED = register(
    "exchange.bundle.exported",
    _("Exported a bundle for a peer node"),
    EventCategory.ACCESS,
    template=_("%(actor)s exported a bundle for peer node %(object)s"),
)
BUNDLE_IMPORTED = register(
    "exchange.bundle.imported",
    _("Imported a bundle from a peer node"),
    EventCategory.DATA,
    template=_("%(actor)s imported a bundle from peer node %(object)s"),
)
BUNDLE_REFUSED = register(
    "exchange.bundle.refused",
    _("Refused a bundle"),
    EventCategory.SECURITY,
    template=_("%(actor)s was refused a bundle: %(object)s"),
)
GROUP_FOLLOWED = register(
    "exchange.sharing_group.followed",
    _("A received sharing group followed its origin's definition"),
    EventCategory.DATA,
    template=_("%(actor)s brought sharing group %(object)s up to date with the node that defined it"),
)
PUBLICATION_CREATED = register(
    "exchange.publication.created",
    _("Published reference data to peer nodes"),
    EventCategory.DATA,
    template=_("%(actor)s created publication %(object)s"),
)
PUBLICATION_CHANGED = register(
    "exchange.publication.changed",
    _("Changed a publication of reference data"),
    EventCategory.DATA,
    template=_("%(actor)s changed publication %(object)s"),
)
SUBSCRIBER_ADDED = register(
    "exchange.subscription.added",
    _("A peer node subscribed to a publication"),
    EventCategory.ACCESS,
    template=_("%(actor)s subscribed a peer node to publication %(object)s"),
)
SUBSCRIBER_REMOVED = register(
    "exchange.subscription.removed",
    _("A peer node's subscription to a publication ended"),
    EventCategory.ACCESS,
    template=_("%(actor)s ended a peer node's subscription to publication %(object)s"),
)
PUBLICATION_FOLLOWED = register(
    "exchange.publication.followed",
    _("Subscribed to a peer node's publication"),
    EventCategory.DATA,
    template=_("%(actor)s subscribed to a publication of peer node %(object)s"),
)
PUBLICATION_UNFOLLOWED = register(
    "exchange.publication.unfollowed",
    _("Ended a subscription to a peer node's publication"),
    EventCategory.DATA,
    template=_("%(actor)s ended a subscription to a publication of peer node %(object)s"),
)
