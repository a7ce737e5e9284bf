"""The local copy of a received record: what a change's payload sets on it, and the rows of this node its
references name (organisations, substances, places, sharing groups, parent records), looked up through the
receiving batch's cache (``fdx.exchange.inbox.Context``) — one by one, or for a whole page in a few queries
(``read_records``, ``read_coded``, ``read_organisations``, ``read_substances``, which find what the
one-by-one look-ups would). Nothing here writes, but for the directory entry of an organisation this node did
not know and a sharing group created or brought up to date (``fdx.exchange.groups``): ``Context.creating``
says so first.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING

from fdx.accounts.models import Organisation, SharingGroup
from fdx.examinations.models import AnalyticalMethod, Case, Examination, Exhibit
from fdx.exchange import dossier, groups, messages, pseudonymise
from fdx.exchange.models import ReceivedGroup
from fdx.geo.models import BorderCrossingPoint, Country, Region
from fdx.legal.models import (
    ControlList,
    GenericDefinition,
    Instrument,
    Jurisdiction,
    Listing,
    QuantityThreshold,
)
from fdx.legal.reference import shipped_correction_id, shipped_global_id
from fdx.spectra.models import SpectralLibrary, Spectrum, peak_bytes
from fdx.substances import actions as substance_actions
from fdx.substances import chem
from fdx.substances.choices import SubstanceSource
from fdx.substances.models import Substance

if TYPE_CHECKING:
    from fdx.exchange.inbox import Context

#: The models a received record names by global id as its parent (received before it, or fetched as a gap).
PARENTS = (*dossier.MODELS, SpectralLibrary, Listing)

#: The most values one ``IN (…)`` of a look-up carries (SQLite takes 999 parameters in a statement).
IN_CHUNK = 900


class Refused(Exception):
    """A message this node does not apply: ``code`` for machines, the message for people."""

    def __init__(self, code: str, message: str, *, missing: str = ""):
        super().__init__(message)
        self.code = code
        self.missing = missing  # the global id of a missing parent (``missing_parent``)


def global_id(value) -> str | None:
    """A global identifier in the one form rows are remembered under; None for what is not one."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if not isinstance(value, str):
        return None
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


def of_model(cls):
    """The local copies of a model, tombstones included (an examination with its exhibit, which says its
    case)."""
    queryset = cls.with_tombstones()
    return queryset.select_related("exhibit") if cls is Examination else queryset


def rows_in(queryset, field: str, values: Iterable) -> list:
    """The rows of ``queryset`` whose ``field`` is one of ``values``, a query per ``IN_CHUNK`` values."""
    values = sorted(values)
    found = []
    for start in range(0, len(values), IN_CHUNK):
        found.extend(queryset.filter(**{f"{field}__in": values[start : start + IN_CHUNK]}))
    return found


# A page's look-ups, in a few queries


def read_records(context: Context, cls, ids: Iterable[str]) -> None:
    """The local copies of ``cls`` with these global ids, remembered (or known absent) in ``context``."""
    _read(context, cls, of_model(cls), "global_id", ids)


#: The reference data a payload names by code, and the field each is found by (as ``_resolve`` finds it).
CODED = {Country: "pk", Region: "code", BorderCrossingPoint: "code", AnalyticalMethod: "pk"}


def read_coded(context: Context, cls, codes: Iterable[str]) -> None:
    """The rows of ``cls`` (a model of ``CODED``) with these codes, remembered (or known absent)."""
    _read(context, cls, cls.objects.all(), CODED[cls], codes)


def _read(context: Context, cls, queryset, field: str, keys: Iterable[str]) -> None:
    keys = _unknown(context, cls, keys)
    found = {str(getattr(row, field)): row for row in rows_in(queryset, field, keys)} if keys else {}
    for key in keys:
        if key in found:
            context.remember((cls, key), found[key])
        else:
            context.absent.add((cls, key))


