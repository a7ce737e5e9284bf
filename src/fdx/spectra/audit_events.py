from django.utils.translation import gettext_lazy as _

from fdx.audit.events import register

LIBRARY_CREATED = register(
    "spectra.library.created",
    _("Created a spectral library"),
    template=_("%(actor)s created spectral library %(object)s"),
)
LIBRARY_CHANGED = register(
    "spectra.library.changed",
    _("Changed a spectral library's description or sharing"),
    template=_("%(actor)s changed spectral library %(object)s"),
)
SPECTRA_IMPORTED = register(
    "spectra.import.done",
    _("Imported reference spectra from a file"),
    template=_("%(actor)s imported reference spectra into %(object)s"),
)
SPECTRUM_LINKED = register(
    "spectra.spectrum.linked",
    _("Linked a reference spectrum to a registry substance"),
    template=_("%(actor)s linked reference spectrum %(object)s to a registry substance"),
)
SPECTRUM_WITHDRAWN = register(
    "spectra.spectrum.withdrawn",
    _("Withdrew a reference spectrum from searches"),
    template=_("%(actor)s withdrew reference spectrum %(object)s from searches"),
)
IDENTIFICATION_RECORDED = register(
    "spectra.identification.recorded",
    _("Recorded a library-search identification as a finding"),
    template=_("%(actor)s recorded a library-search identification as finding %(object)s"),
)
