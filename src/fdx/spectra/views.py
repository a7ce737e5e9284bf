"""Spectra pages: the libraries, a library's spectra and imports, a spectrum, and library search with the
chemist's view of a match (scores, head-to-tail plot, structure, legal status, recording the finding)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fdx.core.forms_support import add_action_errors
from fdx.core.paging import page_for
from fdx.spectra import actions, formats, selectors
from fdx.spectra.choices import FILE_FORMATS
from fdx.spectra.extensions import SearchStart, record_hit, start_for
from fdx.spectra.forms import IdentificationForm, ImportForm, LibraryForm, ReasonForm, SearchForm
from fdx.spectra.querysets import can_manage, can_search
from fdx.spectra.science.index import SearchOptions
from fdx.spectra.science.peaks import PeakError, nominal, parse_peak_text
from fdx.substances.extensions import SubstanceRef, panels_for
from fdx.substances.selectors import class_choices

PLOTTED_HITS = 5
LEGAL_QUERIES = 10


def _require_search(request) -> None:
    if not can_search(request.user):
        raise PermissionDenied(_("You do not have permission to search the spectral libraries."))


@login_required
def library_list(request):
    """The libraries the user may search; a library manager creates one here."""
    _require_search(request)
    form = LibraryForm(request.POST or None) if can_manage(request.user) else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                library = actions.create_library(request.user, actions.LibraryInput(**form.cleaned_data))
            except ValidationError as exc:
                add_action_errors(form, exc)
            else:
                messages.success(request, _("Library created: import its spectra now."))
                return redirect("spectra:library", library_id=library.global_id)
    return render(
        request,
        "spectra/library_list.html",
        {"page": page_for(request, selectors.libraries_for(request.user), 50, count=False), "form": form},
    )


@login_required
def library_detail(request, library_id):
    """A library's spectra (searchable by name, record or InChIKey) and, for its managers, an import."""
    library = selectors.get_library(request.user, library_id)
    manageable = selectors.libraries_for(request.user, "change").filter(pk=library.pk).exists()
    form = ImportForm(request.POST or None, request.FILES or None) if manageable else None
    report = None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            report = _import(request, library, form)
    text = request.GET.get("q", "")
    page = page_for(request, selectors.spectra_for(request.user, library, text), 50)
    return render(
        request,
        "spectra/library_detail.html",
        {
            "library": library,
            "page": page,
            "q": text,
            "form": form,
            "report": report,
            "manageable": manageable,
        },
    )