def read_organisations(context: Context, references: dict[str, dict]) -> None:
    """The organisations these references name (by the global id they carry), as ``_find_organisation``
    finds each: by global id, else by code. None is created here."""
    references = {key: references[key] for key in _unknown(context, Organisation, references)}
    ids = {global_id(key) for key in references} - {None}
    by_id = {str(o.global_id): o for o in rows_in(Organisation.objects.all(), "global_id", ids)}
    codes = {
        value.get("code", "")
        for key, value in references.items()
        if global_id(key) not in by_id and isinstance(value.get("code", ""), str)
    }
    by_code = {o.code: o for o in rows_in(Organisation.objects.all(), "code", codes)}
    for key, value in references.items():
        code = value.get("code", "")
        found = by_id.get(global_id(key)) or (by_code.get(code) if isinstance(code, str) else None)
        if found is not None:
            context.remember((Organisation, key), found)
        elif isinstance(code, str):
            context.absent.add((Organisation, key))


def read_substances(context: Context, references: dict[str, dict]) -> None:
    """The substances these references name (by the global id they carry), as ``_find_substance`` finds
    each: by global id, else by reference key, else by InChIKey."""
    references = {key: references[key] for key in _unknown(context, Substance, references)}
    ids = {global_id(key) for key in references} - {None}
    by_id = {str(s.global_id): s for s in rows_in(Substance.objects.all(), "global_id", ids)}
    rest = [value for key, value in references.items() if global_id(key) not in by_id]
    by_key = {s.key: s for s in rows_in(Substance.objects.all(), "key", _texts(rest, "key"))}
    by_inchikey: dict[str, Substance] = {}
    for substance in rows_in(Substance.objects.order_by("pk"), "inchikey", _texts(rest, "inchikey")):
        by_inchikey.setdefault(substance.inchikey, substance)
    for key, value in references.items():
        reference_key, inchikey = value.get("key"), value.get("inchikey")
        found = by_id.get(global_id(key))
        found = found or (by_key.get(reference_key) if isinstance(reference_key, str) else None)
        found = found or (by_inchikey.get(inchikey) if isinstance(inchikey, str) else None)
        if found is not None:
            context.remember((Substance, key), found)
        elif isinstance(reference_key or "", str) and isinstance(inchikey or "", str):
            context.absent.add((Substance, key))


def _texts(references: list[dict], name: str) -> set[str]:
    return {value[name] for value in references if value.get(name) and isinstance(value[name], str)}


def _unknown(context: Context, cls, keys: Iterable[str]) -> list[str]:
    """The keys neither remembered nor known absent."""
    return [key for key in keys if (cls, key) not in context.rows and (cls, key) not in context.absent]


# The copy's values


def values(cls, local, change: messages.ChangeRecord, context: Context) -> tuple[list, dict[str, list]]:
    """What the change's payload sets on the copy, as (attribute, value) pairs, and its many-to-many
    values; ``Refused`` when a value or a reference cannot be taken. Changes nothing."""
    assignments: list[tuple[str, object]] = []
    m2m: dict[str, list] = {}
    travelling = set(change.fields)
    reference = cls in dossier.REFERENCE_MODELS
    for name, treatment in pseudonymise.rules_for(change.model).items():
        if reference and treatment == pseudonymise.DROP:
            continue  # derived here (``derive``), or a local annotation this node keeps
        field = cls._meta.get_field(name)
        if name not in travelling:
            if field.many_to_many:
                m2m[name] = []
            elif not field.is_relation or field.null:
                assignments.append((field.attname, _empty(field)))
            continue
        value = change.payload.get(name)
        if field.many_to_many:
            m2m[name] = _methods(value, context)
        elif field.is_relation:
            assignments.append((name, _resolve(field, value, change, context)))
        else:
            assignments.append((field.attname, _scalar(field, value, change)))
    # Every record of a sharing-group case carries the group as its origin defines it now: the group here
    # follows it (``fdx.exchange.groups``).
    group = _received_group(change, context)
    if cls is Case and group is not None and not _has_group(local, assignments):
        assignments.append(("sharing_group", group))
    return assignments, m2m


def _has_group(local, assignments: list[tuple[str, object]]) -> bool:
    """Whether the case copy has a sharing group once ``assignments`` are made."""
    chosen = dict(assignments)
    if "sharing_group" in chosen:
        return chosen["sharing_group"] is not None
    if "sharing_group_id" in chosen:
        return chosen["sharing_group_id"] is not None
    return local is not None and local.sharing_group_id is not None


