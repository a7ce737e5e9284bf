"""The append-only, hash-chained audit log."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fdx.audit.querysets import AuditEventQuerySet


class AuditEvent(models.Model):
    """One link of the chain. Database triggers refuse UPDATE and DELETE on this table."""

    sequence = models.BigIntegerField(_("sequence"), primary_key=True)
    occurred_at = models.DateTimeField(_("occurred at"), db_index=True)
    action = models.CharField(_("action"), max_length=100, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_events",
    )
    actor_username = models.CharField(_("actor's username"), max_length=150, blank=True)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_events",
    )
    organisation_code = models.CharField(_("organisation code"), max_length=50, blank=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True, db_index=True)
    object_id = models.CharField(_("object identifier"), max_length=100, blank=True, db_index=True)
    object_repr = models.CharField(_("object"), max_length=250, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    request_id = models.CharField(_("request identifier"), max_length=64, blank=True)
    ip_address = models.CharField(_("IP address"), max_length=45, blank=True)
    previous_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-sequence"]
        default_permissions = ()
        permissions = [
            ("view_org_events", _("View the audit events of one's own organisation")),
            ("view_all_events", _("View every audit event of the node")),
            ("verify_chain", _("Verify the audit chain")),
        ]

    def __str__(self):
        return f"#{self.sequence} {self.action}"


class AuditChainHead(models.Model):
    """The last link written (one row). Appenders lock it, which keeps the chain linear under concurrency,
    and the verifier compares it with the last event, which reveals a truncated tail."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_sequence = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("audit chain head")
        default_permissions = ()

    def __str__(self):
        return f"head #{self.last_sequence}"
