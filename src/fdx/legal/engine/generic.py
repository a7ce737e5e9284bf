"""Generic definitions as data, and the matcher that applies them (Django-free).

Two rule shapes cover the models the region and its neighbours use:

``{"parents": [{"name", "smiles"}], "substituents": [...], "positions": ..., "max_replacements": n}``
    A structure is a derivative of a named parent when it is the parent with one or more hydrogen atoms,
    halogens or hydroxyl groups replaced by substituents of the allowed kinds (Kazakhstan's list of
    substituents, Russia's "derivatives", the UK's cathinone definition). Parent atoms may carry atom-map
    numbers naming a class of positions; ``positions`` then gives the allowed kinds per class, and unmapped
    atoms stay as they are. Without maps, every atom that carried H, halogen or OH may be substituted with
    the kinds of ``substituents``.
``{"any_of": [SMARTS, ...], "none_of": [SMARTS, ...]}``
    A class defined by core structures (China's fentanyl and synthetic-cannabinoid classes, the UK's
    third-generation cannabinoid definition), with the exclusions the instrument names.

Either shape may name ``"exclude": [{"name", "smiles"}]``: substances the instrument excepts by name
(bupropion from the UK cathinones); every stereo form of them is excepted.

Substituent kinds (``alkyl:1-4`` limits the carbon count): halide, alkyl, cycloalkyl, alkenyl, alkoxy,
haloalkyl, hydroxy, amino (with alkyls), nitro, cyano, alkylthio, acyl, alkylenedioxy (bridging two ring
atoms), ring_on_nitrogen (the nitrogen included in a ring: a chain on the nitrogen closing back onto it, or
joining two of its own carbon groups, as pyrrolidine joins the methyls of N,N-dimethyl), aryl, any. Every
kind but ``any`` is a group joined by single bonds: a hydrogen pair replaced by ``=O`` is no hydroxyl. A
worked example list travels with each definition and is run by the tests.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache

from rdkit import Chem, DataStructs

from fdx.substances import chem

HALOGENS = {9, 17, 35, 53}
MAX_MATCHES = 64


@dataclass(frozen=True)
class GenericMatch:
    """How a structure falls under a generic definition.

    For a derivative, the named ``parent``, the ``replacements`` that turn it into the structure, and the
    parent's skeleton, by which the parent's thresholds are found; for a class, no parent.
    """

    parent: str
    replacements: tuple[str, ...]
    parent_skeleton: str = ""

    def explain(self) -> str:
        """The match in words, for the basis of an answer.

        Returns
        -------
        str
            ``matches the class definition``, or the parent and the replacements of a derivative.
        """
        if not self.parent:
            return "matches the class definition"
        changes = ", ".join(self.replacements) if self.replacements else "no change"
        return f"derivative of {self.parent}: {changes}"


class RuleError(ValueError):
    """A generic definition whose machine-readable rule is malformed; names what is wrong."""


def match(rule: dict, query: Chem.Mol, query_pattern=None, skeleton: str = "") -> GenericMatch | None:
    """Whether ``query`` (a standardised parent) falls under ``rule``, the rule's exceptions included.

    Parameters
    ----------
    rule : dict
        A generic definition's rule (see the module docstring).
    query : rdkit.Chem.Mol
        The structure, a standardised parent.
    query_pattern : rdkit.DataStructs.ExplicitBitVect, optional
        Its pattern fingerprint; when given, it screens the parents.
    skeleton : str, optional
        The first block of its InChIKey; computed when the rule has exceptions and it is not given.

    Returns
    -------
    GenericMatch or None
        The first explanation found; None when the structure does not fall under the rule.

    Raises
    ------
    RuleError
        When the rule is malformed.
    """
    return compile_rule(rule).match(query, query_pattern, skeleton)


def compile_rule(rule: dict) -> CompiledRule:
    """The rule with its patterns parsed and its parents prepared.

    Kept for the rules last used (a rule is compiled once however many structures it is applied to).

    Parameters
    ----------
    rule : dict
        A generic definition's rule (see the module docstring).

    Returns
    -------
    CompiledRule
        The rule, ready to apply.

    Raises
    ------
    RuleError
        When the rule is malformed.
    """
    return _compiled(json.dumps(rule, sort_keys=True))


@lru_cache(maxsize=256)
def _compiled(frozen: str) -> CompiledRule:
    return CompiledRule(json.loads(frozen))


class CompiledRule:
    """One generic definition ready to apply: a class (SMARTS) or named parents, and its exceptions.

    Parameters
    ----------
    rule : dict
        The definition's rule (see the module docstring).

    Raises
    ------
    RuleError
        When the rule has neither ``any_of`` nor ``parents``, or a pattern, a SMILES or a substituent kind
        in it is invalid.
    """

    def __init__(self, rule: dict):
        self.excluded = excluded_skeletons(rule)
        self.include: tuple[Chem.Mol, ...] = ()
        self.exclude: tuple[Chem.Mol, ...] = ()
        self.parents: tuple[Parent, ...] = ()
        if "any_of" in rule:
            self.include = tuple(_smarts(s) for s in rule["any_of"])
            self.exclude = tuple(_smarts(s) for s in rule.get("none_of", []))
        elif "parents" in rule:
            kinds = tuple(rule.get("substituents", ()))
            for kind in kinds + tuple(k for v in rule.get("positions", {}).values() for k in v):
                _parse_kind(kind)  # a misspelt kind is refused here, not silently never matched
            positions = {str(k): tuple(v) for k, v in rule.get("positions", {}).items()}
            maximum = rule.get("max_replacements")
            self.parents = tuple(
                Parent(p["name"], p["smiles"], kinds, positions, maximum) for p in rule["parents"]
            )
        else:
            raise RuleError("a generic definition needs 'any_of' (SMARTS) or 'parents'")

    def match(self, query: Chem.Mol, query_pattern=None, skeleton: str = "") -> GenericMatch | None:
        """Whether ``query`` falls under the rule, its exceptions included (see ``match``).

        Parameters
        ----------
        query : rdkit.Chem.Mol
            The structure, a standardised parent.
        query_pattern : rdkit.DataStructs.ExplicitBitVect, optional
            Its pattern fingerprint; when given, it screens the parents.
        skeleton : str, optional
            The first block of its InChIKey; computed when the rule has exceptions and it is not given.

        Returns
        -------
        GenericMatch or None
            The first explanation found; None when the structure does not fall under the rule.
        """
        found = self._match(query, query_pattern)
        if found is None or not self.excluded:
            return found
        skeleton = skeleton or chem.skeleton_key(Chem.MolToInchiKey(query))
        return None if skeleton in self.excluded else found

    def _match(self, query, query_pattern) -> GenericMatch | None:
        if self.include:
            if any(query.HasSubstructMatch(p) for p in self.exclude):
                return None
            return GenericMatch("", ()) if any(query.HasSubstructMatch(p) for p in self.include) else None
        for parent in self.parents:
            # A fingerprint already at hand screens the parents out cheaply; without one, the substructure
            # search fails about as fast as a fingerprint would be made.
            if query_pattern is not None and not DataStructs.AllProbeBitsMatch(parent.screen, query_pattern):
                continue
            found = parent.derivative(query)
            if found is not None:
                return found
        return None


def excluded_skeletons(rule: dict) -> frozenset[str]:
    """The skeletons (first InChIKey blocks) of the substances the rule excepts by name.

    Parameters
    ----------
    rule : dict
        A generic definition's rule; its ``exclude`` lists the excepted substances.

    Returns
    -------
    frozenset of str
        Their skeletons (every stereo form of them is excepted).

    Raises
    ------
    RuleError
        When an exception's SMILES is invalid.
    """
    keys = set()
    for item in rule.get("exclude", []):
        mol = Chem.MolFromSmiles(item["smiles"])
        if mol is None:
            raise RuleError(f"invalid SMILES among the exclusions: {item['smiles']}")
        keys.add(chem.skeleton_key(Chem.MolToInchiKey(mol)))
    return frozenset(keys)


def _smarts(text: str) -> Chem.Mol:
    pattern = Chem.MolFromSmarts(text)
    if pattern is None:
        raise RuleError(f"invalid SMARTS in a generic definition: {text}")
    return pattern


class Parent:
    """A named parent compiled for derivative matching.

    Its core (the parent without the halogens and hydroxyls that may be replaced), the kinds allowed at each
    core atom, and a fingerprint screen.

    Parameters
    ----------
    name : str
        The parent's name, as an explanation gives it.
    smiles : str
        Its structure; atom-map numbers name classes of positions.
    default_kinds : tuple of str
        The substituent kinds allowed wherever a hydrogen, halogen or hydroxyl may be replaced, when no
        atom is mapped.
    positions : dict
        The kinds allowed per class of positions (atom-map number, as a string), when atoms are mapped.
    maximum : int or None
        The most replacements a derivative may have; no limit when None.

    Raises
    ------
    RuleError
        When the SMILES is invalid.
    """

    def __init__(self, name, smiles, default_kinds, positions, maximum):
        mol = Chem.MolFromSmiles(smiles)
        if mol is None:
            raise RuleError(f"invalid parent SMILES for {name}: {smiles}")
        self.name, self.maximum = name, maximum
        self.skeleton = chem.skeleton_key(Chem.MolToInchiKey(mol))
        mapped = any(atom.GetAtomMapNum() for atom in mol.GetAtoms())
        removable = {atom.GetIdx() for atom in mol.GetAtoms() if _replaceable_group(atom)}
        keep = [a.GetIdx() for a in mol.GetAtoms() if a.GetIdx() not in removable]
        self.kinds: dict[int, tuple[str, ...]] = {}
        self.original: dict[int, list[str]] = {}
        for new_index, old_index in enumerate(keep):
            atom = mol.GetAtomWithIdx(old_index)
            has_site = atom.GetTotalNumHs() > 0 or any(n.GetIdx() in removable for n in atom.GetNeighbors())
            if mapped:
                kinds = positions.get(str(atom.GetAtomMapNum()), ()) if atom.GetAtomMapNum() else ()
            else:
                kinds = default_kinds if has_site else ()
            self.kinds[new_index] = kinds
            groups = [
                _fragment_smiles(mol, [n.GetIdx()], [(n.GetIdx(), old_index)])
                for n in atom.GetNeighbors()
                if n.GetIdx() in removable
            ]
            if groups:
                self.original[new_index] = sorted(groups)
        core = Chem.RWMol(mol)
        for index in sorted(removable, reverse=True):
            core.RemoveAtom(index)
        self.core = core.GetMol()
        for atom in self.core.GetAtoms():
            atom.SetAtomMapNum(0)
            atom.SetNoImplicit(False)
        Chem.SanitizeMol(self.core)
        self.screen = chem.pattern_fingerprint(self.core)

    def derivative(self, query: Chem.Mol) -> GenericMatch | None:
        """The first placement of the core on ``query`` that makes it a derivative.

        Placements that cover the same atoms in another order (a ring turned over) leave the same
        substituents, which are cut out and written once.

        Parameters
        ----------
        query : rdkit.Chem.Mol
            The structure, a standardised parent.

        Returns
        -------
        GenericMatch or None
            The parent and the replacements; None when no placement makes the structure a derivative.
        """
        pieces_of: dict[frozenset[int], list | None] = {}
        for mapping in query.GetSubstructMatches(self.core, uniquify=False, maxMatches=MAX_MATCHES):
            atoms = frozenset(mapping)
            if atoms not in pieces_of:
                pieces_of[atoms] = _pieces(query, atoms)
            if pieces_of[atoms] is not None:
                result = self._check(mapping, pieces_of[atoms])
                if result is not None:
                    return result
        return None

    def _check(self, mapping, pieces) -> GenericMatch | None:
        """The replacements that turn the parent into the query with the core placed on ``mapping``; None
        when a substituent (of ``pieces``) is not of a kind allowed at its position."""
        core_of = {q: c for c, q in enumerate(mapping)}
        replacements = []
        for fragment, links, placement in pieces:
            sites = {core_of[core_atom] for _, core_atom in links}
            if len(links) == 1 and fragment in self.original.get(next(iter(sites)), []):
                continue  # the parent's own halogen or hydroxyl, unchanged
            kinds = frozenset(kind for site in sites for kind in self.kinds.get(site, ()))
            if not kinds or not _fits(fragment, kinds, placement):
                return None
            replacements.append(fragment.replace("*", "–"))
        if not replacements:
            return None
        if self.maximum is not None and len(replacements) > self.maximum:
            return None
        return GenericMatch(self.name, tuple(sorted(replacements)), self.skeleton)


def _pieces(query: Chem.Mol, core: frozenset[int]) -> list[tuple[str, list, str]] | None:
    """What ``query`` has outside the ``core`` atoms: each connected part as (SMILES with ``*`` at the core,
    its bonds to the core as (part atom, core atom) pairs, placement); None when a part is not bonded to the
    core or is bonded to it more than twice (no substituent of the model is)."""
    rest = [index for index in range(query.GetNumAtoms()) if index not in core]
    pieces = []
    for component in _components(query, rest):
        links = [
            (q_atom, n.GetIdx())
            for q_atom in component
            for n in query.GetAtomWithIdx(q_atom).GetNeighbors()
            if n.GetIdx() in core
        ]
        if not links or len(links) > 2:
            return None
        pieces.append((_fragment_smiles(query, component, links), links, _placement(query, links, core)))
    return pieces


def _placement(query, links, core) -> str:
    """Where a substituent sits: ``one`` (one bond to the core), ``same`` (two bonds to one core atom),
    ``nitrogen`` (two bonds to one core nitrogen, or to two core atoms that share a core nitrogen: either
    way closing a ring through it) or ``apart`` (two bonds to two other core atoms)."""
    if len(links) == 1:
        return "one"
    first, second = (core_atom for _, core_atom in links)
    if first == second:
        return "nitrogen" if query.GetAtomWithIdx(first).GetAtomicNum() == 7 else "same"
    for neighbour in query.GetAtomWithIdx(first).GetNeighbors():
        index = neighbour.GetIdx()
        if (
            neighbour.GetAtomicNum() == 7
            and index in core
            and query.GetBondBetweenAtoms(index, second) is not None
        ):
            return "nitrogen"
    return "apart"


def _replaceable_group(atom: Chem.Atom) -> bool:
    """A terminal halogen or hydroxyl oxygen of a parent: its position is a substitution site."""
    if atom.GetDegree() != 1:
        return False
    if atom.GetAtomicNum() in HALOGENS:
        return True
    return atom.GetAtomicNum() == 8 and atom.GetTotalNumHs() == 1


def _components(mol, atoms: list[int]) -> list[list[int]]:
    remaining, components = set(atoms), []
    while remaining:
        stack, seen = [remaining.pop()], []
        while stack:
            index = stack.pop()
            seen.append(index)
            for neighbour in mol.GetAtomWithIdx(index).GetNeighbors():
                if neighbour.GetIdx() in remaining:
                    remaining.discard(neighbour.GetIdx())
                    stack.append(neighbour.GetIdx())
        components.append(sorted(seen))
    return components


def _fragment_smiles(mol, atoms: list[int], links: list[tuple[int, int]]) -> str:
    """The component as SMILES with a dummy atom ``*`` for each bond to the core (``links``: pairs of a
    component atom and the core atom it is bonded to), each dummy bond of the order of the bond it stands
    for, so that a carbonyl oxygen reads ``*=O`` and never passes for a hydroxyl."""
    local = {old: new for new, old in enumerate(atoms)}
    elements = tuple(
        (atom.GetAtomicNum(), atom.GetFormalCharge(), atom.GetIsAromatic(), atom.GetTotalNumHs())
        for atom in (mol.GetAtomWithIdx(old) for old in atoms)
    )
    bonds = tuple(
        (local[bond.GetBeginAtomIdx()], local[bond.GetEndAtomIdx()], bond.GetBondType())
        for bond in (
            mol.GetBondWithIdx(index)
            for index in sorted({b.GetIdx() for old in atoms for b in mol.GetAtomWithIdx(old).GetBonds()})
        )
        if bond.GetBeginAtomIdx() in local and bond.GetEndAtomIdx() in local
    )  # in the molecule's order
    ends = tuple(
        (local[old], mol.GetBondBetweenAtoms(old, core_atom).GetBondType()) for old, core_atom in links
    )
    return _written(elements, bonds, ends)


@lru_cache(maxsize=65536)
def _written(elements: tuple, bonds: tuple, ends: tuple) -> str:
    """SMILES of a fragment given as its atoms (element, charge, aromatic, hydrogens), bonds and bonds to
    the core (the same few substituents recur across structures, so each is written once)."""
    fragment = Chem.RWMol()
    for element, charge, aromatic, hydrogens in elements:
        atom = Chem.Atom(element)
        atom.SetFormalCharge(charge)
        atom.SetIsAromatic(aromatic)
        atom.SetNumExplicitHs(hydrogens)
        atom.SetNoImplicit(True)
        fragment.AddAtom(atom)
    for begin, end, order in bonds:
        fragment.AddBond(begin, end, order)
    for atom, order in ends:
        fragment.AddBond(atom, fragment.AddAtom(Chem.Atom(0)), order)
    try:
        return Chem.MolToSmiles(fragment.GetMol(), canonical=True)
    except Exception:  # an aromatic fragment cut out of its ring cannot always be written; name it plainly
        return "*" + "".join(sorted(Chem.Atom(element).GetSymbol() for element, *_rest in elements))


_KIND = re.compile(r"^(?P<name>[a-z_]+)(?::(?P<low>\d+)-(?P<high>\d+))?$")
KINDS = frozenset(
    {
        "halide",
        "alkyl",
        "cycloalkyl",
        "alkenyl",
        "alkoxy",
        "haloalkyl",
        "hydroxy",
        "amino",
        "nitro",
        "cyano",
        "alkylthio",
        "acyl",
        "alkylenedioxy",
        "ring_on_nitrogen",
        "aryl",
        "any",
    }
)


@lru_cache(maxsize=64)
def _parse_kind(kind: str) -> tuple[str, int, int]:
    parsed = _KIND.match(kind)
    if parsed is None or parsed["name"] not in KINDS:
        raise RuleError(f"unknown substituent kind {kind!r}")
    return parsed["name"], int(parsed["low"] or 1), int(parsed["high"] or 12)


@lru_cache(maxsize=65536)
def _fits(fragment: str, kinds: frozenset[str], placement: str) -> bool:
    """Whether the substituent ``fragment`` (SMILES with ``*`` at the core) is one of ``kinds`` there (the
    same substituents recur across structures, so the answer is kept)."""
    mol = Chem.MolFromSmiles(fragment)
    for kind in sorted(kinds):
        name, low, high = _parse_kind(kind)
        if name == "any":
            return True
        if mol is not None and _single_bonded(mol) and _is_kind(name, mol, placement, low, high):
            return True
    return False


def _single_bonded(fragment: Chem.Mol) -> bool:
    """Whether every bond to the core is single (a group replacing hydrogens one for one)."""
    return all(
        bond.GetBondType() == Chem.BondType.SINGLE
        for atom in fragment.GetAtoms()
        if atom.GetAtomicNum() == 0
        for bond in atom.GetBonds()
    )


def _is_kind(name, mol, placement, low, high) -> bool:
    atoms = [a for a in mol.GetAtoms() if a.GetAtomicNum() != 0]
    elements = [a.GetAtomicNum() for a in atoms]
    carbons = elements.count(6)
    ring = any(a.IsInRing() for a in atoms)
    saturated = all(b.GetBondType() == Chem.BondType.SINGLE for b in mol.GetBonds())
    first = next(a for a in mol.GetAtoms() if a.GetAtomicNum() == 0).GetNeighbors()[0]
    if placement != "one":
        if name == "alkylenedioxy":
            return (
                set(elements) <= {6, 8}
                and elements.count(8) == 2
                and placement == "apart"
                and saturated
                and 1 <= carbons <= 3
            )
        if name == "ring_on_nitrogen":
            return (
                placement == "nitrogen"
                and set(elements) <= {6, 8, 7}
                and low <= carbons <= high
                and saturated
            )
        return False
    if name == "halide":
        return len(atoms) == 1 and elements[0] in HALOGENS
    if name == "hydroxy":
        return elements == [8]
    if name == "nitro":
        return sorted(elements) == [7, 8, 8]
    if name == "cyano":
        return sorted(elements) == [6, 7] and not saturated
    if name == "alkyl":
        return set(elements) == {6} and saturated and not ring and low <= carbons <= high
    if name == "cycloalkyl":
        return set(elements) == {6} and saturated and ring and low <= carbons <= high
    if name == "alkenyl":
        return set(elements) == {6} and not ring and not saturated and low <= carbons <= high
    if name == "haloalkyl":
        return (
            6 in elements
            and set(elements) <= {6} | HALOGENS
            and bool(set(elements) & HALOGENS)
            and saturated
            and low <= carbons <= high
        )
    if name == "alkoxy":
        return (
            first.GetAtomicNum() == 8
            and set(elements) <= {6, 8}
            and elements.count(8) == 1
            and saturated
            and not ring
            and low <= carbons <= high
        )
    if name == "alkylthio":
        return (
            first.GetAtomicNum() == 16
            and set(elements) <= {6, 16}
            and elements.count(16) == 1
            and saturated
            and low <= carbons <= high
        )
    if name == "amino":
        return (
            first.GetAtomicNum() == 7
            and set(elements) <= {6, 7}
            and elements.count(7) == 1
            and saturated
            and not ring
        )
    if name == "acyl":
        return (
            first.GetAtomicNum() == 6
            and set(elements) <= {6, 8}
            and elements.count(8) == 1
            and not saturated
            and low <= carbons <= high
        )
    if name == "aryl":
        return any(a.GetIsAromatic() for a in atoms) and first.GetIsAromatic()
    return False
