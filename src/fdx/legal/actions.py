"""Changing legal data: loading FDX's reference content, and node administrators maintaining their
jurisdiction's lists (add, correct, end, withdraw, import) and the other facts of its framework
(instruments, lists, incorporations, generic definitions with their worked examples, thresholds: the
administration pages write them through ``save_legal_fact``, ``delete_legal_fact`` and
``set_generic_examples``).

A listing is never edited in place. A correction closes the record it replaces (``recorded_to``) and writes
a new one pointing at it, so that both questions stay answerable: what the law said on a date
(``effective_from``/``effective_to``) and what this database said at a moment
(``created_at``/``recorded_to``).
Every change is audited and moves ``LegalDataVersion`` on, which tells each process to recompile its engine.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import replace

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from rdkit import Chem

from fdx.accounts.sharing import SUPRANATIONAL_TYPES
from fdx.audit import audit_events as admin_events
from fdx.audit.actions import audit_fields, changes, record, snapshot
from fdx.core.actors import is_system, require_permission
from fdx.core.events import emit
from fdx.core.models import DistributedRecord, RecordState
from fdx.core.records import mark_retracted, require_local, tombstone
from fdx.legal import audit_events, events
from fdx.legal.engine import generic
from fdx.legal.models import (
    ControlList,
    GenericDefinition,
    GenericExample,
    Instrument,
    Jurisdiction,
    LegalDataVersion,
    ListIncorporation,
    Listing,
    QuantityThreshold,
)
from fdx.legal.reference import (
    LegalDataError,
    ListingRow,
    framework,
    periods_overlap,
    read_listings,
    shipped_listings,
    structure_key,
)
from fdx.substances.models import Substance

MAINTAIN = "legal.maintain_legal_lists"


# Who may change what


def may_maintain(actor, jurisdiction: Jurisdiction) -> bool:
    """The system; or a holder of the permission whose organisation is of that country, or supranational (the
    regional centre keeps the UN schedules and helps every state)."""
    if is_system(actor):
        return True
    if not getattr(actor, "is_authenticated", False) or not actor.has_perm(MAINTAIN):
        return False
    organisation = actor.organisation
    if organisation is None:
        return False
    if organisation.org_type in SUPRANATIONAL_TYPES:
        return True
    return jurisdiction.country_id is not None and organisation.country_id == jurisdiction.country_id


def require_maintainer(actor, jurisdiction: Jurisdiction) -> None:
    require_permission(actor, MAINTAIN)
    if not may_maintain(actor, jurisdiction):
        raise PermissionDenied(_("You may maintain only the lists of your own jurisdiction."))


def bump_version() -> None:
    """Tell every process that the legal data changed (their compiled engines are stale), and the apps
    above (``legal.data.changed``): answers given from now on may differ."""
    updated = LegalDataVersion.objects.filter(pk=1).update(
        number=F("number") + 1, token=uuid.uuid4(), changed_at=timezone.now()
    )
    if not updated:
        LegalDataVersion.objects.get_or_create(pk=1, defaults={"number": 1})
    emit(
        events.LEGAL_DATA_CHANGED, version=LegalDataVersion.objects.values_list("number", flat=True).get(pk=1)
    )


# Listings


def _emit_listing(listing: Listing, actor, change: str, **payload) -> None:
    emit(
        events.LISTING_CHANGED,
        obj=listing,
        actor=actor,
        change=change,
        list=listing.control_list.code,
        **payload,
    )


@transaction.atomic
def add_listing(actor, row: ListingRow, *, reason: str = "") -> Listing:
    """Record a new entry of a list (a substance added by a decision, or an exclusion)."""
    control_list = _list(row.list_code)
    require_maintainer(actor, control_list.jurisdiction)
    _refuse_duplicate(control_list, row)
    listing = _build(row, control_list, actor, reason=reason)
    listing.maintained_locally = not is_system(actor)
    listing.save()
    record(
        audit_events.LISTING_ADDED,
        actor=actor,
        obj=listing,
        after=snapshot(listing, Listing.audit_fields),
        reason=reason,
    )
    _emit_listing(listing, actor, "added")
    bump_version()
    return listing


@transaction.atomic
def correct_listing(actor, listing: Listing, row: ListingRow, *, reason: str) -> Listing:
    """Replace ``listing`` with ``row``: the old record stays, closed, and the new one points at it. Ending an
    entry (a decision removing the substance) is a correction that sets ``effective_to``."""
    listing = (
        Listing.objects.select_for_update().select_related("control_list__jurisdiction").get(pk=listing.pk)
    )
    require_maintainer(actor, listing.control_list.jurisdiction)
    require_local(listing)
    if listing.recorded_to is not None:
        raise ValidationError(_("This record was already replaced; correct the current one."))
    if not reason.strip():
        raise ValidationError(_("Say why the entry is corrected."))
    control_list = _list(row.list_code)
    if control_list.pk != listing.control_list_id:
        require_maintainer(actor, control_list.jurisdiction)
    _refuse_duplicate(control_list, row, exclude=listing)
    before = snapshot(listing, Listing.audit_fields)
    listing.recorded_to = timezone.now()
    listing.save(update_fields=["recorded_to", "updated_at"])
    successor = _build(row, control_list, actor, reason=reason)
    successor.corrects = listing
    successor.reference_key = listing.reference_key
    successor.maintained_locally = listing.maintained_locally or not is_system(actor)
    successor.save()
    old, new = changes(before, snapshot(successor, Listing.audit_fields))
    new.pop("recorded_to", None)
    record(audit_events.LISTING_CORRECTED, actor=actor, obj=successor, before=old, after=new, reason=reason)
    _emit_listing(successor, actor, "corrected", corrects=str(listing.global_id))
    bump_version()
    return successor


def end_listing(actor, listing: Listing, effective_to: datetime.date, *, reason: str) -> Listing:
    """Record that the entry stops being in force after ``effective_to`` (the substance was removed)."""
    if effective_to < listing.effective_from:
        raise ValidationError(_("An entry cannot end before it starts."))
    return correct_listing(actor, listing, replace(row_of(listing), effective_to=effective_to), reason=reason)


@transaction.atomic
def withdraw_listing(actor, listing: Listing, *, reason: str) -> Listing:
    """Withdraw an entry recorded in error: it stops counting now, and stays visible as what the database
    said until now (answers given before remain explainable)."""
    listing = (
        Listing.objects.select_for_update().select_related("control_list__jurisdiction").get(pk=listing.pk)
    )
    require_maintainer(actor, listing.control_list.jurisdiction)
    require_local(listing)
    if listing.recorded_to is not None:
        raise ValidationError(_("This record was already replaced or withdrawn."))
    if not reason.strip():
        raise ValidationError(_("Say why the entry is withdrawn."))
    listing.recorded_to = timezone.now()
    listing.change_reason = reason[:500]
    listing.maintained_locally = listing.maintained_locally or not is_system(actor)
    mark_retracted(listing)
    listing.save(
        update_fields=[
            "recorded_to",
            "change_reason",
            "maintained_locally",
            "record_state",
            "record_state_changed_at",
            "updated_at",
        ]
    )
    record(audit_events.LISTING_WITHDRAWN, actor=actor, obj=listing, reason=reason)
    _emit_listing(listing, actor, "withdrawn")
    bump_version()
    return listing


@transaction.atomic
def set_lists_complete(actor, jurisdiction: Jurisdiction, complete: bool, *, reason: str) -> Jurisdiction:
    """Say whether every list of the jurisdiction is recorded in full: only then does the engine answer
    "not controlled" for a structure it finds nowhere."""
    require_maintainer(actor, jurisdiction)
    if not reason.strip():
        raise ValidationError(_("Say why."))
    if jurisdiction.lists_complete != complete:
        before = {"lists_complete": jurisdiction.lists_complete}
        jurisdiction.lists_complete = complete
        jurisdiction.save(update_fields=["lists_complete"])
        record(
            audit_events.LISTS_COMPLETENESS_SET,
            actor=actor,
            object_type="legal.jurisdiction",
            object_id=jurisdiction.code,
            object_repr=str(jurisdiction),
            before=before,
            after={"lists_complete": complete},
            reason=reason,
        )
        bump_version()
    return jurisdiction


class ImportRefused(ValueError):
    """A listing file that cannot be imported; ``problems`` name file, line and field."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


