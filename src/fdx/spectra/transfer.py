"""Spectra in and out of files for the faces that are not imports: query files for a search, and a
library written back as MSP or JCAMP-DX."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy
from django.utils.translation import gettext as _

from fdx.spectra import formats
from fdx.spectra.models import SpectralLibrary
from fdx.spectra.science.peaks import PeakError, nominal

#: The most spectra a file searched from the web page or the API may hold: a page of a thousand results is
#: already long, and a request must end in seconds. ``fdx spectra search`` takes a file of any size.
MAX_QUERIES = 1000
MAX_QUERY_FILE_BYTES = 20 * 2**20  # a thousand GC-MS spectra fit in a few MiB; more is not a query file
#: How many queries the command line searches at once: large enough for the index's batch speed, small
#: enough that memory stays flat whatever the file's size.
QUERY_BLOCK = 1000


def read_queries(path: Path, fmt: str | None = None):
    """The spectra of a file as search queries (the web page, the API, a case's file); ``FormatError``
    naming the file, record and line when one is bad, ``ValueError`` when there are more than
    ``MAX_QUERIES`` (reading stops there: a huge file is not read whole to say so)."""
    queries = []
    for query in iter_queries(path, fmt):
        if len(queries) == MAX_QUERIES:
            raise ValueError(too_many_queries_message(path.name))
        queries.append(query)
    return queries


def too_many_queries_message(file_name: str) -> str:
    """Why a file of more than ``MAX_QUERIES`` spectra is not searched here, and where it can be."""
    return _(
        "%(file)s holds more than %(most)s spectra; the search page and the API search at most %(most)s "
        "at once. Split the file, or search it whole with the command line: fdx spectra search FILE"
    ) % {"file": file_name, "most": MAX_QUERIES}


def iter_queries(path: Path, fmt: str | None = None, *, position=None):
    """Each spectrum of a file as a search query, read record by record (any size, memory flat);
    ``FormatError`` naming the file, record and line on the first bad one, or when there is none.
    ``position(bytes)`` is told how far the reading has come (text formats)."""
    from fdx.spectra.selectors import QuerySpectrum

    found = False
    for item in formats.iter_spectra(path, fmt, position=position):
        if isinstance(item, formats.FormatError):
            raise item
        try:
            nominal(item.mz, item.intensity)
        except PeakError as exc:
            place = {"record": item.record, "line": item.line or None, "field": "peaks"}
            raise formats.FormatError(path, str(exc), **place) from None
        found = True
        name = item.name or f"record {item.record}"
        yield QuerySpectrum(name, item.mz, item.intensity, item.metadata.get("retention_index"))
    if not found:
        raise formats.FormatError(path, _("holds no spectrum"))


def query_blocks(path: Path, fmt: str | None = None, size: int = QUERY_BLOCK, *, position=None):
    """The queries of a file in lists of at most ``size``, for a search of a file of any size."""
    block = []
    for query in iter_queries(path, fmt, position=position):
        block.append(query)
        if len(block) == size:
            yield block
            block = []
    if block:
        yield block


@dataclass
class _Written:
    name: str
    mz: numpy.ndarray
    intensity: numpy.ndarray
    metadata: dict


def write_library(library: SpectralLibrary, fmt: str, stream) -> int:
    """Write the library's spectra (withdrawn ones left out) to ``stream``; returns how many."""
    rows = library.spectra.filter(withdrawn_at__isnull=True).select_related("substance").order_by("id")
    spectra = [_written(spectrum) for spectrum in rows.iterator(chunk_size=2000)]
    writer = formats.write_msp if fmt == "msp" else formats.write_jcamp
    writer(spectra, stream)
    return len(spectra)


def _written(spectrum) -> _Written:
    mz, intensity = spectrum.peaks
    metadata = {
        key: value
        for key, value in {
            "record_id": spectrum.record_id,
            "inchikey": spectrum.inchikey or (spectrum.substance.inchikey if spectrum.substance_id else ""),
            "smiles": spectrum.substance.smiles if spectrum.substance_id else "",
            "formula": spectrum.formula,
            "cas": spectrum.cas_number,
            "retention_index": spectrum.retention_index,
            "comment": spectrum.comment,
            "synonyms": spectrum.metadata.get("synonyms", []),
        }.items()
        if value not in (None, "", [])
    }
    return _Written(spectrum.name, mz, intensity, metadata)
