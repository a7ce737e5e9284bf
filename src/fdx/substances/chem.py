"""Structure handling for the substance registry, built on RDKit and free of Django.

Parsing (SMILES, InChI, molfile), standardisation (strip counter-ions and solvents, neutralise, keep the
stereo layer), identifiers (canonical SMILES, InChI, InChIKey, formula, masses), the salt-to-base
conversion factor, fingerprints for search, and SVG depictions.

Notes
-----
The parent of a salt is its largest organic fragment after neutralisation (RDKit's ``ChargeParent``).
The base conversion factor is ``n * M(parent) / M(salt)`` where ``n`` is the number of copies of the
parent in the salt, so that amphetamine sulfate, ``(C9H13N)2·H2SO4``, converts with
``2 × 135.21 / 368.49 = 0.7338``.

Size limits
-----------
RDKit's canonical SMILES, drawing and substructure code recurse along the atoms: a straight chain of a few
thousand atoms overflows the stack and kills the process (SIGSEGV), and a structure of hundreds of fragments
takes tens of seconds to standardise. Every structure is therefore bounded before it reaches them: first on
its text (atoms and fragments counted without RDKit), then on the parsed, unsanitised molecule (heavy atoms,
fragments, rings), and standardisation stops past ``STANDARDISE_SECONDS``. ``MAX_HEAVY_ATOMS`` is about
five times the largest controlled substance or precursor (cyclosporin has 85 heavy atoms; a salt with its
counter-ions and water stays far below); ``MAX_FRAGMENTS`` holds a salt with several counter-ions and a
decahydrate; ``MAX_RINGS`` holds any drug (a fullerene has 32).
"""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass
from functools import lru_cache

from rdkit import Chem, DataStructs, RDLogger
from rdkit.Chem import Descriptors, rdFingerprintGenerator, rdMolDescriptors
from rdkit.Chem.Draw import rdMolDraw2D
from rdkit.Chem.MolStandardize import rdMolStandardize

from fdx.core.wording import translated as _

RDLogger.DisableLog("rdApp.*")

MORGAN_RADIUS = 2
FINGERPRINT_BITS = 2048
MAX_INPUT_LENGTH = 20000
MAX_HEAVY_ATOMS = 500
MAX_FRAGMENTS = 20
MAX_RINGS = 60
STANDARDISE_SECONDS = 5.0
# The atoms of a SMILES as written: a bracket atom, a two-letter organic atom, an organic or aromatic one,
# or a wildcard. Counted before RDKit reads the text (no ring digit, bond or branch looks like one).
_SMILES_ATOM = re.compile(r"\[[^\]]*\]|Br|Cl|[BCNOPSFI*bcnops]")
# A hydrogen written as a bracket atom ([H], [2H], [H+]): it is not a heavy atom.
_SMILES_HYDROGEN = re.compile(r"\[\d*H[+-]?\d*\]")
# An element and its count in the formula layer of an InChI (C9H13N).
_FORMULA_ELEMENT = re.compile(r"([A-Z][a-z]?)(\d*)")


class StructureError(ValueError):
    """A structure that cannot be read or standardised; the message says why in plain words."""


class StructureTooLarge(StructureError):
    """A structure past one of FDX's size limits, refused before RDKit's recursive code sees it.

    The limits are ``MAX_HEAVY_ATOMS``, ``MAX_FRAGMENTS``, ``MAX_RINGS`` and ``STANDARDISE_SECONDS``.
    """


@dataclass(frozen=True)
class Identifiers:
    """The identifiers of one structure, as ``identifiers`` makes them.

    Canonical isomeric SMILES, standard InChI and InChIKey (both empty where RDKit cannot make an InChI), Hill
    formula, average mass (four decimals) and monoisotopic mass (six decimals).
    """

    smiles: str
    inchi: str
    inchikey: str
    formula: str
    average_mass: float
    monoisotopic_mass: float


