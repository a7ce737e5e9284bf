"""A case as it may leave this node: its records (the case, its exhibits, its examinations with a result and
their findings), how the sharing rules see each, and each one's field values as they travel.

Only what another organisation of this node may see can leave it: a case with a shared result
(``Case.has_shared_result``), its examinations that were approved (approved, superseded or retracted;
drafts never leave) and their findings. The case's distribution level, sharing group and owner are its
records' too. Files attached to a case do not travel yet (their metadata would name a file the receiver
cannot open).

References travel as what identifies them on every node: an organisation by its global id with its code,
names, country and type (so that the receiver can show it, or recognise one it already has by code); a
substance by its global id with its reference key and InChIKey; a country, region or border point by its
code; an analytical method by its code; a parent record by its global id.
"""

from __future__ import annotations

import base64
import datetime
import decimal
import functools
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import models

from fdx.accounts.models import Organisation, SharingGroup
from fdx.core.models import DistributedRecord, RecordState
from fdx.examinations.models import Case, Examination, Exhibit, Finding
from fdx.examinations.querysets import SHARED_STATUSES
from fdx.exchange import messages, network, pseudonymise, rules
from fdx.geo.models import BorderCrossingPoint, Country, Region
from fdx.legal.models import ControlList, GenericDefinition, Instrument, Listing, QuantityThreshold
from fdx.spectra.models import SpectralLibrary, Spectrum
from fdx.substances.models import Substance

#: The models that travel, parents first (the order a receiver needs them in).
MODELS: tuple[type[DistributedRecord], ...] = (Case, Exhibit, Examination, Finding)
MODEL_BY_LABEL = {model._meta.label_lower: model for model in MODELS}
#: Reference data, which travels by publication (``fdx.exchange.publications``), parents first.
REFERENCE_MODELS: tuple[type[DistributedRecord], ...] = (
    Substance,
    SpectralLibrary,
    Spectrum,
    GenericDefinition,
    QuantityThreshold,
    Listing,
)
#: A jurisdiction's control lists (``fdx.exchange.publications``): what a publication of lists carries.
LEGAL_MODELS: tuple[type[DistributedRecord], ...] = (GenericDefinition, QuantityThreshold, Listing)
#: Every model that travels, in the order a receiver writes them (a finding names a substance).
TRAVELLING_MODELS = REFERENCE_MODELS + MODELS
TRAVELLING_BY_LABEL = {model._meta.label_lower: model for model in TRAVELLING_MODELS}


@dataclass(frozen=True)
class Item:
    """One record of a case's dossier, with the rules' view of it."""

    obj: DistributedRecord
    record: rules.Record

    @property
    def model(self) -> str:
        return self.obj._meta.label_lower


def label(obj: models.Model) -> str:
    return obj._meta.label_lower


def shared_records(case: Case) -> Iterator[DistributedRecord]:
    """The records of ``case`` that may leave this node at all (before the level is asked), parents first:
    nothing unless the case has a shared result; then the case, its exhibits, its examinations with a
    result and their findings. Tombstones are left out (what a peer must be told of them is decided from
    what it holds)."""
    yield from shared_records_of([case])[case.pk]


def shared_records_of(cases: list[Case]) -> dict[int, list[DistributedRecord]]:
    """``shared_records`` of each of ``cases`` (by primary key, the same records in the same order), read
    together in a fixed number of queries."""
    result: dict[int, list[DistributedRecord]] = {case.pk: [] for case in cases}
    shared = {
        case.pk: case for case in cases if case.has_shared_result and case.record_state != RecordState.DELETED
    }
    if not shared:
        return result
    exhibits = {
        exhibit.pk: exhibit for exhibit in Exhibit.objects.filter(case__in=list(shared)).order_by("pk")
    }
    for exhibit in exhibits.values():
        exhibit.case = shared[exhibit.case_id]
    examinations = {
        examination.pk: examination
        for examination in Examination.objects.filter(
            exhibit__case__in=list(shared), status__in=SHARED_STATUSES
        )
        .annotate(case_key=models.F("exhibit__case_id"))
        .prefetch_related("methods")
        .select_related("laboratory", "previous_revision")
        .order_by("pk")
    }
    for examination in examinations.values():
        if examination.exhibit_id in exhibits:  # an exhibit removed keeps its examination: read it then
            examination.exhibit = exhibits[examination.exhibit_id]
    findings = list(
        Finding.objects.filter(examination__in=list(examinations)).select_related("substance").order_by("pk")
    )
    for finding in findings:
        finding.examination = examinations[finding.examination_id]
    for case in shared.values():
        result[case.pk].append(case)
    for exhibit in exhibits.values():
        result[exhibit.case_id].append(exhibit)
    for examination in examinations.values():
        result[examination.case_key].append(examination)
    for finding in findings:
        result[finding.examination.case_key].append(finding)
    return result


