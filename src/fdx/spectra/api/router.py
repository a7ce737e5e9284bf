"""Spectral libraries API: libraries, import, spectra, curation and identity search."""

import tempfile
import uuid
from pathlib import Path

from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from fdx.accounts.models import SharingGroup
from fdx.core.api.errors import ApiError
from fdx.core.api.pagination import KeysetPagination
from fdx.spectra import actions, formats, selectors
from fdx.spectra.api.schemas import (
    HitOut,
    LibraryIn,
    LibraryOut,
    LibraryPatch,
    LinkIn,
    ResultOut,
    SearchIn,
    SpectraImportOut,
    SpectrumDetailOut,
    SpectrumOut,
    SpectrumReasonIn,
)
from fdx.spectra.science.peaks import PeakError, parse_peak_text
from fdx.substances.selectors import get_substance

router = Router(tags=["spectra"])


@router.get("/spectral-libraries", response=list[LibraryOut], summary="Spectral libraries you may search")
@paginate(KeysetPagination)
def list_libraries(request):
    return selectors.libraries_for(request.user)


@router.post("/spectral-libraries", response={201: LibraryOut}, summary="Create a spectral library")
def create_library(request, payload: LibraryIn):
    library = actions.create_library(request.user, _library_input(payload))
    return Status(201, selectors.libraries_for(request.user).get(pk=library.pk))


@router.get("/spectral-libraries/{uuid:library_id}", response=LibraryOut, summary="One spectral library")
def get_library(request, library_id: uuid.UUID):
    library = selectors.get_library(request.user, library_id)
    return selectors.libraries_for(request.user).get(pk=library.pk)


@router.patch(
    "/spectral-libraries/{uuid:library_id}", response=LibraryOut, summary="Describe or share a library"
)
def update_library(request, library_id: uuid.UUID, payload: LibraryPatch):
    library = selectors.get_library(request.user, library_id)
    sent = payload.dict(exclude_unset=True)
    sent.pop("reason", None)
    current = {
        field: getattr(library, field) for field in ("name", "version", "source", "licence", "description")
    }
    current["distribution_level"] = library.distribution_level
    values = {**current, **{key: value for key, value in sent.items() if key != "sharing_group"}}
    group = _sharing_group(sent["sharing_group"]) if "sharing_group" in sent else library.sharing_group
    data = actions.LibraryInput(**values, sharing_group=group)
    actions.update_library(request.user, library, data, reason=payload.reason)
    return selectors.libraries_for(request.user).get(pk=library.pk)


@router.post(
    "/spectral-libraries/{uuid:library_id}/import",
    response=SpectraImportOut,
    summary="Import spectra (MSP, MSL, JCAMP-DX, MGF, mzML, mzXML) into a library",
)
def import_spectra(
    request,
    library_id: uuid.UUID,
    file: File[UploadedFile],
    format: str | None = Form(None),
    skip_bad: bool = Form(False),
):
    """A file with a bad record imports nothing unless ``skip_bad``; then each bad record is reported."""
    library = selectors.get_library(request.user, library_id)
    with _uploaded(file) as path:
        try:
            report = actions.import_spectra(
                request.user, library, path, fmt=format or None, skip_bad=skip_bad, file_name=path.name
            )
        except actions.ImportRefused as refused:
            message = str(_("The file has bad records; nothing was imported."))
            raise ApiError(422, "invalid", message, {"file": refused.problems}) from None
    return report.as_dict()


class SpectrumFilters(Schema):
    library: uuid.UUID | None = None
    q: str = ""


@router.get("/spectra", response=list[SpectrumOut], summary="Reference spectra you may see")
@paginate(KeysetPagination)
def list_spectra(request, filters: Query[SpectrumFilters]):
    library = selectors.get_library(request.user, filters.library) if filters.library else None
    return selectors.spectra_for(request.user, library, filters.q)


@router.get("/spectra/{uuid:spectrum_id}", response=SpectrumDetailOut, summary="One spectrum, with its peaks")
def get_spectrum(request, spectrum_id: uuid.UUID):
    return selectors.get_spectrum(request.user, spectrum_id)


@router.post("/spectra/{uuid:spectrum_id}/withdraw", response=SpectrumOut, summary="Withdraw a spectrum")
def withdraw_spectrum(request, spectrum_id: uuid.UUID, payload: SpectrumReasonIn):
    spectrum = selectors.get_spectrum(request.user, spectrum_id)
    actions.withdraw_spectrum(request.user, spectrum, reason=payload.reason)
    return selectors.get_spectrum(request.user, spectrum_id)


@router.post(
    "/spectra/{uuid:spectrum_id}/link", response=SpectrumOut, summary="Link a spectrum to a substance"
)
def link_spectrum(request, spectrum_id: uuid.UUID, payload: LinkIn):
    spectrum = selectors.get_spectrum(request.user, spectrum_id)
    actions.link_spectrum(request.user, spectrum, get_substance(payload.substance), reason=payload.reason)
    return selectors.get_spectrum(request.user, spectrum_id)


