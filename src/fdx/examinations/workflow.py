"""The examination workflow's guards: draft → submitted → approved, with four eyes, revisions and retraction.

Each guard raises ``PermissionDenied`` (wrong person) or ``ValidationError`` (wrong state or incomplete
record) and changes nothing; the actions call them before writing.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from fdx.audit.models import AuditEvent
from fdx.examinations import audit_events, validation
from fdx.examinations.choices import ExaminationStatus
from fdx.examinations.models import Examination


def _require_owner(actor, examination: Examination, permission: str) -> None:
    if (
        not actor.has_perm(permission)
        or actor.organisation_id != examination.exhibit.case.owner_organisation_id
    ):
        raise PermissionDenied(_("Only the owning laboratory's staff may do this."))


def guard_edit(actor, examination: Examination) -> None:
    _require_owner(actor, examination, "examinations.record_case_data")
    if examination.status != ExaminationStatus.DRAFT:
        raise ValidationError(
            _("Only a draft can be changed; an approved examination changes through a revision.")
        )


def guard_submit(actor, examination: Examination) -> None:
    guard_edit(actor, examination)
    problems = completeness_problems(examination)
    if problems:
        raise ValidationError(problems)


def completeness_problems(examination: Examination) -> dict[str, list[str]]:
    """What is still missing before an examination can go to review."""
    findings = list(examination.findings.all())
    return validation.review_readiness_problems(examination, findings, examination.methods.exists())


def guard_review(actor, examination: Examination, expected: str) -> None:
    """Four eyes: a reviewer of the owning laboratory who neither examined, wrote nor submitted it."""
    _require_owner(actor, examination, "examinations.review_examination")
    if examination.status != expected:
        raise ValidationError(
            _("The examination is %(status)s, not %(expected)s.")
            % {"status": examination.get_status_display(), "expected": ExaminationStatus(expected).label}
        )
    problem = validation.four_eyes_problem(
        actor.pk, examination.examiner_id, examination.created_by_id, examination.submitted_by_id
    )
    if problem:
        raise PermissionDenied(problem)


def guard_not_a_contributor(actor, examination: Examination) -> None:
    """Four eyes, beyond the names on the record: a reviewer who changed the examination or any of its
    findings (a laboratory's reviewers may also record data) is a second author, not a second pair of
    eyes. The audit chain says who wrote what."""
    written = [str(examination.global_id)]
    written += [str(global_id) for global_id in examination.findings.values_list("global_id", flat=True)]
    wrote = AuditEvent.objects.filter(
        actor=actor,
        object_id__in=written,
        action__in=[
            event.code
            for event in (
                audit_events.EXAMINATION_CHANGED,
                audit_events.FINDING_ADDED,
                audit_events.FINDING_CHANGED,
            )
        ],
    )
    if wrote.exists():
        message = _("Four eyes: you changed this examination or its findings; another reviewer approves it.")
        raise PermissionDenied(message)


def may_review(actor, examination: Examination) -> bool:
    """Whether ``actor`` may approve or return ``examination`` now: the same guards the actions run, asked
    before a page offers the buttons (the author never sees them)."""
    try:
        guard_review(actor, examination, ExaminationStatus.SUBMITTED)
        guard_not_a_contributor(actor, examination)
    except (PermissionDenied, ValidationError):
        return False
    return True


def guard_revise(actor, examination: Examination) -> None:
    _require_owner(actor, examination, "examinations.record_case_data")
    if examination.status != ExaminationStatus.APPROVED:
        raise ValidationError(_("Only an approved examination is revised."))
    if hasattr(examination, "next_revision"):
        raise ValidationError(_("A revision of this examination is already under way."))


def guard_retract(actor, examination: Examination) -> None:
    _require_owner(actor, examination, "examinations.review_examination")
    if examination.status != ExaminationStatus.APPROVED:
        raise ValidationError(_("Only an approved examination is retracted; a draft is discarded."))


def guard_discard(actor, examination: Examination) -> None:
    guard_edit(actor, examination)
