from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

#: The longest laboratory case number of a case opened on this node. The column takes 64 characters: a case
#: received from another country carries its number as a keyed hash of 64 hexadecimal digits.
LOCAL_REFERENCE_MAX_LENGTH = 60
#: The longest note on a case (``CaseNote``): a few paragraphs of working notes, not a report.
CASE_NOTE_MAX_LENGTH = 4000


class SeizureContext(models.TextChoices):
    BORDER = "border", _("Border or customs control")
    POSTAL = "postal", _("Postal or courier shipment")
    INTERNAL = "internal", _("Internal (street level, possession, distribution)")
    ONLINE_PURCHASE = "online_purchase", _("Online purchase (darknet, social network, messenger)")
    CLANDESTINE_LABORATORY = "clandestine_laboratory", _("Clandestine laboratory")
    OTHER = "other", _("Other")


class ExhibitForm(models.TextChoices):
    TABLET = "tablet", _("Tablet")
    POWDER = "powder", _("Powder")
    CRYSTAL = "crystal", _("Crystal")
    LIQUID = "liquid", _("Liquid")
    PLANT_MATERIAL = "plant_material", _("Plant material")
    BLOTTER = "blotter", _("Blotter")
    CAPSULE = "capsule", _("Capsule")
    E_LIQUID = "e_liquid", _("E-liquid")
    HERBAL_MIXTURE = "herbal_mixture", _("Herbal mixture")
    RESIN = "resin", _("Resin")
    PASTE = "paste", _("Paste")
    OTHER = "other", _("Other")


class ExaminationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for review")
    APPROVED = "approved", _("Approved")
    SUPERSEDED = "superseded", _("Superseded by a revision")
    RETRACTED = "retracted", _("Retracted")


class ResultType(models.TextChoices):
    QUALITATIVE = "qualitative", _("Qualitative (identified)")
    QUANTITATIVE = "quantitative", _("Quantitative (content measured)")


class FindingRole(models.TextChoices):
    MAIN = "main", _("Main substance")
    ADULTERANT = "adulterant", _("Adulterant (active)")
    CUTTING_AGENT = "cutting_agent", _("Cutting agent (diluent)")
    IMPURITY = "impurity", _("Impurity or synthesis marker")


class AttachmentKind(models.TextChoices):
    SPECTRUM = "spectrum", _("Spectrum or chromatogram")
    PHOTOGRAPH = "photograph", _("Photograph")
    REPORT = "report", _("Report")
    OTHER = "other", _("Other document")


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    JSON = "json", "JSON"


class ExportRunState(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("export run state", "Queued")
    RUNNING = "running", pgettext_lazy("export run state", "Running")
    DONE = "done", pgettext_lazy("export run state", "Ready")
    FAILED = "failed", pgettext_lazy("export run state", "Failed")
    CANCELLED = "cancelled", pgettext_lazy("export run state", "Cancelled")
    EXPIRED = "expired", pgettext_lazy("export run state", "Expired (file removed)")