@router.post("/spectra/search", response=list[ResultOut], summary="Identify spectra by library search")
def search(request, payload: SearchIn):
    """Each query gives its peaks as ``peaks`` ([[m/z, intensity], …]) or ``text``; hits are ranked by the
    composite score (0–999) of the NIST-style identity match factor and its reverse."""
    queries = [_query(index, item) for index, item in enumerate(payload.spectra)]
    filters = selectors.SearchFilters(
        libraries=tuple(payload.libraries),
        substance_class=payload.substance_class,
        retention_window=payload.retention_window,
        top=payload.top,
    )
    return [_result(result) for result in selectors.search(request.user, queries, filters)]


@router.post(
    "/spectra/search-file",
    response=list[ResultOut],
    summary="Identify the spectra of a file by library search",
)
def search_file(
    request,
    file: File[UploadedFile],
    top: int = Form(10),
    retention_window: float | None = Form(None, ge=0),
):
    from fdx.spectra.transfer import MAX_QUERY_FILE_BYTES

    if file.size > MAX_QUERY_FILE_BYTES:
        message = _("A file of unknowns may hold at most %(mib)s MiB.") % {
            "mib": MAX_QUERY_FILE_BYTES // 2**20
        }
        raise ApiError(422, "invalid", message, {"file": [message]})
    with _uploaded(file) as path:
        queries = read_queries(path)
    filters = selectors.SearchFilters(top=top, retention_window=retention_window)
    return [_result(result) for result in selectors.search(request.user, queries, filters)]


def read_queries(path: Path, fmt: str | None = None) -> list[selectors.QuerySpectrum]:
    """The spectra of a file as queries (an ``ApiError`` naming the file, record and line when bad)."""
    from fdx.spectra.transfer import read_queries as read

    try:
        return read(path, fmt)
    except formats.FormatError as exc:
        raise ApiError(422, "invalid", str(exc), {"file": [str(exc)]}) from None
    except ValueError as exc:
        raise ApiError(422, "invalid", str(exc)) from None


def _query(index: int, item) -> selectors.QuerySpectrum:
    try:
        if item.peaks:
            mz = [float(p[0]) for p in item.peaks]
            intensity = [float(p[1]) for p in item.peaks]
        elif item.text:
            mz, intensity = parse_peak_text(item.text)
        else:
            raise PeakError(_("give the peaks as 'peaks' or 'text'"))
        query = selectors.QuerySpectrum(item.name, mz, intensity, item.retention_index)
        query.nominal()
    except PeakError as exc:
        message = _("spectrum %(number)s (%(name)s): %(problem)s") % {
            "number": index + 1,
            "name": item.name,
            "problem": exc,
        }
        raise ApiError(422, "invalid", message, {f"spectra.{index}": [str(exc)]}) from None
    return query


def _result(result: selectors.SearchResult) -> dict:
    return {
        "query": result.query.name,
        "hits": [
            HitOut(
                rank=hit.rank,
                name=hit.spectrum.name,
                spectrum=hit.spectrum.global_id,
                record_id=hit.spectrum.record_id,
                inchikey=hit.spectrum.inchikey
                or (hit.spectrum.substance.inchikey if hit.spectrum.substance_id else ""),
                substance=hit.spectrum.substance.global_id if hit.spectrum.substance_id else None,
                substance_name=hit.spectrum.substance.name if hit.spectrum.substance_id else None,
                library=str(hit.spectrum.library),
                score=round(hit.score, 1),
                forward_score=round(hit.forward, 1),
                reverse_score=round(hit.reverse, 1),
                entropy=round(hit.entropy, 4),
                shortlisted=hit.shortlisted,
            )
            for hit in result.hits
        ],
    }


class _uploaded:
    """The uploaded file written to a temporary folder under its own (base) name, for the readers."""

    def __init__(self, upload: UploadedFile):
        self.upload = upload

    def __enter__(self) -> Path:
        self.folder = tempfile.TemporaryDirectory()
        path = Path(self.folder.name) / Path(self.upload.name or "upload.msp").name
        with open(path, "wb") as handle:
            for chunk in self.upload.chunks():
                handle.write(chunk)
        return path

    def __exit__(self, *exc):
        self.folder.cleanup()


def _library_input(payload) -> actions.LibraryInput:
    return actions.LibraryInput(
        name=payload.name,
        version=payload.version,
        source=payload.source,
        licence=payload.licence,
        description=payload.description,
        distribution_level=payload.distribution_level,
        sharing_group=_sharing_group(payload.sharing_group),
    )


def _sharing_group(code: str | None):
    """The active sharing group of that code (None for none)."""
    if not code:
        return None
    group = SharingGroup.objects.filter(code=code, is_active=True).first()
    if group is None:
        message = str(_("No such sharing group."))
        raise ApiError(422, "invalid", message, {"sharing_group": [message]})
    return group
