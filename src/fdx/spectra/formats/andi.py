"""AIA/ANDI-MS netCDF (ASTM E2077), the raw-data export of nearly every GC-MS data system: the spectra to
search in a run.

Notes
-----
The file is netCDF-3 classic, read with :func:`scipy.io.netcdf_file` (memory-mapped: a run of several hundred
MiB is not loaded whole). Scan ``i`` holds the ``point_count[i]`` points of ``mass_values`` and
``intensity_values`` from ``scan_index[i]``, acquired at ``scan_acquisition_time[i]`` seconds, the same
variables PyMassSpec's and OpenChrom's ANDI readers use.

What is a spectrum to search in a GC-MS run? Not each scan: a 30-minute run has thousands, most of them
baseline between peaks. FDX takes the **apex scan of each peak of the total-ion chromatogram** (TIC), as a
chemist clicking the top of each peak does: the TIC (``total_intensity``, or the scans' sums where it is
missing) is searched for local maxima whose prominence is at least :data:`PROMINENCE` of the highest one,
at least :data:`MIN_SEPARATION` scans apart. No background is subtracted. A file of at most
:data:`WHOLE_FILE_SCANS` scans is not a run but a table of spectra (a deconvolution result, a library
export): each of its scans is a spectrum. A file with a chromatogram but no mass values (an AIA
chromatography export: ``ordinate_values``, a peak table of times and areas) is refused with a clear
message: it holds no spectrum to search.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy

from fdx.spectra.science.wording import translated as _

from .base import FormatError, ParsedSpectrum, RecordProblem, checked_peaks
from .metadata import normalise

#: A TIC peak is searched when its prominence is at least this share of the highest TIC value.
PROMINENCE = 0.005
#: Apex scans closer than this are one peak.
MIN_SEPARATION = 5
#: A file with this many scans or fewer is a table of spectra: every scan is one.
WHOLE_FILE_SCANS = 200
_SCAN_VARIABLES = ("scan_index", "point_count", "mass_values", "intensity_values")
_KEPT_ATTRIBUTES = {
    "experiment_title": "experiment title",
    "experiment_date_time_stamp": "experiment date",
    "source_file_reference": "source file",
    "operator_name": "operator",
}


def iter_andi(path: str | Path) -> Iterator[ParsedSpectrum | FormatError]:
    """The spectra of an ANDI-MS run (the apex scans of its TIC peaks, see the notes) or of a table of
    spectra, each as a spectrum or as the error that spoils it."""
    # scipy is imported here, not with the module: it takes about a second to load, and every ``fdx``
    # command and server start imports this module (through the spectral search's pages).
    from scipy.io import netcdf_file

    try:
        with warnings.catch_warnings():
            # scipy warns when arrays still point into the map at close; every array taken is a copy.
            warnings.simplefilter("ignore", RuntimeWarning)
            with netcdf_file(str(path), "r", mmap=True) as dataset:
                yield from _spectra(dataset, path)
    except OSError:
        raise  # a missing or unreadable file is not a format problem
    except FormatError as refused:
        yield refused
    except Exception as exc:  # scipy raises TypeError, ValueError, IndexError ... on a damaged file
        reason = " ".join(str(exc).split()) or type(exc).__name__
        yield FormatError(path, _("is not a readable netCDF-3 (AIA/ANDI) file: %(reason)s", reason=reason))


def _spectra(dataset, path: str | Path) -> Iterator[ParsedSpectrum | FormatError]:
    variables = dataset.variables
    missing = [name for name in _SCAN_VARIABLES if name not in variables]
    if missing:
        if "ordinate_values" in variables or "total_intensity" in variables:
            problem = _("this file holds only a total-ion chromatogram, no mass spectra")
        else:
            name = missing[0]
            problem = _("this is not an AIA/ANDI mass-spectrometry file (no variable %(name)s)", name=name)
        raise FormatError(path, problem, field=missing[0])
    starts = numpy.array(variables["scan_index"].data, dtype=numpy.int64)
    counts = numpy.array(variables["point_count"].data, dtype=numpy.int64)
    masses, intensities = variables["mass_values"], variables["intensity_values"]
    points = min(len(masses.data), len(intensities.data))
    inside = len(starts) == len(counts) and (counts >= 0).all() and (starts >= 0).all()
    if not inside or (starts + counts > points).any():
        problem = _("the scans point outside the mass and intensity values: the file is damaged")
        raise FormatError(path, problem, field="scan_index")
    if not len(starts):
        raise FormatError(path, _("holds no scan"), field="scan_index")
    times = _per_scan(variables, "scan_acquisition_time", len(starts))
    common = _attributes(dataset)
    for scan in _chosen_scans(variables, starts, counts, masses, intensities):
        stop = starts[scan] + counts[scan]
        try:
            mz, intensity = checked_peaks(
                numpy.array(masses.data[starts[scan] : stop], dtype=numpy.float64) * _scale(masses),
                numpy.array(intensities.data[starts[scan] : stop], dtype=numpy.float64) * _scale(intensities),
            )
        except RecordProblem as problem:
            field = problem.field or "mass_values"
            yield FormatError(path, problem.problem, record=int(scan) + 1, field=field)
            continue
        fields = list(common)
        if times is not None and numpy.isfinite(times[scan]) and times[scan] >= 0:
            fields.append(("retention time", f"{float(times[scan])!r} s"))
        fields.append(("scan", str(int(scan) + 1)))
        name = _name(int(scan) + 1, times[scan] if times is not None else None)
        yield ParsedSpectrum(name, mz, intensity, normalise(fields, default_time_unit="s"), int(scan) + 1, 0)


def _chosen_scans(variables, starts, counts, masses, intensities) -> list[int]:
    """Every scan of a table of spectra; the apex scan of each TIC peak of a run."""
    if len(starts) <= WHOLE_FILE_SCANS:
        return list(range(len(starts)))
    tic = _per_scan(variables, "total_intensity", len(starts))
    if tic is None or not numpy.isfinite(tic).all() or tic.max() <= 0:
        data = numpy.asarray(intensities.data, dtype=numpy.float64)
        tic = numpy.array([data[s : s + c].sum() for s, c in zip(starts, counts, strict=True)])
    from scipy.signal import find_peaks  # see iter_andi

    apexes, _properties = find_peaks(tic, prominence=PROMINENCE * tic.max(), distance=MIN_SEPARATION)
    return [int(scan) for scan in apexes if counts[scan] > 0]


def _per_scan(variables, name: str, scans: int) -> numpy.ndarray | None:
    """A per-scan variable as float64, or None when the file lacks it or it has the wrong length."""
    if name not in variables:
        return None
    values = numpy.array(variables[name].data, dtype=numpy.float64).ravel()
    return values if len(values) == scans else None


def _scale(variable) -> float:
    """The variable's ``scale_factor`` (ANDI allows one on the mass and intensity values), else 1."""
    factor = getattr(variable, "scale_factor", None)
    try:
        factor = float(numpy.asarray(factor).ravel()[0]) if factor is not None else 1.0
    except (TypeError, ValueError, IndexError):
        return 1.0
    return factor if numpy.isfinite(factor) and factor > 0 else 1.0


def _attributes(dataset) -> list[tuple[str, str]]:
    """The run's description (title, date, operator, source file), kept in each spectrum's metadata."""
    kept = []
    for attribute, label in _KEPT_ATTRIBUTES.items():
        value = dataset._attributes.get(attribute)
        if isinstance(value, bytes):
            value = value.decode("latin-1")
        if value is not None and str(value).strip():
            kept.append((label, str(value).strip()))
    return kept


def _name(scan: int, seconds: float | None) -> str:
    if seconds is None or not numpy.isfinite(seconds) or seconds < 0:
        return f"scan {scan}"
    return f"scan {scan} ({seconds / 60:.2f} min)"
