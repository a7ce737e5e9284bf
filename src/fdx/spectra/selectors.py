"""Reads of the spectral libraries that enforce access: libraries and spectra a user may see, and library
search restricted to them."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext as _

from fdx.core.actors import is_system
from fdx.spectra import index_store
from fdx.spectra.choices import SpectrumKind
from fdx.spectra.models import SpectralLibrary, Spectrum
from fdx.spectra.querysets import can_search
from fdx.spectra.science.index import SearchOptions
from fdx.spectra.science.peaks import NominalSpectrum, nominal

MAX_TOP = 100


def _libraries(user, action: str) -> QuerySet[SpectralLibrary]:
    """The restricted libraries; every library for the system (the operator's command line)."""
    return (
        SpectralLibrary.objects.all() if is_system(user) else SpectralLibrary.objects.restrict(user, action)
    )


def libraries_for(user, action: str = "view") -> QuerySet[SpectralLibrary]:
    """The libraries ``user`` may see (or change), with how many spectra each holds.

    The count is a subquery per library row (over ``spectrum_library_key``), not a join grouped over the
    whole spectrum table: so a page in ``(name, version)`` order comes from the library's order index and
    only the page's libraries are counted."""
    spectra = (
        Spectrum.objects.filter(library=OuterRef("pk"))
        .order_by()
        .values("library")
        .annotate(number=Count("pk"))
        .values("number")
    )
    return (
        _libraries(user, action)
        .select_related("owner_organisation", "sharing_group")
        .annotate(spectrum_count=Coalesce(Subquery(spectra, output_field=IntegerField()), 0))
        .order_by("name", "version")
    )


def get_library(user, global_id, action: str = "view") -> SpectralLibrary:
    library = _libraries(user, action).filter(global_id=global_id).first()
    if library is None:
        raise Http404(_("No such library, or it is not shared with you."))
    return library


def library_by_name(
    user, name: str, version: str = "", action: str = "view", owner=None
) -> SpectralLibrary | None:
    """The visible library called ``name`` (of ``version`` when given; the newest one otherwise). With
    ``owner``, only that organisation's library of exactly that version. Without it, a name that several
    organisations use is refused as ambiguous rather than guessed."""
    rows = _libraries(user, action).filter(name=name)
    if owner is not None:
        return rows.filter(owner_organisation=owner, version=version).first()
    if version:
        rows = rows.filter(version=version)
    owners = set(rows.values_list("owner_organisation__code", flat=True))
    if len(owners) > 1:
        raise ValidationError(
            _("Several organisations have a library called %(name)s (%(owners)s); name its owner.")
            % {"name": name, "owners": ", ".join(sorted(owners))}
        )
    return rows.order_by("-created_at").first()


def libraries_named(user, name: str) -> list[SpectralLibrary]:
    """The visible libraries called ``name``: the newest version of each owner's."""
    newest = {}
    for library in _libraries(user, "view").filter(name=name).order_by("-created_at"):
        newest.setdefault(library.owner_organisation_id, library)
    return list(newest.values())


def spectra_for(user, library: SpectralLibrary | None = None, text: str = "") -> QuerySet[Spectrum]:
    """The spectra ``user`` may see, of one library, whose name, record or InChIKey contains ``text``."""
    rows = Spectrum.objects.restrict(user, "view").select_related("library", "substance")
    if library is not None:
        rows = rows.filter(library=library)
    if text.strip():
        text = text.strip()
        rows = rows.filter(Q(name__icontains=text) | Q(record_id=text) | Q(inchikey__startswith=text.upper()))
    return rows.defer("mz_values", "intensities", "metadata").order_by("library_id", "id")


def get_spectrum(user, global_id) -> Spectrum:
    spectrum = (
        Spectrum.objects.restrict(user, "view")
        .select_related("library", "library__owner_organisation", "substance")
        .filter(global_id=global_id)
        .first()
    )
    if spectrum is None:
        raise Http404(_("No such spectrum, or it is not shared with you."))
    return spectrum


# Search


@dataclass
class QuerySpectrum:
    """An unknown to identify: its peaks as measured, and its retention index when known."""

    name: str
    mz: numpy.ndarray
    intensity: numpy.ndarray
    retention_index: float | None = None

    def nominal(self) -> NominalSpectrum:
        return nominal(self.mz, self.intensity)


@dataclass
class SearchHit:
    rank: int
    spectrum: Spectrum
    score: float
    forward: float
    reverse: float
    entropy: float
    shortlisted: bool = True  # ranked by its score; the others follow the shortlist (see the spectra docs)
    token: str = ""  # the signed hit a page offers for recording as a finding

    @property
    def verdict(self) -> str:
        """The reading chemists give a match factor (a guide, never an identification on its own)."""
        if self.score >= 900:
            return _("excellent")
        if self.score >= 800:
            return _("good")
        if self.score >= 700:
            return _("fair")
        return _("poor")


@dataclass
class SearchResult:
    query: QuerySpectrum
    hits: list[SearchHit] = field(default_factory=list)
    panels: list = field(default_factory=list)  # what the apps above say about the best hit, when asked


@dataclass(frozen=True)
class SearchFilters:
    libraries: tuple = ()  # global ids; all visible libraries when empty
    substance_class: str = ""
    retention_window: float | None = None
    top: int = 10


def search(
    user, queries: list[QuerySpectrum], filters: SearchFilters = SearchFilters()
) -> list[SearchResult]:
    """Identity search of each query against the EI spectra of the libraries ``user`` may see (or those of
    them named in ``filters``), withdrawn spectra excluded."""
    if not (is_system(user) or can_search(user)):
        raise PermissionDenied(_("You do not have permission to search the spectral libraries."))
    window = filters.retention_window
    if window is not None and not window >= 0:  # a negative window would silently drop every hit
        raise ValidationError({"retention_window": _("The retention-index window must be 0 or more.")})
    index = index_store.current_index()
    allowed = _allowed_rows(user, index, filters)
    options = SearchOptions(top=max(1, min(filters.top, MAX_TOP)))
    nominal_queries = [query.nominal() for query in queries]
    found = index.search(
        nominal_queries,
        options,
        allowed,
        [query.retention_index for query in queries],
        filters.retention_window,
    )
    ids = {int(index.ids[hit.row]) for hits in found for hit in hits}
    spectra = Spectrum.objects.select_related("library", "substance").in_bulk(ids)
    results = []
    for query, hits in zip(queries, found, strict=True):
        result = SearchResult(query)
        for rank, hit in enumerate(hits, start=1):
            spectrum = spectra[int(index.ids[hit.row])]
            result.hits.append(
                SearchHit(rank, spectrum, hit.score, hit.forward, hit.reverse, hit.entropy, hit.shortlisted)
            )
        results.append(result)
    return results


def _allowed_rows(user, index, filters: SearchFilters) -> numpy.ndarray:
    libraries = _libraries(user, "view").filter(kind=SpectrumKind.EI_MS)
    if filters.libraries:
        libraries = libraries.filter(global_id__in=filters.libraries)
    allowed = numpy.isin(
        index.groups, numpy.fromiter(libraries.values_list("pk", flat=True), dtype=numpy.int64)
    )
    withdrawn = Spectrum.objects.filter(withdrawn_at__isnull=False).values_list("pk", flat=True)
    allowed &= ~numpy.isin(index.ids, numpy.fromiter(withdrawn, dtype=numpy.int64))
    if filters.substance_class:
        in_class = Spectrum.objects.filter(substance__classes__code=filters.substance_class).values_list(
            "pk", flat=True
        )
        allowed &= numpy.isin(index.ids, numpy.fromiter(in_class, dtype=numpy.int64))
    return allowed


def has_searchable_spectra(user) -> bool:
    """Whether any spectrum is there for ``user`` to search: a fresh node has none until a library is
    imported, and its search page says so instead of "no hit"."""
    return Spectrum.objects.restrict(user, "view").filter(withdrawn_at__isnull=True).exists()