def case_id(obj) -> int | None:
    """The primary key of the case a copy belongs to (itself, for a case; None for reference data)."""
    if isinstance(obj, dossier.REFERENCE_MODELS):
        return None
    if isinstance(obj, Case):
        return obj.pk
    if isinstance(obj, Exhibit):
        return obj.case_id
    if isinstance(obj, Examination):
        return obj.exhibit.case_id
    return obj.examination.exhibit.case_id


def _empty(field):
    if field.null:
        return None
    return "" if field.get_internal_type() in {"CharField", "TextField", "SlugField"} else field.get_default()


def _scalar(field, value, change):
    try:
        return field.to_python(value) if value is not None else _empty(field)
    except Exception as exc:  # a ValidationError or a type error: the field names what is wrong
        raise Refused("bad_message", f"{change.model}.{field.name}: {exc}") from None


def _methods(codes, context: Context) -> list:
    """The analytical methods named (those this node knows), each once."""
    found = {}
    for code in codes or []:
        method = context.cached(
            (AnalyticalMethod, str(code)),
            lambda code=code: AnalyticalMethod.objects.filter(pk=str(code)).first(),
        )
        if method is not None:
            found.setdefault(method.pk, method)
    return list(found.values())


def _resolve(field, value, change: messages.ChangeRecord, context: Context):
    """The local row a reference names (see ``fdx.exchange.dossier``), looked up once per batch."""
    if value is None:
        return None
    target = field.related_model
    if target is Organisation:
        if not isinstance(value, dict) or not value.get("global_id"):
            raise Refused("bad_message", f"{change.model}: an organisation reference is not one")
        key = (Organisation, value["global_id"])
        return context.cached(key, lambda: _find_organisation(value)) or _new_organisation(
            key, value, change, context
        )
    if target is SharingGroup:
        found = context.cached((SharingGroup, str(value)), lambda: _find_group(value))
        return found or _received_group(change, context)
    if target is Substance:
        if not isinstance(value, dict):
            raise Refused("bad_message", f"{change.model}: a substance reference is not one")
        found = context.cached((Substance, value.get("global_id")), lambda: _find_substance(value))
        if found is None and change.model in _NAMING_LISTED_STRUCTURES:
            # A listing or threshold is identified by its structure as listed; the registry substance is an
            # annotation: the law is taken even where this registry lacks the substance.
            return None
        if found is None:
            raise Refused(
                "unknown_reference",
                f"{change.model}: the substance {value.get('name_en') or value.get('global_id')} is not in "
                "this node's registry",
            )
        return found
    if target in (ControlList, Instrument):
        return _coded_row(target, field, value, change, context)
    if target in (Country, Region, BorderCrossingPoint, Jurisdiction):
        lookup = {"pk" if target is Country else "code": value}
        found = context.cached((target, str(value)), lambda: target.objects.filter(**lookup).first())
        if found is None and not field.null:
            raise Refused("unknown_reference", f"{change.model}.{field.name}: {value} is not known here")
        return found
    if target in PARENTS:
        gid = global_id(value)
        if gid is None:
            raise Refused("bad_message", f"{change.model}.{field.name}: {value!r} is not a global identifier")
        found = context.cached((target, gid), lambda: of_model(target).filter(global_id=gid).first())
        if found is None:
            raise Refused(
                "missing_parent", f"{change.model}.{field.name}: {value} is not here yet", missing=str(value)
            )
        return found
    if field.null:
        return None
    raise Refused("unknown_reference", f"{change.model}.{field.name} cannot be received")


#: Legal records that name a registry substance only beside their own structure.
_NAMING_LISTED_STRUCTURES = frozenset({"legal.listing", "legal.quantitythreshold"})

#: What a received list or instrument is created with when this node does not know its code yet.
_CODED_FIELDS = {
    ControlList: (
        "name_en",
        "name_ru",
        "kind",
        "covers_salts",
        "covers_stereoisomers",
        "covers_esters_ethers",
        "source_url",
    ),
    Instrument: ("title_en", "title_ru", "number", "adopted_on", "in_force_from", "issuing_body", "url"),
}


