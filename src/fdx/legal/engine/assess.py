"""Answering "is this structure controlled in X on day D, under what, and in which amount category?"

The engine compiles a ``Snapshot`` once into dictionaries keyed by InChIKey and skeleton. What a structure
is, whatever the jurisdiction and day — the listed entries it is (or is a salt, stereoisomer, ester or ether
of), the generic definitions it falls under, its similarity to every listed structure — is worked out once
per structure (``_Facts``) and then read for each jurisdiction, so answering in nine jurisdictions costs
little more than answering in one (``assess_all``).

Matches, strongest first: explicit listing; a salt or a stereoisomer of a listed substance where the list
covers them; an ester or ether of a listed substance where the list covers them; a generic definition;
and, for analogue clauses only, ``analogue_possible`` — which never makes a substance controlled.
"""

from __future__ import annotations

import datetime
import itertools
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from rdkit import Chem, DataStructs
from rdkit.Chem import AllChem, rdMolDescriptors
from rdkit.Chem.EnumerateStereoisomers import (
    EnumerateStereoisomers,
    GetStereoisomerCount,
    StereoEnumerationOptions,
)

from fdx.legal.engine import generic
from fdx.legal.engine.data import EntryInfo, GenericInfo, IncorporationInfo, Snapshot, ThresholdInfo
from fdx.substances import chem

DECISIVE = ("explicit", "salt", "stereoisomer", "ester_ether", "generic", "derivative")
_STRENGTH = {kind: i for i, kind in enumerate(DECISIVE)}

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
        """A query for a structure (SMILES, InChI or molfile); ``substance_keys`` also match listings that
        name a registry substance without a structure (opium, coca leaf, cannabis)."""
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
        if self._morgan is None:
            self._morgan = chem.morgan_fingerprint(self.parent)
        return self._morgan

    def undone_skeletons(self, wanted: Formulas | None = None) -> set[str]:
        """Skeletons of the structures this one is an ester or ether of (one or two steps back); with
        ``wanted``, only those of these heavy-atom formulas."""
        if self.parent is None:
            return set()
        return undone_skeletons(self.parent, wanted) - {self.skeleton}


