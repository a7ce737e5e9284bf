"""Esters and ethers of listed substances.

The structures a structure is an ester or ether of, found by undoing one or two O-acylations or
O-alkylations, and the heavy-atom formulas that screen the products.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from rdkit import Chem
from rdkit.Chem import AllChem, rdMolDescriptors

from fdx.substances import chem

# An ester or ether of a listed substance is recognised by undoing one or two O-acylations or O-alkylations.
_UNDO = [
    AllChem.ReactionFromSmarts(smarts)
    for smarts in (
        "[C,c:1][O:2][C;!R](=O)[#6:3]>>[C,c:1][O:2]",
        "[c:1][O:2][CH3]>>[c:1][O:2]",
        "[C:1][O:2][CH3]>>[C:1][O:2]",
        "[C,c:1][O:2][CH2][CH3]>>[C,c:1][O:2]",
    )
]
_UNDO_TEMPLATES = [reaction.GetReactantTemplate(0) for reaction in _UNDO]
_UNDO_STEPS = 2
_UNDOABLE = Chem.MolFromSmarts("[C,c][OX2][$([C;!R](=O)[#6]),$([CH3]),$([CH2][CH3])]")  # what _UNDO can undo
_ELEMENT_COUNT = re.compile(r"([A-Z][a-z]?)(\d*)")
_PERIODIC_TABLE = Chem.GetPeriodicTable()
_HYDROGENS_AND_CHARGES = re.compile(r"H(?![a-z])\d*|[+-]\d*")


@dataclass(frozen=True)
class Formulas:
    """Heavy-atom formulas of the structures worth identifying, with their compositions and sizes.

    The formulas are as ``heavy_formula`` writes them, the compositions as ``heavy_composition`` counts them;
    ``sizes`` are their numbers of heavy atoms, ``smallest`` the least of these.
    """

    formulas: frozenset[str]
    compositions: frozenset[tuple]
    sizes: frozenset[int]
    smallest: int

    @classmethod
    def of(cls, mols: Iterable[Chem.Mol]) -> Formulas:
        """The formulas, compositions and sizes of ``mols``.

        Parameters
        ----------
        mols : iterable of rdkit.Chem.Mol
            The structures worth identifying.

        Returns
        -------
        Formulas
            Theirs (``smallest`` 0 when there are none).
        """
        mols = list(mols)
        sizes = frozenset(mol.GetNumHeavyAtoms() for mol in mols)
        return cls(
            frozenset(heavy_formula(mol) for mol in mols),
            frozenset(heavy_composition(mol) for mol in mols),
            sizes,
            min(sizes, default=0),
        )


def undone_skeletons(mol: Chem.Mol, wanted: Formulas | None = None) -> set[str]:
    """Skeletons of the structures ``mol`` is an ester or ether of, one or two steps back.

    Identifying a product (its InChIKey) costs far more than making it, so with ``wanted`` only a product of a
    wanted formula is identified, and a product no larger than the smallest wanted one is not undone further
    (undoing only removes atoms). Before any product is made, the formulas that undoing could reach are worked
    out from the groups it would remove: most structures can reach none that is wanted.

    Parameters
    ----------
    mol : rdkit.Chem.Mol
        The structure, a standardised parent with its ring information.
    wanted : Formulas, optional
        The formulas of the products worth identifying; every product is identified when None.

    Returns
    -------
    set of str
        The skeletons (first InChIKey blocks) of the products identified.
    """
    smallest = wanted.smallest if wanted is not None else 0
    if (wanted is not None and mol.GetNumHeavyAtoms() <= smallest) or not mol.HasSubstructMatch(_UNDOABLE):
        return set()
    if wanted is not None and not _may_reach(mol, wanted):
        return set()
    found, seen, frontier = set(), set(), [mol]
    for step in range(1, _UNDO_STEPS + 1):
        following = []
        for product in (p for reactant in frontier for p in _undo_once(reactant)):
            size = product.GetNumHeavyAtoms()
            identify = wanted is None or (size in wanted.sizes and heavy_formula(product) in wanted.formulas)
            undo_further = step < _UNDO_STEPS and size > smallest
            if not (identify or undo_further) or not _sanitised(product):
                continue
            if identify and (key := Chem.MolToInchiKey(product)):
                found.add(chem.skeleton_key(key))
            if undo_further and (smiles := Chem.MolToSmiles(product)) not in seen:
                seen.add(smiles)
                following.append(product)
        frontier = following
    return found


def _may_reach(mol: Chem.Mol, wanted: Formulas) -> bool:
    """Whether undoing one or two of the O-acyl and O-alkyl groups of ``mol`` could give a structure of a
    wanted composition. Undoing removes a group and changes nothing else that the patterns look at, so the
    groups of a second step are groups of ``mol`` apart from the first: every reachable composition is the
    whole less one group or less two disjoint groups."""
    groups = _removable_groups(mol)
    whole = Counter(dict(heavy_composition(mol)))
    lost = [Counter(mol.GetAtomWithIdx(index).GetAtomicNum() for index in group) for group in groups]
    reachable = [[i] for i in range(len(groups))]
    if _UNDO_STEPS > 1:
        reachable += [
            [a, b] for a, b in itertools.combinations(range(len(groups)), 2) if not groups[a] & groups[b]
        ]
    for removed in reachable:
        rest = whole.copy()
        for i in removed:
            rest.subtract(lost[i])
        if (
            tuple(sorted((element, n) for element, n in rest.items() if n > 0 and element > 1))
            in wanted.compositions
        ):
            return True
    return False


def _removable_groups(mol: Chem.Mol) -> list[frozenset[int]]:
    """The atoms each reaction of ``_UNDO`` would remove from ``mol``, one set per place it applies: the
    group on the far side of the oxygen (the third atom of every pattern)."""
    groups = set()
    for template in _UNDO_TEMPLATES:
        for match in mol.GetSubstructMatches(template, uniquify=False):
            groups.add(_side(mol, match[2], barrier=match[1]))
    return sorted(groups, key=sorted)


def _side(mol: Chem.Mol, start: int, barrier: int) -> frozenset[int]:
    """The atoms reached from ``start`` without passing through ``barrier``."""
    seen, stack = {start}, [start]
    while stack:
        for neighbour in mol.GetAtomWithIdx(stack.pop()).GetNeighbors():
            index = neighbour.GetIdx()
            if index != barrier and index not in seen:
                seen.add(index)
                stack.append(index)
    return frozenset(seen)


def _undo_once(mol: Chem.Mol) -> Iterable[Chem.Mol]:
    """The structures one O-acyl or O-alkyl group fewer than ``mol``, not yet sanitised (most are dropped
    by their size alone)."""
    for reaction in _UNDO:
        for products in reaction.RunReactants((mol,)):
            yield products[0]


def _sanitised(product: Chem.Mol) -> bool:
    try:
        Chem.SanitizeMol(product)
    except Exception:  # an impossible product is skipped
        return False
    return True


def heavy_composition(mol: Chem.Mol) -> tuple[tuple[int, int], ...]:
    """The heavy atoms of ``mol`` counted by element, as sorted (atomic number, count) pairs.

    The same comparison as ``heavy_formula``, made from atoms rather than from a formula.

    Parameters
    ----------
    mol : rdkit.Chem.Mol
        The structure.

    Returns
    -------
    tuple of (int, int)
        (atomic number, count) pairs, by atomic number.
    """
    mol.UpdatePropertyCache(strict=False)
    counts = Counter()
    for symbol, count in _ELEMENT_COUNT.findall(rdMolDescriptors.CalcMolFormula(mol)):
        if symbol != "H":
            counts[_PERIODIC_TABLE.GetAtomicNumber(symbol)] += int(count or 1)
    return tuple(sorted(counts.items()))


def heavy_formula(mol: Chem.Mol) -> str:
    """The formula without hydrogens and charges (``C17NO3`` for morphine).

    The same for every structure of one skeleton, so a product of another formula cannot have the skeleton of
    a listed substance.

    Parameters
    ----------
    mol : rdkit.Chem.Mol
        The structure.

    Returns
    -------
    str
        The Hill formula less its hydrogens and charges.
    """
    mol.UpdatePropertyCache(strict=False)
    return _HYDROGENS_AND_CHARGES.sub("", rdMolDescriptors.CalcMolFormula(mol))
