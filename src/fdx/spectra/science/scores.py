"""Scores of query spectra against library spectra, many pairs at once: the NIST-style identity match
factor (forward and reverse), FDX's composite of the two, entropy similarity, and the weighted cosine that
preselects candidates.

Notes
-----
Identity match factor, as reconstructed by Samokhin (JASMS 35 (2024) 3178) for NIST MS Search "EI normal":
``w1 = sqrt(m/z * I)`` in a squared cosine ``cos2 = (sum w1u*w1l)^2 / (sum w1u^2 * sum w1l^2)`` (unmatched
peaks counted in their own spectrum's norm), and a ratio term over adjacent common peaks,
``R = sum m_k * min(rho_k, 1/rho_k) / sum m_k`` with ``rho_k = (w2u_k / w2u_k-1) / (w2l_k / w2l_k-1)``,
``w2 = sqrt(I)``; an unmatched peak above 1 between two common peaks breaks the chain. With ``n1`` common
peaks and ``n2`` ratios, ``MF = 1000 * (cos2 * n1 + R * n2) / (n1 + n2) - 0.5``. Peaks of intensity 1 or
less are trace peaks that count only where the other spectrum has a peak above 1. The reverse match factor
takes the unknown's peaks only at the m/z values of the reference (an unknown that is a mixture is not
penalised for the other component).

Three choices of FDX, measured on the SWGDRUG and MassBank replicate sets (``benchmarks/spectral_search.py``):

* the two spectra are compared over their common scan range only (from the higher of their lowest m/z
  values: laboratories start their scans at m/z 29, 35, 40 or 50, and a peak below the other's range says
  nothing);
* and over their common intensity range: each spectrum's reporting floor is its lowest intensity, and a
  peak below the higher of the two floors (at most ``FLOOR_CAP``, 0.5 % of the base peak) is left out of
  both, since one laboratory reports peaks down to 0.1 % and another stops at 1 %, and a small peak the
  other could not have reported says nothing either (MassBank top-1 77.2 -> 78.1 %, SWGDRUG unchanged,
  whose spectra mostly report down to 1); the cap keeps a spectrum drawn with few, large peaks from
  hiding real differences;
* the rank is the composite ``(2 * forward + reverse) / 3`` on the same 0-999 scale.

Entropy similarity is Li et al.'s (Nature Methods 18 (2021) 1524), with their intensity weighting of
low-entropy spectra.

Everything is computed by gathering each library spectrum's peaks and looking up the query's intensity at
the same m/z in a dense row of the query, so no pair needs its peaks merged or sorted. The identity score
keeps nothing per peak with the library beyond its peaks: at 300,000 spectra (20 million peaks) every such
array would cost 160 MiB.

Intensities are whole numbers, as ``peaks.nominal`` makes them: the trace peaks (1), the reporting floors
and the significance levels (``_LEVELS``) rely on it.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy

from fdx.spectra.science.peaks import MAX_MZ, NominalSpectrum

WIDTH = MAX_MZ + 2  # dense rows hold m/z 0..MAX_MZ and one past the end for cumulative sums
PREFILTER_INTENSITY_POWER = 0.53
PREFILTER_MZ_POWER = 1.3
# Two spectra are compared above the higher of their reporting floors, up to this intensity (0.5 % of the
# base peak); see the notes.
FLOOR_CAP = 5
# The significance levels: a peak counts in its own spectrum's norm, and breaks a ratio chain, at or above
# the level of its pair (intensities are whole numbers on the 0-999 scale).
_LEVELS = numpy.arange(2, max(FLOOR_CAP, 2) + 1, dtype=numpy.float32)
_LOG4 = math.log(4.0)


@dataclass
class PeakTable:
    """Many nominal spectra in compressed rows: spectrum ``i`` has peaks ``ptr[i]:ptr[i+1]``."""

    ptr: numpy.ndarray  # int64, n + 1
    mz: numpy.ndarray  # int32
    intensity: numpy.ndarray  # float32

    @classmethod
    def of(cls, spectra: list[NominalSpectrum]) -> PeakTable:
        """Many spectra as one table, in their order.

        Parameters
        ----------
        spectra : list of NominalSpectrum
            The spectra.

        Returns
        -------
        PeakTable
            Spectrum ``i`` of ``spectra`` as row ``i``.
        """
        lengths = numpy.fromiter((len(s) for s in spectra), dtype=numpy.int64, count=len(spectra))
        ptr = numpy.zeros(len(spectra) + 1, dtype=numpy.int64)
        numpy.cumsum(lengths, out=ptr[1:])
        if not spectra:
            return cls(ptr, numpy.zeros(0, numpy.int32), numpy.zeros(0, numpy.float32))
        return cls(
            ptr,
            numpy.concatenate([s.mz for s in spectra]).astype(numpy.int32),
            numpy.concatenate([s.intensity for s in spectra]).astype(numpy.float32),
        )

    def __len__(self) -> int:
        return len(self.ptr) - 1

    def spectrum(self, i: int) -> NominalSpectrum:
        """Spectrum ``i`` of the table.

        Parameters
        ----------
        i : int
            Its row.

        Returns
        -------
        NominalSpectrum
            Its peaks, as views of the table's arrays.
        """
        start, end = self.ptr[i], self.ptr[i + 1]
        return NominalSpectrum(self.mz[start:end], self.intensity[start:end])

    def row_of_each_peak(self) -> numpy.ndarray:
        """The row (spectrum) each peak belongs to.

        Returns
        -------
        numpy.ndarray
            One row number (int64) per peak, in the order of the peaks.
        """
        return numpy.repeat(numpy.arange(len(self), dtype=numpy.int64), numpy.diff(self.ptr))

    def lowest_mz(self) -> numpy.ndarray:
        """The lowest m/z of each spectrum (its scan range starts there, as far as anyone can tell).

        Returns
        -------
        numpy.ndarray
            One m/z (int32) per spectrum; 0 for an empty spectrum.
        """
        lowest = numpy.zeros(len(self), dtype=numpy.int32)
        filled = numpy.diff(self.ptr) > 0
        lowest[filled] = self.mz[self.ptr[:-1][filled]]
        return lowest

    @functools.cached_property
    def floor(self) -> numpy.ndarray:
        """Each spectrum's reporting floor: its lowest intensity (0 for an empty spectrum)."""
        floor = numpy.zeros(len(self), dtype=numpy.float32)
        filled = numpy.diff(self.ptr) > 0
        if filled.any():
            lowest = numpy.minimum.reduceat(self.intensity, self.ptr[:-1][filled])
            floor[filled] = numpy.ceil(lowest)
        return floor

    def append(self, other: PeakTable) -> PeakTable:
        """This table's spectra followed by those of ``other``, as a new table.

        Parameters
        ----------
        other : PeakTable
            The spectra to add.

        Returns
        -------
        PeakTable
            A table of both (neither is changed).
        """
        return PeakTable(
            numpy.concatenate([self.ptr, other.ptr[1:] + self.ptr[-1]]),
            numpy.concatenate([self.mz, other.mz]),
            numpy.concatenate([self.intensity, other.intensity]),
        )


