"""Every change to cases, exhibits, examinations, findings and attachments.

Each action checks who may act (the owning organisation's staff with the right role, on the node the record
comes from), validates (``validation``), writes, appends to the audit chain and emits its domain event in one
transaction. An approved examination is never edited: a revision is a new examination that keeps the old
one; retraction keeps the record and says why; what is removed stays as a tombstone.
"""

from __future__ import annotations

import contextlib
import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fdx.audit.actions import changes, record, snapshot
from fdx.core import filestore
from fdx.core.actors import require_permission, require_user
from fdx.core.events import emit
from fdx.core.records import mark_retracted, require_local, tombstone, tombstone_all
from fdx.examinations import audit_events, case_index, events, reports, shareable, validation, workflow
from fdx.examinations.choices import AttachmentKind, ExaminationStatus, FindingRole, ResultType
from fdx.examinations.filetypes import check_file_type
from fdx.examinations.methods import METHODS
from fdx.examinations.models import (
    AnalyticalMethod,
    Attachment,
    Case,
    Examination,
    Exhibit,
    Finding,
    IssuedReport,
)
from fdx.examinations.querysets import can_record, can_view_case_data
from fdx.geo.selectors import resolve_region
from fdx.spectra import audit_events as spectra_audit_events
from fdx.spectra.models import Spectrum

CASE_FIELDS = {
    "reference",
    "submitting_agency",
    "agency_case_number",
    "seizure_date",
    "seizure_country",
    "seizure_region",
    "locality",
    "border_crossing_point",
    "latitude",
    "longitude",
    "seizure_context",
    "description",
    "distribution_level",
    "sharing_group",
    "is_demo",
    "shareable_fields",
}
EXHIBIT_FIELDS = {
    "label",
    "form",
    "colour",
    "logo",
    "diameter_mm",
    "thickness_mm",
    "unit_count",
    "gross_mass_g",
    "net_mass_g",
    "packaging",
    "description",
    "shareable_fields",
}
EXAMINATION_FIELDS = {
    "request_number",
    "received_date",
    "completed_date",
    "examiner",
    "conclusion",
    "shareable_fields",
}
FINDING_FIELDS = {
    "substance",
    "unidentified_description",
    "result_type",
    "role",
    "purity_percent",
    "purity_uncertainty_percent",
    "note",
    "position",
    "shareable_fields",
}
FOUR_PLACES = Decimal("0.0001")


# Cases


@transaction.atomic
def open_case(actor, **values) -> Case:
    """Open a case owned by the actor's organisation."""
    _require_recorder(actor)
    _only(values, CASE_FIELDS)
    case = Case(owner_organisation=actor.organisation, created_by=actor, **values)
    _validate_case(case)
    case.save()
    case_index.refresh([case.pk])
    record(audit_events.CASE_OPENED, actor=actor, obj=case, after=snapshot(case, Case.audit_fields))
    emit(events.CASE_CHANGED, obj=case, organisation=case.owner_organisation, actor=actor)
    return case


@transaction.atomic
def update_case(actor, case: Case, *, reason: str = "", **values) -> Case:
    """Change a case. Once an examination of it has been approved, a reason is required."""
    case = _lock_owned(actor, Case, case.pk, "owner_organisation_id")
    _only(values, CASE_FIELDS)
    if _has_approved_work(case) and not reason.strip():
        raise ValidationError({"reason": _("The case has an approved examination: say why it is changed.")})
    before = snapshot(case, Case.audit_fields)
    _assign(case, values)
    _validate_case(case)
    old, new = changes(before, snapshot(case, Case.audit_fields))
    if new:  # a change that changes nothing is not saved: the record's version stays
        case.save()
        case_index.refresh([case.pk])
        record(audit_events.CASE_CHANGED, actor=actor, obj=case, before=old, after=new, reason=reason)
        emit(events.CASE_CHANGED, obj=case, organisation=case.owner_organisation, actor=actor)
    return case


