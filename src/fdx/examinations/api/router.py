"""Case-data API: cases, exhibits, examinations (with their workflow), findings and attachments."""

import datetime
import uuid

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from fdx.accounts.models import Organisation, SharingGroup, User
from fdx.core import filestore
from fdx.core.api.errors import ApiError
from fdx.core.api.openapi import also_answers
from fdx.core.api.pagination import KeysetPagination
from fdx.core.api.types import IsoDate
from fdx.examinations import actions, case_notes, export_runs, reports, selectors
from fdx.examinations.api.schemas import (
    AttachmentOut,
    CaseDetailOut,
    CaseIn,
    CaseNoteIn,
    CaseNoteOut,
    CaseOut,
    CasePatch,
    CaseReasonIn,
    ExaminationIn,
    ExaminationOut,
    ExaminationPatch,
    ExhibitDetailOut,
    ExhibitIn,
    ExhibitOut,
    ExhibitPatch,
    FindingIn,
    FindingOut,
    FindingPatch,
)
from fdx.examinations.choices import (
    AttachmentKind,
    ExaminationStatus,
    ExhibitForm,
    ExportFormat,
    ExportRunState,
)
from fdx.examinations.models import Attachment, Case, Examination, Exhibit, Finding
from fdx.geo.models import BorderCrossingPoint, Country
from fdx.substances.models import Substance

router = Router(tags=["cases"])


class CaseFilterParams(Schema):
    seized_from: IsoDate | None = None
    seized_to: IsoDate | None = None
    country: str | None = None
    region: str | None = None
    substance: uuid.UUID | None = None
    substance_class: str | None = None
    form: ExhibitForm | None = None
    status: ExaminationStatus | None = None
    owner: str | None = None
    q: str | None = None


# Cases


@router.get("/cases", response=list[CaseOut], summary="Cases you may see, with filters")
@paginate(KeysetPagination)
def list_cases(request, filters: Query[CaseFilterParams]):
    values = filters.dict()
    values["text"] = values.pop("q")
    values["substance"] = str(values["substance"]) if values["substance"] else None
    return selectors.list_cases(request.user, selectors.CaseFilters(**values)).select_related(
        "border_crossing_point", "sharing_group"
    )


@router.post("/cases", response={201: CaseDetailOut}, summary="Open a case")
def create_case(request, payload: CaseIn):
    case = actions.open_case(request.user, **_case_values(payload.dict(), seizure_date=payload.seizure_date))
    return Status(201, selectors.get_case(request.user, case.global_id))


@router.get(
    "/cases/{uuid:case_id}",
    response=CaseDetailOut,
    summary="One case, with its exhibits, examinations and findings (the read is audited)",
)
def get_case(request, case_id: uuid.UUID):
    case = selectors.get_case(request.user, case_id)
    actions.record_case_view(request.user, case)
    return case


@router.patch("/cases/{uuid:case_id}", response=CaseDetailOut, summary="Change a case")
def update_case(request, case_id: uuid.UUID, payload: CasePatch):
    case = selectors.get_case(request.user, case_id, "change")
    values = _patch_values(payload, Case)
    reason = values.pop("reason", "")
    actions.update_case(
        request.user,
        case,
        reason=reason,
        **_case_values(
            values,
            seizure_date=values.get("seizure_date") or case.seizure_date,
            current_country=case.seizure_country.code if case.seizure_country_id else "",
        ),
    )
    return selectors.get_case(request.user, case_id)


@router.post("/cases/{uuid:case_id}/retract", response=CaseOut, summary="Retract a case (reviewers)")
def retract_case(request, case_id: uuid.UUID, payload: CaseReasonIn):
    case = selectors.get_case(request.user, case_id, "change")
    return actions.retract_case(request.user, case, reason=payload.reason)