@dataclass(frozen=True)
class Formulas:
    """Heavy-atom formulas (see ``heavy_formula``) of the structures worth identifying, the same as
    compositions (see ``heavy_composition``), with their sizes."""

    formulas: frozenset[str]
    compositions: frozenset[tuple]
    sizes: frozenset[int]
    smallest: int

    @classmethod
    def of(cls, mols: Iterable[Chem.Mol]) -> Formulas:
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

    Identifying a product (its InChIKey) costs far more than making it, so with ``wanted`` only a product
    of a wanted formula is identified, and a product no larger than the smallest wanted one is not undone
    further (undoing only removes atoms). Before any product is made, the formulas that undoing could reach
    are worked out from the groups it would remove: most structures can reach none that is wanted."""
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
    """The heavy atoms of ``mol`` counted by element, as sorted (atomic number, count) pairs: the same
    comparison as ``heavy_formula``, made from atoms rather than from a formula."""
    mol.UpdatePropertyCache(strict=False)
    counts = Counter()
    for symbol, count in _ELEMENT_COUNT.findall(rdMolDescriptors.CalcMolFormula(mol)):
        if symbol != "H":
            counts[_PERIODIC_TABLE.GetAtomicNumber(symbol)] += int(count or 1)
    return tuple(sorted(counts.items()))


def heavy_formula(mol: Chem.Mol) -> str:
    """The formula without hydrogens and charges (``C17NO3`` for morphine): the same for every structure of
    one skeleton, so a product of another formula cannot have the skeleton of a listed substance."""
    mol.UpdatePropertyCache(strict=False)
    return _HYDROGENS_AND_CHARGES.sub("", rdMolDescriptors.CalcMolFormula(mol))


@dataclass
class Basis:
    list: str
    kind: str
    entry: str
    instrument: str
    effective_from: str
    source_url: str
    verified: bool
    detail: str = ""
    date_uncertain: bool = False
    parent_skeleton: str = ""  # for a derivative: the skeleton of the named parent (thresholds follow it)
    # The structure is given without stereochemistry and only some stereoisomers are covered: it may be
    # the listed form or another one.
    stereo_uncertain: bool = False

    @property
    def decides(self) -> bool:
        """Whether this basis alone makes the structure controlled (not a possible analogue, nothing open)."""
        return self.kind in DECISIVE and not self.date_uncertain and not self.stereo_uncertain

    def as_dict(self) -> dict:
        return {
            "list": self.list,
            "kind": self.kind,
            "entry": self.entry,
            "instrument": self.instrument,
            "effective_from": self.effective_from,
            "source_url": self.source_url,
            "verified": self.verified,
            "detail": self.detail,
            "date_uncertain": self.date_uncertain,
            "stereo_uncertain": self.stereo_uncertain,
        }


@dataclass
class Answer:
    input: str
    inchikey: str
    jurisdiction: str
    date: str
    controlled: bool | None
    lists: list[str] = field(default_factory=list)
    basis: list[Basis] = field(default_factory=list)
    amount_category: dict | None = None
    error: str = ""
    reason: str = ""
    note: str = ""

    def as_dict(self) -> dict:
        data = {
            "input": self.input,
            "inchikey": self.inchikey,
            "jurisdiction": self.jurisdiction,
            "date": self.date,
            "controlled": self.controlled,
            "lists": self.lists,
            "basis": [b.as_dict() for b in self.basis],
            "amount_category": self.amount_category,
        }
        if self.reason:
            data["reason"] = self.reason
        if self.error:
            data["error"] = self.error
        if self.note:
            data["note"] = self.note
        return data


@dataclass
class _Facts:
    """What holds for one structure whatever the jurisdiction and day: the listed entries it is, or is a
    salt, stereoisomer, ester or ether of (``candidates``: entry, kind, detail); and, filled as they are
    first asked for, the generic definitions it falls under and the listed structures it is similar to."""

    query: Query
    candidates: list[tuple[EntryInfo, str, str]]
    matches: dict[str, generic.GenericMatch | None] = field(default_factory=dict)
    similar: list[tuple[int, float]] | None = None


class Engine:
    """The compiled legal data; ``assess`` answers for one structure, jurisdiction and day, ``assess_all``
    for one structure in several jurisdictions."""

    def __init__(self, snapshot: Snapshot, analogue_threshold: float = 0.7):
        self.snapshot = snapshot
        self.analogue_threshold = analogue_threshold
        self.lists = snapshot.lists
        self.by_inchikey: dict[str, list[EntryInfo]] = defaultdict(list)
        self.by_skeleton: dict[str, list[EntryInfo]] = defaultdict(list)
        self.by_substance: dict[str, list[EntryInfo]] = defaultdict(list)
        for entry in snapshot.entries:
            if entry.substance_key and not entry.inchikey:
                self.by_substance[entry.substance_key].append(entry)
            if entry.inchikey:
                self.by_inchikey[entry.inchikey].append(entry)
                self.by_skeleton[entry.skeleton].append(entry)
        self.incorporated_into: dict[tuple[str, str], list] = defaultdict(list)  # (UN list, country) → …
        for incorporation in snapshot.incorporations:
            national = self.lists.get(incorporation.national_list)
            if national is not None:
                key = (incorporation.incorporated_list, national.jurisdiction)
                self.incorporated_into[key].append(incorporation)
        self.generics: dict[str, list[GenericInfo]] = defaultdict(list)
        self.analogue_clauses: dict[str, list[GenericInfo]] = defaultdict(list)
        for definition in snapshot.generics:
            self.generics[definition.jurisdiction].append(definition)
            if definition.kind == "analogue_similarity":
                self.analogue_clauses[definition.jurisdiction].append(definition)
        self.thresholds: dict[str, list[ThresholdInfo]] = defaultdict(list)
        for threshold in snapshot.thresholds:
            self.thresholds[threshold.jurisdiction].append(threshold)
        self._ester_formulas: tuple[bool, Formulas | None] | None = None
        self._rules: dict[str, generic.CompiledRule] = {}
        self._similar_cache: dict = {}
        self._fingerprints: tuple[list[EntryInfo], list] | None = None
        self._distinct: tuple[list, list[list[int]], float] | None = None
        self._latest: tuple[Query, _Facts] | None = None
        self.mirror_keys = {
            entry.entry_id: _mirror_key(snapshot.entry_smiles.get(entry.entry_id, ""))
            for entry in snapshot.entries
            if entry.stereo_scope == "enantiomers" and entry.has_stereo
        }

    # The answer

    def assess(
        self,
        query: Query,
        jurisdiction: str,
        day: datetime.date,
        amount_g: Decimal | None = None,
    ) -> Answer:
        return self._answer(self._facts(query), jurisdiction, day, amount_g)

    def assess_all(
        self,
        query: Query,
        jurisdictions: Iterable[str],
        day: datetime.date,
        amount_g: Decimal | None = None,
    ) -> list[Answer]:
        """The answers for one structure in each of ``jurisdictions``, in that order (the same as asking
        ``assess`` for each, at the cost of little more than one)."""
        facts = self._facts(query)
        return [self._answer(facts, code, day, amount_g) for code in jurisdictions]

    def _answer(self, facts: _Facts, jurisdiction: str, day, amount_g) -> Answer:
        query = facts.query
        answer = Answer(
            input=query.text,
            inchikey=query.inchikey,
            jurisdiction=jurisdiction,
            date=day.isoformat(),
            controlled=None,
            note=self.snapshot.caveat,
        )
        if query.error:
            answer.error = query.error
            return answer
        bases = self._listings(facts, jurisdiction, day)
        if query.parent is not None:
            listed = any(b.decides for b in bases)
            bases += self._generics(facts, jurisdiction, day, listed)
        decisive = [b for b in bases if b.decides]
        if not decisive and query.parent is not None:
            bases += self._analogues(facts, jurisdiction, day)
        answer.basis = bases
        answer.lists = sorted({b.list for b in decisive})
        if decisive:
            answer.controlled = True
        elif any(b.date_uncertain for b in bases):
            answer.reason = (
                "a listing may or may not have been in force on this date (its start is not recorded exactly)"
            )
        elif any(b.stereo_uncertain for b in bases):
            answer.reason = (
                "the structure is given without stereochemistry, and only some of its stereoisomers are "
                "controlled here: give the stereochemistry to decide"
            )
        elif any(b.kind == "analogue_possible" for b in bases):
            answer.reason = "a possible analogue: only an expert can decide"
        elif query.parent is None and query.inchikey:
            answer.reason = (
                "found in no listing, and without a structure the generic definitions, esters, ethers and "
                "analogues cannot be checked"
            )
        elif not self.snapshot.complete.get(jurisdiction, False):
            answer.reason = (
                "not found in the lists recorded for this jurisdiction, which are not marked complete: "
                "its national additions may be missing"
            )
        else:
            answer.controlled = False
        if amount_g is not None and decisive:
            answer.amount_category = self.amount_category(
                query, jurisdiction, day, Decimal(amount_g), decisive
            )
        return answer

    # What a structure is, whatever the jurisdiction

    def _facts(self, query: Query) -> _Facts:
        """The structure-level facts of ``query``, kept for the latest query (callers ask for one structure
        in every jurisdiction in turn)."""
        latest = self._latest
        if latest is not None and latest[0] is query:
            return latest[1]
        facts = _Facts(query, self._candidates(query))
        self._latest = (query, facts)
        return facts

    def _candidates(self, query: Query) -> list[tuple[EntryInfo, str, str]]:
        """The entries ``query`` is, or is a salt, stereoisomer, ester or ether of, with that kind."""
        candidates: list[tuple[EntryInfo, str, str]] = []
        for key in query.substance_keys:
            for entry in self.by_substance.get(key, []):
                candidates.append((entry, "explicit", ""))
        for entry in self.by_inchikey.get(query.inchikey, []):
            candidates.append((entry, "salt" if query.is_salt else "explicit", ""))
        exact = {id(entry) for entry, _k, _d in candidates}
        unspecified = not _has_stereo(query.inchikey)
        for entry in self.by_skeleton.get(query.skeleton, []):
            if id(entry) not in exact:
                if unspecified:
                    detail = "the listed substance; the stereochemistry is not given"
                elif self.mirror_keys.get(entry.entry_id) == query.inchikey:
                    detail = "the mirror image of the listed form, which the name designates too"
                else:
                    detail = "a stereoisomer of the listed form"
                candidates.append((entry, "stereoisomer", detail))
        covered, wanted = self._ester_targets()
        if query.parent is not None and covered:
            for skeleton in sorted(query.undone_skeletons(wanted)):
                for entry in self.by_skeleton.get(skeleton, []):
                    candidates.append((entry, "ester_ether", f"an ester or ether of {entry.name}"))
        return candidates

    def _ester_targets(self) -> tuple[bool, Formulas | None]:
        """Whether any list covers the esters and ethers of a listed structure (directly or through an
        incorporation), and the heavy-atom formulas of those structures: only a structure of one of these
        formulas is worth identifying when undoing esters and ethers, as no other could give a basis (None,
        no screen, when one of them has no structure to take a formula from). Made on first use."""
        if self._ester_formulas is None:
            entries = [
                e
                for e in self.snapshot.entries
                if e.inchikey and not e.is_exclusion and self._esters_covered(e)
            ]
            parents = []
            for entry in entries:
                smiles = self.snapshot.entry_smiles.get(entry.entry_id)
                mol = Chem.MolFromSmiles(smiles) if smiles else None
                if mol is not None:
                    parents.append(_parent_or_itself(mol))
            wanted = Formulas.of(parents) if len(parents) == len(entries) else None
            self._ester_formulas = (bool(entries), wanted)
        return self._ester_formulas

    def _esters_covered(self, entry: EntryInfo) -> bool:
        own = self.lists.get(entry.list_code)
        if own is not None and own.covers_esters_ethers:
            return True
        return any(
            self.lists[i.national_list].covers_esters_ethers
            for i in self.snapshot.incorporations
            if i.incorporated_list == entry.list_code and i.national_list in self.lists
        )

    # Listings

    def _listings(self, facts: _Facts, jurisdiction: str, day) -> list[Basis]:
        query = facts.query
        exclusions = [
            entry
            for entry, _kind, _detail in facts.candidates
            if entry.is_exclusion and entry.inchikey == query.inchikey
        ]
        excluded = {entry.list_code for entry in exclusions if entry.in_force(day)}
        # An exclusion whose start is known only within a range may already apply: the answer stays open.
        maybe_excluded = {
            entry.list_code
            for entry in exclusions
            if entry.earliest <= day < entry.effective_from
            and (entry.effective_to is None or day <= entry.effective_to)
        }
        # "Esters and ethers, unless appearing in another Schedule" (1961, Schedule I): a structure listed
        # in its own right in another list of the same instrument is not also an ester or ether of an entry
        # of this one (codeine is in Schedule II, not in Schedule I as an ether of morphine).
        listed_in = {
            (entry.instrument, entry.list_code)
            for entry, kind, _detail in facts.candidates
            if kind in ("explicit", "salt")
        }
        bases = []
        for entry, kind, detail in facts.candidates:
            if entry.is_exclusion or entry.list_code in excluded:
                continue
            if kind == "ester_ether" and _listed_elsewhere(listed_in, entry):
                continue
            for reach in self._reach(entry, jurisdiction, day):
                coverage = self._coverage(reach.list_code, entry, kind, query)
                # A national list that incorporates an international one takes its entries as they are:
                # what the international list does not cover, the incorporation does not add.
                if reach.via and coverage is not None:
                    own = self._coverage(entry.list_code, entry, kind, query)
                    coverage = None if own is None else coverage + own
                if reach.list_code in excluded:
                    continue
                exclusion_open = bool({reach.list_code, entry.list_code} & maybe_excluded)
                open_stereo = coverage is None and self._may_be_listed_form(entry, kind, query)
                if coverage is None and not open_stereo:
                    continue
                coverage = coverage or ()
                # A basis that rests on a list's clause (its salts, its stereoisomers…) is only as verified
                # as that clause.
                unchecked = sorted({code for code in coverage if not self.lists[code].verified})
                notes = [
                    detail,
                    f"through {reach.via}" if reach.via else "",
                    reach.uncertainty,
                    "an exclusion of this structure may already have been in force" if exclusion_open else "",
                    f"what {', '.join(unchecked)} covers is not verified" if unchecked else "",
                    "only the listed form is covered here, and it may or may not be this one"
                    if open_stereo
                    else "",
                ]
                bases.append(
                    Basis(
                        reach.list_code,
                        kind,
                        entry.name,
                        reach.instrument,
                        reach.start.isoformat(),
                        reach.source_url,
                        reach.verified and not unchecked,
                        "; ".join(n for n in notes if n),
                        date_uncertain=bool(reach.uncertainty) or exclusion_open,
                        stereo_uncertain=open_stereo,
                    )
                )
        return _strongest_per_list(bases)

    def _reach(self, entry: EntryInfo, jurisdiction: str, day):
        """The lists of ``jurisdiction`` through which ``entry`` is (or may be) in force on ``day``: directly,
        or through a national list that incorporates the entry's international list."""
        own = self.lists.get(entry.list_code)
        if own is not None and own.jurisdiction == jurisdiction:
            reach = _window(
                entry.list_code, entry, day, entry.earliest, entry.effective_from, entry.effective_to
            )
            if reach is not None:
                yield reach
        for incorporation in self._incorporating(entry.list_code, jurisdiction):
            lag = datetime.timedelta(days=incorporation.lag_days or 0)
            earliest = max(entry.earliest + lag, incorporation.effective_from)
            certain = max(entry.effective_from + lag, incorporation.effective_from)
            end = min((d for d in (entry.effective_to, incorporation.effective_to) if d), default=None)
            reach = _window(incorporation.national_list, entry, day, earliest, certain, end)
            if reach is not None:
                reach.via = entry.list_code
                reach.instrument = incorporation.instrument or entry.instrument
                reach.source_url = incorporation.source_url or entry.source_url
                reach.verified = incorporation.verified and entry.verified
                yield reach

    def _incorporating(self, list_code: str, jurisdiction: str) -> list[IncorporationInfo]:
        """The incorporations of ``list_code`` into the national lists of ``jurisdiction``."""
        return self.incorporated_into.get((list_code, jurisdiction), [])

    def _coverage(self, list_code: str, entry: EntryInfo, kind: str, query: Query) -> tuple[str, ...] | None:
        """Whether ``list_code`` covers the structure as a ``kind`` of ``entry``: None when it does not,
        else the lists whose clauses the answer rests on (none for the entry itself, or for a stereoisomer
        its name designates)."""
        info = self.lists[list_code]
        if kind == "salt":
            return (list_code,) if info.covers_salts else None
        # A salt of a stereoisomer, an ester or an ether rests on the salt clause as well.
        salt = (list_code,) if query.is_salt and kind in ("stereoisomer", "ester_ether") else ()
        if salt and not info.covers_salts:
            return None
        if kind == "stereoisomer":
            if self._named_form(entry, query):
                return salt
            return (list_code,) if info.covers_stereoisomers else None
        if kind == "ester_ether":
            return (list_code,) if info.covers_esters_ethers else None
        return ()

    def _may_be_listed_form(self, entry: EntryInfo, kind: str, query: Query) -> bool:
        """Whether a structure the list does not cover as a stereoisomer may still be the listed form: it is
        given without stereochemistry (or with some of it), and the listed form is one way of completing
        it."""
        if kind != "stereoisomer" or not entry.has_stereo:
            return False
        if query.is_salt and not self.lists[entry.list_code].covers_salts:
            return False
        if not _has_stereo(query.inchikey):
            return True
        possible = query.possible_keys
        return possible is None or entry.inchikey in possible

    def _named_form(self, entry: EntryInfo, query: Query) -> bool:
        """Whether the entry's name designates the query's stereoisomer by itself: a name listed without
        stereochemistry names every form; a name that designates one diastereomer (``enantiomers``) names
        its mirror image, and a structure drawn without stereochemistry, too."""
        if entry.stereo_scope == "enantiomers":
            return not _has_stereo(query.inchikey) or self.mirror_keys.get(entry.entry_id) == query.inchikey
        return not entry.has_stereo

    # Generic definitions

    def _generics(self, facts: _Facts, jurisdiction: str, day, listed: bool) -> list[Basis]:
        """The generic definitions of ``jurisdiction`` in force on ``day`` that the structure falls under.
        A definition of substances "not separately listed" (``unlisted_only``: the Kazakh analogues, the
        Russian derivatives, the UK's "not a compound specified elsewhere") is no basis for a structure that
        a listing of the jurisdiction already covers (``listed``)."""
        bases = []
        for definition in self.generics.get(jurisdiction, []):
            if definition.kind == "analogue_similarity" or not definition.in_force(day):
                continue
            if listed and definition.rule.get("unlisted_only", False):
                continue
            found = self._generic_match(facts, definition)
            if found is not None:
                kind = "derivative" if definition.kind == "derivatives" else "generic"
                bases.append(
                    Basis(
                        definition.list_code,
                        kind,
                        definition.name,
                        definition.instrument,
                        definition.effective_from.isoformat(),
                        definition.source_url,
                        definition.verified,
                        found.explain(),
                        parent_skeleton=found.parent_skeleton,
                    )
                )
        return bases

    def _generic_match(self, facts: _Facts, definition: GenericInfo) -> generic.GenericMatch | None:
        if definition.code not in facts.matches:
            rule = self._rules.get(definition.code)
            if rule is None:
                rule = self._rules[definition.code] = generic.compile_rule(definition.rule)
            query = facts.query
            facts.matches[definition.code] = rule.match(query.parent, skeleton=query.skeleton)
        return facts.matches[definition.code]

    # Analogues

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

    # Amounts

    def amount_category(
        self, query: Query, jurisdiction: str, day, amount_g: Decimal, decisive: list[Basis]
    ) -> dict:
        """The category of ``amount_g`` under the jurisdiction's thresholds for this substance (or the entry
        it is a derivative of); ``unknown`` when no value is known — never a guess."""
        chosen = self.threshold_for(query, jurisdiction, day, decisive)
        if chosen is None:
            return {"category": "unknown", "reason": "no quantity threshold is recorded for this substance"}
        return describe_category(chosen, amount_g)

    def threshold_for(
        self, query: Query, jurisdiction: str, day, decisive: list[Basis]
    ) -> ThresholdInfo | None:
        """The threshold in force that applies to the structure: its own (by structure) first, then one
        named as the entry it is listed under, then that of the parent it is a derivative of."""
        parents = {b.parent_skeleton for b in decisive if b.parent_skeleton}
        names = {b.entry.casefold() for b in decisive}
        ranked = []
        for position, threshold in enumerate(self.thresholds.get(jurisdiction, [])):
            if not threshold.in_force(day):
                continue
            own = threshold.inchikey[:14]
            if own and own == query.skeleton:
                ranked.append((0, position, threshold))
            elif threshold.entry_name.casefold() in names:
                ranked.append((1, position, threshold))
            elif own and threshold.includes_derivatives and own in parents:
                ranked.append((2, position, threshold))
        return min(ranked, key=lambda item: item[:2])[2] if ranked else None


