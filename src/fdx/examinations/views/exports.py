"""Pages of the findings exports prepared in the background: start one (from the Cases page's filters), follow
its progress, download it, cancel it, and the reader's own list of them."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fdx.examinations import export_runs
from fdx.examinations.choices import ExportFormat, ExportRunState
from fdx.examinations.exports import streaming_export
from fdx.examinations.views.cases import _filters, _require_reader


@login_required
def case_export(request):
    """The findings of the listed cases as CSV (the same filters as the list); audited."""
    return _export(request, "csv")


@login_required
def case_export_json(request):
    """The findings of the listed cases as a JSON array (the same filters as the list); audited."""
    return _export(request, "json")


def _export(request, file_format: str):
    """The findings of the listed cases: streamed when small; above ``FDX_EXPORT_BACKGROUND_ROWS`` (counted
    up to it), a page that offers to prepare the file in the background instead (a GET changes nothing)."""
    _require_reader(request.user)
    filters = _filters(request)
    if filters is None:  # never export everything because one filter could not be read
        return HttpResponseBadRequest(
            _("A filter could not be read; correct it on the list and export again.")
        )
    limit = settings.FDX_EXPORT_BACKGROUND_ROWS
    if export_runs.exceeds(request.user, filters, limit):
        query = request.GET.copy()
        query.pop("page", None)
        return render(
            request,
            "examinations/export_large.html",
            {"file_format": file_format, "limit": limit, "export_query": query.urlencode()},
        )
    return streaming_export(request.user, filters, file_format)


@login_required
@require_POST
def run_start(request):
    """Start a background export of the listed cases' findings (filters in the query, format in the form)."""
    _require_reader(request.user)
    filters = _filters(request)
    file_format = request.POST.get("format", "")
    if filters is None or file_format not in ExportFormat.values:
        return HttpResponseBadRequest(
            _("A filter could not be read; correct it on the list and export again.")
        )
    run = export_runs.start_export_run(request.user, filters, file_format)
    return redirect("examinations:export-run", run_id=run.global_id)


@login_required
def run_list(request):
    _require_reader(request.user)
    runs = export_runs.list_runs(request.user)[:100]
    return render(request, "examinations/export_run_list.html", {"runs": runs})


@login_required
def run_detail(request, run_id):
    run = export_runs.get_run(request.user, run_id)
    return render(request, "examinations/export_run.html", {"run": run, "status": export_runs.status(run)})


@login_required
def run_status(request, run_id):
    """The run's progress as JSON, polled by the run page every two seconds."""
    return JsonResponse(export_runs.status(export_runs.get_run(request.user, run_id)))


@login_required
@require_POST
def run_cancel(request, run_id):
    run = export_runs.get_run(request.user, run_id)
    try:
        export_runs.cancel_export_run(request.user, run)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The export was cancelled."))
    return redirect("examinations:export-run", run_id=run.global_id)


@login_required
def run_download(request, run_id):
    run = export_runs.get_run(request.user, run_id)
    if run.state != ExportRunState.DONE:
        messages.error(request, _("The export is not ready."))
        return redirect("examinations:export-run", run_id=run.global_id)
    return export_runs.file_response(request.user, run)
