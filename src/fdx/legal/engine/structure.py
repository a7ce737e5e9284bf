"""Structures prepared for the legal-status engine.

A query read, standardised and identified once for every jurisdiction, what the engine works out for it
once (``_Facts``), and the molecule helpers they use.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdkit import Chem
from rdkit.Chem.EnumerateStereoisomers import (
    EnumerateStereoisomers,
    GetStereoisomerCount,
    StereoEnumerationOptions,
)

from fdx.legal.engine import generic
from fdx.legal.engine.data import EntryInfo
from fdx.legal.engine.esters import Formulas, undone_skeletons
from fdx.substances import chem

# An amide drawn as its imidic acid (-C(OH)=N-), or a thioamide as its thioimidic acid: one compound to InChI.
_IMIDIC_ACID = Chem.MolFromSmarts("[OX2H1,SX2H1]-[#6X3;!a]=[#7X2;!a]")
_MAX_ISOMERS = 64  # stereoisomers of a partly specified structure worked out one by one


@dataclass
class Query:
    """A structure prepared once for every jurisdiction: standardised, identified, fingerprinted."""

    text: str
    parent: Chem.Mol | None = None
    inchikey: str = ""
    skeleton: str = ""
    is_salt: bool = False
    error: str = ""
    substance_keys: frozenset[str] = frozenset()
    _pattern: object = None
    _morgan: object = None
    _possible: frozenset | None = None
    _possible_known: bool = False

    @classmethod
    def from_text(cls, text: str, substance_keys=(), label: str = "") -> Query:
        """A query for a structure given as SMILES, InChI or a molfile.

        ``substance_keys`` also match listings that name a registry substance without a structure (opium, coca
        leaf, cannabis).

        Parameters
        ----------
        text : str
            The structure.
        substance_keys : iterable of str, optional
            Registry keys of the substance (empty ones are left out).
        label : str, optional
            What the answers call the input (``Answer.input``); the text itself when empty.

        Returns
        -------
        Query
            The structure standardised, identified and ready for every jurisdiction. When it cannot be
            read, a query with ``error`` set; or, where substance keys are given, a query matched by those
            keys alone.
        """
        keys = frozenset(k for k in substance_keys if k)
        try:
            structure = chem.standardise_parent(chem.parse(text))
        except chem.StructureError as exc:
            if keys:
                return cls(text=label or text, substance_keys=keys)
            return cls(text=label or text, error=str(exc))
        return cls(
            text=label or text,
            parent=_as_amide(_with_ring_info(structure.mol)),
            inchikey=structure.inchikey,
            skeleton=chem.skeleton_key(structure.inchikey),
            is_salt=structure.is_salt_or_solvate,
            substance_keys=keys,
        )

    @property
    def pattern(self):
        """The parent's pattern fingerprint, made on first use."""
        if self._pattern is None:
            self._pattern = chem.pattern_fingerprint(self.parent)
        return self._pattern

    @property
    def possible_keys(self) -> frozenset[str] | None:
        """The InChIKeys of the stereoisomers the structure may be: itself when every stereocentre is
        given, else each way of assigning those left open; None when there are too many to work out (more
        than 64) or RDKit cannot enumerate them, so that any stereoisomer is possible."""
        if not self._possible_known:
            self._possible_known = True
            self._possible = frozenset({self.inchikey})
            if self.parent is not None:
                options = StereoEnumerationOptions(onlyUnassigned=True, maxIsomers=0, unique=True)
                try:
                    mol = Chem.Mol(self.parent)
                    if GetStereoisomerCount(mol, options=options) > _MAX_ISOMERS:
                        self._possible = None
                    else:
                        isomers = EnumerateStereoisomers(mol, options=options)
                        self._possible |= {key for key in map(Chem.MolToInchiKey, isomers) if key}
                except Exception:  # RDKit could not enumerate them
                    self._possible = None
        return self._possible

    @property
    def morgan(self):
        """The parent's Morgan fingerprint, made on first use."""
        if self._morgan is None:
            self._morgan = chem.morgan_fingerprint(self.parent)
        return self._morgan

    def undone_skeletons(self, wanted: Formulas | None = None) -> set[str]:
        """Skeletons of the structures this one is an ester or ether of (one or two steps back).

        Parameters
        ----------
        wanted : Formulas, optional
            Only those of these heavy-atom formulas; all when None.

        Returns
        -------
        set of str
            Their skeletons, the query's own left out; empty for a query without a structure.
        """
        if self.parent is None:
            return set()
        return undone_skeletons(self.parent, wanted) - {self.skeleton}


