"""Case pages: the list with filters, a case with its exhibits, examinations and findings, the forms that
record them, the workflow buttons, and attachments. Every read goes through the selectors and every change
through the actions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fdx.core import filestore
from fdx.core.forms_support import add_action_errors
from fdx.examinations import actions, selectors
from fdx.examinations.forms import (
    AttachmentForm,
    CaseFilterForm,
    CaseForm,
    ExaminationForm,
    ExhibitFormForm,
    FindingForm,
    ReasonForm,
)
from fdx.examinations.legal_status import finding_status
from fdx.examinations.models import Examination
from fdx.examinations.querysets import can_record, can_view_case_data
from fdx.examinations.workflow import completeness_problems


def _require_reader(user):
    if not can_view_case_data(user):
        raise PermissionDenied(_("Your roles do not include reading case data."))


@login_required
def case_list(request):
    _require_reader(request.user)
    form = CaseFilterForm(request.GET or None)
    filters = _filters(request)
    if filters is None:  # a filter that cannot be read lists nothing, rather than everything
        cases = selectors.list_cases(request.user, selectors.CaseFilters()).none()
    else:
        cases = selectors.with_contents(selectors.list_cases(request.user, filters), request.user)
    page = Paginator(cases, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "examinations/case_list.html",
        {
            "form": form,
            "page": page,
            "can_record": can_record(request.user),
            "export_query": request.GET.urlencode(),
        },
    )


@login_required
def case_export(request):
    """The findings of the listed cases as CSV (the same filters as the list); audited."""
    from django.http import HttpResponse

    from fdx.examinations.exports import export_findings_csv

    _require_reader(request.user)
    filters = _filters(request)
    if filters is None:  # never export everything because one filter could not be read
        from django.http import HttpResponseBadRequest

        return HttpResponseBadRequest(
            _("A filter could not be read; correct it on the list and export again.")
        )
    response = HttpResponse(
        export_findings_csv(request.user, filters), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="fdx-findings.csv"'
    return response


def _filters(request) -> selectors.CaseFilters | None:
    """The list's filters; none when nothing is asked, None when a filter cannot be read."""
    if not request.GET:
        return selectors.CaseFilters()
    form = CaseFilterForm(request.GET)
    if not form.is_valid():
        return None
    data = form.cleaned_data
    return selectors.CaseFilters(
        seized_from=data["seized_from"],
        seized_to=data["seized_to"],
        country=data["country"].code if data["country"] else None,
        substance_class=data["substance_class"].code if data["substance_class"] else None,
        form=data["form"] or None,
        status=data["status"] or None,
        text=data["q"] or None,
    )


@login_required
def case_create(request):
    if not can_record(request.user):
        raise PermissionDenied(_("You may not record case data."))
    form = CaseForm(request.POST or None, initial={"seizure_country": request.user.organisation.country_id})
    if request.method == "POST" and form.is_valid():
        values = _case_values(form.cleaned_data)
        values.pop("reason")
        try:
            case = actions.open_case(request.user, **values)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("Case %(reference)s opened.") % {"reference": case.reference})
            return redirect("examinations:case", case_id=case.global_id)
    return render(request, "examinations/case_form.html", {"form": form})


@login_required
def case_edit(request, case_id):
    case = selectors.get_case(request.user, case_id, "change")
    initial = {name: getattr(case, name) for name in actions.CASE_FIELDS if name != "is_demo"}
    for name in (
        "seizure_country",
        "seizure_region",
        "submitting_agency",
        "border_crossing_point",
        "sharing_group",
    ):
        related = getattr(case, name)
        initial[name] = related.code if related else None
    form = CaseForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = _case_values(form.cleaned_data)
        reason = values.pop("reason")
        try:
            actions.update_case(request.user, case, reason=reason, **values)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The case has been changed."))
            return redirect("examinations:case", case_id=case.global_id)
    return render(request, "examinations/case_form.html", {"form": form, "case": case})


def _case_values(data: dict) -> dict:
    return dict(data)


@login_required
def case_detail(request, case_id):
    case = selectors.get_case(request.user, case_id)
    actions.record_case_view(request.user, case)
    is_owner = case.owner_organisation_id == request.user.organisation_id and can_record(request.user)
    return render(
        request,
        "examinations/case_detail.html",
        {
            "case": case,
            "is_owner": is_owner,
            "attachments": selectors.list_attachments(request.user, case),
            "exhibit_form": ExhibitFormForm(prefix="exhibit"),
            "examination_form": ExaminationForm(prefix="examination"),
            "attachment_form": AttachmentForm(),
            "reason_form": ReasonForm(),
            "is_reviewer": request.user.has_perm("examinations.review_examination"),
        },
    )


@login_required
@require_POST
def exhibit_create(request, case_id):
    case = selectors.get_case(request.user, case_id, "change")
    form = ExhibitFormForm(request.POST, prefix="exhibit")
    if form.is_valid():
        _run(
            request, lambda: actions.add_exhibit(request.user, case, **form.cleaned_data), _("Exhibit added.")
        )
    else:
        _form_errors(request, form)
    return redirect("examinations:case", case_id=case.global_id)


