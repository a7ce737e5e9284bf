from django.utils.translation import gettext_lazy as _

from fdx.audit.events import EventCategory, register

CASE_OPENED = register("examinations.case.opened", _("Opened a case"))
CASE_CHANGED = register("examinations.case.changed", _("Changed a case"))
CASE_RETRACTED = register("examinations.case.retracted", _("Retracted a case"))
CASE_VIEWED = register("examinations.case.viewed", _("Viewed a case"), EventCategory.ACCESS)
CASES_EXPORTED = register("examinations.cases.exported", _("Exported case data"), EventCategory.ACCESS)
EXHIBIT_ADDED = register("examinations.exhibit.added", _("Added an exhibit"))
EXHIBIT_CHANGED = register("examinations.exhibit.changed", _("Changed an exhibit"))
EXHIBIT_REMOVED = register("examinations.exhibit.removed", _("Removed an exhibit"))
EXAMINATION_STARTED = register("examinations.examination.started", _("Started an examination"))
EXAMINATION_CHANGED = register("examinations.examination.changed", _("Changed a draft examination"))
EXAMINATION_SUBMITTED = register(
    "examinations.examination.submitted", _("Submitted an examination for review")
)
EXAMINATION_RETURNED = register(
    "examinations.examination.returned", _("Returned an examination to its author")
)
EXAMINATION_APPROVED = register("examinations.examination.approved", _("Approved an examination"))
EXAMINATION_REVISED = register(
    "examinations.examination.revised", _("Started a revision of an approved examination")
)
EXAMINATION_RETRACTED = register("examinations.examination.retracted", _("Retracted an examination"))
EXAMINATION_DISCARDED = register("examinations.examination.discarded", _("Discarded a draft examination"))
FINDING_ADDED = register("examinations.finding.added", _("Recorded a finding"))
FINDING_CHANGED = register("examinations.finding.changed", _("Changed a finding"))
FINDING_REMOVED = register("examinations.finding.removed", _("Removed a finding"))
ATTACHMENT_ADDED = register("examinations.attachment.added", _("Attached a file"))
ATTACHMENT_DOWNLOADED = register(
    "examinations.attachment.downloaded", _("Downloaded an attached file"), EventCategory.ACCESS
)
CASE_IMPORTED = register("examinations.case.imported", _("Recorded a complete, reviewed case in bulk"))
METHODS_LOADED = register(
    "examinations.methods.loaded", _("Loaded or brought up to date the analytical methods")
)
REPORT_ISSUED = register(
    "examinations.report.issued", _("Issued the report of an approved examination (its digest fixed)")
)
REPORT_VERIFIED = register(
    "examinations.report.verified", _("Checked a report's digest against the record"), EventCategory.ACCESS
)
