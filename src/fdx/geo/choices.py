from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionType(models.TextChoices):
    REGION = "region", _("Region")
    CITY = "city", _("City of national significance")
    REPUBLIC = "republic", _("Autonomous republic")
    AUTONOMOUS_REGION = "autonomous_region", _("Autonomous region")
    DISTRICTS = "districts", _("Districts under national administration")
    OTHER = "other", _("Other subdivision")


class SuccessionKind(models.TextChoices):
    SPLIT = "split", _("Split off from the predecessor")
    RENAMED = "renamed", _("Renamed or recoded")
    MERGED = "merged", _("Merged into the successor")
    ABOLISHED = "abolished", _("Abolished; territory passed to the successor")


class CrossingKind(models.TextChoices):
    ROAD = "road", _("Road")
    RAIL = "rail", _("Rail")
    AIR = "air", _("Airport")
    PORT = "port", _("Sea or river port")
    POSTAL = "postal", _("International postal exchange")
    PEDESTRIAN = "pedestrian", _("Pedestrian")
