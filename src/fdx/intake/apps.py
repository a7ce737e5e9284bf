from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    """Bulk intake of laboratory spreadsheets and LIMS extracts (``fdx.intake``)."""

    name = "fdx.intake"
    label = "intake"
    verbose_name = _("Intake")