def prefilter_weights(table: PeakTable) -> numpy.ndarray:
    """Per peak, ``I^0.53 * (m/z)^1.3`` scaled to unit length per spectrum.

    The weighting whose cosine best preselects identity candidates (high masses carry the structure, low ones
    are shared by everything).

    Parameters
    ----------
    table : PeakTable
        The spectra.

    Returns
    -------
    numpy.ndarray
        One weight (float32) per peak of ``table``; a spectrum's weights have a sum of squares of 1.
    """
    mz = table.mz.astype(numpy.float32)
    weights = table.intensity**PREFILTER_INTENSITY_POWER * mz**PREFILTER_MZ_POWER
    squares = numpy.bincount(table.row_of_each_peak(), weights=weights * weights, minlength=len(table))
    norms = numpy.sqrt(squares).astype(numpy.float32)
    return (weights / numpy.repeat(numpy.where(norms > 0, norms, 1), numpy.diff(table.ptr))).astype(
        numpy.float32
    )


@dataclass
class EntropyTable:
    """What entropy similarity needs of many spectra, per peak and per spectrum.

    Per peak, the intensity share used by entropy similarity; per spectrum its entropy ``S`` and
    ``F = sum f(p / 2)`` with ``f(x) = -x ln x`` (the part of the merged spectrum's entropy it brings).
    """

    share: numpy.ndarray
    entropy: numpy.ndarray
    half_entropy: numpy.ndarray

    @classmethod
    def of(cls, table: PeakTable) -> EntropyTable:
        """The shares and entropies of the spectra of ``table``.

        A spectrum of entropy below 3 is flattened first, as Li et al. weight low-entropy spectra: its shares
        are raised to the power ``0.25 + S * 0.25`` and scaled to a sum of 1 again.

        Parameters
        ----------
        table : PeakTable
            The spectra.

        Returns
        -------
        EntropyTable
            Their shares (per peak) and entropies (per spectrum).
        """
        rows = table.row_of_each_peak()
        share = _shares(table.intensity.astype(numpy.float64), rows, len(table))
        entropy = _row_sums(-share * numpy.log(share), rows, len(table))
        low = entropy < 3  # Li et al.: low-entropy spectra are flattened, p^(0.25 + S * 0.25)
        if low.any():
            power = numpy.where(low, 0.25 + entropy * 0.25, 1.0)[rows]
            share = _shares(share**power, rows, len(table))
            entropy = _row_sums(-share * numpy.log(share), rows, len(table))
        half = share / 2
        half_entropy = _row_sums(-half * numpy.log(half), rows, len(table))
        return cls(share, entropy, half_entropy)