def _case_values(values: dict, *, seizure_date, current_country: str = "") -> dict:
    """Turn the codes of a case payload into the objects the action takes (422 naming an unknown code); a
    region sent without a country is read in the case's current country."""
    resolved = dict(values)
    lookups = {
        "seizure_country": (Country, "code", str.upper),
        "submitting_agency": (Organisation, "code", str),
        "border_crossing_point": (BorderCrossingPoint, "code", str),
        "sharing_group": (SharingGroup, "code", str),
    }
    for field, (model, key, normalise) in lookups.items():
        if field in resolved and resolved[field] is not None:
            instance = model.objects.filter(**{key: normalise(resolved[field])}).first()
            if instance is None:
                raise ValidationError({field: f"unknown {field.replace('_', ' ')} {resolved[field]!r}"})
            resolved[field] = instance
    if resolved.get("seizure_region"):
        country = resolved.get("seizure_country")
        country_code = country.code if country else values.get("seizure_country") or current_country
        resolved["seizure_region"] = actions.resolve_region_code(
            resolved["seizure_region"], country_code.upper(), seizure_date
        )
    return resolved


# Notes: the reader's organisation's, on this node only


@router.get(
    "/cases/{uuid:case_id}/notes",
    response=list[CaseNoteOut],
    summary="Your organisation's notes on a case, newest first (kept on this node, never sent)",
)
@paginate(KeysetPagination)
def list_case_notes(request, case_id: uuid.UUID):
    case = case_notes.visible_case(request.user, case_id)
    return case_notes.case_notes(request.user, case).select_related("case", "organisation")


@router.post(
    "/cases/{uuid:case_id}/notes",
    response={201: CaseNoteOut},
    summary="Add a note of your organisation to a case you may see, received copies included",
)
def create_case_note(request, case_id: uuid.UUID, payload: CaseNoteIn):
    case = case_notes.visible_case(request.user, case_id)
    return Status(201, case_notes.add_case_note(request.user, case, payload.text))


@router.delete(
    "/cases/{uuid:case_id}/notes/{uuid:note_id}",
    response={204: None},
    summary="Delete a note of yours on a case",
)
def delete_case_note(request, case_id: uuid.UUID, note_id: uuid.UUID):
    case = case_notes.visible_case(request.user, case_id)
    case_notes.delete_case_note(request.user, case_notes.get_case_note(request.user, case, note_id))
    return Status(204, None)


# Exhibits


@router.get("/cases/{uuid:case_id}/exhibits", response=list[ExhibitDetailOut], summary="Exhibits of a case")
def list_exhibits(request, case_id: uuid.UUID):
    return list(selectors.get_case(request.user, case_id).exhibits.all())


@router.post("/cases/{uuid:case_id}/exhibits", response={201: ExhibitOut}, summary="Add an exhibit to a case")
def create_exhibit(request, case_id: uuid.UUID, payload: ExhibitIn):
    case = selectors.get_case(request.user, case_id, "change")
    return Status(201, actions.add_exhibit(request.user, case, **payload.dict()))


@router.patch("/exhibits/{uuid:exhibit_id}", response=ExhibitOut, summary="Change an exhibit")
def update_exhibit(request, exhibit_id: uuid.UUID, payload: ExhibitPatch):
    exhibit = selectors.get_exhibit(request.user, exhibit_id, "change")
    values = _patch_values(payload, Exhibit)
    return actions.update_exhibit(request.user, exhibit, reason=values.pop("reason", ""), **values)


@router.delete(
    "/exhibits/{uuid:exhibit_id}", response={204: None}, summary="Remove an exhibit without examinations"
)
def delete_exhibit(request, exhibit_id: uuid.UUID):
    actions.remove_exhibit(request.user, selectors.get_exhibit(request.user, exhibit_id, "change"))
    return Status(204, None)


# Examinations


@router.get("/examinations", response=list[ExaminationOut], summary="Examinations you may see")
@paginate(KeysetPagination)
def list_examinations(request, status: ExaminationStatus | None = None, case: uuid.UUID | None = None):
    queryset = (
        Examination.objects.restrict(request.user, "view")
        .select_related("exhibit", "laboratory", "examiner", "approved_by", "previous_revision")
        .prefetch_related("methods", "findings__substance")
        .order_by("-updated_at", "-id")
    )
    if status:
        queryset = queryset.filter(status=status)
    if case:
        queryset = queryset.filter(exhibit__case__global_id=case)
    return queryset


