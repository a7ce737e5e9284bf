from django.utils.translation import gettext_lazy as _

from fdx.audit.events import register

SUBSTANCE_CREATED = register("substances.substance.created", _("Added a substance to the registry"))
SUBSTANCE_CHANGED = register("substances.substance.changed", _("Changed a substance of the registry"))
REFERENCE_LOADED = register("substances.reference.loaded", _("Loaded the reference substances"))
SUBSTANCES_IMPORTED = register("substances.import.done", _("Imported substances from a file"))
