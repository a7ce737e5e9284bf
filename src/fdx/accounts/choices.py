from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationType(models.TextChoices):
    FORENSIC_LABORATORY = "forensic_laboratory", _("Forensic laboratory")
    POLICE = "police", _("Police")
    CUSTOMS = "customs", _("Customs")
    DRUG_CONTROL_AGENCY = "drug_control_agency", _("Drug-control agency")
    PROSECUTOR = "prosecutor", _("Prosecutor's office")
    COURT = "court", _("Court")
    HEALTH = "health", _("Health or toxicology centre")
    MINISTRY = "ministry", _("Ministry")
    REGIONAL_CENTRE = "regional_centre", _("Regional centre")
    INTERNATIONAL = "international", _("International organisation")


class Role(models.TextChoices):
    """The roles a user can hold; each is a Django group holding the permissions of ``ROLE_PERMISSIONS``."""

    DATA_ENTRY = "data_entry", _("Data entry")
    REVIEWER = "reviewer", _("Reviewer")
    ANALYST = "analyst", _("Analyst")
    VIEWER = "viewer", _("Viewer")
    ORG_ADMIN = "org_admin", _("Organisation administrator")
    NODE_ADMIN = "node_admin", _("Node administrator")