@router.post(
    "/exhibits/{uuid:exhibit_id}/examinations",
    response={201: ExaminationOut},
    summary="Start a draft examination of an exhibit",
)
def create_examination(request, exhibit_id: uuid.UUID, payload: ExaminationIn):
    exhibit = selectors.get_exhibit(request.user, exhibit_id, "change")
    values = payload.dict()
    values["examiner"] = _examiner(values.get("examiner")) or request.user
    examination = actions.start_examination(request.user, exhibit, **values)
    return Status(201, selectors.get_examination(request.user, examination.global_id))


@router.get("/examinations/{uuid:examination_id}", response=ExaminationOut, summary="One examination")
def get_examination(request, examination_id: uuid.UUID):
    return selectors.get_examination(request.user, examination_id)


@router.patch(
    "/examinations/{uuid:examination_id}", response=ExaminationOut, summary="Change a draft examination"
)
def update_examination(request, examination_id: uuid.UUID, payload: ExaminationPatch):
    examination = selectors.get_examination(request.user, examination_id, "change")
    values = _patch_values(payload, Examination)
    if "examiner" in values:
        values["examiner"] = _examiner(values["examiner"])
    actions.update_examination(request.user, examination, **values)
    return selectors.get_examination(request.user, examination_id)


def _examiner(username: str | None):
    if not username:
        return None
    user = User.objects.filter(username=username).first()
    if user is None:
        raise ValidationError({"examiner": f"unknown user {username!r}"})
    return user


def _workflow_route(name: str, summary: str, with_reason: bool):
    def view(request, examination_id: uuid.UUID, payload: CaseReasonIn):
        examination = selectors.get_examination(request.user, examination_id, "change")
        action = getattr(actions, f"{name}_examination")
        result = (
            action(request.user, examination, reason=payload.reason)
            if with_reason
            else action(request.user, examination)
        )
        return selectors.get_examination(request.user, result.global_id)

    view.__name__ = f"{name}_examination"
    router.post(f"/examinations/{{uuid:examination_id}}/{name}", response=ExaminationOut, summary=summary)(
        view
    )


_workflow_route("submit", "Submit a draft for review", with_reason=False)
_workflow_route("approve", "Approve a submitted examination (four eyes)", with_reason=False)
_workflow_route("return", "Return a submitted examination to its author", with_reason=True)
_workflow_route("revise", "Start a revision of an approved examination", with_reason=True)
_workflow_route("retract", "Retract an approved examination", with_reason=True)


@router.delete(
    "/examinations/{uuid:examination_id}", response={204: None}, summary="Discard a draft examination"
)
def discard_examination(request, examination_id: uuid.UUID):
    actions.discard_examination(
        request.user, selectors.get_examination(request.user, examination_id, "change")
    )
    return Status(204, None)


# Findings


@router.get(
    "/findings/export.csv",
    response={200: None},
    summary="Export the findings of the cases you may see, one row each, as CSV, streamed (audited)",
)
def export_findings(request, filters: Query[CaseFilterParams]):
    from fdx.examinations.exports import streaming_export

    return streaming_export(request.user, _case_filters(filters), "csv")


@router.get(
    "/findings/export.json",
    response={200: None},
    summary="Export the findings of the cases you may see as a JSON array of rows, streamed (audited)",
)
def export_findings_json(request, filters: Query[CaseFilterParams]):
    from fdx.examinations.exports import streaming_export

    return streaming_export(request.user, _case_filters(filters), "json")


class ExportRunIn(CaseFilterParams):
    format: ExportFormat


