"""Restricted querysets (the one place each model says which rows a user may see or change), and the
queryset and manager of distributed records (versions that move on every change, tombstones hidden)."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Value, When

from fdx.core.node import local_node_id


class RestrictedQuerySet(models.QuerySet):
    """A queryset that every access-enforcing read starts from: ``Model.objects.restrict(user, action)``.

    Subclasses implement ``_restrict``; an anonymous or inactive user always gets nothing.
    """

    actions = ("view", "change")

    def restrict(self, user, action: str = "view") -> models.QuerySet:
        """Rows of this queryset that ``user`` may ``action`` ("view" or "change")."""
        if action not in self.actions:
            raise ValueError(f"unknown action {action!r}; expected one of {', '.join(self.actions)}")
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        return self._restrict(user, action)

    def _restrict(self, user, action: str) -> models.QuerySet:
        raise NotImplementedError(f"{type(self).__name__} must say who may {action} its rows")


class DistributedQuerySet(models.QuerySet):
    """Rows of a distributed record: a bulk change moves the version of the rows this node created, as
    ``save`` does for one (a received row keeps its origin's version)."""

    def update(self, **kwargs) -> int:
        if "record_version" not in kwargs:
            kwargs["record_version"] = models.Case(
                When(origin_node=Value(local_node_id()), then=F("record_version") + 1),
                default=F("record_version"),
                output_field=models.PositiveIntegerField(),
            )
        return super().update(**kwargs)

    def bulk_update(self, objs, fields, batch_size=None) -> int:
        objs = list(objs)
        local = local_node_id()
        for obj in objs:
            if obj.origin_node == local:
                obj.record_version += 1
        return super().bulk_update(objs, list({*fields, "record_version"}), batch_size=batch_size)


class DistributedManager(models.Manager):
    """The default manager of a distributed record: tombstones are gone for every reader."""

    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().exclude(record_state="deleted")
