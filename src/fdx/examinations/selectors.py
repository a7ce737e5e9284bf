"""Reads of case data, always through the restricted querysets: what a user may see, with what list pages,
the API and exports need, in a fixed number of queries."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from fdx.audit.models import AuditEvent
from fdx.examinations import audit_events
from fdx.examinations.choices import ExaminationStatus
from fdx.examinations.models import (
    AnalyticalMethod,
    Attachment,
    Case,
    CaseStatus,
    CaseSubstance,
    Examination,
    Exhibit,
    Finding,
)
from fdx.examinations.querysets import SHARED_STATUSES
from fdx.substances.models import Substance


@dataclass
class CaseFilters:
    seized_from: datetime.date | None = None
    seized_to: datetime.date | None = None
    country: str | None = None
    region: str | None = None
    substance: str | None = None  # a substance's global id
    substance_class: str | None = None
    form: str | None = None
    status: str | None = None  # of any examination of the case
    text: str | None = None
    owner: str | None = None  # organisation code
    include_retracted: bool = True


def list_cases(viewer, filters: CaseFilters | None = None) -> QuerySet[Case]:
    """Cases ``viewer`` may see, filtered, newest seizure first."""
    filters = filters or CaseFilters()
    queryset = Case.objects.restrict(viewer, "view")
    own = viewer.organisation_id
    if filters.seized_from:
        queryset = queryset.filter(seizure_date__gte=filters.seized_from)
    if filters.seized_to:
        queryset = queryset.filter(seizure_date__lte=filters.seized_to)
    if filters.country:
        queryset = queryset.filter(seizure_country_id=filters.country.upper())
    if filters.region:
        queryset = queryset.filter(seizure_region__code=filters.region.upper())
    if filters.owner:
        queryset = queryset.filter(owner_organisation__code=filters.owner)
    if filters.form:
        queryset = queryset.filter(pk__in=Exhibit.objects.filter(form=filters.form).values("case_id"))
    if filters.substance:
        found = Substance._base_manager.filter(
            Q(global_id=filters.substance) | Q(parent__global_id=filters.substance)
        )
        queryset = queryset.filter(_has_substance(found, own))
    if filters.substance_class:
        found = Substance._base_manager.filter(classes__code=filters.substance_class)
        queryset = queryset.filter(_has_substance(found, own))
    if filters.status:
        statuses = CaseStatus.objects.filter(case_id=OuterRef("pk"), status=filters.status)
        if filters.status not in SHARED_STATUSES:  # a draft (submitted …) of the reader's own cases only
            statuses = statuses.filter(owner_organisation_id=own)
        queryset = queryset.filter(Exists(statuses))
    if filters.text:
        queryset = queryset.filter(search_text__icontains=filters.text.strip())
    if not filters.include_retracted:
        queryset = queryset.filter(retracted_at__isnull=True)
    return queryset.select_related(
        "owner_organisation", "seizure_country", "seizure_region", "submitting_agency"
    ).order_by("-seizure_date", "-id")


def _has_substance(substances: QuerySet, own) -> Exists:
    """The case has a finding of one of ``substances`` that the reader sees: any of its own cases'
    findings, and shared findings of the others' (``CaseSubstance``: one probe of its unique index a case).
    ``substances`` from the base manager: a finding keeps its substance when the registry withdraws it.

    A correlated EXISTS, not ``pk IN (…)``: SQLite builds the whole IN set on every page (89 ms at 100,000
    cases for a class found in a third of them; 12 ms as EXISTS); PostgreSQL plans both as a semi-join."""
    return Exists(
        CaseSubstance.objects.filter(case_id=OuterRef("pk"), substance__in=substances).filter(
            Q(shared=True) | Q(owner_organisation_id=own)
        )
    )


def with_contents(queryset: QuerySet[Case], viewer, *, for_page: bool = False) -> QuerySet[Case]:
    """Prefetch the exhibits, the examinations ``viewer`` may see, their methods and findings. ``for_page``:
    what the case page shows, which is neither an examination's methods nor a finding's substance classes
    (two queries fewer)."""
    findings = Finding.objects.select_related("substance", "substance__parent")
    examinations = Examination.objects.restrict(viewer, "view").order_by("-revision")
    if for_page:
        examinations = examinations.select_related("laboratory").prefetch_related(
            Prefetch("findings", queryset=findings)
        )
    else:
        examinations = examinations.select_related("examiner", "approved_by", "laboratory").prefetch_related(
            "methods", Prefetch("findings", queryset=findings.prefetch_related("substance__classes"))
        )
    return queryset.prefetch_related(
        Prefetch(
            "exhibits",
            queryset=Exhibit.objects.order_by("label").prefetch_related(
                Prefetch("examinations", queryset=examinations)
            ),
        ),
    )


def get_case(viewer, global_id, action: str = "view", *, for_page: bool = False) -> Case:
    """One case ``viewer`` may ``action``, with its contents (``for_page``: as the case page shows them,
    ``with_contents``); 404 when not visible (existence undisclosed)."""
    queryset = Case.objects.restrict(viewer, action).select_related(
        "owner_organisation",
        "seizure_country",
        "seizure_region",
        "submitting_agency",
        "border_crossing_point",
        "sharing_group",
        "created_by",
    )
    return get_object_or_404(with_contents(queryset, viewer, for_page=for_page), global_id=global_id)


def analytical_methods() -> list[AnalyticalMethod]:
    """Every analytical method (reference data, the same for every reader), in code order."""
    return list(AnalyticalMethod.objects.order_by("code"))


def get_exhibit(viewer, global_id, action: str = "view") -> Exhibit:
    return get_object_or_404(
        Exhibit.objects.restrict(viewer, action).select_related("case"), global_id=global_id
    )


def get_examination(viewer, global_id, action: str = "view") -> Examination:
    queryset = (
        Examination.objects.restrict(viewer, action)
        .select_related(
            "exhibit",
            "exhibit__case",
            "examiner",
            "laboratory",
            "created_by",
            "submitted_by",
            "approved_by",
            "previous_revision",
        )
        .prefetch_related(
            "methods",
            Prefetch("findings", queryset=Finding.objects.select_related("substance", "substance__parent")),
        )
    )
    return get_object_or_404(queryset, global_id=global_id)


def get_finding(viewer, global_id, action: str = "view") -> Finding:
    return get_object_or_404(
        Finding.objects.restrict(viewer, action).select_related(
            "examination", "examination__exhibit", "substance"
        ),
        global_id=global_id,
    )


def get_attachment(viewer, global_id) -> Attachment:
    return get_object_or_404(
        Attachment.objects.restrict(viewer, "view").select_related("case"), global_id=global_id
    )


def list_attachments(viewer, case: Case) -> QuerySet[Attachment]:
    return (
        Attachment.objects.restrict(viewer, "view")
        .filter(case=case)
        .select_related("uploaded_by", "examination")
    )


def list_findings(viewer) -> QuerySet[Finding]:
    """Every finding ``viewer`` may see, with its case's when and where (for exports and analytics)."""
    return Finding.objects.restrict(viewer, "view").select_related(
        "substance",
        "examination",
        "examination__exhibit",
        "examination__exhibit__case",
        "examination__exhibit__case__seizure_country",
        "examination__exhibit__case__seizure_region",
        "examination__exhibit__case__owner_organisation",
    )


