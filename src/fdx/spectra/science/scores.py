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

    def append(self, other: PeakTable) -> PeakTable:
        return PeakTable(
            numpy.concatenate([self.ptr, other.ptr[1:] + self.ptr[-1]]),
            numpy.concatenate([self.mz, other.mz]),
            numpy.concatenate([self.intensity, other.intensity]),
        )


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
    significant_norm_below: numpy.ndarray  # (n, WIDTH): sum of m/z * I over peaks above 1 at m/z < column
    significant_count_below: numpy.ndarray  # (n, WIDTH): how many peaks above 1 at m/z < column
    lowest: numpy.ndarray
    entropy: numpy.ndarray
    half_entropy: numpy.ndarray

    @classmethod
    def of(cls, spectra: list[NominalSpectrum]) -> QueryBlock:
        table = PeakTable.of(spectra)
        rows = table.row_of_each_peak()
        entropy = EntropyTable.of(table)

        def dense(values, dtype=numpy.float32):
            grid = numpy.zeros((len(table), WIDTH), dtype=dtype)
            grid[rows, table.mz] = values
            return grid

        intensity = dense(table.intensity)
        significant = table.intensity > 1
        norm = dense(numpy.where(significant, table.mz * table.intensity, 0), numpy.float64)
        count = dense(significant.astype(numpy.float64), numpy.float64)
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


def _exclusive_cumsum(grid: numpy.ndarray) -> numpy.ndarray:
    """Column ``c`` holds the sum of columns ``< c``."""
    out = numpy.zeros_like(grid)
    numpy.cumsum(grid[:, :-1], axis=1, out=out[:, 1:])
    return out


@dataclass
class PairScores:
    forward: numpy.ndarray  # identity match factor, 0..999
    reverse: numpy.ndarray
    composite: numpy.ndarray


def weighted_cosine(block: QueryBlock, library: PeakTable, weights: numpy.ndarray, pq, pl) -> numpy.ndarray:
    """The prefilter cosine of each pair (query ``pq[i]``, library spectrum ``pl[i]``)."""
    pair, peak = _gather(library.ptr, pl)
    looked_up = block.weight[pq[pair], library.mz[peak]]
    return numpy.bincount(pair, weights=looked_up * weights[peak], minlength=len(pl))


def identity(block: QueryBlock, library: PeakTable, pq, pl) -> PairScores:
    """Forward and reverse identity match factors and their composite for each pair (query ``pq[i]`` of
    ``block``, spectrum ``pl[i]`` of ``library``)."""
    pq = numpy.asarray(pq, dtype=numpy.int64)
    pl = numpy.asarray(pl, dtype=numpy.int64)
    pair, peak = _gather(library.ptr, pl)
    mz = library.mz[peak]
    qi = block.intensity[pq[pair], mz]
    mz_value = mz.astype(numpy.float32)
    li = library.intensity[peak]
    lowest = numpy.maximum(block.lowest[pq], _lowest(library, pl))
    terms = _Terms(pair, mz, mz_value, qi, li, mz >= lowest[pair], len(pl))
    weighted_q = mz_value * qi
    query_norm = _query_norm_from(block, pq, lowest) + terms.sum(terms.common & (qi <= 1), weighted_q)
    ratios = terms.ratios(block, pq)
    forward = terms.match_factor(query_norm, ratios, query_breaks=True)
    reverse = terms.match_factor(terms.sum(terms.common, weighted_q), ratios, query_breaks=False)
    return PairScores(forward, reverse, (2 * forward + reverse) / 3)


def _lowest(library: PeakTable, pl: numpy.ndarray) -> numpy.ndarray:
    starts = library.ptr[pl]
    filled = library.ptr[pl + 1] > starts
    return numpy.where(filled, library.mz[numpy.minimum(starts, max(len(library.mz) - 1, 0))], 0)


def _query_norm_from(block: QueryBlock, pq: numpy.ndarray, lowest: numpy.ndarray) -> numpy.ndarray:
    """Sum of m/z * I over the query's peaks above 1 from ``lowest`` on."""
    norms = block.significant_norm_below
    return norms[pq, -1] - norms[pq, lowest]


@dataclass
class _Ratios:
    """The ratio terms of adjacent common peaks: per term its pair, weighted value, m/z, and whether a
    query peak above 1 lies between the two (which breaks the chain in the forward direction only)."""

    pair: numpy.ndarray
    term: numpy.ndarray
    mz: numpy.ndarray
    unbroken: numpy.ndarray