def _shares(values: numpy.ndarray, rows: numpy.ndarray, count: int) -> numpy.ndarray:
    totals = _row_sums(values, rows, count)
    return values / totals[rows]


def _row_sums(values: numpy.ndarray, rows: numpy.ndarray, count: int) -> numpy.ndarray:
    return numpy.bincount(rows, weights=values, minlength=count)


@dataclass
class QueryBlock:
    """Query spectra as dense rows (looked up by m/z), with the running sums the identity score needs."""

    table: PeakTable
    intensity: numpy.ndarray  # (n, WIDTH) float32
    weight: numpy.ndarray  # (n, WIDTH) prefilter weights
    share: numpy.ndarray  # (n, WIDTH) entropy shares
    position: numpy.ndarray  # (n, WIDTH) int32: where the query's peak at an m/z is in ``table``
    key: numpy.ndarray  # per peak of ``table``: row * WIDTH + m/z, ascending
    # Running sums over the peaks of ``table``, one row per significance level (see ``_level``), each with
    # a leading zero: of m/z * I and of the count of the peaks at or above the level's intensity.
    norm_before: numpy.ndarray  # (levels, peaks + 1) float64
    count_before: numpy.ndarray  # (levels, peaks + 1) int64
    lowest: numpy.ndarray
    floor: numpy.ndarray
    entropy: numpy.ndarray
    half_entropy: numpy.ndarray

    @classmethod
    def of(cls, spectra: list[NominalSpectrum]) -> QueryBlock:
        """Query spectra made into dense rows, with the running sums the identity score needs.

        Parameters
        ----------
        spectra : list of NominalSpectrum
            The query spectra; query ``i`` is row ``i``.

        Returns
        -------
        QueryBlock
            The block.
        """
        table = PeakTable.of(spectra)
        rows = table.row_of_each_peak()
        entropy = EntropyTable.of(table)

        def dense(values, dtype=numpy.float32):
            grid = numpy.zeros((len(table), WIDTH), dtype=dtype)
            grid[rows, table.mz] = values
            return grid

        at_least = table.intensity[None, :] >= _LEVELS[:, None]
        weighted = table.mz * table.intensity.astype(numpy.float64)
        return cls(
            table=table,
            intensity=dense(table.intensity),
            weight=dense(prefilter_weights(table)),
            share=dense(entropy.share, numpy.float64),
            position=dense(numpy.arange(len(table.mz)), numpy.int32),
            key=rows * WIDTH + table.mz,
            norm_before=_running(numpy.where(at_least, weighted, 0.0)),
            count_before=_running(at_least.astype(numpy.int64)),
            lowest=table.lowest_mz(),
            floor=table.floor,
            entropy=entropy.entropy,
            half_entropy=entropy.half_entropy,
        )

    def __len__(self) -> int:
        return len(self.table)

    def norm_from(self, queries: numpy.ndarray, lowest: numpy.ndarray, level: numpy.ndarray) -> numpy.ndarray:
        """Sum of m/z * I over each query's peaks at m/z ``lowest`` or above and at or above ``level``.

        Parameters
        ----------
        queries : numpy.ndarray
            The query (row of the block) of each pair.
        lowest : numpy.ndarray
            The lowest m/z of each pair's common scan range.
        level : numpy.ndarray
            Each pair's significance level (a row of ``_LEVELS``, see ``_level``).

        Returns
        -------
        numpy.ndarray
            One sum (float64) per pair.
        """
        first = numpy.searchsorted(self.key, queries * WIDTH + lowest, side="left")
        end = self.table.ptr[queries + 1]
        return self.at(self.norm_before, level, end) - self.at(self.norm_before, level, first)

    @staticmethod
    def at(running: numpy.ndarray, level: numpy.ndarray, position: numpy.ndarray) -> numpy.ndarray:
        """``running[level, position]`` through a flat index.

        Parameters
        ----------
        running : numpy.ndarray
            Running sums, one row per significance level (``norm_before`` or ``count_before``).
        level, position : numpy.ndarray
            The row and the column of each value wanted.

        Returns
        -------
        numpy.ndarray
            The values, one per pair of ``level`` and ``position``.
        """
        return running.ravel()[level * running.shape[1] + position]

    @staticmethod
    def lookup(grid: numpy.ndarray, rows: numpy.ndarray, columns: numpy.ndarray) -> numpy.ndarray:
        """``grid[rows, columns]`` through a flat index (two-array indexing is several times slower).

        Parameters
        ----------
        grid : numpy.ndarray
            A dense array of the block, one row per query and one column per m/z.
        rows, columns : numpy.ndarray
            The query and the m/z of each value wanted.

        Returns
        -------
        numpy.ndarray
            The values, one per pair of ``rows`` and ``columns``.
        """
        return grid.ravel()[rows * grid.shape[1] + columns]


