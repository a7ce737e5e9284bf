"""Case pages: the list with filters, a case with its exhibits, examinations and findings, the forms that
record them, the workflow buttons, and attachments. Every read goes through the selectors and every change
through the actions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, PermissionDenied, ValidationError
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fdx.core import filestore
from fdx.core.forms_support import RenderedForm, add_action_errors, blank_form_html
from fdx.core.paging import page_for
from fdx.examinations import actions, case_notes, selectors, workflow
from fdx.examinations.choices import ExaminationStatus
from fdx.examinations.extensions import panels_for as case_panels
from fdx.examinations.forms import (
    AttachmentForm,
    CaseFilterForm,
    CaseForm,
    CaseNoteForm,
    ExaminationForm,
    ExhibitFormForm,
    FindingForm,
    ReasonForm,
    ReviewForm,
)
from fdx.examinations.legal_status import finding_status
from fdx.examinations.models import Examination
from fdx.examinations.querysets import can_record, can_view_case_data


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
        # As the rows show them: neither the examinations' methods nor the substances' classes.
        cases = selectors.list_cases(request.user, filters)
        cases = selectors.with_contents(cases, request.user, for_page=True)
    page = page_for(request, cases, 25)
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
    form = CaseForm(request.POST or None, initial=initial, editing=True)
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
    case = selectors.get_case(request.user, case_id, for_page=True)
    actions.record_case_view(request.user, case)
    return _case_page(request, case)


def _case_page(
    request,
    case,
    *,
    exhibit_form=None,
    examination_form=None,
    examination_of=None,
    attachment_form=None,
    note_form=None,
):
    """The case page; a form that was refused comes back bound, with its errors and what was typed
    (status 400), so nothing has to be entered again. Blank forms are rendered once per process and
    language (``blank_form_html``): rendering them was most of the page's time."""
    is_owner = case.owner_organisation_id == request.user.organisation_id and can_record(request.user)
    if is_owner:
        _examination_forms(case, examination_form, examination_of)
    refused_form = any(
        form is not None for form in (exhibit_form, examination_form, attachment_form, note_form)
    )
    may_note = case_notes.may_add_notes(request.user)
    return render(
        request,
        "examinations/case_detail.html",
        {
            "case": case,
            "is_owner": is_owner,
            "attachments": selectors.list_attachments(request.user, case),
            "exhibit_form": exhibit_form or _blank(ExhibitFormForm, is_owner, prefix="exhibit"),
            "attachment_form": attachment_form or _blank(AttachmentForm, is_owner),
            "is_reviewer": request.user.has_perm("examinations.review_examination"),
            "panels": case_panels(case, request.user),
            # The reader's organisation's notes (this node only); any reader of the case who may write
            # notes gets the form, on a received copy too.
            "notes": list(case_notes.case_notes(request.user, case)),
            "note_form": note_form or (RenderedForm(blank_form_html(CaseNoteForm)) if may_note else None),
        },
        status=400 if refused_form else 200,
    )


def _blank(form_class, is_owner: bool, **options) -> RenderedForm | None:
    """A blank form of the case page, for its owner only (nobody else is shown one)."""
    return RenderedForm(blank_form_html(form_class, **options)) if is_owner else None


def _examination_forms(case, examination_form, examination_of) -> None:
    """Give each exhibit of the case its "start an examination" form, with ids of its own on the page. The
    blank form is rendered once (per process, language and list of methods) and its ids filled in per
    exhibit: a case of many exhibits would otherwise render the same form (and read the methods) once per
    exhibit. A refused form comes back as it was."""
    methods = tuple((method.code, str(method)) for method in selectors.analytical_methods())
    blank = blank_form_html(
        ExaminationForm,
        choices=(("methods", methods),),
        prefix="examination",
        auto_id="id_exhibit__EXHIBIT___%s",
    )
    for exhibit in case.exhibits.all():
        if examination_form is not None and exhibit.pk == examination_of:
            exhibit.examination_form = examination_form
        else:  # the marker is ours and the primary key a number: nothing from a user enters the markup
            exhibit.examination_form = RenderedForm(blank.replace("__EXHIBIT__", str(exhibit.pk)))