# The work waiting for a user (the home page). Each list is restricted like every other read, then narrowed.


def _examinations_of_my_laboratory(viewer) -> QuerySet[Examination]:
    return (
        Examination.objects.restrict(viewer, "view")
        .filter(exhibit__case__owner_organisation_id=viewer.organisation_id)
        .select_related("exhibit", "exhibit__case")
    )


def _mine(viewer) -> Q:
    return Q(examiner=viewer) | Q(created_by=viewer)


def examinations_to_review(viewer) -> QuerySet[Examination]:
    """Submitted examinations of the viewer's laboratory that they may approve: none for a non-reviewer,
    and never their own work (four eyes)."""
    if not viewer.has_perm("examinations.review_examination"):
        return Examination.objects.none()
    return (
        _examinations_of_my_laboratory(viewer)
        .filter(status=ExaminationStatus.SUBMITTED)
        .exclude(_mine(viewer) | Q(submitted_by=viewer))
        .order_by("submitted_at")
    )


def my_drafts(viewer) -> QuerySet[Examination]:
    """The viewer's own drafts (returned ones included), the most recently received first."""
    return (
        _examinations_of_my_laboratory(viewer)
        .filter(_mine(viewer), status=ExaminationStatus.DRAFT)
        .order_by("-received_date", "-pk")
    )


def return_comment(examination: Examination) -> str:
    """What the reviewer asked to correct, when ``examination`` (already read through a selector) is a
    draft whose last workflow step was a return; "" otherwise."""
    if examination.status != ExaminationStatus.DRAFT:
        return ""
    step = (
        AuditEvent.objects.filter(
            object_id=str(examination.global_id),
            action__in=[audit_events.EXAMINATION_SUBMITTED.code, audit_events.EXAMINATION_RETURNED.code],
        )
        .order_by("-sequence")
        .only("action", "reason")
        .first()
    )
    return step.reason if step is not None and step.action == audit_events.EXAMINATION_RETURNED.code else ""


def my_returned(viewer) -> list[Examination]:
    """The viewer's drafts whose last workflow step was a return by a reviewer, each with the reviewer's
    comment (``return_reason``). Read from the audit chain, which says who did what, in order."""
    drafts = {str(examination.global_id): examination for examination in my_drafts(viewer)}
    steps = AuditEvent.objects.filter(
        object_id__in=list(drafts),
        action__in=[audit_events.EXAMINATION_SUBMITTED.code, audit_events.EXAMINATION_RETURNED.code],
    ).order_by("-sequence")
    last_step: dict[str, AuditEvent] = {}
    for step in steps.only("object_id", "action", "reason"):
        last_step.setdefault(step.object_id, step)
    returned = []
    for global_id, examination in drafts.items():
        step = last_step.get(global_id)
        if step is not None and step.action == audit_events.EXAMINATION_RETURNED.code:
            examination.return_reason = step.reason
            returned.append(examination)
    return returned


def recent_approvals(viewer, days: int = 30) -> QuerySet[Examination]:
    """Examinations of the viewer's laboratory approved in the last ``days`` days, newest first."""
    since = timezone.now() - datetime.timedelta(days=days)
    return (
        _examinations_of_my_laboratory(viewer)
        .filter(status=ExaminationStatus.APPROVED, approved_at__gte=since)
        .order_by("-approved_at")
    )
