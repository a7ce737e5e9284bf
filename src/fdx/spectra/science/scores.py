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

Two choices of FDX, measured on the SWGDRUG and MassBank replicate sets (``benchmarks/spectral_search.py``):
the two spectra are compared over their common scan range only (from the higher of their lowest m/z
values: laboratories start their scans at m/z 29, 35, 40 or 50, and a peak below the other's range says
nothing), and the rank is the composite ``(2 * forward + reverse) / 3`` on the same 0-999 scale.

Entropy similarity is Li et al.'s (Nature Methods 18 (2021) 1524), with their intensity weighting of
low-entropy spectra.

Everything is computed by gathering each library spectrum's peaks and looking up the query's intensity at
the same m/z in a dense row of the query, so no pair needs its peaks merged or sorted.
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
_LOG4 = math.log(4.0)


@dataclass
class PeakTable:
    """Many nominal spectra in compressed rows: spectrum ``i`` has peaks ``ptr[i]:ptr[i+1]``."""

    ptr: numpy.ndarray  # int64, n + 1
    mz: numpy.ndarray  # int32
    intensity: numpy.ndarray  # float32

    @classmethod
    def of(cls, spectra: list[NominalSpectrum]) -> PeakTable:
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
        start, end = self.ptr[i], self.ptr[i + 1]
        return NominalSpectrum(self.mz[start:end], self.intensity[start:end])

    def row_of_each_peak(self) -> numpy.ndarray:
        return numpy.repeat(numpy.arange(len(self), dtype=numpy.int64), numpy.diff(self.ptr))

    def lowest_mz(self) -> numpy.ndarray:
        """The lowest m/z of each spectrum (its scan range starts there, as far as anyone can tell)."""
        lowest = numpy.zeros(len(self), dtype=numpy.int32)
        filled = numpy.diff(self.ptr) > 0
        lowest[filled] = self.mz[self.ptr[:-1][filled]]
        return lowest

    @functools.cached_property
    def sums(self) -> LibrarySums:
        """Running sums over the peaks, for the identity score (computed once per table)."""
        return LibrarySums.of(self)

    def append(self, other: PeakTable) -> PeakTable:
        return PeakTable(
            numpy.concatenate([self.ptr, other.ptr[1:] + self.ptr[-1]]),
            numpy.concatenate([self.mz, other.mz]),
            numpy.concatenate([self.intensity, other.intensity]),
        )


@dataclass
class LibrarySums:
    """Per peak of a peak table: a sort key (row, m/z) to find a spectrum's first peak at or above an m/z,
    and running totals over the peaks above 1 (of ``m/z * I``, and their count), each with a leading zero,
    so that a sum over any run of peaks is a difference of two entries."""

    key: numpy.ndarray  # int64, row * WIDTH + m/z, ascending
    significant_norm: numpy.ndarray  # float64, n + 1
    significant_before: numpy.ndarray  # int64, n + 1

    @classmethod
    def of(cls, table: PeakTable) -> LibrarySums:
        significant = table.intensity > 1
        norm = numpy.zeros(len(table.mz) + 1)
        numpy.cumsum(
            numpy.where(significant, table.mz * table.intensity.astype(numpy.float64), 0), out=norm[1:]
        )
        before = numpy.zeros(len(table.mz) + 1, dtype=numpy.int64)
        numpy.cumsum(significant, out=before[1:])
        return cls(table.row_of_each_peak() * WIDTH + table.mz, norm, before)

    def first_from(self, rows: numpy.ndarray, lowest: numpy.ndarray) -> numpy.ndarray:
        """The position of the first peak of each spectrum ``rows[i]`` at m/z ``lowest[i]`` or above."""
        return numpy.searchsorted(self.key, rows * WIDTH + lowest, side="left")

    def significant_norm_between(self, first: numpy.ndarray, end: numpy.ndarray) -> numpy.ndarray:
        return self.significant_norm[end] - self.significant_norm[first]


