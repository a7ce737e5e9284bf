"""Reading legal data, and asking the engine. Legal status is public law: every signed-in user may read it;
only the maintenance actions are restricted (see ``legal.actions``).

The compiled engine is kept per process and rebuilt when ``LegalDataVersion`` moves on (one cheap query per
question). ``as_recorded_at`` answers with what this database said at a past moment instead.
"""

from __future__ import annotations

import datetime
import threading
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from fdx.audit import audit_events as admin_events
from fdx.audit.models import AuditEvent
from fdx.legal import audit_events
from fdx.legal.engine.amounts import describe_category
from fdx.legal.engine.answers import Answer
from fdx.legal.engine.data import (
    EntryInfo,
    GenericInfo,
    IncorporationInfo,
    ListInfo,
    Snapshot,
    ThresholdInfo,
)
from fdx.legal.engine.engine import Engine
from fdx.legal.engine.structure import Query
from fdx.legal.models import (
    ControlList,
    GenericDefinition,
    Instrument,
    Jurisdiction,
    LegalDataVersion,
    ListIncorporation,
    Listing,
    QuantityThreshold,
)
from fdx.substances import chem, names
from fdx.substances.models import Substance
from fdx.substances.selectors import resolve_substance, search_by_name

_lock = threading.Lock()
_cached: tuple[object, Engine] | None = None


class LegalQueryError(ValueError):
    """A question the engine cannot take (an unknown jurisdiction, a bad date); names what is wrong."""


def data_version() -> int:
    return LegalDataVersion.objects.filter(pk=1).values_list("number", flat=True).first() or 0


def engine(as_recorded_at: datetime.datetime | None = None) -> Engine:
    """The engine compiled from the current legal data (or from what was recorded at ``as_recorded_at``)."""
    global _cached
    if as_recorded_at is not None:
        return Engine(build_snapshot(as_recorded_at))
    version = LegalDataVersion.objects.filter(pk=1).values_list("token", flat=True).first()
    with _lock:
        if _cached is None or _cached[0] != version:
            _cached = (version, Engine(build_snapshot()))
        return _cached[1]


_russian_cache: tuple[str | None, dict[str, str]] | None = None


def russian_names() -> dict[str, str]:
    """The English names the engine answers with (entries, generic definitions, instruments) → their Russian
    form, where one is recorded: pages in Russian show it beside the original (the engine's JSON stays
    English, a stable contract)."""
    global _russian_cache
    version = LegalDataVersion.objects.filter(pk=1).values_list("token", flat=True).first()
    with _lock:
        if _russian_cache is not None and _russian_cache[0] == version:
            return _russian_cache[1]
    found: dict[str, str] = {}
    for model, english, russian in (
        (Listing, "name_en", "name_ru"),
        (GenericDefinition, "name_en", "name_ru"),
        (Instrument, "title_en", "title_ru"),
    ):
        for name_en, name_ru in model.objects.exclude(**{russian: ""}).values_list(english, russian):
            found.setdefault(name_en, name_ru)
    with _lock:
        _russian_cache = (version, found)
    return found


