"""The search index: every library spectrum on the nominal-mass scale, and a fast way to the few worth
scoring.

A search has three stages. (1) Candidates: the weighted cosine (``scores.prefilter_weights``) of the query
against the library — for a library of up to ``EXACT_LIMIT`` spectra against every spectrum, as one sparse
product over the peaks that carry the weight (``SCREEN_FLOOR``), which then also gives stage 2; for a
larger one, approximately, in an inverted file: each spectrum's weighted vector is projected onto the ``d``
directions that carry most of the library's signal (an uncentred principal-component basis), the projected
library is split into clusters, and a query compares itself only with the spectra of its ``probes`` nearest
clusters. (2) The ``candidates`` best are re-ranked by their exact weighted cosine. (3) Of the ``rescored``
best of those, the ones within ``plausible`` of the best cosine get the identity match factors and are
ranked by the composite (the next by the cosine follow them, scored too, when fewer than ``top`` are).
Stages 2 and 3 see every peak; only stage 1 approximates, and ``benchmarks/spectral_search.py`` measures
what it costs.

Hand-written on NumPy and SciPy (no well-kept library scores EI spectra the NIST way); the clustering is
plain spherical k-means, trained on a sample.
"""

from __future__ import annotations

import math
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import numpy
from scipy import sparse

from fdx.spectra.science import scores
from fdx.spectra.science.peaks import NominalSpectrum
from fdx.spectra.science.scores import WIDTH, EntropyTable, PeakTable, QueryBlock

EXACT_LIMIT = 25_000
DIMENSIONS = 128
TRAINING_SAMPLE = 60_000
FORMAT_VERSION = 1
# Queries scored together: enough for NumPy to pay off, few enough that the temporaries stay in the cache and
# are reused by the allocator rather than mapped afresh (256 ran about a fifth slower on SWGDRUG).
CHUNK = 64
# In an exact scan, library peaks whose unit-length prefilter weight is below this are left out of the
# first stage: on SWGDRUG they are 55 % of the peaks but about 1 % of the squared weight; leaving them out
# changed SWGDRUG's top-1 and top-5 rates not at all and MassBank's by less than 0.1 point, and made the
# stage 2.5 times faster (``benchmarks/spectral_search.py``). Hits' cosines are computed over all peaks.
SCREEN_FLOOR = 0.03


@dataclass(frozen=True)
class SearchOptions:
    """How a search goes: how many hits it returns, and how many candidates each stage keeps.

    The stages are those of the module docstring; the comments on the fields say which stage each limits.
    """

    top: int = 10
    candidates: int = 50  # stage 1 keeps this many for the exact cosine (large libraries)
    rescored: int = 10  # stage 2 keeps at most this many for the identity score ...
    plausible: float = 0.8  # ... with at least this share of the best cosine (then the next, up to ``top``)
    probes: int = 16  # clusters a query visits in a large library

    @property
    def identity_pairs(self) -> int:
        """Candidates per query that get the identity score: never fewer than the hits asked for."""
        return max(self.rescored, self.top)

    @property
    def cosine_pairs(self) -> int:
        """Candidates per query that a clustered index ranks by their exact cosine."""
        return max(self.candidates, self.identity_pairs)


class Hit(NamedTuple):
    """One library spectrum found for a query (a named tuple: a batch builds many thousands of them)."""

    row: int
    score: float  # composite, 0..999
    forward: float
    reverse: float
    entropy: float
    cosine: float
    shortlisted: bool  # ranked by the composite; the others follow, to make up the hits asked for


@dataclass
class _Clusters:
    basis: numpy.ndarray  # (WIDTH, d) float32
    centroids: numpy.ndarray  # (c, d) float32, unit length
    order: numpy.ndarray  # rows sorted by cluster
    offsets: numpy.ndarray  # cluster k holds order[offsets[k]:offsets[k + 1]]
    embedded: numpy.ndarray  # (n, d) embeddings of the rows in ``order``'s order
    trained_size: int