def _coded_row(target, field, value, change: messages.ChangeRecord, context: Context):
    """The control list or instrument a legal record names, by its code; one this node does not know yet is
    created from the description that travels with the reference (in the jurisdiction named, which must be
    known here). A list or instrument this node knows keeps its own description."""
    if not isinstance(value, dict) or not isinstance(value.get("code"), str) or not value["code"]:
        raise Refused("bad_message", f"{change.model}.{field.name}: the reference is not one")
    key = (target, value["code"])
    found = context.cached(key, lambda: target.objects.filter(code=value["code"]).first())
    if found is not None:
        return found
    jurisdiction = context.cached(
        (Jurisdiction, str(value.get("jurisdiction"))),
        lambda: Jurisdiction.objects.filter(pk=str(value.get("jurisdiction"))).first(),
    )
    if jurisdiction is None:
        raise Refused(
            "unknown_reference",
            f"{change.model}.{field.name}: the jurisdiction {value.get('jurisdiction')} is not known here",
        )
    row = target(code=value["code"][: target._meta.get_field("code").max_length], jurisdiction=jurisdiction)
    for name in _CODED_FIELDS[target]:
        if name in value:
            setattr(row, name, _scalar(target._meta.get_field(name), value[name], change))
    try:
        row.full_clean(exclude=["jurisdiction", "instrument"])
    except Exception as exc:  # a ValidationError: the description names what is wrong
        raise Refused("bad_message", f"{change.model}.{field.name}: {exc}") from None
    context.creating()
    row.save()
    context.remember(key, row)
    return row


def _find_organisation(value: dict) -> Organisation | None:
    """An organisation by global id, else by code."""
    gid = global_id(value["global_id"])
    found = Organisation.objects.filter(global_id=gid).first() if gid else None
    return found or Organisation.objects.filter(code=value.get("code", "")).first()


def _new_organisation(key: tuple, value: dict, change, context: Context) -> Organisation:
    """The directory entry of an organisation this node did not know, from the reference."""
    gid = global_id(value["global_id"])
    if gid is None:
        raise Refused("bad_message", f"{change.model}: an organisation reference is not one")
    country = context.cached(
        (Country, str(value.get("country", ""))),
        lambda: Country.objects.filter(pk=value.get("country", "")).first(),
    )
    if country is None:
        raise Refused(
            "unknown_reference", f"{change.model}: the country of {value.get('code')} is not known here"
        )
    context.creating()
    organisation = Organisation.objects.create(
        global_id=uuid.UUID(gid),
        code=str(value.get("code", ""))[:50] or str(value["global_id"]),
        name_en=str(value.get("name_en", ""))[:250],
        name_ru=str(value.get("name_ru", ""))[:250],
        country=country,
        org_type=str(value.get("type", "")),
    )
    context.remember(key, organisation)
    return organisation


def _find_substance(value: dict) -> Substance | None:
    gid = global_id(value.get("global_id"))
    found = Substance.objects.filter(global_id=gid).first() if gid else None
    if found is None and value.get("key"):
        found = Substance.objects.filter(key=value["key"]).first()
    if found is None and value.get("inchikey"):
        found = Substance.objects.filter(inchikey=value["inchikey"]).order_by("pk").first()
    return found


def _find_group(value) -> SharingGroup | None:
    gid = global_id(value)
    return SharingGroup.objects.filter(global_id=gid).first() if gid else None


def _received_group(change: messages.ChangeRecord, context: Context) -> SharingGroup | None:
    """The sharing group ``change`` names, created from its definition or brought up to date with it
    (``fdx.exchange.groups.received_group``): asked again only when a record of the batch carries another
    definition of the group, or comes from another node, than the last one asked."""
    definition = change.group
    if not definition:
        return None
    key = (ReceivedGroup, str(definition["group_id"]))
    stamp = (change.origin_node, messages.digest(definition))
    asked = context.rows.get(key)
    if asked is not None and asked[0] == stamp:
        return asked[1]
    context.creating()  # the group may be created or changed: the message's own savepoint takes it back
    group = groups.received_group(change)
    context.remember(key, (stamp, group))
    if group is not None:
        context.remember((SharingGroup, str(definition["group_id"])), group)
    return group


