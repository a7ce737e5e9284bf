"""Answering "is this structure controlled in X on day D, under what, and in which amount category?"

The engine compiles a ``Snapshot`` once into dictionaries keyed by InChIKey and skeleton, so an answer is a
few lookups plus the generic definitions whose core the structure contains (screened by fingerprint).
Matches, strongest first: explicit listing; a salt or a stereoisomer of a listed substance where the list
covers them; an ester or ether of a listed substance where the list covers them; a generic definition;
and, for analogue clauses only, ``analogue_possible`` — which never makes a substance controlled.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from rdkit import Chem, DataStructs
from rdkit.Chem import AllChem

from fdx.legal.engine import generic
from fdx.legal.engine.data import EntryInfo, GenericInfo, Snapshot, ThresholdInfo
from fdx.substances import chem

DECISIVE = ("explicit", "salt", "stereoisomer", "ester_ether", "generic", "derivative")

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
    _undone: list | None = None

    @classmethod
    def from_text(cls, text: str, substance_keys=(), label: str = "") -> Query:
        """A query for a structure (SMILES, InChI or molfile); ``substance_keys`` also match listings that
        name a registry substance without a structure (opium, coca leaf, cannabis)."""
        keys = frozenset(k for k in substance_keys if k)
        try:
            structure = chem.standardise(chem.parse(text))
        except chem.StructureError as exc:
            if keys:
                return cls(text=label or text, substance_keys=keys)
            return cls(text=label or text, error=str(exc))
        return cls(
            text=label or text,
            parent=structure.parent_mol,
            inchikey=structure.parent.inchikey,
            skeleton=chem.skeleton_key(structure.parent.inchikey),
            is_salt=structure.is_salt_or_solvate,
            substance_keys=keys,
        )

    @property
    def pattern(self):
        if self._pattern is None:
            self._pattern = chem.pattern_fingerprint(self.parent)
        return self._pattern

    @property
    def morgan(self):
        if self._morgan is None:
            self._morgan = chem.morgan_fingerprint(self.parent)
        return self._morgan

    def undone_skeletons(self) -> set[str]:
        """Skeletons of the structures this one is an ester or ether of (one or two steps back)."""
        if self._undone is None:
            found, frontier = set(), [self.parent]
            for _step in range(2):
                following = []
                for mol in frontier:
                    for reaction in _UNDO:
                        for products in reaction.RunReactants((mol,)):
                            product = products[0]
                            try:
                                Chem.SanitizeMol(product)
                            except Exception:  # noqa: S112 (an impossible product is skipped)
                                continue
                            key = Chem.MolToInchiKey(product)
                            if key and key[:14] not in found:
                                found.add(key[:14])
                                following.append(product)
                frontier = following
            found.discard(self.skeleton)
            self._undone = list(found)
        return set(self._undone)


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
        return data


class Engine:
    """The compiled legal data; ``assess`` answers for one structure, jurisdiction and day."""

    def __init__(self, snapshot: Snapshot, analogue_threshold: float = 0.7):
        self.snapshot = snapshot
        self.exclusions = {g.code: _skeletons(g.rule.get("exclude", [])) for g in snapshot.generics}
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
        self.incorporated_into: dict[str, list] = defaultdict(list)  # UN list → incorporations
        for incorporation in snapshot.incorporations:
            self.incorporated_into[incorporation.incorporated_list].append(incorporation)
        self.generics: dict[str, list[GenericInfo]] = defaultdict(list)
        for definition in snapshot.generics:
            self.generics[definition.jurisdiction].append(definition)
        self.thresholds: dict[str, list[ThresholdInfo]] = defaultdict(list)
        for threshold in snapshot.thresholds:
            self.thresholds[threshold.jurisdiction].append(threshold)
        self._similar_cache: dict = {}
        self._fingerprints: dict = {}

    # The answer

    def assess(
        self,
        query: Query,
        jurisdiction: str,
        day: datetime.date,
        amount_g: Decimal | None = None,
    ) -> Answer:
        answer = Answer(
            input=query.text,
            inchikey=query.inchikey,
            jurisdiction=jurisdiction,
            date=day.isoformat(),
            controlled=None,
        )
        if query.error:
            answer.error = query.error
            return answer
        bases = self._listings(query, jurisdiction, day)
        if query.parent is not None:
            bases += self._generics(query, jurisdiction, day)
        decisive = [b for b in bases if b.kind in DECISIVE and not b.date_uncertain]
        if not decisive and query.parent is not None:
            bases += self._analogues(query, jurisdiction, day)
        answer.basis = bases
        answer.lists = sorted({b.list for b in decisive})
        if decisive:
            answer.controlled = True
        elif any(b.date_uncertain for b in bases):
            answer.reason = (
                "a listing may or may not have been in force on this date (its start is not recorded exactly)"
            )
        elif any(b.kind == "analogue_possible" for b in bases):
            answer.reason = "a possible analogue: only an expert can decide"
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

    def _listings(self, query: Query, jurisdiction: str, day) -> list[Basis]:
        candidates: list[tuple[EntryInfo, str, str]] = []  # (entry, kind, detail)
        for key in query.substance_keys:
            for entry in self.by_substance.get(key, []):
                candidates.append((entry, "explicit", ""))
        for entry in self.by_inchikey.get(query.inchikey, []):
            candidates.append((entry, "salt" if query.is_salt else "explicit", ""))
        exact = {id(entry) for entry, _k, _d in candidates}
        unspecified = not _has_stereo(query.inchikey)
        for entry in self.by_skeleton.get(query.skeleton, []):
            if id(entry) not in exact:
                detail = (
                    "the listed substance; the stereochemistry is not given"
                    if unspecified
                    else "a stereoisomer of the listed form"
                )
                candidates.append((entry, "stereoisomer", detail))
        undone = (
            query.undone_skeletons() if query.parent is not None and self._esters_matter(jurisdiction) else ()
        )
        for skeleton in undone:
            for entry in self.by_skeleton.get(skeleton, []):
                candidates.append((entry, "ester_ether", f"an ester or ether of {entry.name}"))
        bases, excluded = [], set()
        for entry, _kind, _detail in candidates:
            if entry.is_exclusion and entry.inchikey == query.inchikey and entry.in_force(day):
                excluded.add(entry.list_code)
        for entry, kind, detail in candidates:
            if entry.is_exclusion:
                continue
            for reach in self._reach(entry, jurisdiction, day):
                if reach.list_code in excluded or entry.list_code in excluded:
                    continue
                if not self._covers(reach.list_code, entry, kind, query):
                    continue
                notes = [detail, f"through {reach.via}" if reach.via else "", reach.uncertainty]
                bases.append(
                    Basis(
                        reach.list_code,
                        kind,
                        entry.name,
                        reach.instrument,
                        reach.start.isoformat(),
                        reach.source_url,
                        reach.verified,
                        "; ".join(n for n in notes if n),
                        date_uncertain=bool(reach.uncertainty),
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
        for incorporation in self.incorporated_into.get(entry.list_code, []):
            national = self.lists.get(incorporation.national_list)
            if national is None or national.jurisdiction != jurisdiction:
                continue
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

    def _covers(self, list_code: str, entry: EntryInfo, kind: str, query: Query) -> bool:
        info = self.lists[list_code]
        if kind == "salt":
            return info.covers_salts
        if kind == "stereoisomer":
            return info.covers_stereoisomers or not entry.has_stereo
        if kind == "ester_ether":
            return info.covers_esters_ethers
        return True

    def _esters_matter(self, jurisdiction: str) -> bool:
        return any(
            info.covers_esters_ethers for info in self.lists.values() if info.jurisdiction == jurisdiction
        ) or any(
            self.lists[i.national_list].jurisdiction == jurisdiction
            and self.lists[i.incorporated_list].covers_esters_ethers
            for i in self.snapshot.incorporations
            if i.national_list in self.lists and i.incorporated_list in self.lists
        )

    def _generics(self, query: Query, jurisdiction: str, day) -> list[Basis]:
        bases = []
        for definition in self.generics.get(jurisdiction, []):
            if definition.kind == "analogue_similarity" or not definition.in_force(day):
                continue
            if query.skeleton in self.exclusions.get(definition.code, ()):
                continue
            found = generic.match(definition.rule, query.parent, query.pattern)
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

    def _analogues(self, query: Query, jurisdiction: str, day) -> list[Basis]:
        clauses = [
            g
            for g in self.generics.get(jurisdiction, [])
            if g.kind == "analogue_similarity" and g.in_force(day)
        ]
        if not clauses:
            return []
        names, fingerprints = self._similarity_index(jurisdiction, day)
        if not fingerprints:
            return []
        scores = DataStructs.BulkTanimotoSimilarity(query.morgan, fingerprints)
        bases = []
        for clause in clauses:
            threshold = clause.rule.get("threshold", self.analogue_threshold)
            ranked = sorted(
                ((score, names[i]) for i, score in enumerate(scores) if score >= threshold), reverse=True
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

    def _similarity_index(self, jurisdiction: str, day):
        """Names and fingerprints of the structures listed in ``jurisdiction`` on ``day`` (the candidates an
        analogue clause compares with), kept for the most recent days asked about."""
        key = (jurisdiction, day)
        if key not in self._similar_cache:
            if len(self._similar_cache) > 64:
                self._similar_cache.clear()
            names, fingerprints = [], []
            for entry in self.snapshot.entries:
                fingerprint = self._entry_fingerprint(entry)
                if fingerprint is None or entry.is_exclusion:
                    continue
                if any(not reach.uncertainty for reach in self._reach(entry, jurisdiction, day)):
                    names.append(entry.name)
                    fingerprints.append(fingerprint)
            self._similar_cache[key] = (names, fingerprints)
        return self._similar_cache[key]

    def _entry_fingerprint(self, entry: EntryInfo):
        if entry.entry_id not in self._fingerprints:
            smiles = self.snapshot.entry_smiles.get(entry.entry_id)
            mol = Chem.MolFromSmiles(smiles) if smiles else None
            self._fingerprints[entry.entry_id] = chem.morgan_fingerprint(mol) if mol is not None else None
        return self._fingerprints[entry.entry_id]

    # Amounts

    def amount_category(
        self, query: Query, jurisdiction: str, day, amount_g: Decimal, decisive: list[Basis]
    ) -> dict:
        """The category of ``amount_g`` under the jurisdiction's thresholds for this substance (or the entry
        it is a derivative of); ``unknown`` when no value is known — never a guess."""
        parents = {b.parent_skeleton for b in decisive if b.parent_skeleton}
        names = {b.entry.casefold() for b in decisive}
        chosen = None
        for threshold in self.thresholds.get(jurisdiction, []):
            if not threshold.in_force(day):
                continue
            own = threshold.inchikey[:14]
            if (own and own == query.skeleton) or threshold.entry_name.casefold() in names:
                chosen = threshold
                break
            if threshold.includes_derivatives and own in parents:
                chosen = chosen or threshold
        if chosen is None:
            return {"category": "unknown", "reason": "no quantity threshold is recorded for this substance"}
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


def _strongest_per_list(bases: list[Basis]) -> list[Basis]:
    """One basis per (list, entry), the strongest kind first."""
    order = {kind: i for i, kind in enumerate(DECISIVE)}
    best: dict[tuple[str, str], Basis] = {}
    for basis in bases:
        key = (basis.list, basis.entry)
        rank = (basis.date_uncertain, order.get(basis.kind, 99))
        if key not in best or rank < (best[key].date_uncertain, order.get(best[key].kind, 99)):
            best[key] = basis
    return sorted(best.values(), key=lambda b: (b.list, order.get(b.kind, 99), b.entry))


def _skeletons(items: list[dict]) -> frozenset[str]:
    keys = set()
    for item in items:
        mol = Chem.MolFromSmiles(item["smiles"])
        if mol is None:
            raise generic.RuleError(f"invalid SMILES among the exclusions: {item['smiles']}")
        keys.add(Chem.MolToInchiKey(mol)[:14])
    return frozenset(keys)


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