def prefilter_weights(table: PeakTable) -> numpy.ndarray:
    """Per peak, ``I^0.53 * (m/z)^1.3`` scaled to unit length per spectrum: the weighting whose cosine best
    preselects identity candidates (high masses carry the structure, low ones are shared by everything)."""
    mz = table.mz.astype(numpy.float32)
    weights = table.intensity**PREFILTER_INTENSITY_POWER * mz**PREFILTER_MZ_POWER
    squares = numpy.bincount(table.row_of_each_peak(), weights=weights * weights, minlength=len(table))
    norms = numpy.sqrt(squares).astype(numpy.float32)
    return (weights / numpy.repeat(numpy.where(norms > 0, norms, 1), numpy.diff(table.ptr))).astype(
        numpy.float32
    )


@dataclass
class EntropyTable:
    """Per peak, the intensity share used by entropy similarity; per spectrum its entropy ``S`` and
    ``F = sum f(p / 2)`` with ``f(x) = -x ln x`` (the part of the merged spectrum's entropy it brings)."""

    share: numpy.ndarray
    entropy: numpy.ndarray
    half_entropy: numpy.ndarray

    @classmethod
    def of(cls, table: PeakTable) -> EntropyTable:
        rows = table.row_of_each_peak()
        share = _shares(table.intensity.astype(numpy.float64), rows, len(table))
        entropy = _row_sums(-share * numpy.log(share), rows, len(table))
        low = entropy < 3  # Li et al.: low-entropy spectra are flattened, p^(0.25 + S * 0.25)
        if low.any():
            power = numpy.where(low, 0.25 + entropy * 0.25, 1.0)[rows]
            share = _shares(share**power, rows, len(table))
            entropy = _row_sums(-share * numpy.log(share), rows, len(table))
        half = share / 2
        return cls(share, entropy, _row_sums(-half * numpy.log(half), rows, len(table)))


def _shares(values: numpy.ndarray, rows: numpy.ndarray, count: int) -> numpy.ndarray:
    totals = _row_sums(values, rows, count)
    return values / totals[rows]


def _row_sums(values: numpy.ndarray, rows: numpy.ndarray, count: int) -> numpy.ndarray:
    return numpy.bincount(rows, weights=values, minlength=count)


@dataclass
class QueryBlock:
    """Query spectra as dense rows (looked up by m/z) with the running sums the identity score needs."""

    table: PeakTable
    intensity: numpy.ndarray  # (n, WIDTH) float32
    weight: numpy.ndarray  # (n, WIDTH) prefilter weights
    share: numpy.ndarray  # (n, WIDTH) entropy shares
    # Running sums along m/z, stored m/z-major (one past the highest m/z, n); read them with ``below``:
    significant_norm_below: numpy.ndarray  # [c, q]: sum of m/z * I over q's peaks above 1 at m/z < c
    significant_count_below: numpy.ndarray  # [c, q]: how many peaks above 1 q has at m/z < c
    lowest: numpy.ndarray
    entropy: numpy.ndarray
    half_entropy: numpy.ndarray

    @classmethod
    def of(cls, spectra: list[NominalSpectrum]) -> QueryBlock:
        table = PeakTable.of(spectra)
        rows = table.row_of_each_peak()
        entropy = EntropyTable.of(table)

        # The running sums need rows up to one past the block's highest m/z only (lookups are clamped).
        height = int(table.mz.max()) + 2 if len(table.mz) else 1

        def dense(values, dtype=numpy.float32, mz_major=False):
            if mz_major:
                grid = numpy.zeros((height, len(table)), dtype=dtype)
                grid[table.mz, rows] = values
            else:
                grid = numpy.zeros((len(table), WIDTH), dtype=dtype)
                grid[rows, table.mz] = values
            return grid

        intensity = dense(table.intensity)
        significant = table.intensity > 1
        norm = dense(numpy.where(significant, table.mz * table.intensity, 0), numpy.float64, mz_major=True)
        count = dense(significant, numpy.int32, mz_major=True)
        return cls(
            table=table,
            intensity=intensity,
            weight=dense(prefilter_weights(table)),
            share=dense(entropy.share, numpy.float64),
            significant_norm_below=_exclusive_cumsum(norm),
            significant_count_below=_exclusive_cumsum(count),
            lowest=table.lowest_mz(),
            entropy=entropy.entropy,
            half_entropy=entropy.half_entropy,
        )

    def __len__(self) -> int:
        return len(self.table)

    @staticmethod
    def below(grid: numpy.ndarray, mz: numpy.ndarray, queries: numpy.ndarray) -> numpy.ndarray:
        """A running sum of each query up to (not including) ``mz``; beyond the block's highest m/z it is the
        query's total."""
        return QueryBlock.lookup(grid, numpy.minimum(mz, grid.shape[0] - 1), queries)

    @staticmethod
    def lookup(grid: numpy.ndarray, rows: numpy.ndarray, columns: numpy.ndarray) -> numpy.ndarray:
        """``grid[rows, columns]`` through a flat index (two-array indexing is several times slower)."""
        return grid.ravel()[rows * grid.shape[1] + columns]


