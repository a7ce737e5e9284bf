from django.utils.translation import gettext_lazy as _

from fdx.audit.events import register

SUBSTANCE_CREATED = register(
    "substances.substance.created",
    _("Added a substance to the registry"),
    template=_("%(actor)s added substance %(object)s to the registry"),
)
SUBSTANCE_CHANGED = register(
    "substances.substance.changed",
    _("Changed a substance of the registry"),
    template=_("%(actor)s changed substance %(object)s of the registry"),
)
REFERENCE_LOADED = register(
    "substances.reference.loaded",
    _("Loaded the reference substances"),
    template=_("%(actor)s loaded the reference substances"),
)
SUBSTANCES_IMPORTED = register(
    "substances.import.done",
    _("Imported substances from a file"),
    template=_("%(actor)s imported substances from file %(object)s"),
)