class ExportRunOut(Schema):
    id: uuid.UUID
    state: ExportRunState
    format: ExportFormat
    rows_written: int
    rows_expected: int | None = None
    percent: int | None = None
    rows_per_s: int | None = None
    seconds_left: int | None = None
    size_bytes: int | None = None
    sha256: str | None = None
    error: str | None = None
    created_at: datetime.datetime
    started_at: datetime.datetime | None = None
    finished_at: datetime.datetime | None = None
    expires_at: datetime.datetime | None = None
    download: str | None = None

    @staticmethod
    def resolve_id(run):
        return run.global_id

    @staticmethod
    def resolve_format(run):
        return run.file_format

    @staticmethod
    def resolve_rows_per_s(run):
        return run.speed()[0]

    @staticmethod
    def resolve_seconds_left(run):
        return run.speed()[1]

    @staticmethod
    def resolve_sha256(run):
        return run.sha256 or None

    @staticmethod
    def resolve_error(run):
        return run.error or None

    @staticmethod
    def resolve_download(run):
        from django.urls import reverse

        if run.state != ExportRunState.DONE:
            return None
        return reverse("api:download_export_run", kwargs={"run_id": run.global_id})


@router.post(
    "/findings/exports",
    response={202: ExportRunOut},
    summary="Prepare an export of the findings you may see in the background (audited); returns the run",
)
def start_export_run(request, payload: ExportRunIn):
    filters = _case_filters(CaseFilterParams(**payload.dict(exclude={"format"})))
    return Status(202, export_runs.start_export_run(request.user, filters, payload.format))


@router.get("/findings/exports", response=list[ExportRunOut], summary="Your findings exports, newest first")
@paginate(KeysetPagination)
def list_export_runs(request):
    return export_runs.list_runs(request.user)


@router.get(
    "/findings/exports/{uuid:run_id}",
    response=ExportRunOut,
    summary="One of your findings exports: its state and progress",
)
def get_export_run(request, run_id: uuid.UUID):
    return export_runs.get_run(request.user, run_id)


@router.post(
    "/findings/exports/{uuid:run_id}/cancel",
    response=ExportRunOut,
    summary="Cancel one of your findings exports that is queued or running (audited)",
)
def cancel_export_run(request, run_id: uuid.UUID):
    return export_runs.cancel_export_run(request.user, export_runs.get_run(request.user, run_id))


@router.get(
    "/findings/exports/{uuid:run_id}/download",
    response={200: None},
    summary="Download the file of one of your finished findings exports (audited)",
    openapi_extra=also_answers(409),
)
def download_export_run(request, run_id: uuid.UUID):
    run = export_runs.get_run(request.user, run_id)
    if run.state != ExportRunState.DONE:
        raise ApiError(
            409,
            "export_not_ready",
            _("The export is not ready (its state: %(state)s).") % {"state": run.state},
        )
    return export_runs.file_response(request.user, run)


def _case_filters(filters: CaseFilterParams) -> selectors.CaseFilters:
    values = filters.dict()
    values["text"] = values.pop("q")
    values["substance"] = str(values["substance"]) if values["substance"] else None
    return selectors.CaseFilters(**values)


@router.get("/findings", response=list[FindingOut], summary="Findings you may see")
@paginate(KeysetPagination)
def list_findings(request, substance_class: str | None = None, status: ExaminationStatus | None = None):
    queryset = Finding.objects.restrict(request.user, "view").select_related("substance").order_by("-id")
    if substance_class:
        queryset = queryset.filter(substance__classes__code=substance_class)
    if status:
        queryset = queryset.filter(examination__status=status)
    return queryset


@router.post(
    "/examinations/{uuid:examination_id}/findings", response={201: FindingOut}, summary="Record a finding"
)
def create_finding(request, examination_id: uuid.UUID, payload: FindingIn):
    examination = selectors.get_examination(request.user, examination_id, "change")
    values = payload.dict()
    values["substance"] = _substance(values["substance"])
    return Status(201, actions.add_finding(request.user, examination, **values))


@router.patch("/findings/{uuid:finding_id}", response=FindingOut, summary="Change a finding of a draft")
def update_finding(request, finding_id: uuid.UUID, payload: FindingPatch):
    finding = selectors.get_finding(request.user, finding_id, "change")
    values = _patch_values(payload, Finding)
    if "substance" in values:
        values["substance"] = _substance(values["substance"])
    return actions.update_finding(request.user, finding, **values)


@router.delete("/findings/{uuid:finding_id}", response={204: None}, summary="Remove a finding of a draft")
def delete_finding(request, finding_id: uuid.UUID):
    actions.remove_finding(request.user, selectors.get_finding(request.user, finding_id, "change"))
    return Status(204, None)


