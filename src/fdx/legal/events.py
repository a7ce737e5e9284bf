"""The domain events of the legal data (``fdx.core.events``)."""

from django.utils.translation import gettext_lazy as _

from fdx.core.events import register

LISTING_CHANGED = register(
    "legal.listing.changed", _("An entry of a control list was added, corrected, ended or withdrawn")
)
LEGAL_DATA_CHANGED = register(
    "legal.data.changed", _("The legal data changed: answers given from now on may differ")
)
