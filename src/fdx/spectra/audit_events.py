from django.utils.translation import gettext_lazy as _

from fdx.audit.events import register

LIBRARY_CREATED = register("spectra.library.created", _("Created a spectral library"))
LIBRARY_CHANGED = register(
    "spectra.library.changed", _("Changed a spectral library's description or sharing")
)
SPECTRA_IMPORTED = register("spectra.import.done", _("Imported reference spectra from a file"))
SPECTRUM_LINKED = register(
    "spectra.spectrum.linked", _("Linked a reference spectrum to a registry substance")
)
SPECTRUM_WITHDRAWN = register("spectra.spectrum.withdrawn", _("Withdrew a reference spectrum from searches"))
IDENTIFICATION_RECORDED = register(
    "spectra.identification.recorded", _("Recorded a library-search identification as a finding")
)
