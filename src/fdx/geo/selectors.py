"""Reads of the reference geography (open to every signed-in user)."""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from fdx.geo.models import Country, Region, RegionAlias


def list_countries(*, text: str | None = None) -> QuerySet[Country]:
    queryset = Country.objects.all()
    if text:
        queryset = queryset.filter(
            Q(code__iexact=text)
            | Q(alpha_3__iexact=text)
            | Q(name_en__icontains=text)
            | Q(name_ru__icontains=text)
        )
    return queryset.order_by("name_en")


def get_country(code: str) -> Country:
    return get_object_or_404(Country, code=code.upper())


def list_regions(
    *,
    country: str | None = None,
    on_date: datetime.date | None = None,
    text: str | None = None,
    top_level: bool = False,
) -> QuerySet[Region]:
    """Regions, optionally those of one country, valid on a date, matching a text, or first-level only."""
    queryset = Region.objects.select_related("country", "parent")
    if country:
        queryset = queryset.filter(country_id=country.upper())
    if on_date:
        queryset = queryset.valid_on(on_date)
    if top_level:
        queryset = queryset.filter(parent__isnull=True)
    if text:
        queryset = queryset.filter(
            Q(code__iexact=text)
            | Q(name_en__icontains=text)
            | Q(name_ru__icontains=text)
            | Q(name_local__icontains=text)
        )
    return queryset.order_by("country_id", "code")


def get_region(code: str) -> Region:
    return get_object_or_404(
        Region.objects.select_related("country", "parent").prefetch_related("successors", "predecessors"),
        code=code.upper(),
    )


def resolve_region(code: str, on_date: datetime.date | None = None) -> Region | None:
    """The region a (possibly former) code meant on ``on_date``.

    A current or historical code that was valid that day wins; otherwise a former code (``RegionAlias``)
    that applied that day. Returns None when the code is unknown.
    """
    code = code.strip().upper()
    region = Region.objects.filter(code=code).first()
    if region is not None and (on_date is None or region.is_valid_on(on_date)):
        return region
    aliases = RegionAlias.objects.filter(code=code).select_related("region")
    if on_date is not None:
        aliases = aliases.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=on_date))
    alias = aliases.first()
    if alias is not None:
        return alias.region
    return region
