"""Legal-status pages: the status of a structure in every jurisdiction, the lists and their entries, and their
maintenance by node administrators. (Harmonisation, which weighs the lists against the findings, is served by
the examinations app, above this one.)"""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fdx.core.forms_support import add_action_errors
from fdx.core.paging import page_for
from fdx.legal import actions, selectors
from fdx.legal.extensions import source_for
from fdx.legal.forms import (
    CompletenessForm,
    EndForm,
    ImportForm,
    ListingForm,
    ReasonForm,
    StatusForm,
)
from fdx.substances.selectors import search_by_name


@login_required
def status(request):
    """Paste a structure, pick a substance or come from a record of an app above (a finding); see the
    answer in every jurisdiction."""
    start, data = None, request.GET or None
    found = source_for(request.GET)
    if found is not None:
        source, value = found
        try:
            start = source.start(request.user, value)
        except LookupError as missing:
            raise Http404(str(missing) or _("Not found.")) from None
        data = start.data
    form = StatusForm(data)
    answers, query, substance = [], None, None
    if form.is_bound and form.is_valid():
        values = form.cleaned_data
        substance = values.get("substance")
        if values.get("structure"):
            query = selectors.query_for(structure=values["structure"].strip())
            substance = None
        else:
            query = selectors.query_for_substance(substance)
        question = selectors.Question(
            tuple(values.get("jurisdictions") or ()), values.get("date"), values.get("amount_g")
        )
        answers = selectors.assess([query], question)
        if start is not None:
            start.refine(answers, query, substance)
    return render(
        request,
        "legal/status.html",
        {
            "form": form,
            "answers": answers,
            "query": query,
            "start": start,
            "substance": substance,
            "candidates": _candidates(form),
        },
    )


def _candidates(form) -> list:
    """Registry substances whose names resemble a substance name the form could not resolve, to pick from."""
    text = (form.data.get("substance") or "").strip() if form.is_bound else ""
    if not text or "substance" not in form.errors:
        return []
    return list(search_by_name(text)[:8])


# The lists


@login_required
def lists(request):
    """Every jurisdiction with its lists: entries, verified entries, completeness; maintainers' tools."""
    summary = selectors.list_summary()
    jurisdictions = []
    for jurisdiction in selectors.list_jurisdictions():
        rows = [row for row in summary if row["jurisdiction"] == jurisdiction.code]
        jurisdictions.append(
            {
                "jurisdiction": jurisdiction,
                "lists": rows,
                "entries": sum(r["entries"] for r in rows),
                "verified": sum(r["verified"] for r in rows),
                "may_maintain": actions.may_maintain(request.user, jurisdiction),
            }
        )
    return render(request, "legal/lists.html", {"jurisdictions": jurisdictions})


@login_required
def list_detail(request, code):
    control_list = _get(selectors.get_list, code)
    day = _date_param(request.GET.get("date"))
    history = request.GET.get("history") == "1"
    page = page_for(request, selectors.list_listings(control_list, day=day, include_history=history), 100)
    return render(
        request,
        "legal/list_detail.html",
        {
            "control_list": control_list,
            "page": page,
            "day": day,
            "history": history,
            "incorporations": control_list.incorporations.select_related("incorporated_list"),
            "incorporated_by": control_list.incorporated_by.select_related("national_list"),
            "generics": control_list.generic_definitions.all(),
            "may_maintain": actions.may_maintain(request.user, control_list.jurisdiction),
        },
    )


@login_required
def listing_detail(request, listing_id):
    listing = _get(selectors.get_listing, listing_id)
    jurisdiction = listing.control_list.jurisdiction
    return render(
        request,
        "legal/listing_detail.html",
        {
            "listing": listing,
            "history": selectors.listing_history(listing),
            "may_maintain": actions.may_maintain(request.user, jurisdiction)
            and listing.recorded_to is None
            and listing.is_local,
            "end_form": EndForm(),
            "withdraw_form": ReasonForm(),
        },
    )


@login_required
def listing_add(request, code):
    control_list = _get(selectors.get_list, code)
    jurisdiction = control_list.jurisdiction
    _require_maintainer(request.user, jurisdiction)
    form = ListingForm(
        request.POST or None, jurisdiction=jurisdiction, initial={"list_code": control_list.code}
    )
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        reason = values.pop("reason")
        try:
            listing = actions.add_listing(request.user, actions.listing_row(**values), reason=reason)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The entry was added."))
            return redirect("legal:listing", listing.global_id)
    return render(
        request,
        "legal/listing_form.html",
        {
            "form": form,
            "control_list": control_list,
            "title": _("New entry of %(list)s") % {"list": control_list.code},
        },
    )