# Loading the records of a page of the queues: a fixed number of queries, however many records.

#: The references each model's values and the sharing rules read, to rows that are few and shared by many
#: records (organisations, places, groups, substances): read once per page (``PageLoader``).
REFERENCES: dict[type[DistributedRecord], tuple[str, ...]] = {
    Case: (
        "owner_organisation",
        "submitting_agency",
        "seizure_country",
        "seizure_region",
        "border_crossing_point",
        "sharing_group",
    ),
    Exhibit: (),
    Examination: ("laboratory",),
    Finding: ("substance",),
}
#: What a record of each model is the child of (a case's records reach their case through these).
PARENT = {Exhibit: "case", Examination: "exhibit", Finding: "examination"}


class PageLoader:
    """Loads the records a page of the queues names, a chunk at a time, each with every row its values, its
    case and the sharing rules read, in a number of queries that does not grow with the chunk: each
    record once (by model), its parents up to the case once (those the chunk does not hold), and the
    referenced organisations, places, groups (with their members) and substances once per page."""

    def __init__(self):
        self._references: dict[type[models.Model], dict[object, models.Model]] = {}

    def load(self, wanted: dict[str, list[uuid.UUID]]) -> tuple[dict[str, dict], dict[int, Case]]:
        """The records of each model label in ``wanted`` by global id (tombstones included; one that does
        not exist is left out), and the case of each by primary key. ``KeyError`` for a model that does not
        travel."""
        records: dict[str, dict[uuid.UUID, DistributedRecord]] = {}
        named: dict[type[DistributedRecord], list[DistributedRecord]] = {cls: [] for cls in MODELS}
        pool: dict[type[DistributedRecord], dict[int, DistributedRecord]] = {cls: {} for cls in MODELS}
        for model, global_ids in wanted.items():
            cls = MODEL_BY_LABEL[model]
            rows = cls.with_tombstones().filter(global_id__in=global_ids)
            if cls is Examination:
                rows = rows.prefetch_related("methods")
            records[model] = {obj.global_id: obj for obj in rows}
            named[cls] = list(records[model].values())
            pool[cls].update((obj.pk, obj) for obj in named[cls])
        # Children first: the findings' examinations, then every examination's exhibit, then every exhibit's
        # case; each parent the chunk holds is that very record.
        for cls in (Finding, Examination, Exhibit):
            name = PARENT[cls]
            self._parents(list(pool[cls].values()), name, pool[cls._meta.get_field(name).related_model])
        self._parents(named[Examination], "previous_revision", pool[Examination])
        for cls in MODELS:
            # Every case (the rules read its owner and group); of the others, the records named.
            objs = list(pool[Case].values()) if cls is Case else named[cls]
            for name in REFERENCES[cls]:
                self._refer(objs, name)
        return records, pool[Case]

    def _parents(self, objs: list, name: str, known: dict) -> None:
        """Give each of ``objs`` its ``name`` from ``known`` (by primary key), reading the missing ones in one
        query (tombstones included, as a lazy reference would) and adding them to ``known``."""
        if not objs:
            return
        field = objs[0]._meta.get_field(name)
        keys = {getattr(obj, field.attname) for obj in objs} - {None}
        missing = keys - known.keys()
        if missing:
            known.update(
                (row.pk, row) for row in field.related_model.with_tombstones().filter(pk__in=missing)
            )
        for obj in objs:
            key = getattr(obj, field.attname)
            if key in known:
                setattr(obj, name, known[key])

    def _refer(self, objs: list, name: str) -> None:
        """Give each of ``objs`` its reference ``name`` from the page's rows, reading missing ones once."""
        if not objs:
            return
        field = objs[0]._meta.get_field(name)
        related = field.related_model
        rows = self._references.setdefault(related, {})
        missing = {getattr(obj, field.attname) for obj in objs} - {None} - rows.keys()
        if missing:
            fetched = list(related._base_manager.filter(pk__in=missing))
            if related is SharingGroup:  # the rules read a group's members
                models.prefetch_related_objects(fetched, "organisations")
            rows.update((row.pk, row) for row in fetched)
        for obj in objs:
            key = getattr(obj, field.attname)
            if key in rows:
                setattr(obj, name, rows[key])


def case_group(case: Case) -> rules.Group | None:
    """The case's sharing group as the rules see it (None when it has none); the same for all its records,
    so a page of the queues asks once per case."""
    return network.rules_group(case.sharing_group) if case.sharing_group_id else None


