from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SpectraConfig(AppConfig):
    name = "fdx.spectra"
    label = "spectra"
    verbose_name = _("Spectra")
