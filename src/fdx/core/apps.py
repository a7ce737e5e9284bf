from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "fdx.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        # Each app declares the domain events it emits in `<app>/events.py` and its extension points in
        # `<app>/extensions.py`; load them all before any app subscribes or plugs in (in their own ready).
        autodiscover_modules("events")
        autodiscover_modules("extensions")