@login_required
@require_POST
def exhibit_create(request, case_id):
    case = selectors.get_case(request.user, case_id, "change", for_page=True)
    form = ExhibitFormForm(request.POST, prefix="exhibit")
    if _run_form(request, form, lambda: actions.add_exhibit(request.user, case, **form.cleaned_data)):
        messages.success(request, _("Exhibit added."))
        return redirect("examinations:case", case_id=case.global_id)
    return _case_page(request, case, exhibit_form=form)


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
            add_action_errors(form, exc, reason_form)
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
    form = ExaminationForm(request.POST, prefix="examination", auto_id=f"id_exhibit{exhibit.pk}_%s")
    examination = _run_form(
        request, form, lambda: actions.start_examination(request.user, exhibit, **_examination_values(form))
    )
    if examination:
        messages.success(request, _("Draft examination started."))
        return redirect("examinations:examination", examination_id=examination.global_id)
    case = selectors.get_case(request.user, exhibit.case.global_id, for_page=True)
    return _case_page(request, case, examination_form=form, examination_of=exhibit.pk)


def _examination_values(form) -> dict:
    values = dict(form.cleaned_data)
    values["methods"] = [method.code for method in values["methods"]]
    return values


@login_required
def examination_detail(request, examination_id):
    examination = selectors.get_examination(request.user, examination_id)
    return _examination_page(request, examination)


#: The ids of the examination page's change form: the finding form beside it has fields of the same names.
EXAMINATION_EDIT_IDS = "id_examination_%s"


def _examination_page(request, examination, *, finding_form=None, edit_form=None):
    """The examination page; a refused form comes back bound, with its errors and input (status 400)."""
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
            "returned_because": selectors.return_comment(examination) if is_owner else "",
            "may_review": examination.status == ExaminationStatus.SUBMITTED
            and workflow.may_review(request.user, examination),
            "finding_form": finding_form or FindingForm(),
            "edit_form": edit_form
            or ExaminationForm(
                auto_id=EXAMINATION_EDIT_IDS,
                initial={
                    "request_number": examination.request_number,
                    "received_date": examination.received_date,
                    "completed_date": examination.completed_date,
                    "conclusion": examination.conclusion,
                    "methods": [m.code for m in examination.methods.all()],
                    "shareable_fields": examination.shareable_fields,
                },
            ),
            "reason_form": ReasonForm(),
            "missing": workflow.completeness_problems(examination)
            if examination.is_editable and is_owner
            else {},
            "findings": _with_legal_status(examination),
        },
        status=400 if finding_form is not None or edit_form is not None else 200,
    )


def _with_legal_status(examination) -> list:
    """The findings, each with its legal status and amount category where and when it was seized."""
    findings = list(examination.findings.select_related("substance__parent"))
    shared: dict = {}
    for finding in findings:
        finding.legal_status = finding_status(finding, shared)
    return findings


@login_required
@require_POST
def examination_edit(request, examination_id):
    examination = selectors.get_examination(request.user, examination_id, "change")
    form = ExaminationForm(request.POST, auto_id=EXAMINATION_EDIT_IDS)
    if _run_form(
        request,
        form,
        lambda: actions.update_examination(request.user, examination, **_examination_values(form)),
    ):
        messages.success(request, _("Saved."))
        return redirect("examinations:examination", examination_id=examination.global_id)
    return _examination_page(request, _reread(request, examination), edit_form=form)


def _reread(request, examination):
    """The examination as its page shows it (with its findings and methods), after a refused change."""
    return selectors.get_examination(request.user, examination.global_id)


@login_required
@require_POST
def finding_create(request, examination_id):
    examination = selectors.get_examination(request.user, examination_id, "change")
    form = FindingForm(request.POST)
    if _run_form(request, form, lambda: actions.add_finding(request.user, examination, **form.cleaned_data)):
        messages.success(request, _("Finding recorded."))
        return redirect("examinations:examination", examination_id=examination.global_id)
    return _examination_page(request, _reread(request, examination), finding_form=form)


@login_required
@require_POST
def finding_delete(request, finding_id):
    finding = selectors.get_finding(request.user, finding_id, "change")
    examination_id = finding.examination.global_id
    _run(request, lambda: actions.remove_finding(request.user, finding), _("Finding removed."))
    return redirect("examinations:examination", examination_id=examination_id)