def _import(request, library, form):
    upload = form.cleaned_data["file"]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / Path(upload.name).name
        with path.open("wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        try:
            report = actions.import_spectra(
                request.user,
                library,
                path,
                fmt=form.cleaned_data["format"] or None,
                skip_bad=form.cleaned_data["skip_bad"],
            )
        except actions.ImportRefused as refused:
            for problem in refused.problems:
                messages.error(request, problem)
            messages.error(request, _("Nothing was imported."))
            return None
        except ValidationError as exc:
            add_action_errors(form, exc)
            return None
    messages.success(request, _("%(count)s spectra imported.") % {"count": report.imported})
    return report


@login_required
def spectrum_detail(request, spectrum_id):
    spectrum = selectors.get_spectrum(request.user, spectrum_id)
    mz, intensity = spectrum.peaks
    manageable = selectors.libraries_for(request.user, "change").filter(pk=spectrum.library_id).exists()
    return render(
        request,
        "spectra/spectrum_detail.html",
        {
            "spectrum": spectrum,
            "plot": {"mz": mz.tolist(), "intensity": intensity.tolist(), "name": spectrum.name},
            "peaks": list(zip(mz.tolist(), intensity.tolist(), strict=True))[:400],
            "manageable": manageable and spectrum.withdrawn_at is None,
            "withdraw_form": ReasonForm(),
        },
    )


@login_required
@require_POST
def spectrum_withdraw(request, spectrum_id):
    spectrum = selectors.get_spectrum(request.user, spectrum_id)
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            actions.withdraw_spectrum(request.user, spectrum, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The spectrum is withdrawn from searches."))
    else:
        messages.error(request, _("Say why the spectrum is withdrawn."))
    return redirect("spectra:spectrum", spectrum_id=spectrum.global_id)


@login_required
def search(request):
    """Upload or paste an unknown's spectrum (or start from a record of an app above, such as a spectrum
    attached to a case) and see the best hits."""
    _require_search(request)
    form = _search_form(request)
    start = start_for(request)
    results, error = [], ""
    if request.method == "GET" and start is not None and start.read_queries is not None:
        results, error = _search_started(request, start)
    elif request.method == "POST" and form.is_valid():
        try:
            queries = _queries(form.cleaned_data)
            results = selectors.search(request.user, queries, _filters(form.cleaned_data))
        except (PeakError, formats.FormatError, ValueError) as exc:
            error = str(exc)
    _add_panels(results)
    if start is not None and start.recordable:
        for result in results:
            for hit in result.hits:
                hit.token = IdentificationForm.token_for(hit, result.query.name)
    return render(
        request,
        "spectra/search.html",
        {
            "form": form,
            "results": results,
            "error": error,
            "start": start,
            "plots": _plots(results),
            "shortlist_share": SearchOptions.plausible,
            "no_spectra": not selectors.has_searchable_spectra(request.user),
            "can_manage": can_manage(request.user),
            "file_formats": ", ".join(str(label) for label in FILE_FORMATS.values()),
        },
    )


def _search_started(request, start: SearchStart) -> tuple[list, str]:
    """Search the spectra a record brought (a case's file), or say why they cannot be read."""
    try:
        queries = start.read_queries()
    except (formats.FormatError, ValueError) as exc:
        return [], str(exc)
    try:
        return selectors.search(request.user, queries, selectors.SearchFilters()), ""
    except PeakError as exc:
        return [], str(exc)


def _search_form(request) -> SearchForm:
    libraries = [(str(lib.global_id), str(lib)) for lib in selectors.libraries_for(request.user)]
    classes = [(c.code, c.name) for c in class_choices()]
    data = request.POST if request.method == "POST" else None
    return SearchForm(data, request.FILES or None, library_choices=libraries, class_choices=classes)


def _filters(values: dict) -> selectors.SearchFilters:
    return selectors.SearchFilters(
        libraries=tuple(values.get("libraries") or ()),
        substance_class=values.get("substance_class") or "",
        retention_window=values.get("retention_window"),
        top=values.get("top") or 10,
    )


def _queries(values: dict) -> list[selectors.QuerySpectrum]:
    upload = values.get("file")
    if upload is not None:
        from fdx.spectra.transfer import read_queries

        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / Path(upload.name).name
            with path.open("wb") as handle:
                for chunk in upload.chunks():
                    handle.write(chunk)
            return read_queries(path)
    if not (values.get("peaks") or "").strip():
        raise ValueError(_("Upload a file of spectra or paste the peaks."))
    mz, intensity = parse_peak_text(values["peaks"])
    nominal(mz, intensity)
    name = values.get("name") or _("pasted spectrum")
    return [selectors.QuerySpectrum(name, mz, intensity, values.get("retention_index"))]


def _plots(results) -> list[dict]:
    """Head-to-tail data for the first hits of each query: the query up, the reference down, both on the
    nominal scale the scores use."""
    plots = []
    for number, result in enumerate(results[:LEGAL_QUERIES]):  # a file of a thousand is not plotted whole
        query = result.query.nominal()
        for hit in result.hits[:PLOTTED_HITS]:
            mz, intensity = hit.spectrum.peaks
            reference = nominal(mz, intensity)
            plots.append(
                {
                    "id": f"plot-{number}-{hit.rank}",
                    "query_name": result.query.name,
                    "reference_name": hit.spectrum.name,
                    "query": [query.mz.tolist(), query.intensity.tolist()],
                    "reference": [reference.mz.tolist(), reference.intensity.tolist()],
                }
            )
    return plots


def _add_panels(results) -> None:
    """What the apps above say about each query's best hit (its legal status today, say), for the first
    queries of a file."""
    for result in results[:LEGAL_QUERIES]:
        if result.hits:
            spectrum = result.hits[0].spectrum
            result.panels = panels_for(
                SubstanceRef(spectrum.substance, spectrum.inchikey, spectrum.name, placement="hit")
            )


@login_required
@require_POST
def record_identification(request):
    """Record a hit in the record the search came from (a finding of an examination): the app that owns
    that record does it, through the spectra app's extension point."""
    form = IdentificationForm(request.POST)
    if not form.is_valid():
        raise Http404(_("No such spectrum."))
    target = record_hit(request, form.cleaned_data["hit"])
    if target is None:
        raise Http404(_("Nothing to record this hit in."))
    return redirect(target)