def build_snapshot(as_recorded_at: datetime.datetime | None = None) -> Snapshot:
    """Every legal fact the engine needs, read in a handful of queries."""
    snapshot = Snapshot()
    for jurisdiction in Jurisdiction.objects.all():
        snapshot.jurisdictions[jurisdiction.code] = str(jurisdiction)
        snapshot.complete[jurisdiction.code] = jurisdiction.lists_complete
    if as_recorded_at is not None:
        snapshot.complete.update(_completeness_at(as_recorded_at))
        snapshot.caveat = _changed_since(as_recorded_at)
        if not _loaded_by(as_recorded_at):
            # Nothing was recorded yet: no list was complete, and no answer can be "not controlled".
            snapshot.complete = dict.fromkeys(snapshot.complete, False)
            snapshot.caveat = "FDX held no legal reference content at that moment"
    for item in ControlList.objects.all():
        snapshot.lists[item.code] = ListInfo(
            item.code,
            item.jurisdiction_id,
            str(item),
            item.covers_salts,
            item.covers_stereoisomers,
            item.covers_esters_ethers,
            item.verified,
        )
    listings = Listing.objects.select_related("control_list", "instrument", "substance")
    if as_recorded_at is None:
        listings = listings.current()
    else:
        listings = listings.filter(created_at__lte=as_recorded_at).filter(
            Q(recorded_to__isnull=True) | Q(recorded_to__gt=as_recorded_at)
        )
    for listing in listings:
        entry = EntryInfo(
            list_code=listing.control_list.code,
            name=listing.name_en,
            inchikey=listing.inchikey,
            skeleton=listing.skeleton,
            has_stereo=_has_stereo(listing.inchikey),
            effective_from=listing.effective_from,
            effective_to=listing.effective_to,
            instrument=listing.instrument.title_en if listing.instrument_id else "",
            source_url=listing.source_url,
            verified=listing.verified,
            is_exclusion=listing.is_exclusion,
            entry_id=str(listing.global_id),
            earliest_from=listing.effective_from_earliest,
            substance_key=_entry_key(listing),
            stereo_scope=listing.stereo_scope,
        )
        snapshot.entries.append(entry)
        if listing.smiles:
            snapshot.entry_smiles[entry.entry_id] = listing.smiles
    for item in ListIncorporation.objects.select_related("national_list", "incorporated_list", "instrument"):
        snapshot.incorporations.append(
            IncorporationInfo(
                item.national_list.code,
                item.incorporated_list.code,
                item.effective_from,
                item.effective_to,
                item.lag_days,
                item.instrument.title_en if item.instrument_id else "",
                item.source_url,
                item.verified,
            )
        )
    for item in GenericDefinition.objects.select_related("control_list", "instrument"):
        snapshot.generics.append(
            GenericInfo(
                item.code,
                item.control_list.code,
                item.control_list.jurisdiction_id,
                item.name_en,
                item.kind,
                item.rule,
                item.effective_from,
                item.effective_to,
                item.instrument.title_en if item.instrument_id else "",
                item.source_url,
                item.verified,
            )
        )
    for item in QuantityThreshold.objects.select_related("instrument"):
        snapshot.thresholds.append(
            ThresholdInfo(
                item.jurisdiction_id,
                item.entry_name,
                item.inchikey,
                item.includes_derivatives,
                *(
                    _float(getattr(item, name))
                    for name in ("small_max_g", "significant_min_g", "large_min_g", "especially_large_min_g")
                ),
                item.comparison,
                item.basis,
                item.effective_from,
                item.effective_to,
                item.instrument.title_en if item.instrument_id else "",
                item.source_url,
                item.verified,
            )
        )
    return snapshot


def _loaded_by(moment: datetime.datetime) -> bool:
    """Whether the reference content had been loaded by ``moment``."""
    return AuditEvent.objects.filter(action=audit_events.REFERENCE_LOADED, occurred_at__lte=moment).exists()


def _completeness_at(moment: datetime.datetime) -> dict[str, bool]:
    """Whether each jurisdiction's lists were marked complete at ``moment``: what the first change since
    then found (a jurisdiction unchanged since keeps its present mark)."""
    found: dict[str, bool] = {}
    events = AuditEvent.objects.filter(
        action=audit_events.LISTS_COMPLETENESS_SET, occurred_at__gt=moment
    ).order_by("sequence")
    for event in events.only("object_id", "before"):
        if event.object_id not in found and isinstance(event.before, dict):
            found[event.object_id] = bool(event.before.get("lists_complete"))
    return found


# The legal facts other than listings and completeness keep no history of their own beyond the audit chain.
_FRAMEWORK_TYPES = {
    "legal.instrument": "instruments",
    "legal.controllist": "what lists cover",
    "legal.listincorporation": "incorporations of lists",
    "legal.genericdefinition": "generic definitions",
    "legal.quantitythreshold": "quantity thresholds",
}


