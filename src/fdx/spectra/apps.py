from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SpectraConfig(AppConfig):
    name = "fdx.spectra"
    label = "spectra"
    verbose_name = _("Spectra")

    def ready(self):
        from fdx.core.events import subscribe
        from fdx.spectra import events
        from fdx.spectra.tasks import refresh_index

        # New spectra join the on-disk search index in the background (a search brings it up to date too).
        subscribe(events.SPECTRA_IMPORTED, "spectra.refresh_index", refresh_index)
