"""Querysets of the reference geography."""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import Q


class RegionQuerySet(models.QuerySet):
    def valid_on(self, day: datetime.date) -> RegionQuerySet:
        """Regions that existed on ``day``."""
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=day)
        )