@transaction.atomic
def import_listings(
    actor, jurisdiction: Jurisdiction, handle, filename: str, *, dry_run: bool = False, reason: str = ""
) -> dict:
    """Add and correct the entries of ``jurisdiction``'s lists from a file in the listing CSV format.

    A row whose list and name match a current entry corrects it when anything differs; any other row adds an
    entry. Entries absent from the file are left as they are (an entry ends by its ``effective_to``). All or
    nothing: one bad row refuses the whole file, naming it. ``dry_run`` reports without writing.
    """
    require_maintainer(actor, jurisdiction)
    codes = set(jurisdiction.lists.values_list("code", flat=True))
    instruments = set(Instrument.objects.values_list("code", flat=True))
    try:
        rows = read_listings(handle, filename, list_codes=codes, instruments=instruments)
    except LegalDataError as exc:
        raise ImportRefused([str(exc)]) from None
    current: dict[tuple[str, str], list[Listing]] = {}
    for item in (
        Listing.objects.current()
        .filter(control_list__jurisdiction=jurisdiction)
        .select_related("control_list", "substance", "instrument")
    ):
        current.setdefault((item.control_list.code, item.name_en.casefold()), []).append(item)
    counts = {"added": 0, "corrected": 0, "unchanged": 0}
    problems = []
    lists = {control_list.code: control_list for control_list in jurisdiction.lists.all()}
    note = reason or _("imported from %(file)s") % {"file": filename}
    for row in rows:
        try:
            existing = _matching_period(current.get(row.identity, []), row)
        except ValidationError as exc:
            problems += _row_problems(filename, row, exc)
            continue
        if existing is not None and not row.stereo_scope:
            row = replace(row, stereo_scope=existing.stereo_scope)
        try:
            _resolve_substance(row)
        except ValidationError as exc:
            problems.append(f"{filename}, line {row.line}, field 'registry_key': {exc.messages[0]}")
            continue
        change = "added" if existing is None else "corrected" if _differs(existing, row) else "unchanged"
        counts[change] += 1
        try:  # a dry run checks each row as the import would (a URL, a length), so that both agree
            written = existing
            if dry_run and change != "unchanged":
                written = _build(row, lists[row.list_code], actor)
            elif change == "added":
                written = add_listing(actor, row, reason=note)
            elif change == "corrected":
                written = correct_listing(actor, existing, row, reason=note)
        except ValidationError as exc:
            problems += _row_problems(filename, row, exc)
            continue
        # Later rows of the file see the entry as this row left it (a dry run as the import would).
        records = [item for item in current.get(row.identity, []) if item is not existing]
        current[row.identity] = [*records, written]
    if problems:
        raise ImportRefused(problems)
    if not dry_run and (counts["added"] or counts["corrected"]):
        record(
            audit_events.LISTINGS_IMPORTED,
            actor=actor,
            object_type="legal.jurisdiction",
            object_id=jurisdiction.code,
            object_repr=str(jurisdiction),
            after={"file": filename, **counts},
            reason=reason,
        )
    return counts


