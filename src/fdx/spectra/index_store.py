"""The node's EI search index: built once, kept on disk (``var/spectra/ei-index.npz``), and brought up to
date with the database whenever spectra were added since.

Reference spectra are never changed or deleted (a wrong one is withdrawn, which is a filter at search
time), so an index only ever grows: bringing it up to date means adding the spectra with a higher id than
its last. Every process keeps the index in memory and checks one cheap aggregate per search; the process
that adds spectra writes the file for the others.
"""

from __future__ import annotations

import logging
import threading
import zipfile
from pathlib import Path

import numpy
from django.conf import settings
from django.db.models import Count, Max

from fdx.spectra.choices import SpectrumKind
from fdx.spectra.models import Spectrum
from fdx.spectra.science.index import SpectralIndex
from fdx.spectra.science.peaks import NominalSpectrum, PeakError, nominal

log = logging.getLogger(__name__)
_lock = threading.Lock()
_cache: dict[str, SpectralIndex | None] = {"index": None}
BATCH = 5000


def index_path() -> Path:
    return Path(settings.VAR_DIR) / "spectra" / "ei-index.npz"


def current_index() -> SpectralIndex:
    """The index of every EI spectrum in the database (withdrawn ones included: searches filter them)."""
    count, latest = _database_state()
    with _lock:
        index = _cache["index"]
        if index is None:
            index = _load()
        if index is None or len(index) > count or (len(index) and int(index.ids.max()) > latest):
            index = _empty()  # a file from another database (a restored backup, a test run): start again
        if len(index) < count:
            _extend(index, _missing_ids(index))
            _save(index)
        _cache["index"] = index
        return index


def rebuild_index() -> SpectralIndex:
    """Build the index anew from the database (after a restore, or to retrain a grown large index)."""
    with _lock:
        index = _empty()
        ids = Spectrum.objects.filter(kind=SpectrumKind.EI_MS).values_list("pk", flat=True)
        _extend(index, numpy.fromiter(ids, dtype=numpy.int64))
        _save(index)
        _cache["index"] = index
        return index


def forget_cached_index() -> None:
    """Drop the in-memory index (tests use a database of their own)."""
    with _lock:
        _cache["index"] = None


def _database_state() -> tuple[int, int]:
    """How many EI spectra the database holds, and the highest id (one aggregate query)."""
    state = Spectrum.objects.filter(kind=SpectrumKind.EI_MS).aggregate(count=Count("pk"), last=Max("pk"))
    return state["count"], state["last"] or 0


def _missing_ids(index: SpectralIndex) -> numpy.ndarray:
    """The ids of the EI spectra the index lacks. Usually those above its highest id; but an import that
    took lower ids may commit after one that took higher ones (PostgreSQL), so all ids are compared."""
    highest = int(index.ids.max()) if len(index) else 0
    rows = Spectrum.objects.filter(kind=SpectrumKind.EI_MS)
    above = numpy.fromiter(rows.filter(pk__gt=highest).values_list("pk", flat=True), dtype=numpy.int64)
    if len(index) + len(above) == rows.count():
        return above
    every = numpy.fromiter(rows.values_list("pk", flat=True), dtype=numpy.int64)
    return numpy.setdiff1d(every, index.ids)


def _empty() -> SpectralIndex:
    return SpectralIndex.build([], [])


def _extend(index: SpectralIndex, ids: numpy.ndarray) -> None:
    """Add the EI spectra ``ids`` in id order (read a batch at a time, added at once: each addition
    recomputes the derived arrays)."""
    batch: list[tuple[int, int, float | None, NominalSpectrum]] = []
    ids = numpy.sort(ids)
    for start in range(0, len(ids), BATCH):
        rows = (
            Spectrum.objects.filter(pk__in=ids[start : start + BATCH].tolist())
            .order_by("pk")
            .values_list("pk", "library_id", "retention_index", "mz_values", "intensities")
        )
        for pk, library_id, retention, mz_bytes, intensity_bytes in rows:
            spectrum = _nominal(pk, mz_bytes, intensity_bytes)
            if spectrum is not None:
                batch.append((pk, library_id, retention, spectrum))
    _add(index, batch)


def _nominal(pk: int, mz_bytes, intensity_bytes) -> NominalSpectrum | None:
    try:
        return nominal(
            numpy.frombuffer(bytes(mz_bytes), dtype="<f8"),
            numpy.frombuffer(bytes(intensity_bytes), dtype="<f8"),
        )
    except PeakError:  # validated on import; a spectrum beyond the nominal range is left out
        log.warning("spectrum %s has no peak on the nominal scale; it is not searchable", pk)
        return None


def _add(index: SpectralIndex, batch) -> None:
    if batch:
        index.extend(
            [spectrum for *_rest, spectrum in batch],
            [pk for pk, *_rest in batch],
            [retention for _pk, _library, retention, _spectrum in batch],
            [library for _pk, library, *_rest in batch],
        )


def _load() -> SpectralIndex | None:
    path = index_path()
    if not path.exists():
        return None
    try:
        return SpectralIndex.load(path)
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError) as exc:  # damaged or cut short
        log.warning("the spectral index %s cannot be read (%s); it is rebuilt", path, exc)
        return None


def _save(index: SpectralIndex) -> None:
    path = index_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    index.save(path)
