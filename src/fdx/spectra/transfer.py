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

MAX_QUERIES = 1000
MAX_QUERY_FILE_BYTES = 20 * 2**20  # a thousand GC-MS spectra fit in a few MiB; more is not a query file


def read_queries(path: Path, fmt: str | None = None):
    """The spectra of a file as search queries; ``formats.FormatError`` naming the file, record and line
    when one is bad, ``ValueError`` when there are more than ``MAX_QUERIES``."""
    from fdx.spectra.selectors import QuerySpectrum

    parsed = formats.read_spectra(path, fmt)
    for item in parsed.spectra:
        try:
            nominal(item.mz, item.intensity)
        except PeakError as exc:
            place = {"record": item.record, "line": item.line or None, "field": "peaks"}
            raise formats.FormatError(path, str(exc), **place) from None
    if len(parsed.spectra) > MAX_QUERIES:
        raise ValueError(
            _(
                "%(file)s holds %(count)s spectra; at most %(most)s are searched at once",
                file=path.name,
                count=len(parsed.spectra),
                most=MAX_QUERIES,
            )
        )
    return [
        QuerySpectrum(
            item.name or f"record {item.record}",
            item.mz,
            item.intensity,
            item.metadata.get("retention_index"),
        )
        for item in parsed.spectra
    ]


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
