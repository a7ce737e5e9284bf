"""The domain events of the spectral libraries (``fdx.core.events``)."""

from django.utils.translation import gettext_lazy as _

from fdx.core.events import register

LIBRARY_CHANGED = register("spectra.library.changed", _("A spectral library was created or changed"))
SPECTRA_IMPORTED = register("spectra.spectra.imported", _("Spectra were imported into a library"))
SPECTRUM_LINKED = register(
    "spectra.spectrum.linked", _("A spectrum was linked to another registry substance")
)
SPECTRUM_WITHDRAWN = register("spectra.spectrum.withdrawn", _("A spectrum was withdrawn from searches"))