def _changed_since(moment: datetime.datetime) -> str:
    """What an answer as recorded at ``moment`` must say it could not take back: the legal facts other than
    listings (instruments, list coverage, incorporations, generic definitions, thresholds) changed since,
    which it answers with as they are now. Empty when none changed."""
    later = AuditEvent.objects.filter(occurred_at__gt=moment)
    changed = {
        _FRAMEWORK_TYPES[object_type]
        for object_type in later.filter(
            action__in=[
                admin_events.ADMIN_RECORD_CREATED,
                admin_events.ADMIN_RECORD_CHANGED,
                admin_events.ADMIN_RECORD_DELETED,
            ],
            object_type__in=list(_FRAMEWORK_TYPES),
        ).values_list("object_type", flat=True)
    }
    reloads = [
        event.after
        for event in later.filter(action=audit_events.REFERENCE_LOADED).only("after")
        if isinstance(event.after, dict)
    ]
    if any(
        after.get(key)
        for after in reloads
        for key in ("instruments", "lists", "incorporations", "generic_definitions", "thresholds", "updated")
    ):
        changed.add("the shipped reference content")
    if not changed:
        return ""
    return "the listings are as recorded then; these changed since and are as they are now: " + ", ".join(
        sorted(changed)
    )


# Questions


@dataclass(frozen=True)
class Question:
    """What to assess a structure against: jurisdictions (all when empty), a day, an optional mass."""

    jurisdictions: tuple[str, ...] = ()
    day: datetime.date | None = None
    amount_g: Decimal | None = None
    as_recorded_at: datetime.datetime | None = None


def jurisdiction_codes(requested=()) -> list[str]:
    """The codes asked for, checked; every jurisdiction in order when none is asked for."""
    known = list(Jurisdiction.objects.values_list("code", flat=True))
    codes = list(dict.fromkeys(code.strip().upper() for code in requested if code.strip()))  # once each
    if not codes:
        return known
    unknown = [code for code in codes if code not in known]
    if unknown:
        raise LegalQueryError(f"unknown jurisdiction {unknown[0]!r}; known: {', '.join(known)}")
    return codes


def assess(queries: list[Query], question: Question) -> list[Answer]:
    """The answers for every query in every jurisdiction of ``question``."""
    codes = jurisdiction_codes(question.jurisdictions)
    day = question.day or timezone.localdate()
    compiled = engine(question.as_recorded_at)
    return [compiled.assess(query, code, day, question.amount_g) for query in queries for code in codes]


def query_for_text(text: str) -> Query:
    """A query for a structure, or for a registry substance named by ``text`` when it is not a structure."""
    query = Query.from_text(text)
    if query.error:
        substance = substance_by_name(text)
        if substance is not None:
            return query_for_substance(substance, label=text)
        keys = _structureless_keys(text)
        if keys:
            return Query.from_text("", substance_keys=keys, label=text)
        query.error = f"{query.error}; nor is it the name of a registry substance or of a listing"
    return query


def query_for(structure: str = "", name: str = "", label: str = "") -> Query:
    """A query for a structure when one is given, else for the substance (or structureless listing) named."""
    if structure:
        return Query.from_text(structure, label=label)
    query = query_for_text(name)
    if label:
        query.text = label
    return query


def _structureless_keys(text: str) -> set[str]:
    """Keys of the listings without a structure (plant materials, preparations) whose name has ``text``."""
    text = text.strip()
    if len(text) < 3:
        return set()
    listings = (
        Listing.objects.current()
        .filter(inchikey="", is_exclusion=False)
        .filter(Q(name_en__icontains=text) | Q(name_ru__icontains=text))
        .select_related("substance")
    )
    return {_entry_key(listing) for listing in listings}


def query_for_substance(substance: Substance, label: str = "") -> Query:
    """A query for a registry substance: its structure, and its key (and its parent's) for listings that name
    it without one."""
    keys = {_substance_key(substance)}
    if substance.parent_id:
        keys.add(_substance_key(substance.parent))
    return Query.from_text(substance.smiles or "", substance_keys=keys, label=label or substance.name_en)


def substance_by_name(name: str) -> Substance | None:
    """The registry substance named exactly ``name`` (any language, synonyms included), if any."""
    text = name.strip()
    if not text:
        return None
    # Only an exact name, synonym, CAS number or InChIKey in any spelling (the rule the pages' substance field
    # follows), or a name as written before its parenthesis, as in "мефедрон (4-метилметкатинон)": a legal
    # answer never rests on a partial match.
    try:
        return resolve_substance(text)
    except ValidationError:
        pass
    found = search_by_name(text)
    key = names.normalise(text)
    before_parenthesis = {
        s
        for s in found.filter(rank=2)[:20]
        if any(names.normalise(n.name.split(" (")[0]) == key for n in s.names.all())
    }
    return before_parenthesis.pop() if len(before_parenthesis) == 1 else None