WORKFLOW = {
    "submit": (actions.submit_examination, False),
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
def examination_review(request, examination_id, decision):
    """Approve or return a submitted examination, after a confirmation page that takes the reviewer's
    comment (required to return it). The author is refused here as by the action (four eyes)."""
    examination = selectors.get_examination(request.user, examination_id, "view")
    approving = decision == "approve"
    try:
        workflow.guard_review(request.user, examination, ExaminationStatus.SUBMITTED)
        if approving:
            workflow.guard_not_a_contributor(request.user, examination)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("examinations:examination", examination_id=examination.global_id)
    form = ReviewForm(request.POST or None, comment_required=not approving)
    if request.method == "POST" and request.POST.get("confirm") == "yes" and form.is_valid():
        comment = form.cleaned_data["comment"]
        try:
            if approving:
                actions.approve_examination(request.user, examination, comment=comment)
            else:
                actions.return_examination(request.user, examination, reason=comment)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            done = _("Examination approved.") if approving else _("Examination returned to its author.")
            messages.success(request, done)
            return redirect("examinations:examination", examination_id=examination.global_id)
    return render(
        request,
        "examinations/review_confirm.html",
        {
            "examination": examination,
            "case": examination.exhibit.case,
            "exhibit": examination.exhibit,
            "approving": approving,
            "form": form,
        },
        status=400 if form.errors else 200,
    )


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
    case = selectors.get_case(request.user, case_id, "change", for_page=True)
    form = AttachmentForm(request.POST, request.FILES)
    attached = _run_form(
        request,
        form,
        lambda: actions.attach_file(
            request.user,
            case,
            form.cleaned_data["file"],
            kind=form.cleaned_data["kind"],
            description=form.cleaned_data["description"],
            shareable_fields=form.cleaned_data["shareable_fields"],
        ),
    )
    if attached:
        messages.success(request, _("File attached."))
        return redirect("examinations:case", case_id=case.global_id)
    return _case_page(request, case, attachment_form=form)


@login_required
@require_POST
def note_create(request, case_id):
    """Add a note of the reader's organisation to a case they may see (their own, shared, or received)."""
    case = selectors.get_case(request.user, case_id, for_page=True)
    if not case_notes.may_add_notes(request.user):
        raise PermissionDenied(_("Your roles do not include writing notes on cases."))
    form = CaseNoteForm(request.POST)
    if _run_form(
        request, form, lambda: case_notes.add_case_note(request.user, case, form.cleaned_data["text"])
    ):
        messages.success(request, _("Note added. It stays on this node; only your organisation sees it."))
        return redirect(f"{reverse('examinations:case', kwargs={'case_id': case.global_id})}#notes")
    return _case_page(request, case, note_form=form)


@login_required
@require_POST
def note_delete(request, note_id):
    """Delete one's own note (another's is refused by the action: 403; one not visible is a 404)."""
    note = case_notes.get_note(request.user, note_id)
    case_notes.delete_case_note(request.user, note)
    messages.success(request, _("Note deleted."))
    return redirect(f"{reverse('examinations:case', kwargs={'case_id': note.case.global_id})}#notes")


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
    """The messages of an action's refusal, each naming its field by its label in the user's language
    (never the field's code name)."""
    if hasattr(exc, "error_dict"):
        return [
            _labelled(_field_label(field), message)
            for field, errors in exc.message_dict.items()
            for message in errors
        ]
    return list(exc.messages)


def _field_label(field: str) -> str:
    """The label of an examination's field (the workflow's refusals name them), or "" for none."""
    if field == NON_FIELD_ERRORS:
        return ""
    try:
        return capfirst(Examination._meta.get_field(field).verbose_name)
    except FieldDoesNotExist:
        return ""


def _labelled(label: str, message: str) -> str:
    return _("%(field)s: %(message)s") % {"field": label, "message": message} if label else message


def _run_form(request, form, call):
    """Validate ``form``, then run the action ``call``; on a refusal, put the action's errors on the form
    and summarise every error above the page, each named by its field's label. Returns the action's
    result, or None when refused."""
    if form.is_valid():
        try:
            return call() or True
        except ValidationError as exc:
            add_action_errors(form, exc)
    _form_errors(request, form)
    return None


def _form_errors(request, form):
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, _labelled(str(label), error))