@dataclass
class SpectralIndex:
    """Library spectra and the derived arrays the three stages of a search use.

    Row ``i`` of ``table`` is the spectrum with id ``ids[i]``, in the group — the library — ``groups[i]``;
    ``retention_index`` holds their retention indices (NaN where unknown). Make one with ``build`` or
    ``load``.
    """

    table: PeakTable
    ids: numpy.ndarray
    retention_index: numpy.ndarray
    groups: numpy.ndarray
    weights: numpy.ndarray = field(init=False)
    entropy: EntropyTable = field(init=False)
    matrix: sparse.csr_matrix = field(init=False)
    clusters: _Clusters | None = None
    _screen: sparse.csr_matrix | None = field(init=False, default=None, repr=False)

    def __post_init__(self):
        self._derive()

    def _derive(self) -> None:
        self.weights = scores.prefilter_weights(self.table)
        self.entropy = EntropyTable.of(self.table)
        self.matrix = sparse.csr_matrix(
            (self.weights, self.table.mz, self.table.ptr), shape=(len(self.table), WIDTH)
        )
        self._screen = None

    def _screening_matrix(self) -> sparse.csr_matrix:
        """The weighted matrix without its faint peaks, for the first stage of an exact scan."""
        if self._screen is None:
            screen = self.matrix.copy()
            screen.data[screen.data < SCREEN_FLOOR] = 0
            screen.eliminate_zeros()
            self._screen = screen
        return self._screen

    @classmethod
    def build(
        cls, spectra: list[NominalSpectrum], ids, retention_index=None, groups=None, seed: int = 0
    ) -> SpectralIndex:
        """An index of ``spectra`` (clustered when there are more than ``EXACT_LIMIT``).

        Parameters
        ----------
        spectra : list of NominalSpectrum
            The library spectra.
        ids : array_like
            The id of each spectrum.
        retention_index : sequence of float or None, optional
            The retention index of each spectrum (None where unknown); none known when not given.
        groups : array_like, optional
            The group (the library) of each spectrum; all 0 when not given.
        seed : int, optional
            The seed of the random sample the clusters are trained on.

        Returns
        -------
        SpectralIndex
            The index.

        Raises
        ------
        ValueError
            When ``ids``, ``retention_index`` or ``groups`` does not give one value per spectrum.
        """
        _check_lengths(len(spectra), ids, retention_index, groups)
        ids = numpy.asarray(ids, dtype=numpy.int64)
        count = len(spectra)
        index = cls(PeakTable.of(spectra), ids, _retention(retention_index, count), _groups(groups, count))
        if len(spectra) > EXACT_LIMIT:
            index.clusters = _train(index.matrix, numpy.random.default_rng(seed))
        return index

    def __len__(self) -> int:
        return len(self.ids)

    # Growing

    def extend(self, spectra: list[NominalSpectrum], ids, retention_index=None, groups=None) -> None:
        """Add spectra.

        A clustered index places them in their nearest clusters, and is trained anew once it has doubled since
        it was trained (or once it outgrows an exact scan).

        Parameters
        ----------
        spectra : list of NominalSpectrum
            The spectra to add.
        ids : array_like
            The id of each.
        retention_index : sequence of float or None, optional
            The retention index of each (None where unknown).
        groups : array_like, optional
            The group (the library) of each; 0 when not given.

        Raises
        ------
        ValueError
            When ``ids``, ``retention_index`` or ``groups`` does not give one value per spectrum.
        """
        if not spectra:
            return
        _check_lengths(len(spectra), ids, retention_index, groups)
        self.table = self.table.append(PeakTable.of(spectra))
        self.ids = numpy.concatenate([self.ids, numpy.asarray(ids, dtype=numpy.int64)])
        self.retention_index = numpy.concatenate(
            [self.retention_index, _retention(retention_index, len(spectra))]
        )
        self.groups = numpy.concatenate([self.groups, _groups(groups, len(spectra))])
        self._derive()
        if len(self) <= EXACT_LIMIT:
            self.clusters = None
        elif self.clusters is None or len(self) > 2 * self.clusters.trained_size:
            self.clusters = _train(self.matrix, numpy.random.default_rng(len(self)))
        else:
            self.clusters = _assign(self.matrix, self.clusters)

    # Searching

    def search(
        self,
        queries: list[NominalSpectrum],
        options: SearchOptions = SearchOptions(),
        allowed: numpy.ndarray | None = None,
        query_retention: list[float | None] | None = None,
        retention_window: float | None = None,
        workers: int = 1,
    ) -> list[list[Hit]]:
        """The best hits of each query, among the rows allowed and within a retention window.

        A hit is one of the rows ``allowed`` (a boolean mask; all when None) and, when a query has a retention
        index and a window is given, a spectrum within the window of it or with no retention index.
        ``workers`` threads share a long batch (NumPy releases the interpreter lock in the heavy steps, so two
        threads on two cores go about one and a half times as fast).

        Parameters
        ----------
        queries : list of NominalSpectrum
            The query spectra.
        options : SearchOptions, optional
            How many hits, and how many candidates each stage keeps.
        allowed : numpy.ndarray, optional
            A boolean per row of the index: the rows that may be hits (every row when None).
        query_retention : list of float or None, optional
            The retention index of each query (None or NaN where unknown).
        retention_window : float, optional
            How far from a query's retention index a hit's may be; no limit when None.
        workers : int, optional
            Threads that share the batch, ``CHUNK`` queries at a time.

        Returns
        -------
        list of list of Hit
            For each query, in order, at most ``options.top`` hits: the shortlisted ones first, then those
            that make up the number asked for, each group by its composite score.
        """
        retention = list(query_retention or [None] * len(queries))
        chunks = [
            (queries[start : start + CHUNK], retention[start : start + CHUNK])
            for start in range(0, len(queries), CHUNK)
        ]

        def run(chunk):
            return self._search_block(chunk[0], options, allowed, chunk[1], retention_window)

        if workers > 1 and len(chunks) > 1:
            with ThreadPoolExecutor(workers) as pool:
                parts = list(pool.map(run, chunks))
        else:
            parts = [run(chunk) for chunk in chunks]
        return [hits for part in parts for hits in part]

    def _search_block(self, queries, options, allowed, retention, window) -> list[list[Hit]]:
        block = QueryBlock.of(queries)
        masks = [self._mask(allowed, value, window) for value in retention]
        pq, pl, plausible = self._candidates(block, options, masks)
        scored = scores.identity(block, self.table, pq, pl)
        # The plausible first, each group by its composite (0 to 999).
        keep = _first_per_query(pq, numpy.where(plausible, 0, 1000) - scored.composite, options.top)
        pq, pl = pq[keep], pl[keep]
        forward, reverse, composite = scored.forward[keep], scored.reverse[keep], scored.composite[keep]
        entropy = scores.entropy_similarity(block, self.entropy, self.table, pq, pl)
        cosine = scores.weighted_cosine(block, self.table, self.weights, pq, pl)
        # Plain Python numbers first, and the hits made in one ``map``: building thousands of hits one by one
        # from NumPy scalars costs more than scoring them. The pairs are grouped by query, best first.
        columns = (pl, composite, forward, reverse, entropy, cosine, plausible[keep])
        made = list(map(Hit, *(a.tolist() for a in columns)))
        ends = numpy.cumsum(numpy.bincount(pq, minlength=len(queries))).tolist()
        hits = [made[start:end] for start, end in zip([0, *ends[:-1]], ends, strict=True)]
        return hits

    def _mask(self, allowed, retention, window) -> numpy.ndarray | None:
        if retention is None or window is None or math.isnan(retention):
            return allowed
        near = numpy.isnan(self.retention_index) | (numpy.abs(self.retention_index - retention) <= window)
        return near if allowed is None else near & allowed

    def _candidates(self, block: QueryBlock, options: SearchOptions, masks):
        """Pairs (query, row) worth the identity score, and whether each is plausible: of each query's
        ``rescored`` best by the weighted cosine (by its screened form in an exact scan), those whose cosine
        is at least ``plausible`` of the best one's. When they are fewer than the ``top`` asked for, the next
        best by the cosine fill the list, ranked after them: the first hits never depend on how many are
        asked for. Leaving the implausible out of the ranking changed no SWGDRUG first hit and moved
        MassBank's top-1 up 0.1 point, and the identity score is most of a search's work
        (``benchmarks/spectral_search.py``)."""
        if self.clusters is None:
            similarity = numpy.asarray((self._screening_matrix() @ block.weight.T).T)
            pq, pl = _top_of_rows(similarity, options.identity_pairs, masks)
            cosine = similarity[pq, pl]
        else:
            pq, pl = _pairs(self._clustered_candidates(block, options, masks))
            cosine = scores.weighted_cosine(block, self.table, self.weights, pq, pl)
            keep = _first_per_query(pq, -cosine, options.identity_pairs)
            pq, pl, cosine = pq[keep], pl[keep], cosine[keep]
        first = numpy.searchsorted(pq, pq, side="left")
        rank = numpy.arange(len(pq)) - first
        plausible = (rank < options.rescored) & (cosine >= options.plausible * cosine[first])
        # Each implausible candidate's place among its query's implausible ones, in the cosine's order.
        implausible = ~plausible
        running = numpy.cumsum(implausible)
        place = running - (running[first] - implausible[first]) - 1
        room = options.top - numpy.bincount(pq[plausible], minlength=len(block))[pq]
        keep = plausible | (implausible & (place < room))
        return pq[keep], pl[keep], plausible[keep]

    def _clustered_candidates(self, block: QueryBlock, options: SearchOptions, masks) -> list[numpy.ndarray]:
        clusters = self.clusters
        embedded = _unit(block.weight @ clusters.basis)
        nearest = _top_columns(embedded @ clusters.centroids.T, options.probes)
        found = []
        for query, mask in enumerate(masks):
            ranges = [(clusters.offsets[k], clusters.offsets[k + 1]) for k in nearest[query]]
            rows = numpy.concatenate([clusters.order[a:b] for a, b in ranges])
            similarity = numpy.concatenate([clusters.embedded[a:b] @ embedded[query] for a, b in ranges])
            if mask is not None:
                keep = mask[rows]
                rows, similarity = rows[keep], similarity[keep]
            found.append(rows[_top(similarity, options.cosine_pairs, None)])
        return found

    # Storage

    def save(self, path: Path) -> None:
        """Write the index to ``path`` (one ``.npz`` file), so that a new process loads it in moments.

        Parameters
        ----------
        path : pathlib.Path
            The file; written under a temporary name in the same folder, then renamed into place.
        """
        arrays = {
            "version": numpy.array([FORMAT_VERSION]),
            "ptr": self.table.ptr,
            "mz": self.table.mz,
            "intensity": self.table.intensity,
            "ids": self.ids,
            "retention_index": self.retention_index,
            "groups": self.groups,
        }
        if self.clusters is not None:
            c = self.clusters
            arrays.update(
                basis=c.basis,
                centroids=c.centroids,
                order=c.order,
                offsets=c.offsets,
                embedded=c.embedded,
                trained_size=numpy.array([c.trained_size]),
            )
        # A temporary file of its own, in the same folder, then an atomic rename: processes saving at once
        # (web workers and the task worker after an import) never write into one another's file.
        handle, temporary = tempfile.mkstemp(prefix=path.stem + ".", suffix=".tmp.npz", dir=path.parent)
        try:
            with os.fdopen(handle, "wb") as stream:
                numpy.savez(stream, **arrays)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    @classmethod
    def load(cls, path: Path) -> SpectralIndex:
        """An index written by ``save``.

        Parameters
        ----------
        path : pathlib.Path
            The file.

        Returns
        -------
        SpectralIndex
            The index, its derived arrays made anew.

        Raises
        ------
        ValueError
            When the file was written by another version of FDX (another ``FORMAT_VERSION``): rebuild the
            index.
        """
        with numpy.load(path) as data:
            if int(data["version"][0]) != FORMAT_VERSION:
                raise ValueError(f"{path} was written by another version of FDX; rebuild the index")
            table = PeakTable(data["ptr"], data["mz"], data["intensity"])
            index = cls(table, data["ids"], data["retention_index"], data["groups"])
            if "basis" in data:
                index.clusters = _Clusters(
                    data["basis"],
                    data["centroids"],
                    data["order"],
                    data["offsets"],
                    data["embedded"],
                    int(data["trained_size"][0]),
                )
        return index

    def memory_bytes(self) -> int:
        """The bytes the index's arrays hold in memory.

        Returns
        -------
        int
            The sum of their sizes, the screening matrix and the clusters included when there are any.
        """
        arrays = [self.table.ptr, self.table.mz, self.table.intensity, self.table.floor, self.ids]
        arrays.append(self.retention_index)
        arrays.append(self.groups)
        arrays += [self.weights, self.entropy.share, self.entropy.entropy, self.entropy.half_entropy]
        arrays += [self.matrix.data, self.matrix.indices, self.matrix.indptr]
        if self._screen is not None:
            arrays += [self._screen.data, self._screen.indices, self._screen.indptr]
        if self.clusters is not None:
            c = self.clusters
            arrays += [c.basis, c.centroids, c.order, c.offsets, c.embedded]
        return sum(a.nbytes for a in arrays)


