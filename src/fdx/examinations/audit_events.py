from django.utils.translation import gettext_lazy as _

from fdx.audit.events import EventCategory, register

CASE_OPENED = register(
    "examinations.case.opened", _("Opened a case"), template=_("%(actor)s opened case %(object)s")
)
CASE_CHANGED = register(
    "examinations.case.changed", _("Changed a case"), template=_("%(actor)s changed case %(object)s")
)
CASE_RETRACTED = register(
    "examinations.case.retracted", _("Retracted a case"), template=_("%(actor)s retracted case %(object)s")
)
CASE_VIEWED = register(
    "examinations.case.viewed",
    _("Viewed a case"),
    EventCategory.ACCESS,
    template=_("%(actor)s viewed case %(object)s"),
)
CASES_EXPORTED = register(
    "examinations.cases.exported",
    _("Exported case data"),
    EventCategory.ACCESS,
    template=_("%(actor)s exported case data"),
)
# A note's events name the note (``examinations.casenote``), not the case: their content (the text) is shown
# only to those who may read the note (its organisation's readers of the case), see ``case_notes``.
CASE_NOTE_ADDED = register(
    "examinations.case.note_added",
    _("Added a note to a case (kept on this node, seen by the author's organisation)"),
    template=_("%(actor)s added a note to a case: %(object)s"),
)
CASE_NOTE_DELETED = register(
    "examinations.case.note_deleted",
    _("Deleted their note on a case"),
    template=_("%(actor)s deleted their note on a case: %(object)s"),
)
EXHIBIT_ADDED = register(
    "examinations.exhibit.added", _("Added an exhibit"), template=_("%(actor)s added exhibit %(object)s")
)
EXHIBIT_CHANGED = register(
    "examinations.exhibit.changed",
    _("Changed an exhibit"),
    template=_("%(actor)s changed exhibit %(object)s"),
)
EXHIBIT_REMOVED = register(
    "examinations.exhibit.removed",
    _("Removed an exhibit"),
    template=_("%(actor)s removed exhibit %(object)s"),
)
EXAMINATION_STARTED = register(
    "examinations.examination.started",
    _("Started an examination"),
    template=_("%(actor)s started examination %(object)s"),
)
EXAMINATION_CHANGED = register(
    "examinations.examination.changed",
    _("Changed a draft examination"),
    template=_("%(actor)s changed draft examination %(object)s"),
)
EXAMINATION_SUBMITTED = register(
    "examinations.examination.submitted",
    _("Submitted an examination for review"),
    template=_("%(actor)s submitted examination %(object)s for review"),
)
EXAMINATION_RETURNED = register(
    "examinations.examination.returned",
    _("Returned an examination to its author"),
    template=_("%(actor)s returned examination %(object)s to its author"),
)
EXAMINATION_APPROVED = register(
    "examinations.examination.approved",
    _("Approved an examination"),
    template=_("%(actor)s approved examination %(object)s"),
)
EXAMINATION_REVISED = register(
    "examinations.examination.revised",
    _("Started a revision of an approved examination"),
    template=_("%(actor)s started a revision of examination %(object)s"),
)
EXAMINATION_RETRACTED = register(
    "examinations.examination.retracted",
    _("Retracted an examination"),
    template=_("%(actor)s retracted examination %(object)s"),
)
EXAMINATION_DISCARDED = register(
    "examinations.examination.discarded",
    _("Discarded a draft examination"),
    template=_("%(actor)s discarded draft examination %(object)s"),
)
FINDING_ADDED = register(
    "examinations.finding.added", _("Recorded a finding"), template=_("%(actor)s recorded finding %(object)s")
)
FINDING_CHANGED = register(
    "examinations.finding.changed", _("Changed a finding"), template=_("%(actor)s changed finding %(object)s")
)
FINDING_REMOVED = register(
    "examinations.finding.removed", _("Removed a finding"), template=_("%(actor)s removed finding %(object)s")
)
ATTACHMENT_ADDED = register(
    "examinations.attachment.added", _("Attached a file"), template=_("%(actor)s attached file %(object)s")
)
ATTACHMENT_DOWNLOADED = register(
    "examinations.attachment.downloaded",
    _("Downloaded an attached file"),
    EventCategory.ACCESS,
    template=_("%(actor)s downloaded file %(object)s"),
)
CASE_IMPORTED = register(
    "examinations.case.imported",
    _("Recorded a complete, reviewed case in bulk"),
    template=_("%(actor)s recorded the complete, reviewed case %(object)s in bulk"),
)
CASES_IMPORTED_IN_BATCH = register(
    "examinations.cases.imported_in_batch",
    _("Recorded a batch of cases in bulk (a long load, or a laboratory's file imported as drafts)"),
    template=_("%(actor)s recorded a batch of cases in bulk: %(object)s"),
)
CASES_REMOVED_IN_BATCH = register(
    "examinations.cases.removed_in_batch",
    _("Removed cases recorded in bulk while all their examinations were drafts (an import undone, replaced)"),
    template=_("%(actor)s removed draft cases recorded in bulk: %(object)s"),
)
METHODS_LOADED = register(
    "examinations.methods.loaded",
    _("Loaded or brought up to date the analytical methods"),
    template=_("%(actor)s loaded or brought up to date the analytical methods"),
)
REPORT_ISSUED = register(
    "examinations.report.issued",
    _("Issued the report of an approved examination (its digest fixed)"),
    template=_("%(actor)s issued the report of examination %(object)s"),
)
REPORT_VERIFIED = register(
    "examinations.report.verified",
    _("Checked a report's digest against the record"),
    EventCategory.ACCESS,
    template=_("%(actor)s checked a report's digest against examination %(object)s"),
)
EXPORT_RUN_STARTED = register(
    "examinations.export_run.started",
    _("Asked for a findings export prepared in the background"),
    template=_("%(actor)s asked for a findings export prepared in the background (%(object)s)"),
)
EXPORT_RUN_CANCELLED = register(
    "examinations.export_run.cancelled",
    _("Cancelled a findings export prepared in the background"),
    template=_("%(actor)s cancelled the findings export %(object)s"),
)
EXPORT_RUN_DOWNLOADED = register(
    "examinations.export_run.downloaded",
    _("Downloaded a findings export prepared in the background (rows as visible when it ran)"),
    EventCategory.ACCESS,
    template=_("%(actor)s downloaded the findings export %(object)s (rows as visible to them when it ran)"),
)
EXPORT_RUNS_EXPIRED = register(
    "examinations.export_runs.expired",
    _("Removed the files of findings exports past their time"),
    template=_("%(actor)s removed the files of findings exports past their time"),
)
