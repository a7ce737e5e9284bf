"""Loading the legal reference content FDX ships (idempotent; a fact a node changed stays as changed)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from fdx.audit.actions import record
from fdx.core.actors import require_permission
from fdx.core.node import local_node_id
from fdx.legal import audit_events
from fdx.legal.actions.common import MAINTAIN, bump_version
from fdx.legal.actions.listings import _differs, correct_listing, listing_record
from fdx.legal.models import (
    ControlList,
    GenericDefinition,
    GenericExample,
    Instrument,
    Jurisdiction,
    ListIncorporation,
    Listing,
    QuantityThreshold,
)
from fdx.legal.reference import (
    LegalDataError,
    ListingRow,
    framework,
    periods_overlap,
    shipped_global_id,
    shipped_listings,
    structure_key,
)
from fdx.substances.models import Substance

# The shipped reference content


@transaction.atomic
def load_legal_reference(actor) -> dict[str, int]:
    """Create or bring up to date FDX's reference legal content; idempotent, audited once.

    Listings a node administrator has changed are left alone; other shipped listings that changed in a new
    release are corrected (so the old wording stays on record)."""
    require_permission(actor, MAINTAIN)
    data = framework()
    counts = {
        "jurisdictions": 0,
        "instruments": 0,
        "lists": 0,
        "incorporations": 0,
        "generic_definitions": 0,
        "thresholds": 0,
        "listings_added": 0,
        "listings_corrected": 0,
        "listings_unchanged": 0,
        # Shipped facts that differed in the database (a new release, or a node's own edit that a reload
        # puts back): counted, so that the load is audited and the engine's version moves.
        "updated": 0,
        # Shipped facts a node administrator changed here (``maintained_locally``), left as they are.
        "kept": 0,
    }
    for item in data["jurisdictions"]:
        fields = {
            "name_en": item["name_en"],
            "name_ru": item["name_ru"],
            "kind": item["kind"],
            "country_id": item.get("country"),
            "position": item.get("position", 100),
            "note": item.get("note", ""),
        }
        # Whether the lists are complete is the node's own judgement once made: a reload never resets it.
        state = _upsert(
            Jurisdiction,
            {"code": item["code"]},
            fields,
            create_defaults={**fields, "lists_complete": item.get("lists_complete", False)},
        )
        _count(counts, "jurisdictions", state)
    for item in data["instruments"]:
        state = _upsert(
            Instrument,
            {"code": item["code"]},
            {
                "jurisdiction_id": item["jurisdiction"],
                "title_en": item["title_en"],
                "title_ru": item.get("title_ru", ""),
                "number": item.get("number", ""),
                "adopted_on": _date(item.get("adopted_on")),
                "in_force_from": _date(item.get("in_force_from")),
                "issuing_body": item.get("issuing_body", ""),
                "url": item.get("url", ""),
                "verified": item.get("verified", False),
                "note": item.get("note", ""),
            },
        )
        _count(counts, "instruments", state)
    for item in data["lists"]:
        state = _upsert(
            ControlList,
            {"code": item["code"]},
            {
                "jurisdiction_id": item["jurisdiction"],
                "name_en": item["name_en"],
                "name_ru": item["name_ru"],
                "kind": item["kind"],
                "position": item.get("position", 100),
                "covers_salts": item.get("covers_salts", True),
                "covers_stereoisomers": item.get("covers_stereoisomers", True),
                "covers_esters_ethers": item.get("covers_esters_ethers", False),
                "instrument_id": _instrument_id(item),
                "description": item.get("description", ""),
                "description_ru": item.get("description_ru", ""),
                "source_url": item.get("source_url", ""),
                "verified": item.get("verified", False),
            },
        )
        _count(counts, "lists", state)
    lists = {c.code: c for c in ControlList.objects.all()}
    for item in data["incorporations"]:
        state = _upsert(
            ListIncorporation,
            {
                "national_list": lists[item["national_list"]],
                "incorporated_list": lists[item["incorporated_list"]],
            },
            {
                "effective_from": _date(item["effective_from"]),
                "effective_to": _date(item.get("effective_to")),
                "instrument_id": _instrument_id(item),
                "lag_days": item.get("lag_days"),
                "source_url": item.get("source_url", ""),
                "verified": item.get("verified", False),
                "note": item.get("note", ""),
            },
        )
        _count(counts, "incorporations", state)
    for item in data["generic_definitions"]:
        _count(counts, "generic_definitions", _load_generic(item, lists))
    for item in data["thresholds"]:
        _count(counts, "thresholds", _load_threshold(item))
    _load_listings(actor, lists, counts)
    changed = {
        key: value for key, value in counts.items() if value and key not in ("listings_unchanged", "kept")
    }
    if changed:
        record(audit_events.REFERENCE_LOADED, actor=actor, object_type="legal.reference", after=counts)
        bump_version()
    return counts


def _load_listings(actor, lists: dict[str, ControlList], counts: dict) -> None:
    existing = {
        item.reference_key: item
        for item in Listing.objects.current()
        .exclude(reference_key="")
        .select_related("control_list", "substance", "instrument")
    }
    ever_shipped = set(Listing.objects.exclude(reference_key="").values_list("reference_key", flat=True))
    substances = {s.key: s for s in Substance.objects.filter(key__isnull=False).select_related("parent")}
    by_inchikey = {}
    for substance in substances.values():
        by_inchikey.setdefault(substance.inchikey, substance)
    instruments = {i.code: i for i in Instrument.objects.all()}
    own: dict[tuple[str, str], list[Listing]] = {}  # the node's own entries, by list and name
    own_entries = Listing.objects.current().filter(reference_key="", origin_node=local_node_id())
    for item in own_entries.select_related("control_list"):
        own.setdefault((item.control_list.code, item.name_en.casefold()), []).append(item)
    new = []
    for row in shipped_listings():
        key = f"{row.list_code}:{row.name_en.casefold()}"[:200]
        current = existing.get(key)
        if current is None:
            if key in ever_shipped:
                continue  # withdrawn on this node: a reload does not bring it back
            adopted = _matching_own_entry(own.get(row.identity, []), row)
            if adopted is not None:
                # The node recorded this entry before the reference content shipped it: its record stands,
                # and later releases leave it alone.
                Listing.objects.filter(pk=adopted.pk).update(reference_key=key, maintained_locally=True)
                counts["kept"] += 1
                continue
            substance = (
                substances.get(row.registry_key) if row.registry_key else by_inchikey.get(row.inchikey)
            )
            if row.registry_key and substance is None:
                raise LegalDataError(
                    row.source_file, row.line, "registry_key", f"no registry substance {row.registry_key!r}"
                )
            control_list = lists[row.list_code]
            instrument = instruments.get(row.instrument)
            new.append(
                listing_record(
                    row,
                    control_list,
                    substance,
                    instrument,
                    reference_key=key,
                    global_id=shipped_global_id("listing", key),
                )
            )
        elif not current.is_local:
            counts["kept"] += (
                1  # taken from the jurisdiction's own node (``fdx.exchange``): its version stands
            )
        elif not current.maintained_locally and _differs(current, row):
            try:
                correct_listing(actor, current, row, reason="reference content updated", shipped=True)
            except ValidationError:
                counts["kept"] += 1  # the new period would overlap an entry the node recorded: theirs stands
                continue
            counts["listings_corrected"] += 1
        else:
            counts["listings_unchanged"] += 1
    Listing.objects.bulk_create(new, batch_size=500)
    counts["listings_added"] += len(new)


def _matching_own_entry(records: list[Listing], row: ListingRow) -> Listing | None:
    """The node's own current entry of the row's list and name whose period overlaps the row's."""
    for item in records:
        if periods_overlap(
            row.start,
            row.effective_to,
            item.effective_from_earliest or item.effective_from,
            item.effective_to,
        ):
            return item
    return None