def _check_lengths(count: int, ids, retention_index, groups) -> None:
    """One id (and one retention index and group, when given) per spectrum."""
    for name, values in (("id", ids), ("retention index", retention_index), ("group", groups)):
        if values is not None and len(values) != count:
            raise ValueError(f"one {name} per spectrum is needed: {len(values)} for {count} spectra")


def _retention(values, count: int) -> numpy.ndarray:
    if values is None:
        return numpy.full(count, numpy.nan, dtype=numpy.float32)
    return numpy.array([numpy.nan if v is None else v for v in values], dtype=numpy.float32)


def _groups(values, count: int) -> numpy.ndarray:
    if values is None:
        return numpy.zeros(count, dtype=numpy.int64)
    return numpy.asarray(values, dtype=numpy.int64)


def _top(similarity: numpy.ndarray, count: int, mask) -> numpy.ndarray:
    """Positions of the ``count`` highest values (those where ``mask`` is true), best first."""
    if mask is not None:
        similarity = numpy.where(mask, similarity, -numpy.inf)
    if count < len(similarity):
        best = numpy.argpartition(-similarity, count)[:count]
    else:
        best = numpy.arange(len(similarity))
    best = best[numpy.isfinite(similarity[best])]
    return best[numpy.argsort(-similarity[best], kind="stable")]


