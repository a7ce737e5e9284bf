"""Notes on cases: an organisation's working notes, kept on this node and seen by that organisation only.

* ``add_case_note`` — a user whose roles include ``examinations.add_casenote`` (data entry, reviewers,
  analysts) notes on a case they may see: their organisation's own, or another's shared with them, or a
  copy received from another node (whose own fields stay read-only here: a note is not a change to it).
* ``delete_case_note`` — the author deletes their own note (a real delete: the audit chain keeps the text).
* ``case_notes``, ``get_case_note``, ``visible_case`` — reads, through ``CaseNote.objects.restrict``: the
  notes of the reader's organisation on a case the reader may see; another organisation's never.
* ``note_event_visibility`` — what the audit log shows of a note's events: their content (the text) to the
  readers of the note, the event alone to the other readers of the log.

A note never leaves the node: it is not a distributed record, and nothing the exchange sends reads it.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from fdx.audit.actions import record
from fdx.audit.models import AuditEvent
from fdx.audit.visibility import is_uuid
from fdx.core.actors import is_user
from fdx.examinations import audit_events
from fdx.examinations.models import Case, CaseNote
from fdx.examinations.querysets import can_view_case_data

#: The permission that lets a reader of a case write notes on it.
ADD_NOTE = "examinations.add_casenote"


def may_add_notes(user) -> bool:
    """Whether ``user``'s roles let them write notes (on the cases they may see)."""
    return is_user(user) and user.has_perm(ADD_NOTE)


# Actions


@transaction.atomic
def add_case_note(actor, case: Case, text: str) -> CaseNote:
    """Write a note of ``actor``'s organisation on ``case``, which ``actor`` must be able to see; audited
    with its text. The case itself is not changed (its version and ``updated_at`` stay)."""
    if not may_add_notes(actor):
        raise PermissionDenied(_("Your roles do not include writing notes on cases."))
    if not Case.objects.restrict(actor, "view").filter(pk=case.pk).exists():
        raise PermissionDenied(_("You may not see this case."))
    note = CaseNote(case=case, author=actor, organisation=actor.organisation, text=(text or "").strip())
    note.clean_fields(exclude=["case", "author", "organisation"])
    note.save()
    record(
        audit_events.CASE_NOTE_ADDED,
        actor=actor,
        obj=note,
        after={"case": str(case.global_id), "text": note.text},
    )
    return note


@transaction.atomic
def delete_case_note(actor, note: CaseNote) -> None:
    """Delete ``note``: only its author may, while they may still see it. The audit event keeps the text."""
    if not is_user(actor) or not CaseNote.objects.restrict(actor, "view").filter(pk=note.pk).exists():
        raise PermissionDenied(_("You may not see this note."))
    if note.author_id != actor.pk:
        raise PermissionDenied(_("Only the author of a note deletes it."))
    record(
        audit_events.CASE_NOTE_DELETED,
        actor=actor,
        obj=note,
        before={"case": str(note.case.global_id), "text": note.text},
    )
    CaseNote.objects.filter(pk=note.pk).delete()


# Reads


def visible_case(viewer, case_id) -> Case:
    """The case ``viewer`` may see (without its contents: the notes' routes need only the row); 404 when not
    visible (existence undisclosed)."""
    return get_object_or_404(Case.objects.restrict(viewer, "view"), global_id=case_id)


def case_notes(viewer, case: Case) -> QuerySet[CaseNote]:
    """The notes of ``viewer``'s organisation on ``case`` (none when ``viewer`` may not see it), newest
    first, with their authors."""
    return (
        CaseNote.objects.restrict(viewer, "view")
        .filter(case=case)
        .select_related("author")
        .order_by("-created_at", "-id")
    )


def get_case_note(viewer, case: Case, note_id) -> CaseNote:
    """One note of ``viewer``'s organisation on ``case``; 404 for any other (another organisation's notes are
    not disclosed)."""
    return get_object_or_404(case_notes(viewer, case).select_related("case"), global_id=note_id)


def get_note(viewer, note_id) -> CaseNote:
    """A note ``viewer`` may see, by its global id alone (the pages' delete button); 404 for any other."""
    return get_object_or_404(
        CaseNote.objects.restrict(viewer, "view").select_related("case"), global_id=note_id
    )


# The audit log


def note_event_visibility(viewer, object_type: str, object_ids: list[str]) -> set[str] | None:
    """An implementation of ``fdx.audit.extensions.RECORD_VISIBILITY`` for notes: the content of a note's
    events is visible to a reader of the note's organisation who may see its case. A deleted note is judged
    the same way, from the event that added it (its organisation and case), so that its organisation's
    readers still see what was deleted; once a received case is withdrawn, nobody sees its notes' text."""
    if object_type != CaseNote._meta.label_lower:
        return None
    if not is_user(viewer) or not can_view_case_data(viewer):
        return set()  # the system (the CLI's operator), and a reader of no case data, read no note
    valid = [value for value in object_ids if is_uuid(value)]
    added = AuditEvent.objects.filter(
        action=audit_events.CASE_NOTE_ADDED.code, object_id__in=valid, organisation_id=viewer.organisation_id
    ).values_list("object_id", "after")
    case_of = {object_id: (after or {}).get("case") for object_id, after in added}
    cases = {str(case) for case in case_of.values() if is_uuid(str(case))}
    visible = {
        str(global_id)
        for global_id in Case.objects.restrict(viewer, "view")
        .filter(global_id__in=cases)
        .values_list("global_id", flat=True)
    }
    return {object_id for object_id, case in case_of.items() if case in visible}
