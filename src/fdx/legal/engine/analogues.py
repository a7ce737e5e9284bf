"""Analogues: the listed structures similar enough to a structure for an analogue clause.

They make it a possible analogue for an expert to decide, and never make it controlled.
"""

from __future__ import annotations

from rdkit import Chem, DataStructs

from fdx.legal.engine.answers import Basis
from fdx.legal.engine.data import EntryInfo, GenericInfo, Snapshot
from fdx.legal.engine.structure import _Facts
from fdx.substances import chem


class AnaloguesMixin:
    """The ``Engine``'s analogue clauses: the similarity of a structure to the listed structures in force.

    It reads the snapshot and the analogue clauses the engine compiles, keeps its fingerprints and caches in
    the engine, and asks ``ListingsMixin._reach`` which listed structures are in force.
    """

    snapshot: Snapshot
    analogue_threshold: float
    analogue_clauses: dict[str, list[GenericInfo]]
    _similar_cache: dict
    _fingerprints: tuple[list[EntryInfo], list] | None
    _distinct: tuple[list, list[list[int]], float] | None

    def _analogues(self, facts: _Facts, jurisdiction: str, day) -> list[Basis]:
        clauses = [clause for clause in self.analogue_clauses.get(jurisdiction, []) if clause.in_force(day)]
        if not clauses:
            return []
        listed = self._similarity_index(jurisdiction, day)
        bases = []
        for clause in clauses:
            threshold = clause.rule.get("threshold", self.analogue_threshold)
            ranked = sorted(
                (
                    (score, listed[i])
                    for i, score in self._similar(facts)
                    if score >= threshold and i in listed
                ),
                reverse=True,
            )
            if ranked:
                nearest = "; ".join(f"{name} ({score:.2f})" for score, name in _unique_names(ranked)[:3])
                bases.append(
                    Basis(
                        clause.list_code,
                        "analogue_possible",
                        clause.name,
                        clause.instrument,
                        clause.effective_from.isoformat(),
                        clause.source_url,
                        clause.verified,
                        f"nearest listed substances: {nearest}; an expert decides",
                    )
                )
        return bases

    def _similar(self, facts: _Facts) -> list[tuple[int, float]]:
        """The listed structures as similar to the query as any analogue clause asks (positions in
        ``_entry_fingerprints``, scores), compared once for every jurisdiction, and once for each distinct
        listed structure (a structure listed in several lists is compared once)."""
        if facts.similar is None:
            distinct, positions, lowest = self._distinct_fingerprints()
            scores = DataStructs.BulkTanimotoSimilarity(facts.query.morgan, distinct)
            facts.similar = sorted(
                (position, score)
                for index, score in enumerate(scores)
                if score >= lowest
                for position in positions[index]
            )
        return facts.similar

    def _distinct_fingerprints(self) -> tuple[list, list[list[int]], float]:
        """The distinct fingerprints of the listed structures, the positions in ``_entry_fingerprints`` of
        the entries of each, and the lowest similarity any analogue clause asks for; made on first use."""
        if self._distinct is None:
            _entries, fingerprints = self._entry_fingerprints()
            index_of: dict[bytes, int] = {}
            distinct, positions = [], []
            for position, fingerprint in enumerate(fingerprints):
                key = fingerprint.ToBinary()
                if key not in index_of:
                    index_of[key] = len(distinct)
                    distinct.append(fingerprint)
                    positions.append([])
                positions[index_of[key]].append(position)
            lowest = min(
                (
                    clause.rule.get("threshold", self.analogue_threshold)
                    for clauses in self.analogue_clauses.values()
                    for clause in clauses
                ),
                default=self.analogue_threshold,
            )
            self._distinct = (distinct, positions, lowest)
        return self._distinct

    def _similarity_index(self, jurisdiction: str, day) -> dict[int, str]:
        """The structures listed in ``jurisdiction`` on ``day`` (the candidates an analogue clause compares
        with): their positions in ``_entry_fingerprints`` and names, kept for the most recent days asked
        about."""
        key = (jurisdiction, day)
        if key not in self._similar_cache:
            if len(self._similar_cache) > 64:
                self._similar_cache.clear()
            entries, _fingerprints = self._entry_fingerprints()
            self._similar_cache[key] = {
                index: entry.name
                for index, entry in enumerate(entries)
                if any(not reach.uncertainty for reach in self._reach(entry, jurisdiction, day))
            }
        return self._similar_cache[key]

    def _entry_fingerprints(self) -> tuple[list[EntryInfo], list]:
        """The entries with a structure (exclusions aside) and their Morgan fingerprints, in the same order,
        made on first use."""
        if self._fingerprints is None:
            entries, fingerprints = [], []
            for entry in self.snapshot.entries:
                smiles = self.snapshot.entry_smiles.get(entry.entry_id)
                mol = Chem.MolFromSmiles(smiles) if smiles and not entry.is_exclusion else None
                if mol is not None:
                    entries.append(entry)
                    fingerprints.append(chem.morgan_fingerprint(mol))
            self._fingerprints = (entries, fingerprints)
        return self._fingerprints


def _unique_names(ranked):
    seen, unique = set(), []
    for score, name in ranked:
        if name not in seen:
            seen.add(name)
            unique.append((score, name))
    return unique
