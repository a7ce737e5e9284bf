"""Abstract base models shared by every domain app."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimestampedModel(models.Model):
    """Creation and last-change times (UTC)."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, editable=False)

    class Meta:
        abstract = True


class GlobalRecord(TimestampedModel):
    """A record that can leave this node: it carries a UUID that is the same on every node.

    The integer primary key stays local (joins, indexes); ``global_id`` is what the API, URLs, the audit
    chain and the exchange protocol use.
    """

    global_id = models.UUIDField(_("global identifier"), default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        abstract = True


class OwnedRecord(GlobalRecord):
    """A shared record owned by the organisation that created it, and attributed to its author."""

    owner_organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("owning organisation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        abstract = True