@dataclass(frozen=True)
class Standardised:
    """A structure as given (``full``) and its standardised parent, with the salt relation between them."""

    full: Identifiers
    parent: Identifiers
    parent_mol: Chem.Mol
    parent_count: int
    other_components: tuple[str, ...]

    @property
    def is_salt_or_solvate(self) -> bool:
        """True when the input carried counter-ions, solvent or several copies of the parent."""
        return bool(self.other_components) or self.parent_count > 1

    @property
    def base_conversion_factor(self) -> float:
        """Mass of the parent (free base or free acid) in one unit mass of the structure as given.

        Truncated (not rounded) to four decimals, so that a base-equivalent amount is never overstated:
        methamphetamine hydrochloride gives 0.8036 (149.237 / 185.695 = 0.80367…).
        """
        ratio = self.parent_count * self.parent.average_mass / self.full.average_mass
        return math.floor(ratio * 10000 + 1e-9) / 10000


def parse(text: str, fmt: str | None = None) -> Chem.Mol:
    """Read a structure given as SMILES, InChI or a molfile.

    Parameters
    ----------
    text : str
        The structure. Blanks around it are ignored, except in a molfile, whose first line (its name) may
        be empty and must stay.
    fmt : {"smiles", "inchi", "molfile"}, optional
        The format; None (the default) recognises it from the text: ``InChI=`` opens an InChI, ``M  END``,
        ``V2000`` or ``V3000`` marks a molfile, and anything else is read as SMILES.

    Returns
    -------
    rdkit.Chem.Mol
        The structure, sanitised.

    Raises
    ------
    StructureError
        When no structure is given, it is longer than ``MAX_INPUT_LENGTH`` characters, the format is
        unknown, or the structure cannot be read or has no atoms; the message says why in plain words.
    """
    if text is None or not str(text).strip():
        raise StructureError(_("no structure was given"))
    text = str(text)
    if len(text) > MAX_INPUT_LENGTH:
        raise StructureError(
            _("the structure is longer than %(limit)s characters") % {"limit": MAX_INPUT_LENGTH}
        )
    fmt = fmt or _guess_format(text.strip())
    if fmt != "molfile":
        text = text.strip()  # a molfile's first line (its name) may be empty and must stay
    if fmt == "inchi":
        check_size(*_inchi_counts(text))
        mol = Chem.MolFromInchi(text, sanitize=True, removeHs=True)
    elif fmt == "molfile":
        check_molecule_size(Chem.MolFromMolBlock(text, sanitize=False, removeHs=False))
        mol = Chem.MolFromMolBlock(text, sanitize=True, removeHs=True)
    elif fmt == "smiles":
        check_size(*_smiles_counts(text))
        check_molecule_size(Chem.MolFromSmiles(text, sanitize=False))
        mol = Chem.MolFromSmiles(text)
    else:
        raise StructureError(_("unknown structure format %(format)s") % {"format": repr(fmt)})
    if mol is None:
        raise StructureError(_explain_failure(text, fmt))
    if mol.GetNumAtoms() == 0:
        raise StructureError(_("the structure has no atoms"))
    check_molecule_size(mol)
    return mol


def check_size(heavy_atoms: int, fragments: int, rings: int = 0) -> None:
    """Refuse a structure past FDX's limits, saying which and by how much.

    Parameters
    ----------
    heavy_atoms : int
        Atoms other than hydrogen.
    fragments : int
        Separate parts (a salt's ions, solvent molecules).
    rings : int, optional
        Rings of the smallest set.

    Raises
    ------
    StructureTooLarge
        When a count is past its limit.
    """
    if heavy_atoms > MAX_HEAVY_ATOMS:
        raise StructureTooLarge(
            _("the structure has %(count)s atoms; FDX accepts at most %(limit)s")
            % {"count": heavy_atoms, "limit": MAX_HEAVY_ATOMS}
        )
    if fragments > MAX_FRAGMENTS:
        raise StructureTooLarge(
            _("the structure has %(count)s separate parts; FDX accepts at most %(limit)s")
            % {"count": fragments, "limit": MAX_FRAGMENTS}
        )
    if rings > MAX_RINGS:
        raise StructureTooLarge(
            _("the structure has %(count)s rings; FDX accepts at most %(limit)s")
            % {"count": rings, "limit": MAX_RINGS}
        )


