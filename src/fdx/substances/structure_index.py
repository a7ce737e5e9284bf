"""An in-memory index for substructure and similarity search over the whole registry (Django-free).

Built from what the registry stores (parent SMILES, pattern and Morgan fingerprints), so building it
parses nothing: RDKit's ``SubstructLibrary`` screens candidates with the pattern fingerprints and only
then parses and matches the survivors; similarity is a bulk Tanimoto over the Morgan fingerprints.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdkit import Chem, DataStructs
from rdkit.Chem import rdSubstructLibrary

from fdx.substances import chem


@dataclass(frozen=True)
class IndexedStructure:
    substance_id: int
    smiles: str
    pattern_fingerprint: bytes
    morgan_fingerprint: bytes


class StructureIndex:
    """Substructure and similarity search over a fixed set of structures."""

    def __init__(self, entries: list[IndexedStructure], threads: int = 2):
        self.ids = [entry.substance_id for entry in entries]
        self.threads = threads
        molecules = rdSubstructLibrary.CachedTrustedSmilesMolHolder()
        patterns = rdSubstructLibrary.PatternHolder(chem.FINGERPRINT_BITS)
        self.morgan = []
        for entry in entries:
            molecules.AddSmiles(entry.smiles)
            patterns.AddFingerprint(chem.fingerprint_from_bytes(entry.pattern_fingerprint))
            self.morgan.append(chem.fingerprint_from_bytes(entry.morgan_fingerprint))
        self.library = rdSubstructLibrary.SubstructLibrary(molecules, patterns)

    def __len__(self) -> int:
        return len(self.ids)

    def substructure(self, query: Chem.Mol, max_results: int = 1000) -> list[int]:
        """Ids of the structures containing ``query`` (at most ``max_results``, in index order)."""
        if not self.ids:
            return []
        positions = self.library.GetMatches(query, numThreads=self.threads, maxResults=max_results)
        return [self.ids[position] for position in sorted(positions)]

    def similar(self, mol: Chem.Mol, threshold: float = 0.7, top: int = 100) -> list[tuple[int, float]]:
        """(id, Tanimoto) of the structures at least ``threshold`` similar to ``mol``, best first."""
        if not self.ids:
            return []
        scores = DataStructs.BulkTanimotoSimilarity(chem.morgan_fingerprint(mol), self.morgan)
        hits = [(self.ids[i], score) for i, score in enumerate(scores) if score >= threshold]
        hits.sort(key=lambda hit: (-hit[1], hit[0]))
        return hits[:top]
