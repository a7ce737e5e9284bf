"""Listings: the entries that control a structure in a jurisdiction on a day.

Directly or through a national list that incorporates an international one, and as far as each list covers
salts, stereoisomers, esters and ethers.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from fdx.legal.engine.answers import DECISIVE, Basis
from fdx.legal.engine.data import EntryInfo, IncorporationInfo, ListInfo
from fdx.legal.engine.structure import Query, _Facts, _has_stereo

_STRENGTH = {kind: i for i, kind in enumerate(DECISIVE)}


class ListingsMixin:
    """The ``Engine``'s listings: the bases its listed entries give in a jurisdiction on a day.

    The entries a structure is, or is a salt, stereoisomer, ester or ether of, directly or through a national
    list that incorporates an international one, and what each list covers. It reads the lists, incorporations
    and mirror-image keys the engine compiles.
    """

    lists: dict[str, ListInfo]
    incorporated_into: dict[tuple[str, str], list[IncorporationInfo]]
    mirror_keys: dict[str, str]

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
