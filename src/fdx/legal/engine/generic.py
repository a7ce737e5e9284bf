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

Substituent kinds (``alkyl:1-4`` limits the carbon count): halide, alkyl, alkenyl, alkoxy, haloalkyl,
hydroxy, amino (with alkyls), nitro, cyano, alkylthio, acyl, alkylenedioxy (bridging two ring atoms),
ring_on_nitrogen (the nitrogen included in a ring), aryl, any. A worked example list travels with each
definition and is run by the tests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rdkit import Chem, DataStructs

from fdx.substances import chem

HALOGENS = {9, 17, 35, 53}
MAX_MATCHES = 64


@dataclass(frozen=True)
class GenericMatch:
    parent: str
    replacements: tuple[str, ...]
    parent_skeleton: str = ""

    def explain(self) -> str:
        if not self.parent:
            return "matches the class definition"
        changes = ", ".join(self.replacements) if self.replacements else "no change"
        return f"derivative of {self.parent}: {changes}"


class RuleError(ValueError):
    """A generic definition whose machine-readable rule is malformed; names what is wrong."""


def match(rule: dict, query: Chem.Mol, query_pattern=None) -> GenericMatch | None:
    """Whether ``query`` (a standardised parent) falls under ``rule``; the first explanation found."""
    if "any_of" in rule:
        compiled = _class_patterns(_freeze(rule))
        if any(query.HasSubstructMatch(p) for p in compiled[1]):
            return None
        return GenericMatch("", ()) if any(query.HasSubstructMatch(p) for p in compiled[0]) else None
    query_pattern = query_pattern if query_pattern is not None else chem.pattern_fingerprint(query)
    for parent in _parents(_freeze(rule)):
        if not DataStructs.AllProbeBitsMatch(parent.screen, query_pattern):
            continue
        found = parent.derivative(query)
        if found is not None:
            return found
    return None


def _freeze(rule: dict) -> str:
    import json

    return json.dumps(rule, sort_keys=True)


@lru_cache(maxsize=256)
def _class_patterns(frozen: str):
    import json

    rule = json.loads(frozen)
    include = tuple(_smarts(s) for s in rule["any_of"])
    exclude = tuple(_smarts(s) for s in rule.get("none_of", []))
    return include, exclude


def _smarts(text: str) -> Chem.Mol:
    pattern = Chem.MolFromSmarts(text)
    if pattern is None:
        raise RuleError(f"invalid SMARTS in a generic definition: {text}")
    return pattern


@lru_cache(maxsize=256)
def _parents(frozen: str) -> tuple[Parent, ...]:
    import json

    rule = json.loads(frozen)
    default_kinds = tuple(rule.get("substituents", ()))
    positions = {str(k): tuple(v) for k, v in rule.get("positions", {}).items()}
    maximum = rule.get("max_replacements")
    return tuple(Parent(p["name"], p["smiles"], default_kinds, positions, maximum) for p in rule["parents"])


class Parent:
    """A named parent compiled for derivative matching."""

    def __init__(self, name, smiles, default_kinds, positions, maximum):
        mol = Chem.MolFromSmiles(smiles)
        if mol is None:
            raise RuleError(f"invalid parent SMILES for {name}: {smiles}")
        self.name, self.maximum = name, maximum
        self.skeleton = Chem.MolToInchiKey(mol)[:14]
        mapped = any(atom.GetAtomMapNum() for atom in mol.GetAtoms())
        removable = set()
        self.original: dict[int, list[str]] = {}
        for atom in mol.GetAtoms():
            if _replaceable_group(atom):
                removable.add(atom.GetIdx())
        core = Chem.RWMol(mol)
        keep = [a.GetIdx() for a in mol.GetAtoms() if a.GetIdx() not in removable]
        self.kinds: dict[int, tuple[str, ...]] = {}
        for new_index, old_index in enumerate(keep):
            atom = mol.GetAtomWithIdx(old_index)
            has_site = atom.GetTotalNumHs() > 0 or any(n.GetIdx() in removable for n in atom.GetNeighbors())
            if mapped:
                kinds = positions.get(str(atom.GetAtomMapNum()), ()) if atom.GetAtomMapNum() else ()
            else:
                kinds = default_kinds if has_site else ()
            self.kinds[new_index] = kinds
            groups = [
                _group_smiles(mol, n.GetIdx(), old_index)
                for n in atom.GetNeighbors()
                if n.GetIdx() in removable
            ]
            if groups:
                self.original[new_index] = sorted(groups)
        for index in sorted(removable, reverse=True):
            core.RemoveAtom(index)
        self.core = core.GetMol()
        for atom in self.core.GetAtoms():
            atom.SetAtomMapNum(0)
            atom.SetNoImplicit(False)
        Chem.SanitizeMol(self.core)
        self.screen = chem.pattern_fingerprint(self.core)

    def derivative(self, query: Chem.Mol) -> GenericMatch | None:
        for mapping in query.GetSubstructMatches(self.core, uniquify=False, maxMatches=MAX_MATCHES):
            result = self._check(query, mapping)
            if result is not None:
                return result
        return None

    def _check(self, query, mapping) -> GenericMatch | None:
        core_of = {q: c for c, q in enumerate(mapping)}
        rest = [a.GetIdx() for a in query.GetAtoms() if a.GetIdx() not in core_of]
        replacements = []
        for component in _components(query, rest):
            attachments = [
                (q_atom, n.GetIdx())
                for q_atom in component
                for n in query.GetAtomWithIdx(q_atom).GetNeighbors()
                if n.GetIdx() in core_of
            ]
            if not attachments or len(attachments) > 2:
                return None
            sites = {core_of[core_atom] for _, core_atom in attachments}
            kinds = set()
            for site in sites:
                kinds |= set(self.kinds.get(site, ()))
            fragment = _fragment_smiles(query, component, [a for a, _ in attachments])
            single_site = len(sites) == 1
            if len(attachments) == 1 and fragment in self.original.get(next(iter(sites)), []):
                continue  # the parent's own halogen or hydroxyl, unchanged
            if not kinds or not _fits(fragment, kinds, len(attachments), single_site, query, attachments):
                return None
            replacements.append(fragment.replace("*", "–"))
        if not replacements:
            return None
        if self.maximum is not None and len(replacements) > self.maximum:
            return None
        return GenericMatch(self.name, tuple(sorted(replacements)), self.skeleton)


