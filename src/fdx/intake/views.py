"""The import page: upload a file to check or import, the laboratory's runs, a run's problems."""

from __future__ import annotations

import csv
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from fdx.core.forms_support import add_action_errors
from fdx.intake import actions, schema, selectors
from fdx.intake.forms import ImportForm, MappingForm
from fdx.intake.mapping_text import lines_of, mapping_from_lines

#: How many problems a run's page shows (the CSV has every one the run kept).
SHOWN_PROBLEMS = 500


@login_required
def import_page(request):
    runs = selectors.runs_for(request.user)[:20]
    mappings = selectors.mappings_for(request.user)
    chosen = mappings.filter(name=request.GET.get("mapping", "")).first()
    form = ImportForm(
        request.POST or None,
        request.FILES or None,
        mappings=mappings,
        initial={"mapping": chosen.pk if chosen else None},
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            outcome = actions.import_file(
                request.user,
                upload,
                upload.name,
                mapping=form.cleaned_data["mapping"],
                dry_run=form.cleaned_data["dry_run"],
                partial=form.cleaned_data["partial"],
            )
        except (ValidationError, PermissionDenied) as exc:
            add_action_errors(form, exc if isinstance(exc, ValidationError) else ValidationError(str(exc)))
        else:
            messages.success(request, _summary(outcome.run))
            return redirect("intake:run", outcome.run.global_id)
    return render(
        request,
        "intake/import.html",
        {"form": form, "runs": runs, "mappings": mappings, "columns": schema.COLUMNS},
    )


@login_required
def mapping_edit(request, name=None):
    """A new mapping (from a run: its unknown columns and names set out to be filled in) or a saved one."""
    saved = selectors.get_mapping(request.user, name) if name else None
    initial = lines_of(saved) if saved is not None else {}
    run_id = request.GET.get("run")
    if saved is None and run_id:
        run = selectors.get_run(request.user, run_id)
        initial = {
            "columns": "\n".join(f"{header} = " for header in run.ignored_columns),
            "substances": "\n".join(f"{name} = " for name in run.unresolved_names),
        }
    form = MappingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data
        try:
            mapping = mapping_from_lines(
                values["columns"], values["units"], values["values"], values["substances"]
            )
            saved = actions.save_mapping(request.user, request.user.organisation, values["name"], mapping)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The mapping %(name)s was saved.") % {"name": saved.name})
            return redirect(f"{reverse('intake:import')}?mapping={saved.name}")
    return render(request, "intake/mapping.html", {"form": form, "mapping": saved, "fields": schema.COLUMNS})


@login_required
def run_detail(request, run_id):
    run = selectors.get_run(request.user, run_id)
    return render(
        request,
        "intake/run.html",
        {"run": run, "problems": run.problems[:SHOWN_PROBLEMS], "shown": SHOWN_PROBLEMS},
    )


@login_required
def run_undo(request, run_id):
    run = selectors.get_run(request.user, run_id)
    if request.method != "POST":
        return redirect("intake:run", run.global_id)
    try:
        actions.undo_run(request.user, run, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The import was undone: its cases were removed."))
    return redirect("intake:run", run.global_id)


@login_required
def run_problems_csv(request, run_id):
    run = selectors.get_run(request.user, run_id)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_("file"), _("row"), _("column"), _("value"), _("message")])
    for problem in run.problems:
        writer.writerow(
            [problem["file"], problem["line"] or "", problem["column"], problem["value"], problem["message"]]
        )
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="problems-{run.global_id}.csv"'
    return response


@login_required
def template_file(request, file_format):
    language = request.GET.get("lang") or ("ru" if (get_language() or "").startswith("ru") else "en")
    if language not in ("en", "ru"):
        raise Http404
    if file_format == "xlsx":
        response = HttpResponse(
            schema.template_xlsx(language),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = HttpResponse(schema.template_csv(language), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="fdx-import-template-{language}.{file_format}"'
    return response


def _summary(run) -> str:
    return _("%(state)s: %(rows)s rows read, %(refused)s refused, %(cases)s cases written.") % {
        "state": run.get_state_display(),
        "rows": run.rows_read,
        "refused": run.rows_refused,
        "cases": run.cases_written,
    }
