"""The domain events of case data (``fdx.core.events``): what the apps above may react to, after commit.

Every event names the record it is about (type, global id, record version); the payload holds the global
ids a subscriber needs to find the rest (the case, the exhibit), never the data itself.
"""

from django.utils.translation import gettext_lazy as _

from fdx.core.events import register

CASE_CHANGED = register("examinations.case.changed", _("A case was opened or changed"))
CASE_RETRACTED = register("examinations.case.retracted", _("A case was retracted (it stays, marked so)"))
CASES_IMPORTED = register("examinations.cases.imported", _("Complete, reviewed cases were recorded in bulk"))
EXHIBIT_CHANGED = register("examinations.exhibit.changed", _("An exhibit was added or changed"))
EXHIBIT_REMOVED = register("examinations.exhibit.removed", _("An exhibit was removed (a tombstone stays)"))
EXAMINATION_CHANGED = register(
    "examinations.examination.changed",
    _("A draft examination was started, changed, submitted, returned, or a revision of one begun"),
)
EXAMINATION_APPROVED = register(
    "examinations.examination.approved", _("An examination was approved: its findings are results now")
)
EXAMINATION_SUPERSEDED = register(
    "examinations.examination.superseded", _("An approved examination was replaced by its approved revision")
)
EXAMINATION_RETRACTED = register(
    "examinations.examination.retracted", _("An approved examination was retracted")
)
EXAMINATION_DISCARDED = register(
    "examinations.examination.discarded", _("A draft examination was discarded (tombstones stay)")
)
FINDING_CHANGED = register("examinations.finding.changed", _("A finding of a draft was recorded or changed"))
FINDING_REMOVED = register("examinations.finding.removed", _("A finding of a draft was removed"))
ATTACHMENT_ADDED = register("examinations.attachment.added", _("A file was attached to a case"))