def _replaceable_group(atom: Chem.Atom) -> bool:
    """A terminal halogen or hydroxyl oxygen of a parent: its position is a substitution site."""
    if atom.GetDegree() != 1:
        return False
    if atom.GetAtomicNum() in HALOGENS:
        return True
    return atom.GetAtomicNum() == 8 and atom.GetTotalNumHs() == 1


def _group_smiles(mol, group_atom, attached_to) -> str:
    return _fragment_smiles(mol, [group_atom], [group_atom])


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


def _fragment_smiles(mol, atoms: list[int], attached: list[int]) -> str:
    """The component as SMILES with a dummy atom ``*`` for each bond to the core."""
    fragment = Chem.RWMol()
    index_of = {}
    for old in atoms:
        source = mol.GetAtomWithIdx(old)
        new_atom = Chem.Atom(source.GetAtomicNum())
        new_atom.SetFormalCharge(source.GetFormalCharge())
        new_atom.SetIsAromatic(source.GetIsAromatic())
        new_atom.SetNumExplicitHs(source.GetTotalNumHs())
        new_atom.SetNoImplicit(True)
        index_of[old] = fragment.AddAtom(new_atom)
    for bond in mol.GetBonds():
        begin, end = bond.GetBeginAtomIdx(), bond.GetEndAtomIdx()
        if begin in index_of and end in index_of:
            fragment.AddBond(index_of[begin], index_of[end], bond.GetBondType())
    for old in attached:
        dummy = fragment.AddAtom(Chem.Atom(0))
        fragment.AddBond(index_of[old], dummy, Chem.BondType.SINGLE)
    try:
        return Chem.MolToSmiles(fragment.GetMol(), canonical=True)
    except Exception:  # an aromatic fragment cut out of its ring cannot always be written; name it plainly
        return "*" + "".join(
            sorted(Chem.Atom(mol.GetAtomWithIdx(i).GetAtomicNum()).GetSymbol() for i in atoms)
        )


_KIND = re.compile(r"^(?P<name>[a-z_]+)(?::(?P<low>\d+)-(?P<high>\d+))?$")


def _fits(fragment: str, kinds, attachments: int, single_site: bool, query, links) -> bool:
    mol = Chem.MolFromSmiles(fragment)
    for kind in kinds:
        parsed = _KIND.match(kind)
        if parsed is None:
            raise RuleError(f"unknown substituent kind {kind!r}")
        name = parsed["name"]
        low, high = int(parsed["low"] or 1), int(parsed["high"] or 12)
        if name == "any":
            return True
        if mol is None:
            continue
        if _is_kind(name, mol, attachments, single_site, low, high):
            return True
    return False


def _is_kind(name, mol, attachments, single_site, low, high) -> bool:
    atoms = [a for a in mol.GetAtoms() if a.GetAtomicNum() != 0]
    elements = [a.GetAtomicNum() for a in atoms]
    carbons = elements.count(6)
    ring = any(a.IsInRing() for a in atoms)
    saturated = all(b.GetBondType() == Chem.BondType.SINGLE for b in mol.GetBonds())
    first = next(a for a in mol.GetAtoms() if a.GetAtomicNum() == 0).GetNeighbors()[0]
    if attachments == 2:
        if name == "alkylenedioxy":
            return (
                set(elements) <= {6, 8}
                and elements.count(8) == 2
                and not single_site
                and saturated
                and 1 <= carbons <= 3
            )
        if name == "ring_on_nitrogen":
            return single_site and set(elements) <= {6, 8, 7} and low <= carbons <= high and saturated
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