def check_molecule_size(mol: Chem.Mol | None) -> None:
    """``check_size`` on a molecule, sanitised or not.

    Counts without ring perception or any recursive RDKit call: heavy atoms first (a huge structure is
    refused before its fragments are looked for), then fragments, then rings as the cycle rank
    (bonds - atoms + fragments), which is the number of rings of the smallest set.

    Parameters
    ----------
    mol : rdkit.Chem.Mol or None
        The molecule; None (an unreadable one) passes, as parsing says why.

    Raises
    ------
    StructureTooLarge
        When a count is past its limit.
    """
    if mol is None:
        return
    heavy = sum(1 for atom in mol.GetAtoms() if atom.GetAtomicNum() != 1)
    check_size(heavy, 0)
    fragments = len(Chem.GetMolFrags(mol, sanitizeFrags=False))
    check_size(heavy, fragments, mol.GetNumBonds() - mol.GetNumAtoms() + fragments)


def _smiles_counts(text: str) -> tuple[int, int]:
    """Heavy atoms and fragments of a SMILES as written (without reading it)."""
    atoms = len(_SMILES_ATOM.findall(text)) - len(_SMILES_HYDROGEN.findall(text))
    return atoms, text.count(".") + 1


def _inchi_counts(text: str) -> tuple[int, int]:
    """Heavy atoms and fragments of an InChI from its formula layer (``2C9H13N.H2O4S``)."""
    layers = text.split("/")
    formula = layers[1] if len(layers) > 1 else ""
    atoms = fragments = 0
    for component in formula.split("."):
        copies = re.match(r"\d*", component).group()
        times = int(copies) if copies else 1
        counted = sum(
            int(number or 1) for element, number in _FORMULA_ELEMENT.findall(component) if element != "H"
        )
        atoms += times * counted
        fragments += times
    return atoms, fragments


def _guess_format(text: str) -> str:
    if text.startswith("InChI="):
        return "inchi"
    if "M  END" in text or "V2000" in text or "V3000" in text:
        return "molfile"
    return "smiles"


def _explain_failure(text: str, fmt: str) -> str:
    if fmt == "smiles":
        # Parse without sanitising to tell a syntax error from a chemistry (valence) error.
        unsanitised = Chem.MolFromSmiles(text, sanitize=False)
        if unsanitised is None:
            return _("%(text)s is not valid SMILES") % {"text": repr(_shortened(text))}
        try:
            Chem.SanitizeMol(unsanitised)
        except Exception as exc:  # RDKit raises several sanitisation exceptions
            return _("%(text)s is not a valid structure: %(error)s") % {
                "text": repr(_shortened(text)),
                "error": exc,
            }
        return _("%(text)s is not a valid structure") % {"text": repr(_shortened(text))}
    return _("the %(format)s could not be read") % {"format": fmt}


def _shortened(text: str, limit: int = 80) -> str:
    """A structure as quoted in a message: a long one cut, so that a refusal stays readable."""
    return text if len(text) <= limit else text[:limit] + "…"


def identifiers(mol: Chem.Mol) -> Identifiers:
    """The identifiers of a structure as it is (nothing is standardised here).

    Parameters
    ----------
    mol : rdkit.Chem.Mol
        The structure.

    Returns
    -------
    Identifiers
        Canonical isomeric SMILES, standard InChI and InChIKey, Hill formula, average and monoisotopic
        mass.
    """
    inchi = Chem.MolToInchi(mol) or ""
    return Identifiers(
        smiles=Chem.MolToSmiles(mol),
        inchi=inchi,
        inchikey=Chem.InchiToInchiKey(inchi) if inchi else "",
        formula=rdMolDescriptors.CalcMolFormula(mol),
        average_mass=round(Descriptors.MolWt(mol), 4),
        monoisotopic_mass=round(Descriptors.ExactMolWt(mol), 6),
    )