def _patch_values(payload, model) -> dict:
    """The fields a PATCH sent. The schemas refuse null where a field takes none (``Keep``); a null that
    still reaches a column that cannot be empty is refused by name here, never deep in the action."""
    values = payload.dict(exclude_unset=True)
    for name, value in values.items():
        if value is not None:
            continue
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if not field.null:
            raise ValidationError({name: _("This field cannot be empty.")})
    return values


def _substance(global_id):
    if global_id is None:
        return None
    substance = Substance.objects.filter(global_id=global_id).first()
    if substance is None:
        raise ValidationError({"substance": f"unknown substance {global_id}"})
    return substance


# Attachments


@router.get(
    "/cases/{uuid:case_id}/attachments", response=list[AttachmentOut], summary="Files attached to a case"
)
def list_attachments(request, case_id: uuid.UUID):
    case = selectors.get_case(request.user, case_id)
    return list(
        selectors.list_attachments(request.user, case).select_related("case", "exhibit", "examination")
    )


@router.post(
    "/cases/{uuid:case_id}/attachments",
    response={201: AttachmentOut},
    summary="Attach a file (stored under its SHA-256)",
)
def create_attachment(
    request,
    case_id: uuid.UUID,
    file: File[UploadedFile],
    kind: Form[AttachmentKind],
    description: Form[str] = "",
    exhibit: Form[uuid.UUID | None] = None,
    examination: Form[uuid.UUID | None] = None,
    reason: Form[str] = "",
    shareable_fields: Form[list[str] | None] = None,
):
    case = selectors.get_case(request.user, case_id, "change")
    exhibit_obj = get_object_or_404(Exhibit, global_id=exhibit, case=case) if exhibit else None
    examination_obj = (
        get_object_or_404(Examination, global_id=examination, exhibit__case=case) if examination else None
    )
    attachment = actions.attach_file(
        request.user,
        case,
        file,
        kind=kind,
        description=description,
        exhibit=exhibit_obj,
        examination=examination_obj,
        reason=reason,
        shareable_fields=shareable_fields,
    )
    return Status(201, attachment)


@router.get(
    "/attachments/{uuid:attachment_id}/download",
    response={200: None},
    summary="Download an attached file (the download is audited)",
)
def download_attachment(request, attachment_id: uuid.UUID):
    attachment: Attachment = selectors.get_attachment(request.user, attachment_id)
    actions.record_download(request.user, attachment)
    response = FileResponse(
        filestore.open_stored(attachment.sha256),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["Digest"] = f"sha-256={attachment.sha256}"
    return response


# Reports


class ReportVerifyIn(Schema):
    global_id: str
    digest: str


class ReportVerifyOut(Schema):
    outcome: str
    matches: bool
    global_id: str
    digest: str
    revision: int | None = None
    issued_at: datetime.datetime | None = None
    approved_at: datetime.datetime | None = None
    superseded_by_revision: int | None = None
    superseded_at: datetime.datetime | None = None
    retracted_at: datetime.datetime | None = None


@router.get(
    "/examinations/{uuid:examination_id}/report",
    summary="The report of an approved examination: its fixed content and digest (issued on first read)",
    openapi_extra=also_answers(409),
)
def get_report(request, examination_id: uuid.UUID, lang: str | None = None):
    examination = selectors.get_examination(request.user, examination_id)
    language = lang if lang in reports.LANGUAGES else reports.node_language()
    try:
        issued = actions.issue_report(request.user, examination, language=language)
    except ValidationError as exc:  # not approved (yet), or received from another node
        raise ApiError(409, "no_report", " ".join(exc.messages)) from None
    return reports.report_document(issued)


@router.post(
    "/reports/verify",
    response=ReportVerifyOut,
    summary="Check a report's digest against the record (match or not, revision and dates; no content)",
)
def verify_report(request, payload: ReportVerifyIn):
    return actions.verify_report(request.user, payload.global_id, payload.digest, channel="api").as_dict()
