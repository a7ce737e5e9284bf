"""Harmonisation pages (served under /legal/, built here because they count findings): the matrix and the
gap report (on screen, CSV, XLSX) and "what if" a proposed listing had been in force."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from fdx.core.paging import page_for
from fdx.examinations import harmonisation
from fdx.legal import harmonisation as legal_harmonisation
from fdx.legal.forms import HarmonisationForm, WhatIfForm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def matrix_view(request):
    """The matrix of substances × jurisdictions and the gap report, on screen or as CSV/XLSX."""
    central_asia = list(legal_harmonisation.CENTRAL_ASIA)
    form = HarmonisationForm(request.GET or None, initial={"jurisdictions": central_asia})
    codes, day = central_asia, None
    if form.is_bound and not form.is_valid():
        # A selection that cannot be read is said so, never answered (or exported) for another one.
        return render(request, "examinations/harmonisation.html", {"form": form, "table": None}, status=400)
    if form.is_bound:
        codes = list(dict.fromkeys(form.cleaned_data["jurisdictions"])) or codes
        day = form.cleaned_data["date"]
    table, gaps = harmonisation.gaps(request.user, codes, day)
    export = request.GET.get("export")
    if export == "matrix.csv":
        return _download(legal_harmonisation.matrix_csv(table), "text/csv; charset=utf-8", "matrix.csv")
    if export == "gaps.csv":
        return _download(legal_harmonisation.gaps_csv(gaps), "text/csv; charset=utf-8", "gaps.csv")
    if export == "xlsx":
        return _download(legal_harmonisation.workbook(table, gaps), XLSX, "xlsx")
    rows = page_for(request, table.rows, 100)
    return render(
        request,
        "examinations/harmonisation.html",
        {
            "form": form,
            "table": table,
            "rows": rows,
            "gaps": gaps[:200],
            "gap_count": len(gaps),
            "query_string": request.GET.urlencode(),
        },
    )


@login_required
def what_if_view(request):
    """Which past findings a proposed listing would have covered, and which were uncontrolled then."""
    form = WhatIfForm(request.GET or None)
    result = None
    if form.is_bound and form.is_valid():
        values = form.cleaned_data
        proposal = legal_harmonisation.Proposal(
            values["jurisdiction"],
            values["structure"].strip(),
            values["smarts"].strip(),
            values["generic_code"],
            values["effective_from"],
        )
        try:
            result = harmonisation.what_if(request.user, proposal)
        except legal_harmonisation.ProposalError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
    return render(request, "examinations/what_if.html", {"form": form, "result": result})


def _download(content, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    filename = "fdx-harmonisation.xlsx" if name == "xlsx" else f"fdx-harmonisation-{name}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