def _load_generic(item: dict, lists: dict[str, ControlList]) -> str:
    values = {
        "control_list": lists[item["list"]],
        "name_en": item["name_en"],
        "name_ru": item.get("name_ru", ""),
        "kind": item["kind"],
        "rule": item["rule"],
        "legal_text": item.get("legal_text", ""),
        "effective_from": _date(item["effective_from"]),
        "effective_to": _date(item.get("effective_to")),
        "instrument_id": _instrument_id(item),
        "source_url": item.get("source_url", ""),
        "verified": item.get("verified", False),
    }
    state = _upsert(
        GenericDefinition,
        {"code": item["code"]},
        values,
        create_defaults={**values, "global_id": shipped_global_id("generic", item["code"])},
    )
    if state == "kept":
        return state
    definition = GenericDefinition.objects.get(code=item["code"])
    shipped = sorted(
        (example["name"], example["smiles"], example["must_match"], example.get("note", ""))
        for example in item.get("examples", [])
    )
    stored = sorted(definition.examples.values_list("name", "smiles", "must_match", "note"))
    if shipped == stored:
        return state
    definition.examples.all().delete()
    GenericExample.objects.bulk_create(
        GenericExample(definition=definition, name=name, smiles=smiles, must_match=must_match, note=note)
        for name, smiles, must_match, note in shipped
    )
    return "updated" if state == "unchanged" else state