def describe_category(chosen: ThresholdInfo, amount_g: Decimal) -> dict:
    """The category of ``amount_g`` under ``chosen``, with the threshold it was read from."""
    category = _category(chosen, amount_g)
    return {
        "category": category,
        "threshold": chosen.entry_name,
        "basis": chosen.basis,
        "instrument": chosen.instrument,
        "verified": chosen.verified,
        "source_url": chosen.source_url,
        "bounds": {
            "small_max_g": chosen.small_max_g,
            "significant_min_g": chosen.significant_min_g,
            "large_min_g": chosen.large_min_g,
            "especially_large_min_g": chosen.especially_large_min_g,
            "comparison": chosen.comparison,
        },
    }


def _category(threshold: ThresholdInfo, amount: Decimal) -> str:
    """The highest tier ``amount`` reaches; ``small`` within the small amount; ``none`` below every tier
    that applies; ``unknown`` when a tier that could apply has no known value."""

    def reaches(bound):
        bound = Decimal(str(bound))
        return amount > bound if threshold.comparison == "above" else amount >= bound

    tiers = [
        ("especially_large", threshold.especially_large_min_g),
        ("large", threshold.large_min_g),
        ("significant", threshold.significant_min_g),
    ]
    unknown_above = False
    for name, bound in tiers:
        if bound is None:
            unknown_above = unknown_above or name != "significant" or threshold.small_max_g is None
            continue
        if reaches(bound):
            return "unknown" if unknown_above else name
    if threshold.small_max_g is not None and amount <= Decimal(str(threshold.small_max_g)):
        return "small"
    return "unknown" if unknown_above else "none"


