"""The examinations' lists on the home page: what waits for review, the user's drafts, what came back to
them, what was approved lately. Each is read through a selector that enforces access."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fdx.core.extensions import HomePanel
from fdx.examinations import selectors
from fdx.examinations.choices import ExaminationStatus
from fdx.examinations.querysets import can_record, can_view_case_data

#: How many rows each list shows; the count says how many there are in all.
SHOWN = 5


def _label(examination) -> str:
    return _("Case %(reference)s, exhibit %(label)s, revision %(revision)s") % {
        "reference": examination.exhibit.case.reference,
        "label": examination.exhibit.label,
        "revision": examination.revision,
    }


def _row(examination, note: str = "") -> tuple[str, str, str]:
    return (
        _label(examination),
        reverse("examinations:examination", kwargs={"examination_id": examination.global_id}),
        note,
    )


def _cases_with_status(status: str) -> str:
    """The case list filtered to examinations of ``status`` (where a whole list continues)."""
    return f"{reverse('examinations:cases')}?status={status}"


def _when(moment) -> str:
    """A day as every FDX page writes it (ISO, unambiguous across the region's conventions)."""
    if isinstance(moment, datetime.datetime):
        moment = timezone.localtime(moment).date()
    return moment.isoformat() if moment else ""


def work_panels(user) -> list[HomePanel]:
    """The lists that concern ``user``'s roles; a list with nothing in it is left out, except a
    reviewer's review list, whose emptiness is news."""
    if not can_view_case_data(user):
        return []
    panels = []
    if user.has_perm("examinations.review_examination"):
        to_review = selectors.examinations_to_review(user)
        panels.append(
            HomePanel(
                key="to-review",
                title=_("Examinations to review"),
                rows=[
                    _row(e, _("submitted %(day)s") % {"day": _when(e.submitted_at)})
                    for e in to_review[:SHOWN]
                ],
                count=to_review.count(),
                more_url=_cases_with_status(ExaminationStatus.SUBMITTED),
                empty=_("Nothing waits for your review."),
            )
        )
    if can_record(user):
        returned = selectors.my_returned(user)
        if returned:
            panels.append(
                HomePanel(
                    key="returned",
                    title=_("Returned to you for correction"),
                    rows=[_row(e, e.return_reason) for e in returned[:SHOWN]],
                    count=len(returned),
                )
            )
        drafts = selectors.my_drafts(user)
        count = drafts.count()
        if count:
            panels.append(
                HomePanel(
                    key="drafts",
                    title=_("My drafts"),
                    more_url=_cases_with_status(ExaminationStatus.DRAFT),
                    rows=[
                        _row(e, _("received %(day)s") % {"day": _when(e.received_date)})
                        for e in drafts[:SHOWN]
                    ],
                    count=count,
                )
            )
    approvals = selectors.recent_approvals(user)
    count = approvals.count()
    if count:
        panels.append(
            HomePanel(
                key="approved",
                title=_("Approved in the last 30 days"),
                rows=[
                    _row(e, _("approved %(day)s") % {"day": _when(e.approved_at)}) for e in approvals[:SHOWN]
                ],
                count=count,
            )
        )
    return panels