def _exclusive_cumsum(grid: numpy.ndarray) -> numpy.ndarray:
    """Row ``c`` holds the sum of rows ``< c`` (C-ordered: adding whole rows is what NumPy does fastest)."""
    out = numpy.zeros(grid.shape, dtype=grid.dtype)
    numpy.cumsum(grid[:-1], axis=0, out=out[1:])
    return out


@dataclass
class PairScores:
    forward: numpy.ndarray  # identity match factor, 0..999
    reverse: numpy.ndarray
    composite: numpy.ndarray


def weighted_cosine(block: QueryBlock, library: PeakTable, weights: numpy.ndarray, pq, pl) -> numpy.ndarray:
    """The prefilter cosine of each pair (query ``pq[i]``, library spectrum ``pl[i]``)."""
    pq = numpy.asarray(pq, dtype=numpy.int64)
    pl = numpy.asarray(pl, dtype=numpy.int64)
    pair, peak = _gather(library.ptr, pl)
    looked_up = block.lookup(block.weight, pq[pair], library.mz[peak])
    return _Segments(pair, len(pl)).sum(looked_up * weights[peak])


def identity(block: QueryBlock, library: PeakTable, pq, pl) -> PairScores:
    """Forward and reverse identity match factors and their composite for each pair (query ``pq[i]`` of
    ``block``, spectrum ``pl[i]`` of ``library``).

    Only the library peaks in the pair's common scan range are gathered, and only the common peaks are
    carried past the first step: the library's own norm and the library peaks that break a ratio chain come
    from running sums kept with the library (``LibrarySums``), the query's from ``block``'s. The peaks of a
    pair stay together and in order, so every per-pair sum is a segmented sum (``_Segments``)."""
    pq = numpy.asarray(pq, dtype=numpy.int64)
    pl = numpy.asarray(pl, dtype=numpy.int64)
    sums = library.sums
    lowest = numpy.maximum(block.lowest[pq], _lowest(library, pl))
    first = sums.first_from(pl, lowest)
    end = library.ptr[pl + 1]
    pair, peak = _gather_from(first, end)
    mz = library.mz[peak]
    query = pq[pair]
    qi = block.lookup(block.intensity, query, mz)
    li = library.intensity[peak]
    # A common peak: both spectra have it, and a trace peak (<= 1) counts only against a peak above 1.
    common = numpy.flatnonzero((qi > 0) & ((qi > 1) | (li > 1)))
    pair, peak, mz, qi, li, query = (
        pair[common],
        peak[common],
        mz[common],
        qi[common],
        li[common],
        query[common],
    )
    segments = _Segments(pair, len(pl))
    mz_value = mz.astype(numpy.float64)
    weighted_q = mz_value * qi
    dot = segments.sum(mz_value * numpy.sqrt(qi * li))
    n1 = segments.lengths.astype(numpy.float64)
    library_norm = sums.significant_norm_between(first, end) + segments.sum(
        numpy.where(li <= 1, mz_value * li, 0)
    )
    query_norm = _query_norm_from(block, pq, lowest) + segments.sum(numpy.where(qi <= 1, weighted_q, 0))
    ratios = _ratios(block, sums, query, pair, peak, mz, qi, li)
    forward = _match_factor(dot, query_norm, library_norm, n1, ratios, ratios.unbroken)
    reverse = _match_factor(dot, segments.sum(weighted_q), library_norm, n1, ratios, None)
    return PairScores(forward, reverse, (2 * forward + reverse) / 3)


