from django.utils.translation import gettext_lazy as _

from fdx.audit.events import EventCategory, register

EVENTS_EXPORTED = register("audit.events.exported", _("Exported audit events"), EventCategory.ACCESS)