def standardise(mol: Chem.Mol) -> Standardised:
    """Split a structure into its parent (largest organic fragment, neutral, stereo kept) and the rest.

    Parameters
    ----------
    mol : rdkit.Chem.Mol
        The structure as read (see ``parse``).

    Returns
    -------
    Standardised
        The structure as given (after RDKit's clean-up) and its parent, with the number of copies of the
        parent in it and its other components (counter-ions, solvent) as SMILES.

    Raises
    ------
    StructureError
        When RDKit cannot standardise the structure.
    """
    check_molecule_size(mol)
    deadline = _Deadline()
    try:
        cleaned = _cleanup(mol)
        parent = _parent(cleaned)
        deadline.check()
        parent_smiles = Chem.MolToSmiles(parent)
        count, others = 0, []
        for fragment in Chem.GetMolFrags(cleaned, asMols=True, sanitizeFrags=True):
            deadline.check()
            if Chem.MolToSmiles(_neutral(fragment)) == parent_smiles:
                count += 1
            else:
                others.append(Chem.MolToSmiles(fragment))
        deadline.check()
        full = identifiers(cleaned)
        deadline.check()
        return Standardised(
            full=full,
            parent=identifiers(parent),
            parent_mol=parent,
            parent_count=max(count, 1),
            other_components=tuple(sorted(others)),
        )
    except StructureError:
        raise
    except Exception as exc:  # RDKit raises sanitisation and kekulisation errors of several kinds
        raise StructureError(_("the structure cannot be standardised: %(error)s") % {"error": exc}) from None


class _Deadline:
    """The time budget of one standardisation (``STANDARDISE_SECONDS``), checked between RDKit's steps.

    RDKit cannot be interrupted inside a call; the size limits keep each call short, and this stops a
    structure whose steps add up past the budget."""

    def __init__(self):
        self.end = time.monotonic() + STANDARDISE_SECONDS

    def check(self) -> None:
        if time.monotonic() > self.end:
            raise StructureTooLarge(
                _("the structure takes longer than %(seconds)s seconds to standardise; FDX stops there")
                % {"seconds": f"{STANDARDISE_SECONDS:g}"}
            )


@dataclass(frozen=True)
class Parent:
    """The standardised parent of a structure and its InChIKey, as ``standardise_parent`` makes them.

    What a legal-status or registry lookup needs, without the identifiers of the structure as given.
    """

    mol: Chem.Mol
    inchikey: str
    is_salt_or_solvate: bool


def standardise_parent(mol: Chem.Mol) -> Parent:
    """The parent of ``standardise`` (the same structure and InChIKey) at a fraction of its cost.

    For answering many structures: only the parent is identified. A structure of several fragments is a salt
    or solvate, as ``standardise`` says (its other fragments are counter-ions, solvent or parent copies).

    Parameters
    ----------
    mol : rdkit.Chem.Mol
        The structure as read (see ``parse``).

    Returns
    -------
    Parent
        The parent, its InChIKey (empty where RDKit cannot make one) and whether the structure is a salt
        or solvate.

    Raises
    ------
    StructureError
        When RDKit cannot standardise the structure, or it is past FDX's size limits.
    """
    check_molecule_size(mol)
    try:
        cleaned = _cleanup(mol)
        parent = _parent(cleaned)
        inchikey = Chem.MolToInchiKey(parent) or ""
    except Exception as exc:  # RDKit raises sanitisation and kekulisation errors of several kinds
        raise StructureError(_("the structure cannot be standardised: %(error)s") % {"error": exc}) from None
    return Parent(parent, inchikey, len(Chem.GetMolFrags(cleaned)) > 1)


# RDKit's ``Cleanup`` builds its standardisers anew on every call, which costs more than the work itself on
# a drug-sized molecule; these are built once and applied in ``Cleanup``'s order.
_METAL_DISCONNECTOR = rdMolStandardize.MetalDisconnector()
_NORMALIZER = rdMolStandardize.Normalizer()
_REIONIZER = rdMolStandardize.Reionizer()
_UNCHARGER = rdMolStandardize.Uncharger()
# A metal (any element but the non-metals): the metal-disconnection rules act only where there is one.
_METAL = Chem.MolFromSmarts(
    "[!#1;!#2;!#5;!#6;!#7;!#8;!#9;!#10;!#14;!#15;!#16;!#17;!#18;!#33;!#34;!#35;!#36;!#52;!#53;!#54;!#85;!#86]"
)
_CHARGED = Chem.MolFromSmarts("[!+0]")
# What the reionizer acts on: a charge to move, or an isolated neutral atom (``[Na]``, ``[Cl]``) or a metal
# that it charges first.
_REIONIZABLE = Chem.MolFromSmarts(
    "[!+0,X0,$([!#1;!#2;!#5;!#6;!#7;!#8;!#9;!#10;!#14;!#15;!#16;!#17;!#18;!#33;!#34;!#35;!#36;!#52;!#53;!#54;!#85;!#86])]"
)


