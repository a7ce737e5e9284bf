from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "fdx.audit"
    label = "audit"
    verbose_name = _("Audit")

    def ready(self):
        # Each app declares its audit vocabulary in `<app>/audit_events.py`; load them all before any record.
        autodiscover_modules("audit_events")