def _matching_period(records: list[Listing], row: ListingRow) -> Listing | None:
    """The current record of the row's entry whose period the row's overlaps: the one it corrects. None
    when no period overlaps (the entry listed again after it ended); refused when several do."""
    overlapping = [
        item
        for item in records
        if periods_overlap(
            row.start,
            row.effective_to,
            item.effective_from_earliest or item.effective_from,
            item.effective_to,
        )
    ]
    if len(overlapping) > 1:
        raise ValidationError(
            {
                "effective_from": _(
                    "%(name)s is recorded for several periods that this row's period overlaps; correct them "
                    "one at a time."
                )
                % {"name": row.name_en}
            }
        )
    return overlapping[0] if overlapping else None


def _row_problems(filename: str, row: ListingRow, exc: ValidationError) -> list[str]:
    """Each problem of a row, naming the file, the line and (where known) the field."""
    if hasattr(exc, "error_dict"):
        return [
            f"{filename}, line {row.line}, field '{field}': {message}"
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
    return [f"{filename}, line {row.line}: {message}" for message in exc.messages]


def listing_row(**values) -> ListingRow:
    """A ``ListingRow`` from form or API values, its structure checked (``ValidationError`` on ``smiles``)."""
    smiles = (values.get("smiles") or "").strip()
    try:
        inchikey = structure_key(smiles, "input", 0)
    except LegalDataError as exc:
        raise ValidationError({"smiles": str(exc).split(": ", 1)[-1]}) from None
    row = ListingRow(
        list_code=values["list_code"],
        name_en=values["name_en"].strip(),
        name_ru=(values.get("name_ru") or "").strip(),
        smiles=smiles,
        registry_key=(values.get("registry_key") or "").strip(),
        effective_from=values["effective_from"],
        effective_from_earliest=values.get("effective_from_earliest"),
        effective_to=values.get("effective_to"),
        decision=values.get("decision") or "",
        decision_date=values.get("decision_date"),
        instrument=values.get("instrument") or "",
        is_exclusion=bool(values.get("is_exclusion")),
        stereo_scope=values.get("stereo_scope") or "list",
        verified=bool(values.get("verified")),
        source_url=values.get("source_url") or "",
        note=values.get("note") or "",
        inchikey=inchikey,
    )
    problems = {}
    if row.effective_to and row.effective_to < row.effective_from:
        problems["effective_to"] = _("An entry cannot end before it starts.")
    if row.effective_from_earliest and row.effective_from_earliest > row.effective_from:
        problems["effective_from_earliest"] = _("The earliest start cannot be after the certain start.")
    if row.is_exclusion and not row.smiles:
        problems["smiles"] = _("An exclusion needs the structure it excludes.")
    if row.stereo_scope == "enantiomers" and row.smiles and "-UHFFFAOY" in row.inchikey:
        problems["stereo_scope"] = _("Draw the form the name designates, with its stereochemistry.")
    if problems:
        raise ValidationError(problems)
    return row


def row_of(listing: Listing) -> ListingRow:
    """The listing in the listing CSV format's terms (for export and for corrections)."""
    return ListingRow(
        list_code=listing.control_list.code,
        name_en=listing.name_en,
        name_ru=listing.name_ru,
        smiles=listing.smiles,
        registry_key=listing.substance.key if listing.substance_id and listing.substance.key else "",
        effective_from=listing.effective_from,
        effective_from_earliest=listing.effective_from_earliest,
        effective_to=listing.effective_to,
        decision=listing.decision,
        decision_date=listing.decision_date,
        instrument=listing.instrument.code if listing.instrument_id else "",
        is_exclusion=listing.is_exclusion,
        stereo_scope=listing.stereo_scope,
        verified=listing.verified,
        source_url=listing.source_url,
        note=listing.note,
        inchikey=listing.inchikey,
    )


def _differs(listing: Listing, row: ListingRow) -> bool:
    """Whether ``row`` says something else than the listing. A row without a structure or registry key
    leaves those as the listing has them (a structure taken from the registry is not a difference)."""
    current = row_of(listing)
    if not row.smiles:
        current = replace(current, smiles="", inchikey="")
    elif row.inchikey == current.inchikey:
        current = replace(current, smiles=row.smiles)
    if not row.registry_key:
        current = replace(current, registry_key="")
    if not row.instrument:
        current = replace(current, instrument="")
    return current != replace(row, source_file="", line=0)


def _list(code: str) -> ControlList:
    try:
        return ControlList.objects.select_related("jurisdiction").get(code=code)
    except ControlList.DoesNotExist:
        raise ValidationError(_("There is no list %(code)s.") % {"code": code}) from None


def _refuse_duplicate(control_list: ControlList, row: ListingRow, exclude: Listing | None = None) -> None:
    """One name, one entry at a time: the same name again only for a period that does not overlap (a
    substance removed and listed again later is two periods of one name)."""
    clashes = Listing.objects.current().filter(control_list=control_list, name_en__iexact=row.name_en)
    if exclude is not None:
        clashes = clashes.exclude(pk=exclude.pk)
    for clash in clashes:
        start = clash.effective_from_earliest or clash.effective_from
        if periods_overlap(row.start, row.effective_to, start, clash.effective_to):
            raise ValidationError(
                _(
                    "%(list)s already has an entry named %(name)s for an overlapping period; correct that "
                    "one instead."
                )
                % {"list": control_list.code, "name": row.name_en}
            )


def _resolve_substance(row: ListingRow) -> Substance | None:
    """The registry substance a row names (by key) or whose parent structure it lists."""
    if row.registry_key:
        substance = Substance.objects.filter(key=row.registry_key).first()
        if substance is None:
            raise ValidationError(_("There is no registry substance %(key)s.") % {"key": row.registry_key})
        return substance
    if row.inchikey:
        return Substance.objects.filter(inchikey=row.inchikey).order_by("pk").first()
    return None


def _build(row: ListingRow, control_list: ControlList, actor, *, reason: str = "") -> Listing:
    substance = _resolve_substance(row)
    smiles, inchikey = row.smiles, row.inchikey
    if not smiles and substance is not None and substance.smiles:
        parent = substance.parent or substance
        smiles, inchikey = parent.smiles, parent.inchikey
    instrument = Instrument.objects.filter(code=row.instrument).first() if row.instrument else None
    if row.instrument and instrument is None:
        raise ValidationError(_("There is no instrument %(code)s.") % {"code": row.instrument})
    listing = Listing(
        control_list=control_list,
        name_en=row.name_en,
        name_ru=row.name_ru,
        substance=substance,
        smiles=smiles,
        inchikey=inchikey,
        skeleton=inchikey[:14],
        is_exclusion=row.is_exclusion,
        stereo_scope=row.stereo_scope or "list",
        decision=row.decision,
        decision_date=row.decision_date,
        effective_from=row.effective_from,
        effective_from_earliest=row.effective_from_earliest,
        effective_to=row.effective_to,
        instrument=instrument or control_list.instrument,
        note=row.note,
        source_url=row.source_url,
        verified=row.verified,
        change_reason=reason[:500],
        recorded_by=None if is_system(actor) else actor,
    )
    listing.full_clean(exclude=["control_list", "substance", "instrument", "corrects", "recorded_by"])
    return listing


# Instruments, lists, incorporations, generic definitions and thresholds (the administration pages)


def jurisdiction_of(fact) -> Jurisdiction:
    """The jurisdiction whose maintainers change ``fact``: an instrument, a list, an incorporation (its
    national list's), a generic definition (its list's) or a threshold."""
    if isinstance(fact, ListIncorporation):
        return fact.national_list.jurisdiction
    if isinstance(fact, GenericDefinition):
        return fact.control_list.jurisdiction
    if isinstance(fact, (Instrument, ControlList, QuantityThreshold)):
        return fact.jurisdiction
    raise TypeError(f"{type(fact).__name__} is not a fact of the legal framework")


def may_change_fact(actor, fact) -> bool:
    """Whether ``actor`` maintains the fact's jurisdiction and the fact is this node's own (a generic
    definition or threshold received from another node is changed only there)."""
    local = not isinstance(fact, DistributedRecord) or fact.is_local
    return local and may_maintain(actor, jurisdiction_of(fact))


def may_delete_fact(actor, fact) -> bool:
    """``may_change_fact``, and the fact is not of FDX's reference content (``is_shipped``)."""
    return may_change_fact(actor, fact) and not is_shipped(fact)


def check_generic_rule(kind: str | None, rule) -> None:
    """Refuse (``ValidationError``) a rule that does not compile: a bad SMARTS, SMILES or substituent kind is
    named here, not when the engine first meets it."""
    if not isinstance(rule, dict):
        raise ValidationError(_("The rule is a JSON object."))
    if kind != "analogue_similarity" and not ({"parents", "any_of"} & set(rule)):
        raise ValidationError(_("A structural rule needs 'parents' or 'any_of'."))
    try:
        generic.match(rule, Chem.MolFromSmiles("CCN"))
    except (generic.RuleError, KeyError, TypeError) as exc:
        raise ValidationError(str(exc)) from None


def check_generic_code(code: str, definition: GenericDefinition | None = None) -> None:
    """Refuse (``ValidationError``) the code of a deleted definition: its tombstone keeps it."""
    deleted = GenericDefinition.with_tombstones().filter(code=code, record_state=RecordState.DELETED)
    if definition is not None and definition.pk is not None:
        deleted = deleted.exclude(pk=definition.pk)
    if deleted.exists():
        raise ValidationError(_("A deleted generic definition had this code; choose another."))


@transaction.atomic
def save_legal_fact(actor, fact, *, reason: str = ""):
    """Create ``fact`` (an instrument, list, incorporation, generic definition or threshold), or store the
    changes made to it; audited (``admin.record.created``/``changed``: the fields, or the changed ones
    before and after) and the legal data version moved on. Nothing is written when nothing changed.

    A user's change marks the fact as the node's own (``maintained_locally``), so that a reload of the
    reference content leaves it; clearing the mark and changing nothing else hands it back to the shipped
    content. Refused (``PermissionDenied``) unless the actor maintains the jurisdiction the fact had and the
    one it gets, and for a record received from another node."""
    stored = _stored_fact(fact)
    if stored is not None:
        require_maintainer(actor, jurisdiction_of(stored))
    require_maintainer(actor, jurisdiction_of(fact))
    if isinstance(fact, QuantityThreshold) and fact.substance_id:
        # The engine matches a threshold by its substance's parent structure.
        fact.inchikey = (fact.substance.parent or fact.substance).inchikey
    fields = audit_fields(fact)
    before = snapshot(stored, fields) if stored is not None else {}
    edited = set(changes(before, snapshot(fact, fields))[1])
    if isinstance(stored, DistributedRecord):
        require_local(stored, edited)
    if stored is not None and not edited:
        return fact
    _validate_fact(fact)
    if edited - {"maintained_locally"} and hasattr(fact, "maintained_locally") and not is_system(actor):
        fact.maintained_locally = True
    fact.save()
    after = snapshot(fact, fields)
    if stored is None:
        record(admin_events.ADMIN_RECORD_CREATED, actor=actor, obj=fact, after=after, reason=reason)
    else:
        old, new = changes(before, after)
        record(admin_events.ADMIN_RECORD_CHANGED, actor=actor, obj=fact, before=old, after=new, reason=reason)
    bump_version()
    return fact


@transaction.atomic
def delete_legal_fact(actor, fact) -> None:
    """Delete an instrument, list or incorporation; make a generic definition or threshold a tombstone (gone
    for every reader, kept for the peers that hold a copy). Audited (``admin.record.deleted``, with its
    fields) and the legal data version moved on. Refused (``PermissionDenied``) for a fact of FDX's
    reference content, which is ended or corrected instead, and for a record received from another node."""
    if fact._state.adding:
        raise ValueError("an unsaved fact cannot be deleted")
    fact = _stored_fact(fact)
    require_maintainer(actor, jurisdiction_of(fact))
    if is_shipped(fact):
        raise PermissionDenied(_("A fact of FDX's reference content is ended or corrected, never deleted."))
    if isinstance(fact, DistributedRecord):
        require_local(fact)
    record(
        admin_events.ADMIN_RECORD_DELETED, actor=actor, obj=fact, before=snapshot(fact, audit_fields(fact))
    )
    if isinstance(fact, DistributedRecord):
        tombstone(fact)
    else:
        fact.delete()
    bump_version()


@transaction.atomic
def set_generic_examples(actor, definition: GenericDefinition, examples, *, reason: str = "") -> bool:
    """Make ``examples`` the definition's worked examples: ``GenericExample`` objects, its stored ones (as
    changed) and new ones; a stored example left out is deleted. Returns whether anything changed.

    The examples are part of the definition: a change is audited as a change of it (``admin.record.changed``,
    the examples before and after), moves its record version on and, made by a user, marks it as the node's
    own (``maintained_locally``)."""
    definition = GenericDefinition.objects.select_for_update().get(pk=definition.pk)
    require_maintainer(actor, definition.control_list.jurisdiction)
    require_local(definition)
    stored = {example.pk: example for example in definition.examples.all()}
    examples = list(examples)
    for example in examples:
        if example.pk is not None and example.pk not in stored:
            raise ValidationError(_("A worked example of another definition cannot be moved here."))
        example.definition = definition
        example.full_clean(exclude=["definition"])
    before, after = _example_rows(stored.values()), _example_rows(examples)
    if before == after:
        return False
    GenericExample.objects.filter(pk__in=set(stored) - {example.pk for example in examples}).delete()
    for example in examples:
        if example.pk is None or _example_row(example) != _example_row(stored[example.pk]):
            example.save()
    old, new = {"examples": before}, {"examples": after}
    if not is_system(actor) and not definition.maintained_locally:
        definition.maintained_locally = True
        old["maintained_locally"], new["maintained_locally"] = False, True
    definition.save(update_fields=["maintained_locally", "updated_at"])  # its version moves on
    record(
        admin_events.ADMIN_RECORD_CHANGED, actor=actor, obj=definition, before=old, after=new, reason=reason
    )
    bump_version()
    return True


def _stored_fact(fact):
    """The fact as stored (locked), None when it is new; a tombstone is not changed."""
    if fact._state.adding:
        return None
    stored = type(fact)._base_manager.select_for_update().get(pk=fact.pk)
    if getattr(stored, "is_tombstone", False):
        raise ValidationError(_("This record was deleted; it cannot be changed."))
    return stored


def _validate_fact(fact) -> None:
    fact.full_clean()
    if isinstance(fact, GenericDefinition):
        try:
            check_generic_rule(fact.kind, fact.rule)
        except ValidationError as exc:
            raise ValidationError({"rule": exc.messages}) from None
        try:
            check_generic_code(fact.code, fact)
        except ValidationError as exc:
            raise ValidationError({"code": exc.messages}) from None


def _example_row(example: GenericExample) -> list:
    return [example.name, example.smiles, example.must_match, example.note]


def _example_rows(examples) -> list[list]:
    return sorted(_example_row(example) for example in examples)


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
    for item in Listing.objects.current().filter(reference_key="").select_related("control_list"):
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
            smiles, inchikey = row.smiles, row.inchikey
            if not smiles and substance is not None and substance.smiles:
                base = substance.parent or substance
                smiles, inchikey = base.smiles, base.inchikey
            new.append(
                Listing(
                    control_list=lists[row.list_code],
                    name_en=row.name_en,
                    name_ru=row.name_ru,
                    substance=substance,
                    smiles=smiles,
                    inchikey=inchikey,
                    skeleton=inchikey[:14],
                    is_exclusion=row.is_exclusion,
                    stereo_scope=row.stereo_scope or "list",
                    decision=row.decision,
                    decision_date=row.decision_date,
                    effective_from=row.effective_from,
                    effective_from_earliest=row.effective_from_earliest,
                    effective_to=row.effective_to,
                    instrument=instruments.get(row.instrument) or lists[row.list_code].instrument,
                    note=row.note,
                    source_url=row.source_url,
                    verified=row.verified,
                    reference_key=key,
                )
            )
        elif not current.maintained_locally and _differs(current, row):
            try:
                correct_listing(actor, current, row, reason="reference content updated")
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
    state = _upsert(
        GenericDefinition,
        {"code": item["code"]},
        {
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
        },
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
    values = {
        name: item.get(name)
        for name in ("small_max_g", "significant_min_g", "large_min_g", "especially_large_min_g")
    }
    effective_from = _date(item["effective_from"])
    # A shipped row keeps its key whatever a node edits (its name, its start): a reload finds it by the key.
    return _upsert(
        QuantityThreshold,
        {"reference_key": threshold_key(item["jurisdiction"], item["entry_name"], effective_from)},
        {
            "jurisdiction_id": item["jurisdiction"],
            "entry_name": item["entry_name"],
            "effective_from": effective_from,
            **values,
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
        },
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
    local = any(field.name == "maintained_locally" for field in model._meta.concrete_fields)
    if local and model.objects.filter(**lookup, maintained_locally=True).exists():
        return "kept"

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