@login_required
def listing_correct(request, listing_id):
    listing = _get(selectors.get_listing, listing_id)
    jurisdiction = listing.control_list.jurisdiction
    _require_maintainer(request.user, jurisdiction)
    if listing.recorded_to is not None:
        raise Http404(_("This record was already replaced."))
    initial = vars(actions.row_of(listing))
    form = ListingForm(request.POST or None, jurisdiction=jurisdiction, reason_required=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        reason = values.pop("reason")
        try:
            successor = actions.correct_listing(
                request.user, listing, actions.listing_row(**values), reason=reason
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The entry was corrected; the previous record is kept."))
            return redirect("legal:listing", successor.global_id)
    return render(
        request,
        "legal/listing_form.html",
        {
            "form": form,
            "control_list": listing.control_list,
            "listing": listing,
            "title": _("Correct an entry"),
        },
    )


@login_required
@require_POST
def listing_end(request, listing_id):
    listing = _get(selectors.get_listing, listing_id)
    form = EndForm(request.POST)
    if form.is_valid():
        try:
            successor = actions.end_listing(
                request.user, listing, form.cleaned_data["effective_to"], reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The entry now ends on %(day)s.") % {"day": successor.effective_to})
            return redirect("legal:listing", successor.global_id)
    else:
        messages.error(request, _("Give the last day in force and a reason."))
    return redirect("legal:listing", listing.global_id)


@login_required
@require_POST
def listing_withdraw(request, listing_id):
    listing = _get(selectors.get_listing, listing_id)
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            actions.withdraw_listing(request.user, listing, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The entry was withdrawn; it stays on record."))
    else:
        messages.error(request, _("Say why the entry is withdrawn."))
    return redirect("legal:listing", listing.global_id)


@login_required
def jurisdiction_import(request, code):
    jurisdiction = _get(selectors.get_jurisdiction, code)
    _require_maintainer(request.user, jurisdiction)
    form = ImportForm(request.POST or None, request.FILES or None)
    counts, problems = None, []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:  # the reader checks the bytes are UTF-8 and names the line of one that is not
            counts = actions.import_listings(
                request.user,
                jurisdiction,
                io.BytesIO(upload.read()),
                upload.name,
                dry_run=form.cleaned_data["dry_run"],
                reason=form.cleaned_data["reason"],
            )
        except actions.ImportRefused as refused:
            problems = refused.problems
        else:
            if not form.cleaned_data["dry_run"]:
                messages.success(
                    request,
                    _("Imported: %(added)s added, %(corrected)s corrected, %(unchanged)s unchanged.")
                    % counts,
                )
                return redirect("legal:lists")
    return render(
        request,
        "legal/import.html",
        {"form": form, "jurisdiction": jurisdiction, "counts": counts, "problems": problems},
    )


@login_required
def jurisdiction_export(request, code):
    jurisdiction = _get(selectors.get_jurisdiction, code)
    text, _count = selectors.export_listings(jurisdiction)
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="fdx-listings-{jurisdiction.code}.csv"'
    return response


@login_required
def jurisdiction_completeness(request, code):
    jurisdiction = _get(selectors.get_jurisdiction, code)
    _require_maintainer(request.user, jurisdiction)
    form = CompletenessForm(request.POST or None, initial={"lists_complete": jurisdiction.lists_complete})
    if request.method == "POST" and form.is_valid():
        actions.set_lists_complete(
            request.user,
            jurisdiction,
            form.cleaned_data["lists_complete"],
            reason=form.cleaned_data["reason"],
        )
        messages.success(request, _("Saved."))
        return redirect("legal:lists")
    return render(request, "legal/completeness.html", {"form": form, "jurisdiction": jurisdiction})


def _get(getter, key):
    try:
        return getter(key)
    except ObjectDoesNotExist:
        raise Http404(_("Not found.")) from None


def _require_maintainer(user, jurisdiction) -> None:
    if not actions.may_maintain(user, jurisdiction):
        raise PermissionDenied(_("You may maintain only the lists of your own jurisdiction."))


def _date_param(text):
    import datetime

    try:
        return datetime.date.fromisoformat(text) if text else None
    except ValueError:
        return None