def _top_of_rows(similarity: numpy.ndarray, count: int, masks) -> tuple[numpy.ndarray, numpy.ndarray]:
    """Pairs (query, row) of each query's ``count`` most similar rows (among those its mask allows), best
    first, equal values by row.

    ``argpartition`` picks each query's ``count`` best columns in one pass, which also gives the ``count``-th
    best value. It breaks ties at that value arbitrarily, so a query with more values at or above it than
    ``count`` (identical library spectra give identical values) has its columns chosen again from all of
    them, lowest row first: the answer never depends on how the partition fell."""
    if any(mask is not None for mask in masks):
        similarity = similarity.copy()
        for query, mask in enumerate(masks):
            if mask is not None:
                similarity[query, ~mask] = -numpy.inf
    queries, width = similarity.shape
    count = min(count, width)
    if count == 0 or queries == 0:
        return numpy.zeros(0, numpy.int64), numpy.zeros(0, numpy.int64)
    chosen = numpy.argpartition(similarity, width - count, axis=1)[:, width - count :]
    bar = numpy.take_along_axis(similarity, chosen, axis=1).min(axis=1)
    pq = numpy.repeat(numpy.arange(queries), count)
    pl = chosen.ravel()
    # A bar of -inf means fewer allowed rows than ``count``: all of them are chosen, and the rest dropped.
    tied = ((similarity >= bar[:, None]).sum(axis=1) > count) & numpy.isfinite(bar)
    if tied.any():
        rows = numpy.flatnonzero(tied)
        chosen_again = [_lowest_at_bar(similarity[row], bar[row], count) for row in rows]
        untied = ~tied[pq]
        pq = numpy.concatenate([pq[untied], numpy.repeat(rows, [len(c) for c in chosen_again])])
        pl = numpy.concatenate([pl[untied], *chosen_again])
    values = similarity[pq, pl]
    order = numpy.lexsort((pl, -values, pq))
    pq, pl, values = pq[order], pl[order], values[order]
    first = numpy.searchsorted(pq, pq, side="left")
    keep = ((numpy.arange(len(pq)) - first) < count) & numpy.isfinite(values)
    return pq[keep].astype(numpy.int64), pl[keep].astype(numpy.int64)


