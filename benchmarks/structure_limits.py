"""The cost of the largest structures FDX accepts, and of refusing those past its limits (prints JSON).

Run: ``PYTHONPATH=src python benchmarks/structure_limits.py``. Before the limits, the 18,000-carbon chain
took about 46 s to standardise in the main thread and killed a thread of 256 KiB of stack (SIGSEGV), and
243 parts took about 20 s.
"""

from __future__ import annotations

import json
import time

from rdkit import Chem

from fdx.substances import chem


def _ladder(atoms: int, rings: int) -> str:
    """A chain of ``atoms`` carbons with ``rings`` extra bonds, each closing a four-membered ring."""
    mol = Chem.RWMol()
    for _ in range(atoms):
        mol.AddAtom(Chem.Atom(6))
    for index in range(atoms - 1):
        mol.AddBond(index, index + 1, Chem.BondType.SINGLE)
    for index in range(0, 2 * rings, 2):
        mol.AddBond(index, index + 3, Chem.BondType.SINGLE)
    return Chem.MolToSmiles(mol)


CASES = {
    "chain_500_atoms": "C" * chem.MAX_HEAVY_ATOMS,
    "20_parts_of_25_atoms": ".".join(
        ["CCCCCCCCCCCCCCCCCCCCCCCC[NH3+]"] * (chem.MAX_FRAGMENTS - 1) + ["[Cl-]"]
    ),
    "ladder_500_atoms_60_rings": _ladder(chem.MAX_HEAVY_ATOMS, chem.MAX_RINGS),
    "refused_chain_18000_atoms": "C" * 18000,
    "refused_243_parts": ".".join(["O"] * 243),
}


def measure(smiles: str) -> dict:
    start = time.perf_counter()
    try:
        structure = chem.standardise(chem.parse(smiles, "smiles"))
        outcome = structure.full.formula
    except chem.StructureError as exc:
        outcome = f"refused: {exc}"
    return {"seconds": round(time.perf_counter() - start, 4), "outcome": outcome[:100]}


if __name__ == "__main__":
    measure("CCO")  # the first call imports what the messages need
    print(json.dumps({name: measure(smiles) for name, smiles in CASES.items()}, indent=1))