@dataclass
class _Facts:
    """What holds for one structure whatever the jurisdiction and day: the listed entries it is, or is a
    salt, stereoisomer, ester or ether of (``candidates``: entry, kind, detail); and, filled as they are
    first asked for, the generic definitions it falls under and the listed structures it is similar to."""

    query: Query
    candidates: list[tuple[EntryInfo, str, str]]
    matches: dict[str, generic.GenericMatch | None] = field(default_factory=dict)
    similar: list[tuple[int, float]] | None = None


def _with_ring_info(mol: Chem.Mol) -> Chem.Mol:
    """The parent of a salt comes out of standardisation without ring information, which ring queries
    (undoing esters, SMARTS classes) need: perceive it as parsing would have (symmetrised SSSR), so that a
    salt and its free base are matched alike."""
    try:
        mol.GetRingInfo().NumRings()
    except RuntimeError:
        mol.UpdatePropertyCache(strict=False)
        Chem.GetSymmSSSR(mol)
    return mol


def _as_amide(mol: Chem.Mol) -> Chem.Mol:
    """``mol`` with every imidic acid group redrawn as the amide (and thioimidic as thioamide).

    Standard InChI counts the two drawings as one compound (the hydrogen moves between heteroatoms), so they
    are one listed substance; the class definitions are patterns written for the amide, and must match it
    however it was drawn. Nothing else about the structure changes."""
    if not mol.HasSubstructMatch(_IMIDIC_ACID):
        return mol
    try:
        return _redrawn_as_amide(mol)
    except Exception:  # RDKit refused the redrawn structure: match the structure as drawn
        return mol


def _redrawn_as_amide(mol: Chem.Mol) -> Chem.Mol:
    amide = Chem.RWMol(mol)
    while match := amide.GetSubstructMatch(_IMIDIC_ACID):
        oxygen, carbon, nitrogen = match
        amide.GetBondBetweenAtoms(oxygen, carbon).SetBondType(Chem.BondType.DOUBLE)
        bond = amide.GetBondBetweenAtoms(carbon, nitrogen)
        bond.SetBondType(Chem.BondType.SINGLE)
        bond.SetStereo(Chem.BondStereo.STEREONONE)
        for index, hydrogens in ((oxygen, 0), (nitrogen, amide.GetAtomWithIdx(nitrogen).GetTotalNumHs() + 1)):
            atom = amide.GetAtomWithIdx(index)
            atom.SetNumExplicitHs(hydrogens)
            atom.SetNoImplicit(True)
        Chem.SanitizeMol(amide)
    return amide.GetMol()


def _parent_or_itself(mol: Chem.Mol) -> Chem.Mol:
    """The standardised parent of a listed structure, as its InChIKey was made (the structure itself in
    the unlikely case that it cannot be standardised)."""
    try:
        return chem.standardise_parent(mol).mol
    except chem.StructureError:
        return mol


_INVERTED = {
    Chem.ChiralType.CHI_TETRAHEDRAL_CW: Chem.ChiralType.CHI_TETRAHEDRAL_CCW,
    Chem.ChiralType.CHI_TETRAHEDRAL_CCW: Chem.ChiralType.CHI_TETRAHEDRAL_CW,
}


def _mirror_key(smiles: str) -> str:
    """The InChIKey of the mirror image of a listed structure (every tetrahedral centre inverted; double
    bonds keep their geometry), standardised as the listed structure was; empty when it cannot be made."""
    mol = Chem.MolFromSmiles(smiles) if smiles else None
    if mol is None:
        return ""
    for atom in mol.GetAtoms():
        atom.SetChiralTag(_INVERTED.get(atom.GetChiralTag(), atom.GetChiralTag()))
    return Chem.MolToInchiKey(_parent_or_itself(mol)) or ""


def _has_stereo(inchikey: str) -> bool:
    """Whether an InChIKey's second block encodes stereochemistry (``UHFFFAOY`` means none)."""
    return bool(inchikey) and inchikey.split("-")[1][:8] != "UHFFFAOY"