@dataclass
class _Reach:
    list_code: str
    start: datetime.date
    uncertainty: str
    instrument: str
    source_url: str
    verified: bool
    via: str = ""


def _window(list_code, entry: EntryInfo, day, earliest, certain, end) -> _Reach | None:
    """Whether ``entry`` is in force in ``list_code`` on ``day``: certainly from ``certain``, possibly from
    ``earliest``, until ``end``."""
    if (end is not None and day > end) or day < earliest:
        return None
    uncertainty = ""
    if day < certain:
        uncertainty = (
            f"the start is not recorded exactly: between {earliest.isoformat()} and {certain.isoformat()}"
        )
    return _Reach(list_code, certain, uncertainty, entry.instrument, entry.source_url, entry.verified)


# Lists whose every entry is also an entry of another list of the same instrument: the 1961 Convention puts
# each drug of Schedule IV in Schedule I as well (article 2, paragraph 5), so Schedule IV is not "another
# Schedule" for the ester and ether clause of Schedule I (heroin stays an ester of morphine there).
_ALSO_IN = {"UN-1961-IV": "UN-1961-I"}


def _listed_elsewhere(listed_in: set[tuple[str, str]], entry) -> bool:
    """Whether the structure is listed in its own right in another list of ``entry``'s instrument."""
    return any(
        instrument == entry.instrument and code != entry.list_code and _ALSO_IN.get(code) != entry.list_code
        for instrument, code in listed_in
    )


def _strongest_per_list(bases: list[Basis]) -> list[Basis]:
    """One basis per (list, entry), the strongest kind first."""
    if len(bases) < 2:
        return bases
    order = _STRENGTH
    best: dict[tuple[str, str], Basis] = {}
    for basis in bases:
        key = (basis.list, basis.entry)
        rank = (basis.date_uncertain or basis.stereo_uncertain, order.get(basis.kind, 99))
        if key not in best or rank < (
            best[key].date_uncertain or best[key].stereo_uncertain,
            order.get(best[key].kind, 99),
        ):
            best[key] = basis
    return sorted(best.values(), key=lambda b: (b.list, order.get(b.kind, 99), b.entry))


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


def _unique_names(ranked):
    seen, unique = set(), []
    for score, name in ranked:
        if name not in seen:
            seen.add(name)
            unique.append((score, name))
    return unique
