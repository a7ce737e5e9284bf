from django.db import models
from django.utils.translation import gettext_lazy as _


class NameKind(models.TextChoices):
    PREFERRED = "preferred", _("Preferred name")
    SYNONYM = "synonym", _("Synonym")
    ABBREVIATION = "abbreviation", _("Abbreviation or code")
    SYSTEMATIC = "systematic", _("Systematic name")
    STREET = "street", _("Street name")


class NameLanguage(models.TextChoices):
    ENGLISH = "en", _("English")
    RUSSIAN = "ru", _("Russian")
    KAZAKH = "kk", _("Kazakh")
    KYRGYZ = "ky", _("Kyrgyz")
    TAJIK = "tg", _("Tajik")
    TURKMEN = "tk", _("Turkmen")
    UZBEK = "uz", _("Uzbek")
    OTHER = "xx", _("Other or language-neutral")


class SubstanceSource(models.TextChoices):
    REFERENCE = "reference", _("FDX reference set")
    IMPORT = "import", _("Imported file")
    USER = "user", _("Entered by a user")
    SPECTRAL_LIBRARY = "spectral_library", _("Spectral library")
    EXCHANGE = "exchange", _("Received from another node")
