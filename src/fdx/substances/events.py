"""The domain events of the substance registry (``fdx.core.events``)."""

from django.utils.translation import gettext_lazy as _

from fdx.core.events import register

SUBSTANCE_CHANGED = register(
    "substances.substance.changed", _("A substance was registered, or its names or structure changed")
)
SUBSTANCES_IMPORTED = register(
    "substances.substances.imported", _("Substances were registered in bulk (a file, the reference set)")
)