def _lowest_at_bar(values: numpy.ndarray, bar: float, count: int) -> numpy.ndarray:
    """The columns of the values above ``bar``, and of the first of those equal to it, ``count`` in all."""
    above = numpy.flatnonzero(values > bar)
    return numpy.concatenate([above, numpy.flatnonzero(values == bar)[: count - len(above)]])


def _top_columns(matrix: numpy.ndarray, count: int) -> numpy.ndarray:
    if count >= matrix.shape[1]:
        return numpy.tile(numpy.arange(matrix.shape[1]), (matrix.shape[0], 1))
    return numpy.argpartition(-matrix, count, axis=1)[:, :count]


def _pairs(found: list[numpy.ndarray]) -> tuple[numpy.ndarray, numpy.ndarray]:
    """Per-query lists of rows as two parallel arrays (query, row)."""
    lengths = [len(rows) for rows in found]
    pq = numpy.repeat(numpy.arange(len(found), dtype=numpy.int64), lengths)
    pl = numpy.concatenate(found).astype(numpy.int64) if found else numpy.zeros(0, dtype=numpy.int64)
    return pq, pl


def _first_per_query(pq: numpy.ndarray, key: numpy.ndarray, count: int) -> numpy.ndarray:
    """Positions of each query's ``count`` pairs with the lowest ``key``, grouped by query, lowest first."""
    order = numpy.lexsort((key, pq))
    grouped = pq[order]
    first = numpy.searchsorted(grouped, grouped, side="left")
    return order[(numpy.arange(len(order)) - first) < count]