@transaction.atomic
def retract_case(actor, case: Case, *, reason: str) -> Case:
    """Withdraw a whole case (for example recorded in error); it stays, marked retracted, with the reason."""
    case = _lock_owned(actor, Case, case.pk, "owner_organisation_id")
    if not actor.has_perm("examinations.review_examination"):
        raise PermissionDenied(_("Only a reviewer retracts a case."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the case is retracted.")})
    if case.retracted_at is not None:
        raise ValidationError(_("The case is already retracted."))
    case.retracted_at, case.retraction_reason = timezone.now(), reason.strip()
    mark_retracted(case)
    case.save(
        update_fields=[
            "retracted_at",
            "retraction_reason",
            "record_state",
            "record_state_changed_at",
            "updated_at",
        ]
    )
    record(
        audit_events.CASE_RETRACTED,
        actor=actor,
        obj=case,
        after={"retracted_at": case.retracted_at},
        reason=reason,
    )
    emit(events.CASE_RETRACTED, obj=case, organisation=case.owner_organisation, actor=actor)
    return case


def record_case_view(actor, case: Case) -> None:
    """Audit that a user read a case's data (pages and API detail routes call this)."""
    record(audit_events.CASE_VIEWED, actor=actor, obj=case, organisation=actor.organisation)


def _validate_case(case: Case) -> None:
    first_day = _first_examination_day(case) if case.pk else None
    validation.require_valid(
        validation.case_problems(case), validation.seizure_after_examination_problems(case, first_day)
    )
    case.full_clean(exclude=["owner_organisation", "created_by"])


def _first_examination_day(case: Case) -> datetime.date | None:
    """The earliest day an exhibit of the case was received (or, lacking that, an examination completed)."""
    days = Examination.objects.filter(exhibit__case=case).values_list("received_date", "completed_date")
    known = [received or completed for received, completed in days if received or completed]
    return min(known, default=None)


def resolve_region_code(code: str, country_code: str, day: datetime.date | None):
    """The region meant by a (possibly former) code on the seizure date, or a ValidationError."""
    region = resolve_region(code, day)
    if region is None or region.country_id != country_code:
        raise ValidationError(
            {
                "seizure_region": _("%(code)s is not a region of %(country)s.")
                % {"code": code, "country": country_code}
            }
        )
    return region


# Exhibits


@transaction.atomic
def add_exhibit(actor, case: Case, **values) -> Exhibit:
    case = _lock_owned(actor, Case, case.pk, "owner_organisation_id")
    _only(values, EXHIBIT_FIELDS)
    exhibit = Exhibit(case=case, created_by=actor, **values)
    _validate_exhibit(exhibit)
    exhibit.save()
    case_index.refresh([case.pk])
    record(
        audit_events.EXHIBIT_ADDED, actor=actor, obj=exhibit, after=snapshot(exhibit, Exhibit.audit_fields)
    )
    _emit_exhibit(events.EXHIBIT_CHANGED, exhibit, actor)
    return exhibit


@transaction.atomic
def update_exhibit(actor, exhibit: Exhibit, *, reason: str = "", **values) -> Exhibit:
    """Change an exhibit. Amounts of draft findings follow its net mass; approved ones stay as approved."""
    exhibit = _lock_owned(actor, Exhibit, exhibit.pk, "case__owner_organisation_id")
    _only(values, EXHIBIT_FIELDS)
    if exhibit.examinations.exclude(status=ExaminationStatus.DRAFT).exists() and not reason.strip():
        raise ValidationError(
            {"reason": _("The exhibit has an examination under review or approved: say why it is changed.")}
        )
    before = snapshot(exhibit, Exhibit.audit_fields)
    _assign(exhibit, values)
    _validate_exhibit(exhibit)
    old, new = changes(before, snapshot(exhibit, Exhibit.audit_fields))
    if not new:  # a change that changes nothing is not saved: the record's version stays
        return exhibit
    exhibit.save()
    case_index.refresh([exhibit.case_id])
    record(audit_events.EXHIBIT_CHANGED, actor=actor, obj=exhibit, before=old, after=new, reason=reason)
    _emit_exhibit(events.EXHIBIT_CHANGED, exhibit, actor)
    if "net_mass_g" in new:
        _follow_net_mass(actor, exhibit)
    return exhibit


def _follow_net_mass(actor, exhibit: Exhibit) -> None:
    """The draft findings of an exhibit whose net mass changed get their amounts again (locked as
    ``update_finding`` locks them: the examination first); approved ones stay as approved."""
    drafts = Examination.objects.select_for_update().filter(exhibit=exhibit, status=ExaminationStatus.DRAFT)
    for finding in Finding.objects.select_for_update().filter(examination__in=list(drafts)):
        amounts = (finding.amount_g, finding.base_equivalent_g)
        compute_amounts(finding, exhibit.net_mass_g)
        if (finding.amount_g, finding.base_equivalent_g) != amounts:
            finding.save(update_fields=["amount_g", "base_equivalent_g", "updated_at"])
            _emit_finding(events.FINDING_CHANGED, finding, actor)


@transaction.atomic
def remove_exhibit(actor, exhibit: Exhibit) -> None:
    """Remove an exhibit recorded by mistake: only while it has no examination. It stays as a tombstone."""
    exhibit = _lock_owned(actor, Exhibit, exhibit.pk, "case__owner_organisation_id")
    if exhibit.examinations.exists():
        raise ValidationError(_("The exhibit has examinations and cannot be removed."))
    record(
        audit_events.EXHIBIT_REMOVED, actor=actor, obj=exhibit, before=snapshot(exhibit, Exhibit.audit_fields)
    )
    # Files attached to the exhibit go with it (the audit chain keeps their names and hashes).
    tombstone_all(Attachment.objects.filter(exhibit=exhibit))
    tombstone(exhibit)
    case_index.refresh([exhibit.case_id])
    _emit_exhibit(events.EXHIBIT_REMOVED, exhibit, actor)


def _validate_exhibit(exhibit: Exhibit) -> None:
    others = (
        Exhibit.objects.filter(case_id=exhibit.case_id).exclude(pk=exhibit.pk).values_list("label", flat=True)
    )
    validation.require_valid(
        validation.exhibit_problems(exhibit), validation.label_problems(exhibit.label, others)
    )
    exhibit.full_clean(exclude=["case", "created_by"])


# Examinations


@transaction.atomic
def start_examination(actor, exhibit: Exhibit, *, methods: list[str] | None = None, **values) -> Examination:
    """Start a draft examination of an exhibit in the actor's laboratory; the actor examines unless told."""
    exhibit = _lock_owned(actor, Exhibit, exhibit.pk, "case__owner_organisation_id")
    _only(values, EXAMINATION_FIELDS)
    values.setdefault("examiner", actor)
    examination = Examination(exhibit=exhibit, laboratory=actor.organisation, created_by=actor, **values)
    _validate_examination(examination)
    examination.save()
    _set_methods(examination, methods or [])
    case_index.refresh([exhibit.case_id])
    record(
        audit_events.EXAMINATION_STARTED,
        actor=actor,
        obj=examination,
        after=snapshot(examination, Examination.audit_fields),
    )
    _emit_examination(events.EXAMINATION_CHANGED, examination, actor)
    return examination


@transaction.atomic
def update_examination(
    actor, examination: Examination, *, methods: list[str] | None = None, **values
) -> Examination:
    examination = _lock(Examination, examination.pk)
    workflow.guard_edit(actor, examination)
    _only(values, EXAMINATION_FIELDS)
    before = snapshot(examination, Examination.audit_fields)
    _assign(examination, values)
    _validate_examination(examination)
    if methods is not None:
        _set_methods(examination, methods)
    old, new = changes(before, snapshot(examination, Examination.audit_fields))
    if new:  # a change that changes nothing is not saved: the record's version stays
        examination.save()
        record(audit_events.EXAMINATION_CHANGED, actor=actor, obj=examination, before=old, after=new)
        _emit_examination(events.EXAMINATION_CHANGED, examination, actor)
    return examination


@transaction.atomic
def submit_examination(actor, examination: Examination) -> Examination:
    examination = _lock(Examination, examination.pk)
    workflow.guard_submit(actor, examination)
    return _transition(
        actor,
        examination,
        ExaminationStatus.SUBMITTED,
        audit_events.EXAMINATION_SUBMITTED,
        events.EXAMINATION_CHANGED,
        submitted_at=timezone.now(),
        submitted_by=actor,
    )


@transaction.atomic
def return_examination(actor, examination: Examination, *, reason: str) -> Examination:
    """A reviewer sends a submitted examination back to its author, saying what to correct."""
    examination = _lock(Examination, examination.pk)
    workflow.guard_review(actor, examination, ExaminationStatus.SUBMITTED)
    if not reason.strip():
        raise ValidationError({"reason": _("Say what has to be corrected.")})
    return _transition(
        actor,
        examination,
        ExaminationStatus.DRAFT,
        audit_events.EXAMINATION_RETURNED,
        events.EXAMINATION_CHANGED,
        reason=reason,
        submitted_at=None,
        submitted_by=None,
    )


@transaction.atomic
def approve_examination(actor, examination: Examination, *, comment: str = "") -> Examination:
    """Approve (four eyes), with the reviewer's optional comment (kept in the audit chain). The revision it
    replaces, if any, becomes superseded."""
    examination = _lock(Examination, examination.pk)
    workflow.guard_review(actor, examination, ExaminationStatus.SUBMITTED)
    workflow.guard_not_a_contributor(actor, examination)
    approved = _transition(
        actor,
        examination,
        ExaminationStatus.APPROVED,
        audit_events.EXAMINATION_APPROVED,
        events.EXAMINATION_APPROVED,
        reason=comment.strip(),
        approved_at=timezone.now(),
        approved_by=actor,
    )
    previous = examination.previous_revision
    if previous is not None and previous.status == ExaminationStatus.APPROVED:
        _transition(
            actor,
            previous,
            ExaminationStatus.SUPERSEDED,
            audit_events.EXAMINATION_REVISED,
            events.EXAMINATION_SUPERSEDED,
            reason=examination.revision_reason,
        )
    return approved


@transaction.atomic
def revise_examination(actor, examination: Examination, *, reason: str) -> Examination:
    """Start a new draft revision of an approved examination, copying its data; the approved one stays
    valid (and shared) until the revision is approved."""
    examination = _lock(Examination, examination.pk)
    workflow.guard_revise(actor, examination)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the approved examination is revised.")})
    revision = Examination.objects.create(
        exhibit=examination.exhibit,
        laboratory=examination.laboratory,
        request_number=examination.request_number,
        received_date=examination.received_date,
        completed_date=examination.completed_date,
        examiner=examination.examiner,
        conclusion=examination.conclusion,
        revision=examination.revision + 1,
        previous_revision=examination,
        revision_reason=reason.strip(),
        shareable_fields=examination.shareable_fields,
        created_by=actor,
    )
    revision.methods.set(examination.methods.all())
    for finding in examination.findings.all():
        Finding.objects.create(
            examination=revision,
            **{name: getattr(finding, name) for name in FINDING_FIELDS},
            amount_g=finding.amount_g,
            base_equivalent_g=finding.base_equivalent_g,
        )
    case_index.refresh([revision.exhibit.case_id])
    record(
        audit_events.EXAMINATION_REVISED,
        actor=actor,
        obj=revision,
        reason=reason,
        after={"revision": revision.revision, "previous_revision": str(examination.global_id)},
    )
    _emit_examination(events.EXAMINATION_CHANGED, revision, actor)
    return revision


@transaction.atomic
def retract_examination(actor, examination: Examination, *, reason: str) -> Examination:
    examination = _lock(Examination, examination.pk)
    workflow.guard_retract(actor, examination)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the examination is retracted.")})
    return _transition(
        actor,
        examination,
        ExaminationStatus.RETRACTED,
        audit_events.EXAMINATION_RETRACTED,
        events.EXAMINATION_RETRACTED,
        reason=reason,
        retracted_at=timezone.now(),
        retracted_by=actor,
        retraction_reason=reason.strip(),
    )


@transaction.atomic
def discard_examination(actor, examination: Examination) -> None:
    """Discard a draft (recorded by mistake, or an abandoned revision): it and its findings and files become
    tombstones, gone for every reader; their content stays audited."""
    examination = _lock(Examination, examination.pk)
    workflow.guard_discard(actor, examination)
    before = snapshot(examination, Examination.audit_fields)
    before["findings"] = [snapshot(f, Finding.audit_fields) for f in examination.findings.all()]
    before["attachments"] = [snapshot(a, Attachment.audit_fields) for a in examination.attachments.all()]
    record(audit_events.EXAMINATION_DISCARDED, actor=actor, obj=examination, before=before)
    findings = list(examination.findings.all())
    tombstone_all(examination.findings.all())
    # The draft's files go with it (the audit event keeps their names and hashes; the store keeps the
    # bytes): left behind without an examination they would read as case files, shared with the case.
    tombstone_all(examination.attachments.all())
    # An abandoned revision lets go of the approved examination it revised, which may be revised again.
    examination.previous_revision = None
    examination.save(update_fields=["previous_revision", "updated_at"])
    tombstone(examination)
    case_index.refresh([examination.exhibit.case_id])
    for finding in Finding.with_tombstones().filter(pk__in=[f.pk for f in findings]):
        _emit_finding(events.FINDING_REMOVED, finding, actor)
    _emit_examination(
        events.EXAMINATION_DISCARDED, examination, actor, findings=[str(f.global_id) for f in findings]
    )


def _transition(
    actor, examination, status, event, domain_event, *, reason: str = "", **fields
) -> Examination:
    before = {"status": examination.status}
    examination.status = status
    for name, value in fields.items():
        setattr(examination, name, value)
    if status == ExaminationStatus.RETRACTED:
        mark_retracted(examination)
    examination.save()
    case_index.refresh([examination.exhibit.case_id])  # the case's statuses, shared flag and substances
    record(event, actor=actor, obj=examination, before=before, after={"status": status}, reason=reason)
    _emit_examination(domain_event, examination, actor)
    return examination


def _validate_examination(examination: Examination) -> None:
    validation.require_valid(
        validation.examination_problems(examination, examination.exhibit.case.seizure_date)
    )
    examination.full_clean(exclude=["exhibit", "laboratory", "created_by", "previous_revision"])


def _set_methods(examination: Examination, codes: list[str]) -> None:
    methods = list(AnalyticalMethod.objects.filter(code__in=set(codes)))
    if len(methods) != len(set(codes)):
        unknown = sorted(set(codes) - {m.code for m in methods})
        raise ValidationError({"methods": _("Unknown method: %(code)s") % {"code": unknown[0]}})
    examination.methods.set(methods)


# Findings


@transaction.atomic
def add_finding(actor, examination: Examination, **values) -> Finding:
    examination = _lock(Examination, examination.pk)
    workflow.guard_edit(actor, examination)
    _only(values, FINDING_FIELDS)
    finding = Finding(examination=examination, **values)
    _validate_finding(finding)
    compute_amounts(finding, examination.exhibit.net_mass_g)
    finding.save()
    case_index.refresh([examination.exhibit.case_id])
    record(
        audit_events.FINDING_ADDED, actor=actor, obj=finding, after=snapshot(finding, Finding.audit_fields)
    )
    _emit_finding(events.FINDING_CHANGED, finding, actor)
    return finding


@transaction.atomic
def update_finding(actor, finding: Finding, **values) -> Finding:
    # The examination first, as approval locks it: a finding never changes under an approval under way.
    _lock(Examination, finding.examination_id)
    finding = _lock(Finding, finding.pk)
    workflow.guard_edit(actor, finding.examination)
    _only(values, FINDING_FIELDS)
    before = snapshot(finding, Finding.audit_fields)
    _assign(finding, values)
    _validate_finding(finding)
    compute_amounts(finding, finding.examination.exhibit.net_mass_g)
    old, new = changes(before, snapshot(finding, Finding.audit_fields))
    if new:  # a change that changes nothing is not saved: the record's version stays
        finding.save()
        if "substance" in new:
            case_index.refresh([finding.examination.exhibit.case_id])
        record(audit_events.FINDING_CHANGED, actor=actor, obj=finding, before=old, after=new)
        _emit_finding(events.FINDING_CHANGED, finding, actor)
    return finding


@transaction.atomic
def remove_finding(actor, finding: Finding) -> None:
    _lock(Examination, finding.examination_id)
    finding = _lock(Finding, finding.pk)
    workflow.guard_edit(actor, finding.examination)
    record(
        audit_events.FINDING_REMOVED, actor=actor, obj=finding, before=snapshot(finding, Finding.audit_fields)
    )
    tombstone(finding)
    case_index.refresh([finding.examination.exhibit.case_id])
    _emit_finding(events.FINDING_REMOVED, finding, actor)


def _validate_finding(finding: Finding) -> None:
    validation.require_valid(validation.finding_problems(finding))
    finding.full_clean(exclude=["examination"])


@transaction.atomic
def refresh_draft_amounts(actor, substance_id: int) -> int:
    """Derive again the amounts of this node's draft findings of a substance whose conversion factor
    changed in the registry; an approved finding keeps what was approved (a revision changes it). Each
    change is audited. Returns how many findings changed."""
    changed = 0
    findings = (
        Finding.objects.select_for_update()
        .filter(substance_id=substance_id, examination__status=ExaminationStatus.DRAFT)
        .select_related("substance", "examination__exhibit")
    )
    for finding in findings:
        if not finding.is_local:
            continue
        before = snapshot(finding, ("amount_g", "base_equivalent_g"))
        compute_amounts(finding, finding.examination.exhibit.net_mass_g)
        old, new = changes(before, snapshot(finding, ("amount_g", "base_equivalent_g")))
        if new:
            finding.save(update_fields=["amount_g", "base_equivalent_g", "updated_at"])
            reason = "the substance's base conversion factor changed in the registry"
            record(
                audit_events.FINDING_CHANGED, actor=actor, obj=finding, before=old, after=new, reason=reason
            )
            _emit_finding(events.FINDING_CHANGED, finding, actor)
            changed += 1
    return changed


def compute_amounts(finding: Finding, net_mass_g) -> None:
    """Amount = net mass × content; base equivalent = amount × the salt's conversion factor (both None
    when the content or the net mass is not known). The actions and the bulk writes derive them here."""
    if finding.purity_percent is None or net_mass_g is None:
        finding.amount_g = finding.base_equivalent_g = None
        return
    amount = Decimal(net_mass_g) * Decimal(finding.purity_percent) / Decimal(100)
    finding.amount_g = amount.quantize(FOUR_PLACES, rounding=ROUND_HALF_UP)
    factor = finding.substance.base_conversion_factor if finding.substance_id else Decimal(1)
    finding.base_equivalent_g = (amount * Decimal(factor)).quantize(FOUR_PLACES, rounding=ROUND_HALF_UP)


# Identifications (a spectral library hit recorded as a finding)


@transaction.atomic
def record_identification(
    actor, examination, spectrum: Spectrum, *, score: float, reverse: float, query: str
):
    """Record the substance of a library hit as a qualitative finding of ``examination``, citing the
    library, the record and the scores (the examination's own workflow rules apply)."""
    visible = Spectrum.objects.restrict(actor, "view").filter(pk=spectrum.pk).exists()
    if not visible:
        raise PermissionDenied(_("This spectrum is not in a library you may search."))
    if spectrum.withdrawn_at is not None:
        raise ValidationError(
            {"spectrum": _("This library spectrum is withdrawn; it cannot support a finding.")}
        )
    if spectrum.substance_id is None:
        raise ValidationError({"spectrum": _("This library spectrum is not linked to a registry substance.")})
    note = _(
        "Identified by EI mass-spectral library search: %(name)s, %(library)s record %(record)s; "
        "match %(score)s/999 (reverse %(reverse)s); query %(query)s."
    ) % {
        "name": spectrum.name,
        "library": spectrum.library,
        "record": spectrum.record_id or spectrum.global_id,
        "score": round(score),
        "reverse": round(reverse),
        "query": query,
    }
    finding = add_finding(
        actor,
        examination,
        substance=spectrum.substance,
        result_type=ResultType.QUALITATIVE,
        role=FindingRole.MAIN,
        note=note,
    )
    record(
        spectra_audit_events.IDENTIFICATION_RECORDED,
        actor=actor,
        obj=finding,
        after={"spectrum": str(spectrum.global_id), "score": round(score, 1), "reverse": round(reverse, 1)},
    )
    return finding


# Attachments


@transaction.atomic
def attach_file(
    actor,
    case: Case,
    upload,
    *,
    kind: str,
    description: str = "",
    exhibit: Exhibit | None = None,
    examination: Examination | None = None,
    reason: str = "",
    shareable_fields: list[str] | None = None,
) -> Attachment:
    """Store an uploaded file (content-addressed, SHA-256) and attach it to a case, exhibit or examination.

    A file added to an examination that is no longer a draft (the signed report of an approved one, say)
    changes what was reviewed, so it needs a reason, which the audit event keeps. ``shareable_fields``
    marks the file's name or description as allowed to leave the country (``fdx.examinations.shareable``)."""
    case = _lock_owned(actor, Case, case.pk, "owner_organisation_id")
    if exhibit is not None and exhibit.case_id != case.pk:
        raise ValidationError({"exhibit": _("The exhibit is not part of this case.")})
    if examination is not None and examination.exhibit.case_id != case.pk:
        raise ValidationError({"examination": _("The examination is not part of this case.")})
    if examination is not None and examination.status != ExaminationStatus.DRAFT and not reason.strip():
        raise ValidationError(
            {"reason": _("Say why a file is added to an examination that is no longer a draft.")}
        )
    if kind not in AttachmentKind.values:
        raise ValidationError({"kind": _("Unknown kind of attachment.")})
    marked = shareable.cleaned(Attachment._meta, shareable_fields)
    name = (upload.name or "file").rsplit("/", 1)[-1][:255]
    head = upload.read(8192)
    upload.seek(0)
    content_type = check_file_type(name, head)
    try:
        stored = filestore.store(upload.chunks(), settings.FDX_ATTACHMENT_MAX_BYTES)
    except filestore.FileTooLarge as exc:
        raise ValidationError({"file": str(exc)}) from None
    if stored.size_bytes == 0:
        raise ValidationError({"file": _("The file is empty.")})
    attachment = Attachment.objects.create(
        case=case,
        exhibit=exhibit,
        examination=examination,
        kind=kind,
        original_name=name,
        content_type=content_type,
        size_bytes=stored.size_bytes,
        sha256=stored.sha256,
        description=description.strip()[:300],
        shareable_fields=marked,
        uploaded_by=actor,
    )
    record(
        audit_events.ATTACHMENT_ADDED,
        actor=actor,
        obj=attachment,
        after=snapshot(attachment, Attachment.audit_fields),
        reason=reason.strip(),
    )
    emit(
        events.ATTACHMENT_ADDED,
        obj=attachment,
        organisation=case.owner_organisation,
        actor=actor,
        case=str(case.global_id),
    )
    return attachment


def record_download(actor, attachment: Attachment) -> None:
    record(
        audit_events.ATTACHMENT_DOWNLOADED,
        actor=actor,
        obj=attachment,
        organisation=actor.organisation,
        after={"sha256": attachment.sha256},
    )


# Reports


@transaction.atomic
def issue_report(actor, examination: Examination, *, language: str) -> IssuedReport:
    """The report of an approved revision, issued on its first showing: its content and digest are fixed
    then (and audited), so that every later copy carries the same digest and can be verified. The report
    of the revision it replaces is issued first if it never was, so that this one can name its digest."""
    issued = IssuedReport.objects.filter(examination=examination).first()
    if issued is not None:
        return issued
    if not reports.is_reportable(examination):
        raise ValidationError(_("A report is made only of an approved examination."))
    if not examination.is_local:
        raise ValidationError(_("The report is issued by the node this examination comes from."))
    examination = Examination.objects.select_for_update().get(pk=examination.pk)
    issued = IssuedReport.objects.filter(examination=examination).first()
    if issued is not None:  # issued by another request while this one waited for the lock
        return issued
    supersedes = None
    previous = examination.previous_revision
    if previous is not None and reports.is_reportable(previous):
        earlier = issue_report(actor, previous, language=language)
        supersedes = {
            "global_id": str(previous.global_id),
            "revision": previous.revision,
            "digest": earlier.digest,
            "reason": examination.revision_reason,
        }
    content = reports.build_content(examination, supersedes)
    digest = reports.report_digest(content)
    issued = IssuedReport.objects.create(
        examination=examination,
        revision=examination.revision,
        digest=digest,
        content=content,
        issued_at=timezone.now(),
        issued_by=actor if getattr(actor, "is_authenticated", False) else None,
        language=language if language in reports.LANGUAGES else reports.node_language(),
    )
    record(
        audit_events.REPORT_ISSUED,
        actor=actor,
        obj=examination,
        after={
            "digest": digest,
            "revision": examination.revision,
            "language": issued.language,
            "approval_audit_sequence": content["examination"]["approval_audit_sequence"],
            "supersedes": supersedes,
        },
    )
    return issued


@transaction.atomic
def verify_report(actor, global_id: str, digest: str, *, channel: str = "web") -> reports.ReportVerification:
    """Check a report's digest against the record and audit the check (anyone may check: the digest
    proves that they hold the report). The answer says match or no match, the revision and its dates;
    whether the checker may open the record is for the caller to use, never the content itself."""
    checked_id, checked_digest = reports.parse_verification_input(global_id, digest)
    verification = reports.verification_of(checked_id, checked_digest)
    if (
        verification.examination is not None
        and actor is not None
        and getattr(actor, "is_authenticated", False)
    ):
        verification.viewer_may_see = (
            Examination.objects.restrict(actor, "view").filter(pk=verification.examination.pk).exists()
        )
    record(
        audit_events.REPORT_VERIFIED,
        actor=actor,
        object_type="examinations.examination",
        object_id=str(checked_id),
        after={"digest": checked_digest, "outcome": verification.outcome, "channel": channel},
    )
    return verification


# Reference data


@transaction.atomic
def load_analytical_methods(actor) -> dict[str, int]:
    """Create, or put back as FDX ships them, the analytical methods it knows (``methods.METHODS``).

    Only what differs is written, and audited in one event (``examinations.methods.loaded``: each method
    created or changed, its values before and after); when every method is as shipped, nothing is written
    or audited. Returns the counts created, updated and unchanged."""
    require_permission(actor, "examinations.change_analyticalmethod")
    stored = {method.code: method for method in AnalyticalMethod.objects.select_for_update()}
    created, updated, before, after = [], [], {}, {}
    for code, name_en, name_ru, confirmatory in METHODS:
        shipped = {"name_en": name_en, "name_ru": name_ru, "confirmatory": confirmatory}
        method = stored.get(code)
        if method is None:
            created.append(AnalyticalMethod(code=code, **shipped))
            after[code] = shipped
            continue
        differs = {
            key: getattr(method, key) for key, value in shipped.items() if getattr(method, key) != value
        }
        if differs:
            for key in differs:
                setattr(method, key, shipped[key])
            updated.append(method)
            before[code], after[code] = differs, {key: shipped[key] for key in differs}
    AnalyticalMethod.objects.bulk_create(created)
    AnalyticalMethod.objects.bulk_update(updated, ["name_en", "name_ru", "confirmatory"])
    if after:
        record(
            audit_events.METHODS_LOADED,
            actor=actor,
            object_type="examinations.analyticalmethod",
            before=before,
            after=after,
        )
    return {"created": len(created), "updated": len(updated), "unchanged": len(METHODS) - len(after)}


# Internals


def _require_recorder(actor) -> None:
    require_user(actor)
    if not can_record(actor):
        raise PermissionDenied(_("You may not record case data."))


def _lock(model, pk):
    """The row, locked; refused when another node created it (received records are read-only here)."""
    instance = model.objects.select_for_update().get(pk=pk)
    require_local(instance)
    return instance


def _lock_owned(actor, model, pk, owner_path: str):
    """The row, locked, if the actor's organisation owns it and the actor records case data."""
    _require_recorder(actor)
    instance = model.objects.select_for_update().get(pk=pk)
    require_local(instance)
    owner_id = model.objects.filter(pk=pk).values_list(owner_path, flat=True).get()
    if owner_id != actor.organisation_id:
        raise PermissionDenied(_("Only the owning organisation changes its records."))
    return instance


def _emit_exhibit(event, exhibit: Exhibit, actor) -> None:
    case = exhibit.case
    emit(event, obj=exhibit, organisation=case.owner_organisation_id, actor=actor, case=str(case.global_id))


def _emit_examination(event, examination: Examination, actor, findings: list[str] | None = None) -> None:
    """Emit ``event`` naming the examination, its case and exhibit and its findings (those it has now,
    unless ``findings`` names them)."""
    exhibit = examination.exhibit
    if findings is None:
        findings = [str(gid) for gid in examination.findings.values_list("global_id", flat=True)]
    emit(
        event,
        obj=examination,
        organisation=exhibit.case.owner_organisation_id,
        actor=actor,
        case=str(exhibit.case.global_id),
        exhibit=str(exhibit.global_id),
        status=examination.status,
        findings=findings,
    )


def _emit_finding(event, finding: Finding, actor) -> None:
    examination = finding.examination
    emit(
        event,
        obj=finding,
        organisation=examination.exhibit.case.owner_organisation_id,
        actor=actor,
        case=str(examination.exhibit.case.global_id),
        examination=str(examination.global_id),
    )


def _assign(instance, values: dict) -> None:
    """Set the given values, decimals to their field's places (70.0 and 70.000 % are one content, and a
    change that changes nothing must read as none)."""
    for name, value in values.items():
        field = instance._meta.get_field(name)
        if isinstance(field, models.DecimalField) and value is not None:
            with contextlib.suppress(
                ArithmeticError, TypeError, ValueError
            ):  # full_clean names what is wrong
                value = Decimal(value).quantize(Decimal(1).scaleb(-field.decimal_places))
        setattr(instance, name, value)


def _only(values: dict, allowed: set[str]) -> None:
    unknown = set(values) - allowed
    if unknown:
        raise ValueError(f"unknown fields: {', '.join(sorted(unknown))}")


def _has_approved_work(case: Case) -> bool:
    return Examination.objects.filter(exhibit__case=case).exclude(status=ExaminationStatus.DRAFT).exists()


def viewer_may_read(actor) -> bool:
    return can_view_case_data(actor)
