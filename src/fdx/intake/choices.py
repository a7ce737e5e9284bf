from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ImportRunState(models.TextChoices):
    """What became of an uploaded file."""

    CHECKED = "checked", pgettext_lazy("import run state", "Checked (dry run)")
    IMPORTED = "imported", pgettext_lazy("import run state", "Imported")
    PARTLY_IMPORTED = "partly_imported", pgettext_lazy("import run state", "Valid rows imported")
    REFUSED = "refused", pgettext_lazy("import run state", "Refused (nothing written)")
    UNDONE = "undone", pgettext_lazy("import run state", "Undone (its cases removed)")


class MassUnit(models.TextChoices):
    """The unit a laboratory's file gives masses in, when a cell names none."""

    MILLIGRAM = "mg", _("milligrams")
    GRAM = "g", _("grams")
    KILOGRAM = "kg", _("kilograms")