# What a node derives for itself on a received reference record


def derive(obj, local, change: messages.ChangeRecord, context: Context) -> None:
    """Complete a received copy with what this node derives for itself, or refuse it (``Refused``): a
    substance's identifiers and fingerprints from its structure (refused when this node's registry holds the
    same structure or key under another record: never a duplicate); a spectrum's peaks checked against
    their SHA-256."""
    if isinstance(obj, Substance):
        _derive_substance(obj, local, change)
    elif isinstance(obj, Spectrum):
        _check_peaks(obj, change)
    elif isinstance(obj, dossier.LEGAL_MODELS):
        obj.maintained_locally = False
        if isinstance(obj, Listing):
            obj.recorded_by = None


def adoptable(local) -> bool:
    """Whether this node takes a received version of its own record ``local``: only an entry of FDX's
    shipped legal content this node has left as shipped, which has the same global id on every node and
    which the jurisdiction's own node publishes (``fdx.exchange.publications``). From then on the copy is
    that node's (read-only here; a reload of the reference content leaves it alone)."""
    if not isinstance(local, dossier.LEGAL_MODELS) or not local.is_local or local.maintained_locally:
        return False
    if not is_shipped_entry(local):
        return False
    # Not an entry this node corrected itself (its correction would stand beside the received one).
    return not (
        isinstance(local, Listing)
        and Listing.with_tombstones().filter(corrects=local, maintained_locally=True).exists()
    )


def is_shipped_entry(obj) -> bool:
    """Whether a legal record is an entry of FDX's shipped content, by the global id every node gives it
    (``fdx.legal.reference.shipped_global_id``; a listing a reload corrected, ``shipped_correction_id``)."""
    if isinstance(obj, GenericDefinition):
        return obj.global_id == shipped_global_id("generic", obj.code)
    if isinstance(obj, QuantityThreshold):
        return bool(obj.reference_key) and obj.global_id == shipped_global_id("threshold", obj.reference_key)
    if not isinstance(obj, Listing) or not obj.reference_key:
        return False
    if obj.global_id == shipped_global_id("listing", obj.reference_key):
        return True
    corrected = (
        Listing.with_tombstones().filter(pk=obj.corrects_id).values_list("global_id", flat=True).first()
        if obj.corrects_id
        else None
    )
    return corrected is not None and obj.global_id == shipped_correction_id(corrected)


def _derive_substance(obj: Substance, local, change: messages.ChangeRecord) -> None:
    obj.source = SubstanceSource.EXCHANGE
    if obj.smiles:
        try:
            structure = chem.standardise(chem.parse(obj.smiles, "smiles"))
        except chem.StructureError as exc:
            raise Refused("bad_message", f"{change.model}.smiles: {exc}") from None
        substance_actions.set_structure_fields(obj, structure)
    else:
        for name in ("inchi", "inchikey", "skeleton", "formula", "search_smiles"):
            setattr(obj, name, "")
        obj.average_mass = obj.monoisotopic_mass = obj.morgan_fingerprint = obj.pattern_fingerprint = None
    same = Substance.with_tombstones().exclude(pk=local.pk if local is not None else None)
    clash = None
    if obj.inchikey:
        clash = same.filter(inchikey=obj.inchikey).first()
    if clash is None and obj.key:
        clash = same.filter(key=obj.key).first()
    if clash is not None:
        raise Refused(
            "duplicate",
            f"{change.model}: this node's registry holds this substance already, as {clash.name_en}",
        )


def _check_peaks(obj: Spectrum, change: messages.ChangeRecord) -> None:
    try:
        mz, intensity = obj.peaks
    except ValueError:
        raise Refused("bad_message", f"{change.model}: the peaks are not float64 values") from None
    if len(mz) != len(intensity) or len(mz) != obj.peak_count or not len(mz):
        raise Refused("bad_message", f"{change.model}: the peaks do not match their count")
    if peak_bytes(mz, intensity)[2] != obj.peaks_sha256:
        raise Refused("bad_message", f"{change.model}: the peaks do not match their SHA-256")