def status_of_substance(substance: Substance, day: datetime.date | None = None) -> list[Answer]:
    """The substance's status in every jurisdiction on ``day`` (today by default)."""
    return assess([query_for_substance(substance)], Question(day=day))


def status_of_inchikey(inchikey: str, name: str, day: datetime.date | None = None) -> list[Answer]:
    """The status in every jurisdiction of a substance known only by its InChIKey (a library spectrum whose
    substance the registry holds without a structure): only listings naming that key are found, not
    generic definitions or analogues, which need the structure."""
    query = Query(text=name, inchikey=inchikey, skeleton=chem.skeleton_key(inchikey))
    return assess([query], Question(day=day))


# Browsing the lists


def list_jurisdictions() -> QuerySet[Jurisdiction]:
    return Jurisdiction.objects.prefetch_related("lists__instrument")


def list_listings(
    control_list: ControlList, *, day: datetime.date | None = None, include_history: bool = False
) -> QuerySet[Listing]:
    """The entries of a list: current records in force on ``day`` (any time when None), or with
    ``include_history`` every record ever written, corrections included."""
    listings = Listing.objects.filter(control_list=control_list).select_related(
        "control_list", "substance", "instrument", "recorded_by", "corrects"
    )
    if not include_history:
        listings = listings.current()
        if day is not None:
            listings = listings.filter(
                Q(effective_from_earliest__lte=day) | Q(effective_from__lte=day)
            ).filter(Q(effective_to__isnull=True) | Q(effective_to__gte=day))
    return listings.order_by("name_en", "-created_at")


def listing_history(listing: Listing) -> list[Listing]:
    """Every record of one entry, oldest first (the chain of corrections it belongs to)."""
    first = listing
    while first.corrects_id:
        first = first.corrects
    chain = [first]
    while hasattr(chain[-1], "corrected_by"):
        try:
            chain.append(chain[-1].corrected_by)
        except Listing.DoesNotExist:
            break
    return chain


def _has_stereo(inchikey: str) -> bool:
    return bool(inchikey) and inchikey.split("-")[1][:8] != "UHFFFAOY"


def _entry_key(listing: Listing) -> str:
    """What matches a listing without a structure: its registry substance, else its name."""
    if listing.substance_id:
        return _substance_key(listing.substance)
    return "" if listing.inchikey else f"name:{listing.name_en.casefold()}"


def _substance_key(substance: Substance) -> str:
    return substance.key or str(substance.global_id)


def _float(value):
    return None if value is None else float(value)


def get_jurisdiction(code: str) -> Jurisdiction:
    """The jurisdiction ``code`` (any case); ``Jurisdiction.DoesNotExist`` names it when unknown."""
    try:
        return Jurisdiction.objects.get(code=code.strip().upper())
    except Jurisdiction.DoesNotExist:
        raise Jurisdiction.DoesNotExist(f"no jurisdiction {code!r}") from None


def get_list(code: str) -> ControlList:
    try:
        return ControlList.objects.select_related("jurisdiction", "instrument").get(code=code)
    except ControlList.DoesNotExist:
        raise ControlList.DoesNotExist(f"no list {code!r}") from None


def list_summary() -> list[dict]:
    """Per list: its jurisdiction, name, current entries and how many of them are verified."""
    counts = {
        row["control_list"]: row
        for row in Listing.objects.current()
        .values("control_list")
        .annotate(entries=Count("pk"), verified=Count("pk", filter=Q(verified=True)))
    }
    rows = []
    for item in ControlList.objects.select_related("jurisdiction"):
        found = counts.get(item.pk, {})
        rows.append(
            {
                "jurisdiction": item.jurisdiction_id,
                "code": item.code,
                "name": _localised_name(item),
                "entries": found.get("entries", 0),
                "verified": found.get("verified", 0),
                "complete": item.jurisdiction.lists_complete,
            }
        )
    return rows


def export_listings(jurisdiction: Jurisdiction) -> tuple[str, int]:
    """The jurisdiction's current entries in the listing CSV format, and how many there are."""
    from fdx.legal.actions import row_of
    from fdx.legal.reference import LISTING_COLUMNS, write_listings

    listings = (
        Listing.objects.current()
        .filter(control_list__jurisdiction=jurisdiction)
        .select_related("control_list", "substance", "instrument")
        .order_by("control_list__position", "control_list__code", "name_en")
    )
    rows = [{key: getattr(row_of(listing), key) for key in LISTING_COLUMNS} for listing in listings]
    return write_listings(rows), len(rows)


