"""Spectral identification started from case data: the spectra app's search page, opened from an examination
(a hit can then be recorded as its finding) or from a spectrum file attached to a case (searched at once).

This plugs into the spectra app's extension point (``ExaminationsConfig.ready`` registers it): the spectra app
knows nothing of cases.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from fdx.core import filestore
from fdx.examinations import actions, selectors
from fdx.spectra import selectors as spectra_selectors
from fdx.spectra.extensions import SearchSource, SearchStart
from fdx.spectra.transfer import read_queries


def start_search(request) -> SearchStart | None:
    """The search page's start from ``?examination=`` (the user may record in it) and ``?attachment=``."""
    examination = _examination(request)
    attachment_id = request.GET.get("attachment") if request.method == "GET" else None
    if examination is None and not attachment_id:
        return None
    start = SearchStart()
    if examination is not None:
        start.message = _(
            "For case %(reference)s, exhibit %(label)s: a hit can be recorded as a finding of this "
            "examination."
        ) % {"reference": examination.exhibit.case.reference, "label": examination.exhibit.label}
        start.hidden = {"examination": str(examination.global_id)}
        start.recordable = True
    if attachment_id:
        attachment = _attachment(request, attachment_id)
        start.read_queries = lambda: _read_attachment(request, attachment)
    return start


def record_hit(request, hit: dict) -> str | None:
    """Record a signed hit as a finding of the examination the search page carried."""
    examination_id = request.POST.get("examination")
    if not examination_id:
        return None
    try:
        examination = selectors.get_examination(request.user, examination_id, "change")
    except ValidationError:  # not an identifier at all
        raise Http404(_("No such examination.")) from None
    spectrum = spectra_selectors.get_spectrum(request.user, hit["spectrum"])
    try:
        actions.record_identification(
            request.user,
            examination,
            spectrum,
            score=hit["score"],
            reverse=hit["reverse"],
            query=hit["query"],
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Identification recorded as a finding."))
    return reverse("examinations:examination", kwargs={"examination_id": examination.global_id})


#: Registered with the spectra app in ``ExaminationsConfig.ready``.
CASE_SEARCH_SOURCE = SearchSource(start_search, record_hit)


def _examination(request):
    """The examination a search was started from, when the user may record findings in it."""
    examination_id = request.GET.get("examination") or request.POST.get("examination")
    if not examination_id:
        return None
    try:
        return selectors.get_examination(request.user, examination_id, "change")
    except (PermissionDenied, ValidationError, Http404):  # a stale link, or not the user's to change
        return None


def _attachment(request, attachment_id):
    try:
        return selectors.get_attachment(request.user, attachment_id)
    except ValidationError:  # not an identifier at all
        raise Http404(_("No such attachment.")) from None


def _read_attachment(request, attachment) -> list:
    """The spectra of a case's file (reading it is recorded as a download)."""
    actions.record_download(request.user, attachment)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / Path(attachment.original_name).name
        with filestore.open_stored(attachment.sha256) as source, path.open("wb") as target:
            shutil.copyfileobj(source, target)
        return read_queries(path)