# Clusters


def _train(matrix: sparse.csr_matrix, rng: numpy.random.Generator) -> _Clusters:
    """The projection basis and the clusters of a large library, trained on a sample of it."""
    sample_rows = rng.choice(matrix.shape[0], min(TRAINING_SAMPLE, matrix.shape[0]), replace=False)
    sample = matrix[numpy.sort(sample_rows)]
    basis = _principal_directions(sample, DIMENSIONS)
    count = max(16, int(2 * math.sqrt(matrix.shape[0])))
    centroids = _spherical_kmeans(_unit(numpy.asarray(sample @ basis, dtype=numpy.float32)), count, rng)
    clusters = _Clusters(basis, centroids, numpy.zeros(0, numpy.int64), numpy.zeros(1, numpy.int64), None, 0)
    clusters = _assign(matrix, clusters)
    clusters.trained_size = matrix.shape[0]
    return clusters


def _principal_directions(sample: sparse.csr_matrix, dimensions: int) -> numpy.ndarray:
    """The ``dimensions`` eigenvectors of ``XᵀX`` with the largest eigenvalues (uncentred: inner products of
    projections approximate inner products of the unit-length weighted spectra)."""
    gram = (sample.T @ sample).toarray().astype(numpy.float64)
    values, vectors = numpy.linalg.eigh(gram)
    return vectors[:, numpy.argsort(values)[::-1][:dimensions]].astype(numpy.float32)


def _spherical_kmeans(points: numpy.ndarray, count: int, rng, rounds: int = 12) -> numpy.ndarray:
    centroids = points[rng.choice(len(points), count, replace=False)].copy()
    for _ in range(rounds):
        label = numpy.argmax(points @ centroids.T, axis=1)
        sums = numpy.zeros_like(centroids)
        numpy.add.at(sums, label, points)
        empty = ~sums.any(axis=1)
        sums[empty] = points[rng.choice(len(points), int(empty.sum()), replace=False)]
        centroids = _unit(sums)
    return centroids


def _assign(matrix: sparse.csr_matrix, clusters: _Clusters) -> _Clusters:
    """Every row of ``matrix`` embedded and filed under its nearest centroid."""
    embedded = _unit(numpy.asarray(matrix @ clusters.basis, dtype=numpy.float32))
    label = numpy.concatenate(
        [
            numpy.argmax(embedded[i : i + 50_000] @ clusters.centroids.T, axis=1)
            for i in range(0, len(embedded), 50_000)
        ]
    )
    order = numpy.argsort(label, kind="stable")
    offsets = numpy.zeros(len(clusters.centroids) + 1, dtype=numpy.int64)
    numpy.cumsum(numpy.bincount(label, minlength=len(clusters.centroids)), out=offsets[1:])
    embedded = embedded[order]
    return _Clusters(clusters.basis, clusters.centroids, order, offsets, embedded, clusters.trained_size)


def _unit(vectors: numpy.ndarray) -> numpy.ndarray:
    norms = numpy.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / numpy.where(norms > 0, norms, 1)
