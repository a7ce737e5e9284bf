from django.db import models
from django.utils.translation import gettext_lazy as _


class SpectrumKind(models.TextChoices):
    EI_MS = "ei_ms", _("EI mass spectrum")
    MS_MS = "ms_ms", _("Tandem mass spectrum (MS/MS)")
    IR = "ir", _("Infrared spectrum")
    RAMAN = "raman", _("Raman spectrum")


class SubstanceLink(models.TextChoices):
    """How a library spectrum came to be linked to a registry substance."""

    INCHIKEY = "inchikey", _("Same InChIKey")
    CAS = "cas", _("Same CAS number")
    NAME = "name", _("Same name or synonym")
    CREATED = "created", _("Registered from the library's structure")
    CREATED_WITHOUT_STRUCTURE = "created_without_structure", _("Registered from the library's names")
    MANUAL = "manual", _("Linked by a user")
    NONE = "none", _("Not linked")


#: The spectrum formats FDX reads, with their usual file extensions.
FILE_FORMATS = {
    "msp": _("NIST MSP"),
    "msl": _("AMDIS MSL"),
    "jcamp": _("JCAMP-DX"),
    "mgf": _("Mascot generic format (MGF)"),
    "mzml": _("mzML"),
    "mzxml": _("mzXML"),
    "andi": _("AIA/ANDI netCDF GC-MS run (.cdf)"),
}