def rules_record(
    case: Case, model: str, obj: DistributedRecord | None = None, *, group: rules.Group | None = None
) -> rules.Record:
    """How the rules see a record of ``case`` (its level, group and owner are the case's); ``group`` is
    the case's ``case_group`` when the caller has it already (read here when not given)."""
    if group is None:
        group = case_group(case)
    return rules.Record(
        model=model,
        level=rules.Level(case.distribution_level),
        origin_node=str(case.origin_node),
        owner_country=case.owner_organisation.country_id,
        group=group,
        shareable=frozenset(getattr(obj if obj is not None else case, "shareable_fields", None) or ()),
    )


def group_definition(case: Case, group: rules.Group | None = None) -> dict | None:
    """The case's sharing group as it travels with each of its records (sharing-group level only);
    ``group`` as for ``rules_record``."""
    if case.distribution_level != rules.Level.SHARING_GROUP or case.sharing_group_id is None:
        return None
    if group is None:
        group = case_group(case)
    sharing_group = case.sharing_group
    return messages.group_definition(
        group, code=sharing_group.code, name_en=sharing_group.name_en, name_ru=sharing_group.name_ru
    )


def values(obj: DistributedRecord) -> dict[str, object]:
    """The record's values of every field in the pseudonymisation table, ready for JSON. Reads no row that
    ``PageLoader`` (or ``shared_records``) read already: many-to-many keys come from the prefetched rows,
    and a reference that travels as its key (a user's) from the record's own column."""
    result: dict[str, object] = {}
    for name, how, attname in _value_plan(type(obj)):
        if how == _PLAIN:
            result[name] = plain(getattr(obj, name))
        elif how == _ROW:
            result[name] = reference(getattr(obj, name))
        elif how == _KEY:
            key = getattr(obj, attname)
            result[name] = None if key is None else str(key)
        else:
            result[name] = sorted(str(related.pk) for related in getattr(obj, name).all())
    return result


#: Rows whose reference is more than their key (``reference``): read from the row itself.
_REFERENCED_BY_ROW = (
    Organisation,
    Substance,
    SharingGroup,
    DistributedRecord,
    Country,
    Region,
    BorderCrossingPoint,
    ControlList,
    Instrument,
)
_PLAIN, _ROW, _KEY, _KEYS = "plain", "row", "key", "keys"


@functools.cache
def _value_plan(cls: type[DistributedRecord]) -> tuple[tuple[str, str, str], ...]:
    """How ``values`` reads each field of the table's row for ``cls``: as it is, a referenced row, the
    referenced row's key from the record's own column (``reference``'s last case), or many keys."""
    plan = []
    for name, treatment in pseudonymise.rules_for(cls._meta.label_lower).items():
        if treatment == pseudonymise.DROP:
            continue  # never sent: not read either
        field = cls._meta.get_field(name)
        if field.many_to_many:
            how = _KEYS
        elif not field.is_relation:
            how = _PLAIN
        elif issubclass(field.related_model, _REFERENCED_BY_ROW) or not field.target_field.primary_key:
            how = _ROW
        else:
            how = _KEY
        plan.append((name, how, getattr(field, "attname", name)))
    return tuple(plan)


def plain(value):
    if isinstance(
        value, bytes | memoryview
    ):  # a binary field (a spectrum's peaks): base64, as Django reads it
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return value


def reference(related) -> object:
    """A reference to another row, as it identifies that row on every node."""
    if related is None:
        return None
    if isinstance(related, Organisation):
        return {
            "global_id": str(related.global_id),
            "code": related.code,
            "name_en": related.name_en,
            "name_ru": related.name_ru,
            "country": related.country_id,
            "type": related.org_type,
        }
    if isinstance(related, Substance):
        return {
            "global_id": str(related.global_id),
            "key": related.key or "",
            "inchikey": related.inchikey,
            "name_en": related.name_en,
        }
    if isinstance(related, SharingGroup | DistributedRecord):
        return str(related.global_id)
    if isinstance(related, ControlList):
        return {
            "code": related.code,
            "jurisdiction": related.jurisdiction_id,
            "name_en": related.name_en,
            "name_ru": related.name_ru,
            "kind": related.kind,
            "covers_salts": related.covers_salts,
            "covers_stereoisomers": related.covers_stereoisomers,
            "covers_esters_ethers": related.covers_esters_ethers,
            "source_url": related.source_url,
        }
    if isinstance(related, Instrument):
        return {
            "code": related.code,
            "jurisdiction": related.jurisdiction_id,
            "title_en": related.title_en,
            "title_ru": related.title_ru,
            "number": related.number,
            "adopted_on": plain(related.adopted_on),
            "in_force_from": plain(related.in_force_from),
            "issuing_body": related.issuing_body,
            "url": related.url,
        }
    if isinstance(related, Country):
        return related.code
    if isinstance(related, Region | BorderCrossingPoint):
        return related.code
    return str(related.pk)
