"""Electron-ionisation spectra on the nominal-mass scale, the form every score and the index work on.

Notes
-----
NIST MS Search assigns a peak to the nominal mass ``ceil(m/z - 0.649)``: integer ``n`` holds the m/z values
in ``(n - 0.351, n + 0.649]``, so that the positive mass defect of heavy organic fragments stays on its
integer (a negative one, of heavily halogenated ions, down to -0.35), sums the intensities
that fall on one integer, scales the spectrum to a base peak of 999 and rounds to integers, dropping the
zeros (Samokhin, JASMS 35 (2024) 3178). FDX does the same, so that a score means what a chemist expects.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy

from fdx.spectra.science.wording import translated as _

#: The highest nominal m/z kept; EI libraries of drugs stop far below it.
MAX_MZ = 2047
BASE_PEAK = 999.0


class PeakError(ValueError):
    """Peaks that cannot be a mass spectrum; the message says why in plain words."""


@dataclass(frozen=True)
class NominalSpectrum:
    """Integer m/z values (ascending) and intensities scaled to a base peak of 999 (rounded, none zero)."""

    mz: numpy.ndarray  # int32
    intensity: numpy.ndarray  # float32

    def __len__(self) -> int:
        return len(self.mz)


def nominal(mz, intensity) -> NominalSpectrum:
    """The spectrum on the nominal-mass scale, as NIST MS Search reads it (see the module notes).

    Parameters
    ----------
    mz, intensity : array_like
        The m/z values and intensities of the peaks, two sequences of the same length.

    Returns
    -------
    NominalSpectrum
        The integers 1 to ``MAX_MZ`` that peaks fall on, with the intensities summed on each and scaled to
        a base peak of 999.

    Raises
    ------
    PeakError
        When the peaks cannot be a mass spectrum (lists of different lengths, no peaks, a value that is
        not a number, an m/z that is not positive, a negative intensity, every intensity zero), or none
        has a positive intensity between m/z 1 and ``MAX_MZ``.
    """
    mz = numpy.asarray(mz, dtype=numpy.float64)
    intensity = numpy.asarray(intensity, dtype=numpy.float64)
    _check(mz, intensity)
    keep = (mz > 0.649) & (mz <= MAX_MZ + 0.649) & (intensity > 0)  # integers 1 to MAX_MZ
    if not keep.any():
        raise PeakError(_("no peak with a positive intensity between m/z 1 and %(highest)s", highest=MAX_MZ))
    nominal_mz = numpy.ceil(mz[keep] - 0.649).astype(numpy.int64)
    # Relative to the highest peak first, so that neither tiny nor huge raw intensities overflow.
    relative = intensity[keep] / intensity[keep].max()
    summed = numpy.bincount(nominal_mz, weights=relative, minlength=MAX_MZ + 1)
    scaled = numpy.rint(summed * (BASE_PEAK / summed.max()))
    present = numpy.flatnonzero(scaled > 0)
    return NominalSpectrum(present.astype(numpy.int32), scaled[present].astype(numpy.float32))


def _check(mz: numpy.ndarray, intensity: numpy.ndarray) -> None:
    if mz.ndim != 1 or mz.shape != intensity.shape:
        raise PeakError(_("m/z values and intensities must be two lists of the same length"))
    if len(mz) == 0:
        raise PeakError(_("the spectrum has no peaks"))
    if not (numpy.isfinite(mz).all() and numpy.isfinite(intensity).all()):
        raise PeakError(_("an m/z value or an intensity is not a number"))
    if (mz <= 0).any():
        raise PeakError(_("an m/z value is zero or negative"))
    if (intensity < 0).any():
        raise PeakError(_("an intensity is negative"))
    if not (intensity > 0).any():
        raise PeakError(_("every intensity is zero"))


def parse_peak_text(text: str) -> tuple[numpy.ndarray, numpy.ndarray]:
    """Peaks pasted as text: ``m/z intensity`` pairs.

    The pairs are separated by spaces, tabs, commas, colons or semicolons, one or several per line (the shapes
    MSP files and instrument software export).

    Parameters
    ----------
    text : str
        The pasted peaks.

    Returns
    -------
    mz : numpy.ndarray
        The m/z values (float64), in the order given.
    intensity : numpy.ndarray
        Their intensities (float64).

    Raises
    ------
    PeakError
        When no peaks are given, one number is left over, or a token is not a number.
    """
    tokens = text.replace(";", " ").replace(",", " ").replace(":", " ").replace("\t", " ").split()
    if not tokens:
        raise PeakError(_("no peaks were given"))
    if len(tokens) % 2:
        raise PeakError(_("the peaks must come in pairs of m/z and intensity; one number is left over"))
    try:
        values = numpy.array([float(token) for token in tokens], dtype=numpy.float64)
    except ValueError:
        bad = next(t for t in tokens if not _is_number(t))
        raise PeakError(_("%(token)s is not a number", token=repr(bad))) from None
    return values[0::2], values[1::2]


def _is_number(token: str) -> bool:
    try:
        float(token)
    except ValueError:
        return False
    return True