def _localised_name(item) -> str:
    from fdx.legal.models import _localised

    return _localised(item)


def get_listing(global_id) -> Listing:
    """One listing record (current or not) by its global id."""
    return Listing.objects.select_related(
        "control_list__jurisdiction", "substance", "instrument", "corrects"
    ).get(global_id=global_id)


# Amounts of a seizure


@dataclass(frozen=True)
class Measured:
    """What a laboratory weighed and measured of one substance in one exhibit: the exhibit's net mass, the
    substance as recorded (the salt or the base) and as the base. Any of them may be unknown."""

    net_mass_g: Decimal | None
    amount_g: Decimal | None = None
    base_equivalent_g: Decimal | None = None


def jurisdiction_of_country(country_code: str) -> str | None:
    """The code of the jurisdiction whose law applies in a country (None when FDX holds none for it)."""
    return Jurisdiction.objects.filter(country_id=country_code).values_list("code", flat=True).first()


def category_of_measured(compiled: Engine, query: Query, answer: Answer, measured: Measured) -> tuple:
    """(mass read, what it is, category) of a measured seizure under the table of ``answer``'s jurisdiction
    on its day: the mass that table weighs, read at both ends where only bounds are known. The category is
    None when the answer is not "controlled"."""
    decisive = [b for b in answer.basis if b.decides]
    if answer.controlled is not True or not decisive:
        return None, "net", None
    day = datetime.date.fromisoformat(answer.date)
    threshold = compiled.threshold_for(query, answer.jurisdiction, day, decisive)
    if threshold is None:
        return (
            None,
            "net",
            {"category": "unknown", "reason": "no quantity threshold is recorded for this substance"},
        )
    low, high, kind, missing = _weighed_mass(threshold.basis, measured)
    if high is None:
        return (
            None,
            kind,
            {**describe_category(threshold, Decimal(0)), "category": "unknown", "reason": missing},
        )
    category = describe_category(threshold, high)
    lowest = describe_category(threshold, low)["category"]
    if lowest != category["category"]:
        category["reason"] = (
            f"{missing}: between {low} g and {high} g, which is {lowest.replace('_', ' ')} at the least and "
            f"{category['category'].replace('_', ' ')} at the most"
        )
        category["category"] = "unknown"
    elif low != high:
        category["bounds_g"] = [low, high]
    return high, kind, category


def _weighed_mass(basis: str, measured: Measured) -> tuple[Decimal, Decimal | None, str, str]:
    """The least and the most the mass a table weighs can be, what it is, and what is missing.

    The pure substance is at most the net mass, and as the base at most as the salt; the dry residue lies
    between the pure substance and the net mass. Where the table's basis or a measurement is not known, the
    category is read at both ends: the same tier at both is the answer, otherwise it stays unknown."""
    net_mass_g = measured.net_mass_g
    recorded = measured.amount_g  # the substance as recorded: the salt or the base
    base = measured.base_equivalent_g
    pure_low = min((m for m in (recorded, base) if m is not None), default=None)
    if basis == "mixture":
        return net_mass_g or Decimal(0), net_mass_g, "net", "the exhibit's net mass is not recorded"
    if basis == "pure":
        if recorded is not None:
            return (
                pure_low,
                recorded,
                "pure" if pure_low == recorded else "bounds",
                ("the table weighs the pure substance and does not say whether as the salt or as the base"),
            )
        return (
            Decimal(0),
            net_mass_g,
            "bounds",
            ("the table weighs the pure substance and this finding's content is not measured"),
        )
    if basis == "dry_residue":
        return (
            pure_low or Decimal(0),
            net_mass_g,
            "bounds",
            ("the table weighs the dry residue, which is not recorded for this exhibit"),
        )
    # Without the net mass the mixture could weigh anything: there is no upper bound.
    return (
        pure_low or Decimal(0),
        net_mass_g,
        "bounds",
        ("the instrument does not say whether the table weighs the mixture or the pure substance"),
    )
