"""Restricted querysets: the one place each model says which rows a user may see or change."""

from __future__ import annotations

from django.db import models


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
