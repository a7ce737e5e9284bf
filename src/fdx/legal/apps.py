from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LegalConfig(AppConfig):
    name = "fdx.legal"
    label = "legal"
    verbose_name = _("Legal status")

    def ready(self):
        from fdx.legal.panels import legal_status_panel
        from fdx.substances.extensions import SUBSTANCE_PANELS

        SUBSTANCE_PANELS.register(legal_status_panel)