def _rdkit_cleanup(mol: Chem.Mol) -> Chem.Mol:
    """RDKit's ``rdMolStandardize.Cleanup``: hydrogens removed, metals disconnected, functional groups
    normalised, charges placed on the most acidic sites, stereo perceived. The steps that cannot change a
    structure (metals where there is none, charges where there is none) are skipped."""
    # Normalising makes a new molecule, so the input is left as it was even when there is no H to remove.
    cleaned = Chem.RemoveHs(mol) if mol.GetNumAtoms() != mol.GetNumHeavyAtoms() else mol
    if cleaned.HasSubstructMatch(_METAL):
        cleaned = _METAL_DISCONNECTOR.Disconnect(cleaned)
    cleaned = _NORMALIZER.normalize(cleaned)
    if cleaned.HasSubstructMatch(_REIONIZABLE):
        cleaned = _REIONIZER.reionize(cleaned)
    Chem.AssignStereochemistry(cleaned, cleanIt=True, force=True)
    return cleaned


def _is_charged(mol: Chem.Mol) -> bool:
    return mol.HasSubstructMatch(_CHARGED)


def _cleanup(mol: Chem.Mol) -> Chem.Mol:
    """RDKit's clean-up (normalised functional groups, disconnected metals), unless it breaks the
    structure, as it does for mesoionic rings (mesocarb): then the structure as given."""
    try:
        cleaned = _rdkit_cleanup(mol)
    except Exception:
        return Chem.Mol(mol)
    return cleaned if _is_sound(cleaned) else Chem.Mol(mol)


def _parent(cleaned: Chem.Mol) -> Chem.Mol:
    """Largest organic fragment, neutralised; a mesoionic compound (a sydnone imine) keeps its charges."""
    single = len(Chem.GetMolFrags(cleaned)) == 1
    fragment = cleaned if single else rdMolStandardize.FragmentParent(cleaned, skipStandardize=True)
    parent = _neutral(fragment)
    # A fragment that stays charged (a quaternary ammonium) comes back without ring perception, which
    # substructure matching and reactions need.
    try:
        parent.GetRingInfo().NumRings()
    except RuntimeError:
        Chem.GetSymmSSSR(parent)
    return parent


def _neutral(mol: Chem.Mol) -> Chem.Mol:
    if not _is_charged(mol):
        return mol  # nothing to neutralise
    try:
        neutral = _UNCHARGER.uncharge(mol)
    except Exception:
        return mol
    return neutral if _is_sound(neutral) else mol


def _is_sound(mol: Chem.Mol) -> bool:
    """Whether a structure can be kekulised (standardisation can break mesoionic rings)."""
    try:
        Chem.Kekulize(Chem.Mol(mol), clearAromaticFlags=True)
        return True
    except Exception:
        return False


def skeleton_key(inchikey: str) -> str:
    """The first block of an InChIKey: the connectivity, the same for every stereo form and charge state.

    Parameters
    ----------
    inchikey : str
        A full InChIKey, or an empty string.

    Returns
    -------
    str
        The key up to its first hyphen (empty for an empty key).
    """
    return inchikey.split("-", 1)[0] if inchikey else ""


_morgan = rdFingerprintGenerator.GetMorganGenerator(radius=MORGAN_RADIUS, fpSize=FINGERPRINT_BITS)


def morgan_fingerprint(mol: Chem.Mol) -> DataStructs.ExplicitBitVect:
    """Morgan (ECFP4-like, radius 2, 2048 bits) fingerprint, for similarity search.

    Parameters
    ----------
    mol : rdkit.Chem.Mol
        The structure; its rings are found first where standardisation left them out.

    Returns
    -------
    rdkit.DataStructs.ExplicitBitVect
        The fingerprint.
    """
    return _morgan.GetFingerprint(_with_rings(mol))


def pattern_fingerprint(mol: Chem.Mol) -> DataStructs.ExplicitBitVect:
    """RDKit pattern fingerprint: a screen that every true substructure match passes.

    Parameters
    ----------
    mol : rdkit.Chem.Mol
        The structure; its rings are found first where standardisation left them out.

    Returns
    -------
    rdkit.DataStructs.ExplicitBitVect
        The fingerprint (2048 bits).
    """
    return Chem.PatternFingerprint(_with_rings(mol), fpSize=FINGERPRINT_BITS)


