from django.utils.translation import gettext_lazy as _

from fdx.audit.events import EventCategory, register

EVENTS_EXPORTED = register(
    "audit.events.exported",
    _("Exported audit events"),
    EventCategory.ACCESS,
    template=_("%(actor)s exported the audit events"),
)
ADMIN_RECORD_CREATED = register(
    "admin.record.created",
    _("Created a record in the administration pages"),
    template=_("%(actor)s created %(object)s in the administration pages"),
)
ADMIN_RECORD_CHANGED = register(
    "admin.record.changed",
    _("Changed a record in the administration pages"),
    template=_("%(actor)s changed %(object)s in the administration pages"),
)
ADMIN_RECORD_DELETED = register(
    "admin.record.deleted",
    _("Deleted a record in the administration pages"),
    template=_("%(actor)s deleted %(object)s in the administration pages"),
)