def _running(values: numpy.ndarray) -> numpy.ndarray:
    """Running sums along each row, with a leading zero: entry ``k`` is the sum of the first ``k``."""
    out = numpy.zeros((values.shape[0], values.shape[1] + 1), dtype=values.dtype)
    numpy.cumsum(values, axis=1, out=out[:, 1:])
    return out


@dataclass
class PairScores:
    """The identity scores of many pairs, one value per pair in each array.

    ``forward`` and ``reverse`` are the identity match factors (0 to 999) and ``composite`` is
    ``(2 * forward + reverse) / 3``, the score hits are ranked by.
    """

    forward: numpy.ndarray  # identity match factor, 0..999
    reverse: numpy.ndarray
    composite: numpy.ndarray


def weighted_cosine(block: QueryBlock, library: PeakTable, weights: numpy.ndarray, pq, pl) -> numpy.ndarray:
    """The prefilter cosine of each pair (query ``pq[i]``, library spectrum ``pl[i]``).

    Parameters
    ----------
    block : QueryBlock
        The query spectra.
    library : PeakTable
        The library spectra.
    weights : numpy.ndarray
        The prefilter weights of the library's peaks (``prefilter_weights(library)``).
    pq, pl : array_like
        The pairs: query ``pq[i]`` of ``block`` with spectrum ``pl[i]`` of ``library``.

    Returns
    -------
    numpy.ndarray
        One cosine (float64) per pair.
    """
    pq = numpy.asarray(pq, dtype=numpy.int64)
    pl = numpy.asarray(pl, dtype=numpy.int64)
    pair, peak = _gather(library.ptr, pl)
    looked_up = block.lookup(block.weight, pq[pair], library.mz[peak])
    return _Segments(pair, len(pl)).sum(looked_up * weights[peak])