class _Terms:
    """The gathered peaks of many pairs and the sums the match factor is made of."""

    def __init__(self, pair, mz, mz_value, qi, li, in_range, pairs: int):
        self.pair, self.mz, self.mz_value, self.qi, self.li, self.pairs = pair, mz, mz_value, qi, li, pairs
        counted = (qi > 1) | (li > 1)  # a trace peak counts only against a peak above 1
        self.common = in_range & (qi > 0) & (li > 0) & counted
        library_counted = in_range & (li > 0) & counted
        self.dot = self.sum(self.common, mz_value * numpy.sqrt(qi * li))
        self.library_norm = self.sum(library_counted, mz_value * li)
        self.n1 = numpy.bincount(pair[self.common], minlength=pairs).astype(numpy.float64)
        # Events along m/z: common peaks, and library peaks above 1 the query lacks (they break the chain).
        self.event = numpy.flatnonzero(self.common | (in_range & (li > 1) & (qi <= 0)))

    def sum(self, mask: numpy.ndarray, values) -> numpy.ndarray:
        return numpy.bincount(self.pair, weights=numpy.where(mask, values, 0), minlength=self.pairs)

    def ratios(self, block: QueryBlock, pq) -> _Ratios:
        event = self.event
        current, previous = event[1:], event[:-1]
        linked = (self.pair[current] == self.pair[previous]) & self.common[current] & self.common[previous]
        k, j = current[linked], previous[linked]
        pair = self.pair[k]
        rows = pq[pair]
        between = (
            block.significant_count_below[rows, self.mz[k]]
            - block.significant_count_below[rows, self.mz[j] + 1]
        )
        rho = numpy.sqrt((self.qi[k] * self.li[j]) / (self.qi[j] * self.li[k]))
        mz = self.mz_value[k]
        return _Ratios(pair, numpy.minimum(rho, 1 / rho) * mz, mz, between == 0)

    def match_factor(self, query_norm, ratios: _Ratios, query_breaks: bool) -> numpy.ndarray:
        denominator = query_norm * self.library_norm
        cos2 = numpy.divide(self.dot**2, denominator, out=numpy.zeros(self.pairs), where=denominator > 0)
        keep = ratios.unbroken if query_breaks else slice(None)
        pair = ratios.pair[keep]
        ratio_sum = numpy.bincount(pair, weights=ratios.term[keep], minlength=self.pairs)
        mz_sum = numpy.bincount(pair, weights=ratios.mz[keep], minlength=self.pairs)
        n2 = numpy.bincount(pair, minlength=self.pairs).astype(numpy.float64)
        ratio = numpy.divide(ratio_sum, mz_sum, out=numpy.zeros(self.pairs), where=mz_sum > 0)
        total = self.n1 + n2
        points = 1000 * (cos2 * self.n1 + ratio * n2) - 0.5 * total
        score = numpy.divide(points, total, out=numpy.zeros(self.pairs), where=total > 0)
        return numpy.clip(score, 0, 999)


def entropy_similarity(block: QueryBlock, entropy: EntropyTable, library: PeakTable, pq, pl) -> numpy.ndarray:
    """Entropy similarity of each pair over the full spectra: ``1 - (2 S_AB - S_A - S_B) / ln 4``, the
    merged entropy being each spectrum's share plus a correction at the m/z values both have."""
    pq = numpy.asarray(pq, dtype=numpy.int64)
    pl = numpy.asarray(pl, dtype=numpy.int64)
    pair, peak = _gather(library.ptr, pl)
    query_share = block.share[pq[pair], library.mz[peak]]
    both = query_share > 0
    q, lib = query_share[both], entropy.share[peak[both]]
    correction = _f((q + lib) / 2) - _f(q / 2) - _f(lib / 2)
    merged = (
        block.half_entropy[pq]
        + entropy.half_entropy[pl]
        + numpy.bincount(pair[both], weights=correction, minlength=len(pl))
    )
    similarity = 1 - (2 * merged - block.entropy[pq] - entropy.entropy[pl]) / _LOG4
    return numpy.clip(similarity, 0, 1)


def _f(x: numpy.ndarray) -> numpy.ndarray:
    return -x * numpy.log(x)


def _gather(ptr: numpy.ndarray, rows: numpy.ndarray) -> tuple[numpy.ndarray, numpy.ndarray]:
    """For the spectra ``rows`` of a peak table, the pair number and the peak position of every peak."""
    starts = ptr[rows]
    lengths = ptr[rows + 1] - starts
    pair = numpy.repeat(numpy.arange(len(rows), dtype=numpy.int64), lengths)
    offsets = numpy.cumsum(lengths) - lengths
    peak = numpy.arange(int(lengths.sum()), dtype=numpy.int64) - offsets[pair] + starts[pair]
    return pair, peak