def _with_rings(mol: Chem.Mol) -> Chem.Mol:
    """Standardisation can hand back a molecule whose ring information is not computed yet."""
    try:
        mol.GetRingInfo().NumRings()
    except RuntimeError:
        mol.UpdatePropertyCache(strict=False)
        Chem.FastFindRings(mol)
    return mol


def fingerprint_bytes(fingerprint: DataStructs.ExplicitBitVect) -> bytes:
    """A fingerprint as bytes, to be stored (``fingerprint_from_bytes`` reads it back).

    Parameters
    ----------
    fingerprint : rdkit.DataStructs.ExplicitBitVect
        The fingerprint.

    Returns
    -------
    bytes
        RDKit's binary form of it.
    """
    return fingerprint.ToBinary()


def fingerprint_from_bytes(data: bytes) -> DataStructs.ExplicitBitVect:
    """A fingerprint stored by ``fingerprint_bytes``.

    Parameters
    ----------
    data : bytes
        RDKit's binary form of the fingerprint (any bytes-like object).

    Returns
    -------
    rdkit.DataStructs.ExplicitBitVect
        The fingerprint.
    """
    return DataStructs.ExplicitBitVect(bytes(data))


def parse_query(text: str) -> Chem.Mol:
    """A substructure query given as SMARTS or SMILES (SMILES is tried first, then SMARTS).

    Parameters
    ----------
    text : str
        The query; blanks around it are ignored.

    Returns
    -------
    rdkit.Chem.Mol
        The query structure.

    Raises
    ------
    StructureError
        When no query is given, it is longer than 2000 characters, or it is neither valid SMILES nor valid
        SMARTS.
    """
    if not text or not text.strip():
        raise StructureError(_("no query structure was given"))
    text = text.strip()
    if len(text) > 2000:
        raise StructureError(_("the query is longer than %(limit)s characters") % {"limit": 2000})
    # Substructure matching recurses along the query: a query is bounded as a structure is.
    check_size(*_smiles_counts(text))
    check_molecule_size(Chem.MolFromSmiles(text, sanitize=False))
    query = Chem.MolFromSmiles(text)
    if query is None:
        query = Chem.MolFromSmarts(text)
    if query is None or query.GetNumAtoms() == 0:
        raise StructureError(
            _("%(text)s is neither valid SMILES nor valid SMARTS") % {"text": repr(_shortened(text))}
        )
    check_molecule_size(query)
    return query


def tanimoto(query: DataStructs.ExplicitBitVect, targets: list) -> list[float]:
    """Tanimoto similarity of ``query`` to every fingerprint of ``targets``.

    Parameters
    ----------
    query : rdkit.DataStructs.ExplicitBitVect
        The fingerprint to compare.
    targets : list of rdkit.DataStructs.ExplicitBitVect
        The fingerprints to compare it with.

    Returns
    -------
    list of float
        One similarity, from 0 to 1, per fingerprint of ``targets``, in their order.
    """
    return DataStructs.BulkTanimotoSimilarity(query, targets)


@lru_cache(maxsize=4096)
def depict_svg(smiles: str, width: int = 320, height: int = 240) -> str:
    """An SVG drawing of the structure (cached per SMILES and size).

    Parameters
    ----------
    smiles : str
        The structure.
    width, height : int, optional
        The size of the drawing in pixels (320 by 240).

    Returns
    -------
    str
        The SVG text, without a background and with stereo annotations.

    Raises
    ------
    StructureError
        When the SMILES cannot be read.
    """
    mol = Chem.MolFromSmiles(smiles)
    if mol is None:
        raise StructureError(f"{smiles!r} cannot be drawn")
    drawer = rdMolDraw2D.MolDraw2DSVG(width, height)
    options = drawer.drawOptions()
    options.clearBackground = False
    options.addStereoAnnotation = True
    rdMolDraw2D.PrepareAndDrawMolecule(drawer, mol)
    drawer.FinishDrawing()
    return drawer.GetDrawingText()