def identity(block: QueryBlock, library: PeakTable, pq, pl) -> PairScores:
    """Forward and reverse identity match factors and their composite for each pair.

    A pair is query ``pq[i]`` of ``block`` with spectrum ``pl[i]`` of ``library``. Each pair's library peaks
    are gathered once, in order, and the query's intensity looked up at each m/z; everything else is a sum
    over runs of those peaks (``_Segments``) or over the common peaks. The query's own norm and the query
    peaks that break a ratio chain come from running sums kept with the block, at the pair's significance
    level.

    Parameters
    ----------
    block : QueryBlock
        The query spectra.
    library : PeakTable
        The library spectra.
    pq, pl : array_like
        The pairs: query ``pq[i]`` of ``block`` with spectrum ``pl[i]`` of ``library``.

    Returns
    -------
    PairScores
        The forward, reverse and composite scores (0 to 999) of each pair.
    """
    pq = numpy.asarray(pq, dtype=numpy.int64)
    pl = numpy.asarray(pl, dtype=numpy.int64)
    count = len(pl)
    starts, ends = library.ptr[pl], library.ptr[pl + 1]
    pair, peak = _gather_from(starts, ends)
    gathered = _Segments.of_lengths(ends - starts)
    mz = library.mz[peak]
    li = library.intensity[peak]
    query = pq[pair]
    qi = block.lookup(block.intensity, query, mz)
    lowest = numpy.maximum(block.lowest[pq], _lowest(library, pl))
    floor = numpy.minimum(numpy.maximum(block.floor[pq], library.floor[pl]), FLOOR_CAP)
    level = _level(floor)
    # A library peak counts in its own norm, and breaks a ratio chain, where it is in the common scan range
    # and at or above the pair's significance level; a common peak is one both spectra have at or above
    # the pair's floor, where a trace peak (<= 1) counts only against a peak above 1.
    in_range = mz >= lowest[pair]
    pair_floor = floor[pair]
    significant = in_range & (li >= _LEVELS[level][pair])
    common_mask = in_range & (qi >= pair_floor) & (li >= pair_floor) & ((qi > 1) | (li > 1))
    weighted_l = mz * li.astype(numpy.float64)
    library_norm = gathered.sum(numpy.where(significant | common_mask, weighted_l, 0.0))
    significant_before = numpy.zeros(len(peak) + 1, dtype=numpy.int64)
    numpy.cumsum(significant, out=significant_before[1:])

    common = numpy.flatnonzero(common_mask)
    pair, mz, qi, li, query = pair[common], mz[common], qi[common], li[common], query[common]
    segments = _Segments(pair, count)
    mz_value = mz.astype(numpy.float64)
    weighted_q = mz_value * qi
    dot = segments.sum(mz_value * numpy.sqrt(qi * li))
    n1 = segments.lengths.astype(numpy.float64)
    query_norm = block.norm_from(pq, lowest, level) + segments.sum(numpy.where(qi <= 1, weighted_q, 0.0))
    # Adjacent common peaks with no significant library peak between them.
    later = 1 + numpy.flatnonzero(
        (pair[1:] == pair[:-1]) & (significant_before[common[1:]] == significant_before[common[:-1] + 1])
    )
    ratios = _ratio_sums(block, count, level, later, pair, query, mz, qi, li)
    forward = _match_factor(dot, query_norm, library_norm, n1, ratios.forward, ratios.forward_count)
    reverse = _match_factor(
        dot, segments.sum(weighted_q), library_norm, n1, ratios.reverse, ratios.reverse_count
    )
    return PairScores(forward, reverse, (2 * forward + reverse) / 3)


def _level(floor: numpy.ndarray) -> numpy.ndarray:
    """The significance level of pairs with these floors: the row of ``_LEVELS`` at ``max(floor, 2)`` (a
    peak above 1 is significant; above a higher floor, one at or above it)."""
    return (numpy.maximum(floor, 2) - 2).astype(numpy.int64)


class _Segments:
    """Runs of consecutive elements that belong to one pair (``pair`` ascending), and sums over each run:
    ``numpy.add.reduceat`` over contiguous runs is an order of magnitude faster than ``numpy.bincount``."""

    def __init__(self, pair: numpy.ndarray, count: int):
        self._set(numpy.searchsorted(pair, numpy.arange(count)), len(pair))

    def _set(self, starts: numpy.ndarray, total: int) -> None:
        self.starts = starts
        self.lengths = numpy.diff(numpy.append(starts, total))
        self.empty = self.lengths == 0

    @classmethod
    def of_lengths(cls, lengths: numpy.ndarray) -> _Segments:
        """Runs of the given lengths, one after the other."""
        segments = cls.__new__(cls)  # the starts are known: no search for them
        segments._set(numpy.cumsum(lengths) - lengths, int(lengths.sum()))
        return segments

    def sum(self, values: numpy.ndarray) -> numpy.ndarray:
        # reduceat gives the element at the start of an empty run (or fails past the end): padded, masked.
        totals = numpy.add.reduceat(numpy.append(values.astype(numpy.float64), 0.0), self.starts)
        totals[self.empty] = 0.0
        return totals


def _lowest(library: PeakTable, pl: numpy.ndarray) -> numpy.ndarray:
    starts = library.ptr[pl]
    filled = library.ptr[pl + 1] > starts
    return numpy.where(filled, library.mz[numpy.minimum(starts, max(len(library.mz) - 1, 0))], 0)


@dataclass
class _RatioSums:
    """Per pair, the ratio term ``R`` and the number of ratios ``n2``, over the adjacent common peaks with no
    significant library peak between them (``reverse``), and over those with no significant query peak
    between them either (``forward``: an unmatched peak of either spectrum breaks the chain). A peak is
    significant at or above its pair's level: above 1, or at or above a higher floor."""

    forward: numpy.ndarray
    forward_count: numpy.ndarray
    reverse: numpy.ndarray
    reverse_count: numpy.ndarray


