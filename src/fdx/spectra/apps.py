from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SpectraConfig(AppConfig):
    name = "fdx.spectra"
    label = "spectra"
    verbose_name = _("Spectra")

    def ready(self):
        from fdx.audit.extensions import RECORD_VISIBILITY
        from fdx.audit.visibility import restricted_models
        from fdx.core.events import subscribe
        from fdx.spectra import events
        from fdx.spectra.models import SpectralLibrary, Spectrum
        from fdx.spectra.tasks import refresh_index

        # New spectra join the on-disk search index in the background (a search brings it up to date too).
        subscribe(events.SPECTRA_IMPORTED, "spectra.refresh_index", refresh_index)
        # The audit log shows the content of an event about a library only to those who may read it.
        RECORD_VISIBILITY.register(restricted_models(SpectralLibrary, Spectrum))