def _load_threshold(item: dict) -> str:
    substance = (
        Substance.objects.filter(key=item["registry_key"]).first() if item.get("registry_key") else None
    )
    inchikey = substance.inchikey if substance else structure_key(item.get("smiles", ""), "framework.json", 0)
    amounts = {
        name: item.get(name)
        for name in ("small_max_g", "significant_min_g", "large_min_g", "especially_large_min_g")
    }
    effective_from = _date(item["effective_from"])
    key = threshold_key(item["jurisdiction"], item["entry_name"], effective_from)
    values = {
        "jurisdiction_id": item["jurisdiction"],
        "entry_name": item["entry_name"],
        "effective_from": effective_from,
        **amounts,
        "substance": substance,
        "inchikey": inchikey,
        "includes_derivatives": item.get("includes_derivatives", True),
        "comparison": item.get("comparison", "above"),
        "basis": item.get("basis", "unknown"),
        "effective_to": _date(item.get("effective_to")),
        "instrument_id": _instrument_id(item),
        "source_url": item.get("source_url", ""),
        "verified": item.get("verified", False),
        "note": item.get("note", ""),
    }
    # A shipped row keeps its key whatever a node edits (its name, its start): a reload finds it by the key.
    return _upsert(
        QuantityThreshold,
        {"reference_key": key},
        values,
        create_defaults={**values, "global_id": shipped_global_id("threshold", key)},
    )


def threshold_key(jurisdiction: str, entry_name: str, effective_from: datetime.date) -> str:
    """The key of a shipped threshold row (the same as migration 0003 gave the rows already loaded)."""
    return f"{jurisdiction}:{entry_name.casefold()}:{effective_from.isoformat()}"[:200]


def is_shipped(obj) -> bool:
    """Whether a framework fact comes from FDX's reference content: such a fact is ended or corrected, never
    deleted (a reload would bring it back, and answers given under it must stay explainable)."""
    data = framework()
    if isinstance(obj, Instrument):
        return obj.code in {item["code"] for item in data["instruments"]}
    if isinstance(obj, ControlList):
        return obj.code in {item["code"] for item in data["lists"]}
    if isinstance(obj, ListIncorporation):
        pairs = {(item["national_list"], item["incorporated_list"]) for item in data["incorporations"]}
        return (obj.national_list.code, obj.incorporated_list.code) in pairs
    if isinstance(obj, GenericDefinition):
        return obj.code in {item["code"] for item in data["generic_definitions"]}
    if isinstance(obj, QuantityThreshold):
        return bool(obj.reference_key)
    return False


class _Unchanged(Exception):
    """Raised inside ``_upsert``'s savepoint to undo a save that changed no stored value."""


def _upsert(model, lookup: dict, defaults: dict, create_defaults: dict | None = None) -> str:
    """Create or update one shipped fact; "created", "updated" (a stored value differed), "unchanged", or
    "kept" when a node administrator changed it here (``maintained_locally``): their edit stands.

    A save that changes no stored value is undone, so that a reload moves no record's version (peers
    would otherwise be sent a change that is none)."""
    ignored = {
        field.attname
        for field in model._meta.concrete_fields
        if getattr(field, "auto_now", False) or field.attname == "record_version"
    }
    names = {field.name for field in model._meta.concrete_fields}
    if "maintained_locally" in names and model.objects.filter(**lookup, maintained_locally=True).exists():
        return "kept"
    if (
        "origin_node" in names
        and model.objects.filter(**lookup).exclude(origin_node=local_node_id()).exists()
    ):
        return "kept"  # taken from the jurisdiction's own node (``fdx.exchange``): its version stands

    def stored(pk=None):
        rows = model.objects.filter(pk=pk) if pk is not None else model.objects.filter(**lookup)
        row = rows.values().first()
        return None if row is None else {k: v for k, v in row.items() if k not in ignored}

    before = stored()
    extra = {"create_defaults": create_defaults} if create_defaults is not None else {}
    try:
        with transaction.atomic():
            obj, created = model.objects.update_or_create(**lookup, defaults=defaults, **extra)
            if not created and stored(obj.pk) == before:
                raise _Unchanged
    except _Unchanged:
        return "unchanged"
    return "created" if created else "updated"


def _count(counts: dict, key: str, state: str) -> None:
    if state == "created":
        counts[key] += 1
    elif state in ("updated", "kept"):
        counts[state] += 1


def _instrument_id(item: dict):
    code = item.get("instrument")
    return Instrument.objects.only("pk").get(code=code).pk if code else None


def _date(value):
    return datetime.date.fromisoformat(value) if value else None
