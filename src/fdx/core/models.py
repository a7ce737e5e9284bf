"""Base models shared by every domain app, and the node's own tables: its identity and keys, and the outbox of
domain events."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fdx.core.node import local_node_id
from fdx.core.querysets import DistributedManager, DistributedQuerySet


class TimestampedModel(models.Model):
    """Creation and last-change times (UTC)."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, editable=False)

    class Meta:
        abstract = True


class GlobalRecord(TimestampedModel):
    """A record with a UUID that is the same on every node.

    The integer primary key stays local (joins, indexes); ``global_id`` is what the API, URLs, the audit
    chain and the exchange protocol use.
    """

    global_id = models.UUIDField(_("global identifier"), default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        abstract = True


class RecordState(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("record state", "Active")
    RETRACTED = "retracted", pgettext_lazy("record state", "Retracted")  # withdrawn, kept and shown so
    DELETED = "deleted", pgettext_lazy("record state", "Deleted")  # a tombstone: gone for every reader


class DistributedRecord(GlobalRecord):
    """A record that may leave its node: it knows the node it comes from, its version, and its state.

    * ``origin_node`` is the node that created the record; only that node changes it. A record received from
      another node is read-only here, except for the fields it names in ``LOCAL_FIELDS`` (local annotations,
      such as a received spectrum's link to this node's registry): ``fdx.core.records`` guards the actions.
    * ``record_version`` rises by one on every change made on the origin node (``save``, ``update``,
      ``bulk_update``); on a received record it is the origin's version.
    * A record is never deleted: it becomes a tombstone (``record_state`` "deleted"), which the default
      manager (and so every related manager) hides from every reader, or it is retracted (kept, and shown
      as withdrawn). ``with_tombstones()`` sees tombstones too (the exchange and the audit).

    A subclass with a queryset of its own declares
    ``objects = DistributedManager.from_queryset(ItsQuerySet)()``, ``ItsQuerySet`` deriving from
    ``DistributedQuerySet``.
    """

    #: Fields another node's copy may change here (local annotations); none by default.
    LOCAL_FIELDS: tuple[str, ...] = ()

    origin_node = models.UUIDField(_("origin node"), default=local_node_id, editable=False)
    record_version = models.PositiveIntegerField(_("record version"), default=1, editable=False)
    record_state = models.CharField(
        _("record state"),
        max_length=12,
        choices=RecordState.choices,
        default=RecordState.ACTIVE,
        editable=False,
    )
    record_state_changed_at = models.DateTimeField(
        _("record state changed at"), null=True, blank=True, editable=False
    )

    objects = DistributedManager.from_queryset(DistributedQuerySet)()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and not update_fields:
            return  # as Django does: nothing to save, and so no new version
        if not self._state.adding and self.is_local:
            self.record_version += 1
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "record_version"}
        super().save(*args, **kwargs)

    @classmethod
    def with_tombstones(cls) -> models.QuerySet:
        """Every row, tombstones included (Django's base manager, which related lookups also use)."""
        return cls._base_manager.all()

    @property
    def is_local(self) -> bool:
        """Whether this node created the record (and so may change it)."""
        return self.origin_node == local_node_id()

    @property
    def is_tombstone(self) -> bool:
        return self.record_state == RecordState.DELETED


class OwnedRecord(DistributedRecord):
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


# The node itself


class NodeIdentity(models.Model):
    """This node's identifier in the network (one row), generated on first use and never changed: every
    record created here carries it as its ``origin_node``. Name, country and role come from the
    environment (``FDX_NODE_*``); the signing key is a file (``NodeKey`` keeps its public half)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    node_id = models.UUIDField(_("node identifier"), unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, editable=False)

    class Meta:
        verbose_name = _("node identity")
        default_permissions = ()

    def __str__(self):
        return str(self.node_id)


class NodeKey(models.Model):
    """A public key this node has signed with: the current one (not retired) and those it had before, kept
    so that what was signed with them can still be verified."""

    public_key = models.CharField(_("public key (base64)"), max_length=64, unique=True)
    fingerprint = models.CharField(_("fingerprint (SHA-256, hex)"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, editable=False)
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)
    retirement_reason = models.TextField(_("why it was retired"), blank=True)

    class Meta:
        verbose_name = _("node key")
        verbose_name_plural = _("node keys")
        ordering = ["-created_at", "-id"]
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(
                fields=["retired_at"], condition=Q(retired_at__isnull=True), name="core_one_current_node_key"
            )
        ]

    def __str__(self):
        return self.fingerprint


# Domain events


class OutboxEvent(models.Model):
    """A domain event, written in the transaction of the change it tells of (the transactional outbox).

    Subscribers (the apps above) receive it after commit, through ``EventDelivery`` rows; the exchange
    will read this table in ``sequence`` order. Rows are never changed.
    """

    sequence = models.BigAutoField(primary_key=True)
    code = models.CharField(_("event"), max_length=100, db_index=True)
    occurred_at = models.DateTimeField(_("occurred at"))
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object identifier"), max_length=100, blank=True)
    object_version = models.PositiveIntegerField(_("object version"), null=True, blank=True)
    organisation_id = models.BigIntegerField(_("organisation"), null=True, blank=True)
    actor = models.CharField(_("actor"), max_length=150, blank=True)
    payload = models.JSONField(_("payload"), default=dict, blank=True)

    class Meta:
        verbose_name = _("domain event")
        verbose_name_plural = _("domain events")
        ordering = ["sequence"]
        default_permissions = ()
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self):
        return f"#{self.sequence} {self.code}"


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Pending")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed, gave up")


class EventDelivery(models.Model):
    """One subscriber's copy of one event: delivered once, retried with back-off when the subscriber fails,
    given up (and shown to the node administrator) after ``fdx.core.events.MAX_ATTEMPTS``."""

    event = models.ForeignKey(OutboxEvent, on_delete=models.PROTECT, related_name="deliveries")
    subscriber = models.CharField(_("subscriber"), max_length=200)
    state = models.CharField(
        _("state"), max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"))
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("event delivery")
        verbose_name_plural = _("event deliveries")
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(fields=["event", "subscriber"], name="core_one_delivery_per_subscriber")
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"])]

    def __str__(self):
        return f"{self.event} → {self.subscriber} ({self.state})"
