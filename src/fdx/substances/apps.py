from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubstancesConfig(AppConfig):
    name = "fdx.substances"
    label = "substances"
    verbose_name = _("Substances")