@login_required
def exhibit_edit(request, exhibit_id):
    exhibit = selectors.get_exhibit(request.user, exhibit_id, "change")
    initial = {name: getattr(exhibit, name) for name in actions.EXHIBIT_FIELDS}
    form = ExhibitFormForm(request.POST or None, initial=initial)
    reason_form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and reason_form.is_valid():
        try:
            actions.update_exhibit(
                request.user, exhibit, reason=reason_form.cleaned_data["reason"], **form.cleaned_data
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            return redirect("examinations:case", case_id=exhibit.case.global_id)
    return render(
        request,
        "examinations/exhibit_form.html",
        {"form": form, "reason_form": reason_form, "exhibit": exhibit},
    )


@login_required
@require_POST
def examination_create(request, exhibit_id):
    exhibit = selectors.get_exhibit(request.user, exhibit_id, "change")
    form = ExaminationForm(request.POST, prefix="examination")
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("examinations:case", case_id=exhibit.case.global_id)
    values = dict(form.cleaned_data)
    values["methods"] = [method.code for method in values["methods"]]
    examination = _run(
        request,
        lambda: actions.start_examination(request.user, exhibit, **values),
        _("Draft examination started."),
    )
    if examination is None:
        return redirect("examinations:case", case_id=exhibit.case.global_id)
    return redirect("examinations:examination", examination_id=examination.global_id)


@login_required
def examination_detail(request, examination_id):
    examination = selectors.get_examination(request.user, examination_id)
    case = examination.exhibit.case
    is_owner = case.owner_organisation_id == request.user.organisation_id and can_record(request.user)
    return render(
        request,
        "examinations/examination_detail.html",
        {
            "examination": examination,
            "case": case,
            "exhibit": examination.exhibit,
            "is_owner": is_owner,
            "is_reviewer": request.user.has_perm("examinations.review_examination") and is_owner,
            "finding_form": FindingForm(),
            "edit_form": ExaminationForm(
                initial={
                    "request_number": examination.request_number,
                    "received_date": examination.received_date,
                    "completed_date": examination.completed_date,
                    "conclusion": examination.conclusion,
                    "methods": [m.code for m in examination.methods.all()],
                }
            ),
            "reason_form": ReasonForm(),
            "missing": completeness_problems(examination) if examination.is_editable and is_owner else {},
            "findings": _with_legal_status(examination),
        },
    )


def _with_legal_status(examination) -> list:
    """The findings, each with its legal status and amount category where and when it was seized."""
    findings = list(examination.findings.select_related("substance__parent"))
    for finding in findings:
        finding.legal_status = finding_status(finding)
    return findings


@login_required
@require_POST
def examination_edit(request, examination_id):
    examination = selectors.get_examination(request.user, examination_id, "change")
    form = ExaminationForm(request.POST)
    if form.is_valid():
        values = dict(form.cleaned_data)
        values["methods"] = [method.code for method in values["methods"]]
        _run(request, lambda: actions.update_examination(request.user, examination, **values), _("Saved."))
    else:
        _form_errors(request, form)
    return redirect("examinations:examination", examination_id=examination.global_id)


@login_required
@require_POST
def finding_create(request, examination_id):
    examination = selectors.get_examination(request.user, examination_id, "change")
    form = FindingForm(request.POST)
    if form.is_valid():
        _run(
            request,
            lambda: actions.add_finding(request.user, examination, **form.cleaned_data),
            _("Finding recorded."),
        )
    else:
        _form_errors(request, form)
    return redirect("examinations:examination", examination_id=examination.global_id)


@login_required
@require_POST
def finding_delete(request, finding_id):
    finding = selectors.get_finding(request.user, finding_id, "change")
    examination_id = finding.examination.global_id
    _run(request, lambda: actions.remove_finding(request.user, finding), _("Finding removed."))
    return redirect("examinations:examination", examination_id=examination_id)


WORKFLOW = {
    "submit": (actions.submit_examination, False),
    "approve": (actions.approve_examination, False),
    "return": (actions.return_examination, True),
    "revise": (actions.revise_examination, True),
    "retract": (actions.retract_examination, True),
}


@login_required
@require_POST
def examination_transition(request, examination_id, transition):
    if transition not in WORKFLOW:
        raise PermissionDenied
    examination = selectors.get_examination(request.user, examination_id, "change")
    action, needs_reason = WORKFLOW[transition]
    reason = request.POST.get("reason", "")
    result = _run(
        request,
        (lambda: action(request.user, examination, reason=reason))
        if needs_reason
        else (lambda: action(request.user, examination)),
        _("Done."),
    )
    target = result if isinstance(result, Examination) else examination
    return redirect("examinations:examination", examination_id=target.global_id)


@login_required
@require_POST
def examination_discard(request, examination_id):
    examination = selectors.get_examination(request.user, examination_id, "change")
    case_id = examination.exhibit.case.global_id
    if (
        _run(request, lambda: actions.discard_examination(request.user, examination), _("Draft discarded."))
        is False
    ):
        return redirect("examinations:examination", examination_id=examination.global_id)
    return redirect("examinations:case", case_id=case_id)


@login_required
@require_POST
def attachment_create(request, case_id):
    case = selectors.get_case(request.user, case_id, "change")
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        _run(
            request,
            lambda: actions.attach_file(
                request.user,
                case,
                form.cleaned_data["file"],
                kind=form.cleaned_data["kind"],
                description=form.cleaned_data["description"],
            ),
            _("File attached."),
        )
    else:
        _form_errors(request, form)
    return redirect("examinations:case", case_id=case.global_id)


@login_required
def attachment_download(request, attachment_id):
    attachment = selectors.get_attachment(request.user, attachment_id)
    actions.record_download(request.user, attachment)
    response = FileResponse(
        filestore.open_stored(attachment.sha256),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["Digest"] = f"sha-256={attachment.sha256}"
    return response


def _run(request, call, success_message):
    """Run an action; show its validation errors as messages. Returns its result, or False if refused."""
    try:
        result = call()
    except ValidationError as exc:
        for message in _messages_of(exc):
            messages.error(request, message)
        return False
    messages.success(request, success_message)
    return result


def _messages_of(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [
            f"{field}: {message}" if field != "__all__" else message
            for field, errors in exc.message_dict.items()
            for message in errors
        ]
    return list(exc.messages)


def _form_errors(request, form):
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)
