"""Querysets of the legal app. Legal status is public law: every signed-in user reads it, so these narrow by
time, not by reader."""

from __future__ import annotations

from django.db.models import Q

from fdx.core.querysets import DistributedQuerySet


class ListingQuerySet(DistributedQuerySet):
    def current(self):
        """Records the database stands by now (corrections close the records they replace)."""
        return self.filter(recorded_to__isnull=True)

    def effective_on(self, day):
        return self.filter(effective_from__lte=day).filter(
            Q(effective_to__isnull=True) | Q(effective_to__gte=day)
        )
