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
