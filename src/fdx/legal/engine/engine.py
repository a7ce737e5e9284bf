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
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from rdkit import Chem

from fdx.legal.engine import amounts, generic
from fdx.legal.engine.analogues import AnaloguesMixin
from fdx.legal.engine.answers import Answer, Basis
from fdx.legal.engine.data import EntryInfo, GenericInfo, Snapshot, ThresholdInfo
from fdx.legal.engine.esters import Formulas
from fdx.legal.engine.listings import ListingsMixin
from fdx.legal.engine.structure import Query, _Facts, _has_stereo, _mirror_key, _parent_or_itself


class Engine(ListingsMixin, AnaloguesMixin):
    """The compiled legal data, which answers for structures in jurisdictions on days.

    ``assess`` answers for one structure, jurisdiction and day, ``assess_all`` for one structure in several
    jurisdictions. Listings and analogue clauses are worked out by ``ListingsMixin`` and ``AnaloguesMixin``,
    on the data compiled here.

    Parameters
    ----------
    snapshot : Snapshot
        The legal data.
    analogue_threshold : float, optional
        The similarity an analogue clause asks for when its rule gives no ``threshold``.
    """

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
        self.searched: dict[str, list[str]] = defaultdict(list)  # jurisdiction → the lists its answers read
        for info in self.lists.values():
            self.searched[info.jurisdiction].append(info.code)
        for (international, country), _incorporations in self.incorporated_into.items():
            self.searched[country].append(international)
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
        """The answer for one structure in one jurisdiction on one day.

        Parameters
        ----------
        query : Query
            The structure.
        jurisdiction : str
            The jurisdiction's code.
        day : datetime.date
            The day asked about.
        amount_g : decimal.Decimal, optional
            An amount in grams, whose category the answer then gives if the structure is controlled.

        Returns
        -------
        Answer
            Whether the structure is controlled, on what bases, and the amount's category.
        """
        return self._answer(self._facts(query), jurisdiction, day, amount_g)

    def assess_all(
        self,
        query: Query,
        jurisdictions: Iterable[str],
        day: datetime.date,
        amount_g: Decimal | None = None,
    ) -> list[Answer]:
        """The answers for one structure in each of ``jurisdictions``, in that order.

        The same as asking ``assess`` for each, at the cost of little more than one.

        Parameters
        ----------
        query : Query
            The structure.
        jurisdictions : iterable of str
            The jurisdictions' codes.
        day : datetime.date
            The day asked about.
        amount_g : decimal.Decimal, optional
            An amount in grams, whose category each answer then gives where the structure is controlled.

        Returns
        -------
        list of Answer
            One answer per jurisdiction.
        """
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
            searched=sorted(set(self.searched.get(jurisdiction, ()))),
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

    # Amounts

    def amount_category(
        self, query: Query, jurisdiction: str, day, amount_g: Decimal, decisive: list[Basis]
    ) -> dict:
        """The category of ``amount_g`` under the jurisdiction's threshold for the structure.

        The structure's own threshold, or that of the entry it is listed under or a derivative of
        (``threshold_for``); ``unknown`` when no value is known — never a guess (see ``amounts``).

        Parameters
        ----------
        query : Query
            The structure.
        jurisdiction : str
            The jurisdiction's code.
        day : datetime.date
            The day asked about.
        amount_g : decimal.Decimal
            The amount in grams.
        decisive : list of Basis
            The bases that make the structure controlled.

        Returns
        -------
        dict
            The category and the threshold it was read from (see ``amounts.describe_category``).
        """
        chosen = self.threshold_for(query, jurisdiction, day, decisive)
        return amounts.amount_category(chosen, amount_g)

    def threshold_for(
        self, query: Query, jurisdiction: str, day, decisive: list[Basis]
    ) -> ThresholdInfo | None:
        """The threshold in force in ``jurisdiction`` that applies to the structure.

        Parameters
        ----------
        query : Query
            The structure.
        jurisdiction : str
            The jurisdiction's code.
        day : datetime.date
            The day asked about.
        decisive : list of Basis
            The bases that make the structure controlled.

        Returns
        -------
        ThresholdInfo or None
            The threshold (see ``amounts.threshold_for``); None when none applies.
        """
        return amounts.threshold_for(self.thresholds.get(jurisdiction, []), query, day, decisive)
