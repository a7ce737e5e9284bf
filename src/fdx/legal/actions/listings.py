"""The entries of the lists: added, corrected, ended, withdrawn and imported by a jurisdiction's maintainers.

A listing is never edited in place. A correction closes the record it replaces (``recorded_to``) and writes
a new one pointing at it, so that both questions stay answerable: what the law said on a date
(``effective_from``/``effective_to``) and what this database said at a moment
(``created_at``/``recorded_to``).
"""

from __future__ import annotations

import datetime
from dataclasses import replace

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fdx.audit.actions import changes, record, snapshot
from fdx.core.actors import is_system
from fdx.core.events import emit
from fdx.core.records import mark_retracted, require_local
from fdx.legal import audit_events, events
from fdx.legal.actions.common import bump_version, require_maintainer
from fdx.legal.models import (
    ControlList,
    Instrument,
    Jurisdiction,
    Listing,
)
from fdx.legal.reference import (
    LegalDataError,
    ListingRow,
    periods_overlap,
    read_listings,
    shipped_correction_id,
    structure_key,
)
from fdx.substances.models import Substance

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
def correct_listing(
    actor, listing: Listing, row: ListingRow, *, reason: str, shipped: bool = False
) -> Listing:
    """Replace ``listing`` with ``row``: the old record stays, closed, and the new one points at it. Ending an
    entry (a decision removing the substance) is a correction that sets ``effective_to``. ``shipped``: a
    reload of FDX's reference content corrects it, and the new record's global id is the one every node
    gives it (``fdx.legal.reference.shipped_correction_id``)."""
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
    if shipped:
        successor.global_id = shipped_correction_id(listing.global_id)
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


def listing_record(row: ListingRow, control_list: ControlList, substance, instrument, **extra) -> Listing:
    """The unsaved listing a row describes (a structureless row of a registry substance takes the
    structure of its free base); the maintainers' actions and the reference loader both build it here."""
    smiles, inchikey = row.smiles, row.inchikey
    if not smiles and substance is not None and substance.smiles:
        parent = substance.parent or substance
        smiles, inchikey = parent.smiles, parent.inchikey
    return Listing(
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
        **extra,
    )


def _build(row: ListingRow, control_list: ControlList, actor, *, reason: str = "") -> Listing:
    substance = _resolve_substance(row)
    instrument = Instrument.objects.filter(code=row.instrument).first() if row.instrument else None
    if row.instrument and instrument is None:
        raise ValidationError(_("There is no instrument %(code)s.") % {"code": row.instrument})
    listing = listing_record(
        row,
        control_list,
        substance,
        instrument,
        change_reason=reason[:500],
        recorded_by=None if is_system(actor) else actor,
    )
    listing.full_clean(exclude=["control_list", "substance", "instrument", "corrects", "recorded_by"])
    return listing
