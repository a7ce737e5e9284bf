"""Every change to the substance registry: create, change, load the reference set, import files.

Derived data (identifiers, parent and conversion factor, classes, fingerprints, normalised names) is
computed here from the structure, so that no caller can store a substance whose fields disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fdx.audit.actions import changes, record, snapshot
from fdx.core.actors import require_permission
from fdx.core.events import emit
from fdx.core.records import require_local
from fdx.substances import audit_events, chem, classes, events, names
from fdx.substances.choices import NameKind, NameLanguage, SubstanceSource
from fdx.substances.models import Substance, SubstanceClass, SubstanceName
from fdx.substances.reference import cas_is_valid, reference_substances


@dataclass
class NameEntry:
    name: str
    language: str
    kind: str


@dataclass
class SubstanceInput:
    """What a caller gives to register a substance; everything else is derived."""

    name_en: str
    name_ru: str = ""
    structure: str = ""
    structure_format: str | None = None
    cas_number: str = ""
    synonyms: list[str] = field(default_factory=list)
    note: str = ""
    key: str | None = None
    extra_classes: tuple[str, ...] = ()


def sync_substance_classes() -> int:
    """Create or update a ``SubstanceClass`` row for every rule of ``classes.RULES``; idempotent."""
    for position, rule in enumerate(classes.RULES):
        SubstanceClass.objects.update_or_create(
            code=rule.code,
            defaults={
                "name_en": rule.name_en,
                "name_ru": rule.name_ru,
                "description": rule.description,
                "description_ru": classes.DESCRIPTIONS_RU.get(rule.code, ""),
                "position": position,
            },
        )
    return len(classes.RULES)


@transaction.atomic
def create_substance(actor, data: SubstanceInput, *, source: str = SubstanceSource.USER) -> Substance:
    """Register a substance (and its free base, when a salt is given whose base is not registered yet)."""
    require_permission(actor, "substances.add_substance")
    substance = _build(data, source=source, actor=actor)
    record(audit_events.SUBSTANCE_CREATED, actor=actor, obj=substance, after=_snapshot(substance))
    emit(events.SUBSTANCE_CHANGED, obj=substance, actor=actor, created=True)
    return substance


@transaction.atomic
def update_substance(actor, substance: Substance, data: SubstanceInput, *, reason: str = "") -> Substance:
    """Change names, CAS number, note or (with a reason) the structure of a substance."""
    require_permission(actor, "substances.change_substance")
    substance = Substance.objects.select_for_update().get(pk=substance.pk)
    require_local(substance)
    before = _snapshot(substance)
    structure_changed = bool(data.structure) and data.structure.strip() != substance.smiles
    if structure_changed and not reason.strip():
        raise ValidationError({"reason": _("Say why the structure of a registered substance is changed.")})
    _validate_text(data)
    substance.name_en, substance.name_ru = data.name_en.strip(), data.name_ru.strip()
    substance.cas_number, substance.note = data.cas_number.strip(), data.note.strip()
    if structure_changed:
        structure = _parse(data)
        _refuse_duplicate(structure, exclude=substance.pk)
        _apply_structure(substance, structure, actor)
    substance.full_clean(exclude=["parent"])
    fields_changed = changes(before, snapshot(substance, Substance.audit_fields))[1]
    if fields_changed:  # a change that changes nothing saves nothing: the record's version stays
        substance.save()
    _set_names(substance, data)
    _set_classes(substance, data.extra_classes)
    old, new = changes(before, _snapshot(substance))
    if new and not fields_changed:  # only its names changed: the substance moves on a version all the same
        Substance.objects.filter(pk=substance.pk).update(updated_at=timezone.now())
        substance.refresh_from_db(fields=["record_version", "updated_at"])
    if new:
        record(
            audit_events.SUBSTANCE_CHANGED, actor=actor, obj=substance, before=old, after=new, reason=reason
        )
        emit(events.SUBSTANCE_CHANGED, obj=substance, actor=actor, created=False, changed=sorted(new))
    return substance


@transaction.atomic
def load_reference_substances(actor) -> dict[str, int]:
    """Create or update every shipped reference substance (by its key); idempotent, audited once."""
    require_permission(actor, "substances.change_substance")
    sync_substance_classes()
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    rows = sorted(reference_substances(), key=lambda row: bool(row.salt_of))  # bases before their salts
    existing_by_key = {
        s.key: s for s in Substance.objects.filter(key__isnull=False).prefetch_related("names")
    }
    for row in rows:
        data = SubstanceInput(
            key=row.key,
            name_en=row.name_en,
            name_ru=row.name_ru,
            structure=row.smiles,
            structure_format="smiles",
            cas_number=row.cas,
            synonyms=list(row.synonyms),
            note=row.note,
            extra_classes=row.expected_classes,
        )
        existing = existing_by_key.get(row.key)
        if existing is None:
            _build(data, source=SubstanceSource.REFERENCE, actor=actor)
            counts["created"] += 1
        elif _reference_differs(existing, row):
            update_substance(actor, existing, data, reason="reference set updated")
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    if counts["created"] or counts["updated"]:
        record(audit_events.REFERENCE_LOADED, actor=actor, object_type="substances.reference", after=counts)
        emit(events.SUBSTANCES_IMPORTED, actor=actor, source=SubstanceSource.REFERENCE, **counts)
    return counts


def _reference_differs(substance: Substance, row) -> bool:
    return (
        substance.name_en != row.name_en
        or substance.name_ru != row.name_ru
        or substance.cas_number != row.cas
        or substance.note != row.note
        or substance.inchikey != row.structure.full.inchikey
        or sorted(n.name for n in substance.names.all() if n.kind != NameKind.PREFERRED)
        != sorted(set(row.synonyms) - {row.name_en, row.name_ru})
    )


# Building a substance


def _build(data: SubstanceInput, *, source: str, actor) -> Substance:
    _validate_text(data)
    substance = Substance(
        key=data.key,
        name_en=data.name_en.strip(),
        name_ru=data.name_ru.strip(),
        cas_number=data.cas_number.strip(),
        note=data.note.strip(),
        source=source,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if data.structure:
        structure = _parse(data)
        _refuse_duplicate(structure)
        _apply_structure(substance, structure, actor)
    substance.full_clean(exclude=["parent"])
    substance.save()
    _set_names(substance, data)
    _set_classes(substance, data.extra_classes)
    return substance


def _validate_text(data: SubstanceInput) -> None:
    errors = {}
    if not data.name_en or not data.name_en.strip():
        errors["name_en"] = _("A substance needs an English name.")
    if data.cas_number and not cas_is_valid(data.cas_number.strip()):
        errors["cas_number"] = _(
            "%(cas)s is not a valid CAS number (its check digit is wrong or it is malformed)."
        ) % {"cas": data.cas_number}
    unknown = [code for code in data.extra_classes if code not in classes.RULES_BY_CODE]
    if unknown:
        errors["classes"] = _("Unknown class: %(code)s") % {"code": unknown[0]}
    if errors:
        raise ValidationError(errors)


def _parse(data: SubstanceInput) -> chem.Standardised:
    try:
        return chem.standardise(chem.parse(data.structure, data.structure_format))
    except chem.StructureError as exc:
        raise ValidationError({"structure": str(exc)}) from None


def _refuse_duplicate(structure: chem.Standardised, exclude: int | None = None) -> None:
    existing = Substance.objects.filter(inchikey=structure.full.inchikey).exclude(pk=exclude).first()
    if existing is not None:
        raise ValidationError(
            {"structure": _("This structure is already registered as %(name)s.") % {"name": existing.name_en}}
        )


def _apply_structure(substance: Substance, structure: chem.Standardised, actor) -> None:
    set_structure_fields(substance, structure)
    if structure.is_salt_or_solvate:
        substance.parent = _parent_for(substance, structure, actor)
        substance.base_conversion_factor = Decimal(str(structure.base_conversion_factor))
    else:
        substance.parent = None
        substance.base_conversion_factor = Decimal("1")


def set_structure_fields(substance: Substance, structure: chem.Standardised) -> None:
    """Set what a node derives from a substance's structure (identifiers, formula, masses, the search
    fingerprints of its parent): for a substance registered here, and for one received from another node,
    whose node computed its own."""
    full, parent = structure.full, structure.parent
    substance.smiles, substance.inchi, substance.inchikey = full.smiles, full.inchi, full.inchikey
    substance.formula, substance.average_mass = full.formula, full.average_mass
    substance.monoisotopic_mass = full.monoisotopic_mass
    substance.skeleton = chem.skeleton_key(parent.inchikey)
    substance.search_smiles = parent.smiles
    substance.morgan_fingerprint = chem.fingerprint_bytes(chem.morgan_fingerprint(structure.parent_mol))
    substance.pattern_fingerprint = chem.fingerprint_bytes(chem.pattern_fingerprint(structure.parent_mol))


def index_received(substances: list[Substance]) -> None:
    """The preferred names and the classes of substances received from another node (this node's rules
    classify them), as registering them here would set."""
    for substance in substances:
        _set_names(substance, SubstanceInput(name_en=substance.name_en, name_ru=substance.name_ru))
        _set_classes(substance)
    if substances:
        emit(events.SUBSTANCES_IMPORTED, source=SubstanceSource.EXCHANGE, created=len(substances))


def _parent_for(substance: Substance, structure: chem.Standardised, actor) -> Substance:
    existing = Substance.objects.filter(inchikey=structure.parent.inchikey).first()
    if existing is not None:
        return existing
    base = _build(
        SubstanceInput(
            # Registry data, not interface text: the names are the same whatever language the user reads.
            name_en=f"{substance.name_en} (free base)",
            name_ru=f"{substance.name_ru or substance.name_en} (основание)",
            structure=structure.parent.smiles,
            structure_format="smiles",
        ),
        source=substance.source,
        actor=actor,
    )
    record(
        audit_events.SUBSTANCE_CREATED,
        actor=actor,
        obj=base,
        after=_snapshot(base),
        reason="free base of a salt being registered",
    )
    return base


def _set_names(substance: Substance, data: SubstanceInput) -> None:
    entries = [NameEntry(substance.name_en, NameLanguage.ENGLISH, NameKind.PREFERRED)]
    if substance.name_ru:
        entries.append(NameEntry(substance.name_ru, NameLanguage.RUSSIAN, NameKind.PREFERRED))
    for synonym in data.synonyms:
        synonym = synonym.strip()
        if synonym and synonym not in (substance.name_en, substance.name_ru):
            entries.append(NameEntry(synonym, _language_of(synonym), _kind_of(synonym)))
    seen, rows = set(), []
    for entry in entries:
        if (entry.name, entry.language) in seen or len(entry.name) > 500:
            continue
        seen.add((entry.name, entry.language))
        rows.append(
            SubstanceName(
                substance=substance,
                name=entry.name,
                language=entry.language,
                kind=entry.kind,
                normalised=names.normalise(entry.name)[:500],
            )
        )
    SubstanceName.objects.filter(substance=substance).delete()
    SubstanceName.objects.bulk_create(rows)


def _language_of(name: str) -> str:
    return NameLanguage.RUSSIAN if names.has_cyrillic(name) else NameLanguage.ENGLISH


def _kind_of(name: str) -> str:
    compact = name.replace("-", "").replace(" ", "")
    short_code = len(compact) <= 12 and any(c.isdigit() for c in compact)
    if short_code or (compact.isupper() and len(compact) <= 10):
        return NameKind.ABBREVIATION
    if any(token in name for token in ("(", "[", ",")) and len(name) > 25:
        return NameKind.SYSTEMATIC
    return NameKind.SYNONYM


def _set_classes(substance: Substance, extra: tuple[str, ...] = ()) -> None:
    codes = set(extra)
    if substance.search_smiles:
        parent = chem.parse(substance.search_smiles, "smiles")
        codes.update(classes.classify(parent, chem.identifiers(parent).inchikey))
    if substance.parent_id:
        codes.update(substance.parent.classes.values_list("code", flat=True))
    substance.classes.set(SubstanceClass.objects.filter(code__in=codes))


def _snapshot(substance: Substance) -> dict:
    data = snapshot(substance, Substance.audit_fields)
    data["names"] = sorted(f"{n.language}:{n.name}" for n in substance.names.all())
    return data


class ImportRefused(ValidationError):
    """A file with bad records, imported with nothing written; ``problems`` names each record."""

    def __init__(self, problems):
        self.problems = problems
        super().__init__([str(problem) for problem in problems])


@transaction.atomic
def import_substances(actor, parsed, *, skip_bad: bool = False) -> dict:
    """Register the records of a parsed file (``transfer.read_substance_file``).

    All or nothing: a file with any bad record is refused (``ImportRefused``) unless ``skip_bad``, when the
    good records are imported and the bad ones reported. A structure already registered gets the file's
    new names as synonyms instead of a duplicate.
    """
    require_permission(actor, "substances.import_substances")
    # A file that cannot be read as a whole (not UTF-8, rows cut short, no record) has no good records.
    if parsed.problems and (not skip_bad or getattr(parsed, "unreadable", False)):
        raise ImportRefused(parsed.problems)
    counts = {"created": 0, "merged": 0, "received": 0, "skipped": len(parsed.problems)}
    seen: set[str] = set()
    for record_ in parsed.records:
        existing = Substance.objects.filter(inchikey=record_.inchikey).first()
        if existing is not None or record_.inchikey in seen:
            existing = existing or Substance.objects.get(inchikey=record_.inchikey)
            if not existing.is_local:  # a received entry's names are its origin's to change
                counts["received"] += 1
                continue
            _merge_names(existing, [record_.name_en, record_.name_ru, *record_.synonyms])
            counts["merged"] += 1
            continue
        _build(
            SubstanceInput(
                name_en=record_.name_en,
                name_ru=record_.name_ru,
                structure=record_.smiles,
                structure_format="smiles",
                cas_number=record_.cas,
                synonyms=record_.synonyms,
                note=record_.note,
                extra_classes=record_.classes,
            ),
            source=SubstanceSource.IMPORT,
            actor=actor,
        )
        seen.add(record_.inchikey)
        counts["created"] += 1
    record(
        audit_events.SUBSTANCES_IMPORTED,
        actor=actor,
        object_type="substances.file",
        object_id=parsed.name,
        after={**counts, "problems": [str(problem) for problem in parsed.problems][:100]},
    )
    emit(events.SUBSTANCES_IMPORTED, actor=actor, source=SubstanceSource.IMPORT, **counts)
    return counts


def _merge_names(substance: Substance, new_names: list[str]) -> None:
    known = set(substance.names.values_list("name", flat=True))
    rows = [
        SubstanceName(
            substance=substance,
            name=name,
            language=_language_of(name),
            kind=_kind_of(name),
            normalised=names.normalise(name)[:500],
        )
        for name in dict.fromkeys(n.strip() for n in new_names if n and n.strip())
        if name not in known
    ]
    SubstanceName.objects.bulk_create(rows)
    if rows:
        Substance.objects.filter(pk=substance.pk).update(updated_at=timezone.now())


# Many structures at once


@dataclass(frozen=True)
class Prepared:
    """Everything derived from one structure, computed without the database (so it can run in a pool)."""

    name_en: str
    name_ru: str
    synonyms: tuple[str, ...]
    cas_number: str
    note: str
    extra_classes: tuple[str, ...]
    smiles: str
    inchi: str
    inchikey: str
    skeleton: str
    formula: str
    average_mass: float
    monoisotopic_mass: float
    search_smiles: str
    morgan: bytes
    pattern: bytes
    classes: tuple[str, ...]
    is_salt: bool
    factor: float


def prepare(data: SubstanceInput) -> Prepared:
    """Derive identifiers, fingerprints and classes of one input (raises ``chem.StructureError``)."""
    structure = chem.standardise(chem.parse(data.structure, data.structure_format))
    parent = structure.parent_mol
    return Prepared(
        name_en=data.name_en.strip(),
        name_ru=data.name_ru.strip(),
        synonyms=tuple(data.synonyms),
        cas_number=data.cas_number.strip(),
        note=data.note.strip(),
        extra_classes=tuple(data.extra_classes),
        smiles=structure.full.smiles,
        inchi=structure.full.inchi,
        inchikey=structure.full.inchikey,
        skeleton=chem.skeleton_key(structure.parent.inchikey),
        formula=structure.full.formula,
        average_mass=structure.full.average_mass,
        monoisotopic_mass=structure.full.monoisotopic_mass,
        search_smiles=structure.parent.smiles,
        morgan=chem.fingerprint_bytes(chem.morgan_fingerprint(parent)),
        pattern=chem.fingerprint_bytes(chem.pattern_fingerprint(parent)),
        classes=tuple(classes.classify(parent, structure.parent.inchikey)),
        is_salt=structure.is_salt_or_solvate,
        factor=structure.base_conversion_factor,
    )


@transaction.atomic
def register_prepared(
    actor, items: list[Prepared], *, source: str = SubstanceSource.IMPORT, batch_size: int = 2000
) -> int:
    """Write many prepared free bases (and neutral compounds) in bulk, with names and classes, audited once.

    Salts are left to ``create_substance`` (they need their parent registered first); a structure already
    in the registry, or twice in ``items``, is refused here, so callers filter first.
    """
    require_permission(actor, "substances.import_substances")
    if any(item.is_salt for item in items):
        raise ValidationError({"structure": _("Salts are registered one by one (their free base first).")})
    seen, duplicates = set(), []
    for item in items:
        duplicates += [item.inchikey] if item.inchikey in seen else []
        seen.add(item.inchikey)
    existing = set(Substance.objects.filter(inchikey__in=seen).values_list("inchikey", flat=True))
    if duplicates or existing:
        raise ValidationError(
            {
                "structure": _("%(count)s structures are duplicated or already registered.")
                % {"count": len(duplicates) + len(existing)}
            }
        )
    class_ids = {c.code: c.pk for c in SubstanceClass.objects.all()}
    for start in range(0, len(items), batch_size):
        chunk = items[start : start + batch_size]
        created = Substance.objects.bulk_create(
            [
                Substance(
                    name_en=i.name_en,
                    name_ru=i.name_ru,
                    cas_number=i.cas_number,
                    note=i.note,
                    smiles=i.smiles,
                    inchi=i.inchi,
                    inchikey=i.inchikey,
                    skeleton=i.skeleton,
                    formula=i.formula,
                    average_mass=i.average_mass,
                    monoisotopic_mass=i.monoisotopic_mass,
                    search_smiles=i.search_smiles,
                    morgan_fingerprint=i.morgan,
                    pattern_fingerprint=i.pattern,
                    source=source,
                    created_by=actor if getattr(actor, "is_authenticated", False) else None,
                )
                for i in chunk
            ]
        )
        SubstanceName.objects.bulk_create(
            [
                SubstanceName(
                    substance=substance,
                    name=name,
                    language=_language_of(name),
                    kind=kind,
                    normalised=names.normalise(name)[:500],
                )
                for substance, item in zip(created, chunk, strict=True)
                for name, kind in _name_rows(item)
            ],
            ignore_conflicts=True,
        )
        through = Substance.classes.through
        through.objects.bulk_create(
            [
                through(substance_id=substance.pk, substanceclass_id=class_ids[code])
                for substance, item in zip(created, chunk, strict=True)
                for code in sorted(set(item.classes) | set(item.extra_classes))
            ]
        )
    record(
        audit_events.SUBSTANCES_IMPORTED,
        actor=actor,
        object_type="substances.bulk",
        after={"created": len(items), "source": source},
    )
    emit(events.SUBSTANCES_IMPORTED, actor=actor, source=source, created=len(items))
    return len(items)


def _name_rows(item: Prepared):
    yield item.name_en, NameKind.PREFERRED
    if item.name_ru:
        yield item.name_ru, NameKind.PREFERRED
    for synonym in item.synonyms:
        if synonym not in (item.name_en, item.name_ru):
            yield synonym, _kind_of(synonym)