def _ratio_sums(block, count, level, later, pair, query, mz, qi, li) -> _RatioSums:
    """The ratio terms of each common peak (``later``, positions among the common peaks) with the common
    peak before it, summed per pair. ``rho`` is the ratio of the two peaks' query-to-library intensity
    ratios, so it is computed from one quotient per peak."""
    earlier = later - 1
    quotient = qi.astype(numpy.float64) / li
    rho = quotient[later] / quotient[earlier]
    mz_k = mz[later].astype(numpy.float64)
    term = numpy.sqrt(numpy.minimum(rho, 1 / rho)) * mz_k
    # Significant query peaks strictly between the two: the running count at the later one, less the count
    # up to and including the earlier one.
    position = block.lookup(block.position, query, mz)
    pair_level = level[pair[later]]
    between = block.at(block.count_before, pair_level, position[later]) - block.at(
        block.count_before, pair_level, position[earlier] + 1
    )
    unbroken = between == 0
    segments = _Segments(pair[later], count)
    return _RatioSums(
        _quotient(segments.sum(term * unbroken), segments.sum(mz_k * unbroken)),
        segments.sum(unbroken),
        _quotient(segments.sum(term), segments.sum(mz_k)),
        segments.lengths,
    )


def _quotient(numerator: numpy.ndarray, denominator: numpy.ndarray) -> numpy.ndarray:
    return numpy.divide(numerator, denominator, out=numpy.zeros(len(numerator)), where=denominator > 0)


def _match_factor(dot, query_norm, library_norm, n1, ratio, n2) -> numpy.ndarray:
    """The match factor of each pair from its sums."""
    cos2 = _quotient(dot**2, query_norm * library_norm)
    total = n1 + n2
    points = 1000 * (cos2 * n1 + ratio * n2) - 0.5 * total
    return numpy.clip(_quotient(points, total), 0, 999)


def entropy_similarity(block: QueryBlock, entropy: EntropyTable, library: PeakTable, pq, pl) -> numpy.ndarray:
    """Entropy similarity of each pair over the full spectra.

    ``1 - (2 S_AB - S_A - S_B) / ln 4``, the merged entropy being each spectrum's share plus a correction at
    the m/z values both have.

    Parameters
    ----------
    block : QueryBlock
        The query spectra.
    entropy : EntropyTable
        The shares and entropies of the library spectra (``EntropyTable.of(library)``).
    library : PeakTable
        The library spectra.
    pq, pl : array_like
        The pairs: query ``pq[i]`` of ``block`` with spectrum ``pl[i]`` of ``library``.

    Returns
    -------
    numpy.ndarray
        One similarity, from 0 to 1, per pair.
    """
    pq = numpy.asarray(pq, dtype=numpy.int64)
    pl = numpy.asarray(pl, dtype=numpy.int64)
    pair, peak = _gather(library.ptr, pl)
    query_share = block.lookup(block.share, pq[pair], library.mz[peak])
    both = query_share > 0
    q, lib = query_share[both], entropy.share[peak[both]]
    correction = _f((q + lib) / 2) - _f(q / 2) - _f(lib / 2)
    merged = (
        block.half_entropy[pq] + entropy.half_entropy[pl] + _Segments(pair[both], len(pl)).sum(correction)
    )
    similarity = 1 - (2 * merged - block.entropy[pq] - entropy.entropy[pl]) / _LOG4
    return numpy.clip(similarity, 0, 1)


def _f(x: numpy.ndarray) -> numpy.ndarray:
    return -x * numpy.log(x)


def _gather(ptr: numpy.ndarray, rows: numpy.ndarray) -> tuple[numpy.ndarray, numpy.ndarray]:
    """For the spectra ``rows`` of a peak table, the pair number and the peak position of every peak."""
    return _gather_from(ptr[rows], ptr[rows + 1])


def _gather_from(starts: numpy.ndarray, ends: numpy.ndarray) -> tuple[numpy.ndarray, numpy.ndarray]:
    """The pair number and peak position of every peak in the ranges ``starts[i]:ends[i]``."""
    lengths = numpy.maximum(ends - starts, 0)
    pair = numpy.repeat(numpy.arange(len(starts), dtype=numpy.int64), lengths)
    offsets = numpy.cumsum(lengths) - lengths
    peak = numpy.arange(int(lengths.sum()), dtype=numpy.int64) + (starts - offsets)[pair]
    return pair, peak
