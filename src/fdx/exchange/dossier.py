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

import datetime
import decimal
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import models

from fdx.accounts.models import Organisation, SharingGroup
from fdx.core.models import DistributedRecord, RecordState
from fdx.examinations.models import Case, Examination, Exhibit, Finding
from fdx.examinations.querysets import SHARED_STATUSES
from fdx.exchange import messages, network, pseudonymise, rules
from fdx.geo.models import BorderCrossingPoint, Country, Region
from fdx.substances.models import Substance

#: The models that travel, parents first (the order a receiver needs them in).
MODELS: tuple[type[DistributedRecord], ...] = (Case, Exhibit, Examination, Finding)
MODEL_BY_LABEL = {model._meta.label_lower: model for model in MODELS}


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
    if not case.has_shared_result or case.record_state == RecordState.DELETED:
        return
    yield case
    exhibits = list(Exhibit.objects.filter(case=case).order_by("pk"))
    yield from exhibits
    examinations = list(
        Examination.objects.filter(exhibit__case=case, status__in=SHARED_STATUSES)
        .prefetch_related("methods")
        .select_related("laboratory", "previous_revision")
        .order_by("pk")
    )
    yield from examinations
    yield from Finding.objects.filter(examination__in=examinations).select_related("substance").order_by("pk")


def rules_record(case: Case, model: str, obj: DistributedRecord | None = None) -> rules.Record:
    """How the rules see a record of ``case`` (its level, group and owner are the case's)."""
    group = network.rules_group(case.sharing_group) if case.sharing_group_id else None
    return rules.Record(
        model=model,
        level=rules.Level(case.distribution_level),
        origin_node=str(case.origin_node),
        owner_country=case.owner_organisation.country_id,
        group=group,
        shareable=frozenset(getattr(obj if obj is not None else case, "shareable_fields", None) or ()),
    )


def group_definition(case: Case) -> dict | None:
    """The case's sharing group as it travels with each of its records (sharing-group level only)."""
    if case.distribution_level != rules.Level.SHARING_GROUP or case.sharing_group_id is None:
        return None
    group = case.sharing_group
    return messages.group_definition(
        network.rules_group(group), code=group.code, name_en=group.name_en, name_ru=group.name_ru
    )


def values(obj: DistributedRecord) -> dict[str, object]:
    """The record's values of every field in the pseudonymisation table, ready for JSON."""
    result: dict[str, object] = {}
    for name in pseudonymise.rules_for(label(obj)):
        field = obj._meta.get_field(name)
        if field.many_to_many:
            result[name] = sorted(str(pk) for pk in getattr(obj, name).values_list("pk", flat=True))
        elif field.is_relation:
            result[name] = reference(getattr(obj, name))
        else:
            result[name] = plain(getattr(obj, name))
    return result


def plain(value):
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
    if isinstance(related, Country):
        return related.code
    if isinstance(related, Region | BorderCrossingPoint):
        return related.code
    return str(related.pk)
