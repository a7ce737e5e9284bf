"""The domain events of the exchange (``fdx.core.events``)."""

from django.utils.translation import gettext_lazy as _

from fdx.core.events import register

PUBLICATION_CHANGED = register(
    "exchange.publication.changed",
    _("A publication of reference data, or who subscribes to it, changed"),
)