class _Segments:
    """Runs of consecutive elements that belong to one pair (``pair`` ascending), and sums over each run:
    ``numpy.add.reduceat`` over contiguous runs is an order of magnitude faster than ``numpy.bincount``."""

    def __init__(self, pair: numpy.ndarray, count: int):
        self.starts = numpy.searchsorted(pair, numpy.arange(count))
        self.lengths = numpy.diff(numpy.append(self.starts, len(pair)))
        self.empty = self.lengths == 0

    def sum(self, values: numpy.ndarray) -> numpy.ndarray:
        # reduceat gives the element at the start of an empty run (or fails past the end): padded, masked.
        totals = numpy.add.reduceat(numpy.append(values.astype(numpy.float64), 0.0), self.starts)
        totals[self.empty] = 0.0
        return totals


def _lowest(library: PeakTable, pl: numpy.ndarray) -> numpy.ndarray:
    starts = library.ptr[pl]
    filled = library.ptr[pl + 1] > starts
    return numpy.where(filled, library.mz[numpy.minimum(starts, max(len(library.mz) - 1, 0))], 0)


def _query_norm_from(block: QueryBlock, pq: numpy.ndarray, lowest: numpy.ndarray) -> numpy.ndarray:
    """Sum of m/z * I over the query's peaks above 1 from ``lowest`` on."""
    norms = block.significant_norm_below
    return norms[-1, pq] - block.below(norms, lowest, pq)


@dataclass
class _Ratios:
    """The ratio terms of adjacent common peaks (no library peak above 1 between them): per term its pair,
    weighted value, m/z, and whether no query peak above 1 lies between the two either (the forward
    direction needs both)."""

    pair: numpy.ndarray
    term: numpy.ndarray
    mz: numpy.ndarray
    unbroken: numpy.ndarray


def _ratios(block, sums, query, pair, peak, mz, qi, li) -> _Ratios:
    """Ratio terms of each common peak with the common peak before it, where the library has no peak above
    1 between them (its running count of such peaks is the same on both sides). ``rho`` is the ratio of
    the two peaks' query-to-library intensity ratios, so it is computed from one quotient per peak."""
    # Query peaks above 1 below each common peak; at m/z + 1 it is one more where the query's peak is above 1.
    below = block.lookup(block.significant_count_below, mz, query)
    linked = (pair[1:] == pair[:-1]) & (
        sums.significant_before[peak[1:]] == sums.significant_before[peak[:-1] + 1]
    )
    quotient = qi.astype(numpy.float64) / li
    rho = quotient[1:][linked] / quotient[:-1][linked]
    mz_k = mz[1:][linked].astype(numpy.float64)
    between = below[1:][linked] - below[:-1][linked] - (qi[:-1][linked] > 1)
    term = numpy.sqrt(numpy.minimum(rho, 1 / rho)) * mz_k
    return _Ratios(pair[1:][linked], term, mz_k, between == 0)


def _match_factor(dot, query_norm, library_norm, n1, ratios: _Ratios, keep) -> numpy.ndarray:
    """The match factor of each pair from its sums; ``keep`` selects the ratio terms that count."""
    count = len(dot)
    denominator = query_norm * library_norm
    cos2 = numpy.divide(dot**2, denominator, out=numpy.zeros(count), where=denominator > 0)
    pair, term, mz = ratios.pair, ratios.term, ratios.mz
    if keep is not None:
        pair, term, mz = pair[keep], term[keep], mz[keep]
    segments = _Segments(pair, count)
    ratio_sum, mz_sum = segments.sum(term), segments.sum(mz)
    n2 = segments.lengths.astype(numpy.float64)
    ratio = numpy.divide(ratio_sum, mz_sum, out=numpy.zeros(count), where=mz_sum > 0)
    total = n1 + n2
    points = 1000 * (cos2 * n1 + ratio * n2) - 0.5 * total
    score = numpy.divide(points, total, out=numpy.zeros(count), where=total > 0)
    return numpy.clip(score, 0, 999)


def entropy_similarity(block: QueryBlock, entropy: EntropyTable, library: PeakTable, pq, pl) -> numpy.ndarray:
    """Entropy similarity of each pair over the full spectra: ``1 - (2 S_AB - S_A - S_B) / ln 4``, the
    merged entropy being each spectrum's share plus a correction at the m/z values both have."""
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
