"""Changes to the reference geography."""

from __future__ import annotations

from dataclasses import asdict

from django.db import transaction

from fdx.audit.actions import record
from fdx.geo import audit_events, reference
from fdx.geo.models import BorderCrossingPoint, Country, Region, RegionAlias, RegionSuccession


@transaction.atomic
def load_reference_geography(actor=None) -> dict[str, int]:
    """Create or update countries, regions, successions, former codes and crossing points from the shipped
    reference data; idempotent. Rows changed in place are audited one by one, the load as a whole once."""
    counts: dict[str, int] = {}
    counts["countries_created"], counts["countries_updated"] = _load_countries(actor)
    counts["regions_created"], counts["regions_updated"] = _load_regions(actor)
    counts["successions"] = _load_successions()
    counts["aliases"] = _load_aliases()
    counts["crossing_points"] = _load_crossing_points()
    if (
        counts["countries_created"]
        or counts["countries_updated"]
        or counts["regions_created"]
        or counts["regions_updated"]
    ):
        record(audit_events.REFERENCE_LOADED, actor=actor, object_type="geo.reference", after=counts)
    return counts


def _load_countries(actor) -> tuple[int, int]:
    existing = {country.code: country for country in Country.objects.all()}
    to_create, to_update = [], []
    for row in reference.countries():
        values = asdict(row)
        country = existing.get(row.code)
        if country is None:
            to_create.append(Country(**values))
        elif _apply(country, values):
            to_update.append(country)
    Country.objects.bulk_create(to_create)
    if to_update:
        Country.objects.bulk_update(to_update, ["alpha_3", "numeric", "name_en", "name_ru"])
        for country in to_update:
            record(
                audit_events.COUNTRY_CHANGED,
                actor=actor,
                obj=country,
                before=country._fdx_before,
                after={key: getattr(country, key) for key in country._fdx_before},
            )
    return len(to_create), len(to_update)


def _load_regions(actor) -> tuple[int, int]:
    rows = reference.iso_regions() + reference.curated_regions()
    existing = {region.code: region for region in Region.objects.all()}
    fields = [
        "country_id",
        "name_en",
        "name_ru",
        "name_local",
        "region_type",
        "iso_type",
        "valid_from",
        "valid_to",
        "note",
    ]
    to_create, to_update = [], []
    for row in rows:
        values = {name: getattr(row, name.removesuffix("_id")) for name in fields}
        region = existing.get(row.code)
        if region is None:
            region = Region(code=row.code, **values)
            to_create.append(region)
            existing[row.code] = region
        elif _apply(region, values):
            to_update.append(region)
    Region.objects.bulk_create(to_create, batch_size=1000)
    parents_changed = _link_parents(rows, existing, created={region.code for region in to_create})
    if to_update:
        Region.objects.bulk_update(to_update, fields, batch_size=1000)
        for region in to_update:
            record(
                audit_events.REGION_CHANGED,
                actor=actor,
                obj=region,
                before=region._fdx_before,
                after={key: getattr(region, key) for key in region._fdx_before},
            )
    return len(to_create), len(to_update) + parents_changed


def _link_parents(rows, regions: dict[str, Region], created: set[str]) -> int:
    """Point each region at its parent; return how many regions that existed before changed parent."""
    changed = []
    for row in rows:
        region = regions[row.code]
        parent_id = regions[row.parent].pk if row.parent and row.parent in regions else None
        if region.parent_id != parent_id:
            region.parent_id = parent_id
            changed.append(region)
    Region.objects.bulk_update(changed, ["parent"], batch_size=1000)
    return sum(1 for region in changed if region.code not in created)


def _load_successions() -> int:
    regions = _regions_by_code()
    for row in reference.successions():
        RegionSuccession.objects.update_or_create(
            predecessor=regions[row.predecessor],
            successor=regions[row.successor],
            defaults={"effective_date": row.effective_date, "kind": row.kind, "legal_basis": row.legal_basis},
        )
    return RegionSuccession.objects.count()


def _load_aliases() -> int:
    regions = _regions_by_code()
    for row in reference.aliases():
        RegionAlias.objects.update_or_create(
            code=row.code,
            defaults={"region": regions[row.region], "valid_from": row.valid_from, "note": row.note},
        )
    return RegionAlias.objects.count()


def _load_crossing_points() -> int:
    regions = _regions_by_code()
    for row in reference.crossing_points():
        # A node administrator's corrections (coordinates, region) are kept: only missing points are added.
        BorderCrossingPoint.objects.get_or_create(
            code=row.code,
            defaults={
                "name_en": row.name_en,
                "name_ru": row.name_ru,
                "country_id": row.country,
                "region": regions.get(row.region) if row.region else None,
                "neighbour_country_id": row.neighbour_country,
                "kind": row.kind,
            },
        )
    return BorderCrossingPoint.objects.count()


def _regions_by_code() -> dict[str, Region]:
    return {region.code: region for region in Region.objects.all()}


def _apply(instance, values: dict) -> bool:
    """Set ``values`` on ``instance``; remember the old values of what changed; say whether anything did."""
    before = {
        name: getattr(instance, name) for name, value in values.items() if getattr(instance, name) != value
    }
    for name in before:
        setattr(instance, name, values[name])
    instance._fdx_before = before
    return bool(before)
