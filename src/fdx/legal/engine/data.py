"""The engine's view of the legal data: plain, immutable records compiled from the database."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ListInfo:
    """A control list, and what it covers besides the entries it names.

    ``covers_salts``, ``covers_stereoisomers`` and ``covers_esters_ethers`` say whether the list's clauses
    extend its entries to their salts, their stereoisomers, and their esters and ethers.
    """

    code: str
    jurisdiction: str
    name: str
    covers_salts: bool
    covers_stereoisomers: bool
    covers_esters_ethers: bool
    verified: bool = False  # whether what the list covers (its clauses on salts, stereoisomers…) is checked


@dataclass(frozen=True)
class EntryInfo:
    """An entry of a control list: a listed substance (or an exclusion), and when it is in force.

    ``inchikey`` and ``skeleton`` identify its structure; a substance listed without one (opium) has
    ``substance_key`` instead. The entry is in force certainly from ``effective_from``, possibly from
    ``earliest_from`` where its start is known only within a range, and until ``effective_to``.
    """

    list_code: str
    name: str
    inchikey: str
    skeleton: str
    has_stereo: bool
    effective_from: datetime.date
    effective_to: datetime.date | None
    instrument: str
    source_url: str
    verified: bool
    is_exclusion: bool = False
    entry_id: str = ""
    earliest_from: datetime.date | None = None  # set when the start is known only within a range
    substance_key: str = ""
    stereo_scope: str = "list"  # see ``legal.choices.StereoScope``

    @property
    def earliest(self) -> datetime.date:
        """The first day the entry may have been in force (``effective_from``: the first it certainly is)."""
        return self.earliest_from or self.effective_from

    def in_force(self, day: datetime.date) -> bool:
        """Certainly in force on ``day``.

        Parameters
        ----------
        day : datetime.date
            The day asked about.

        Returns
        -------
        bool
            Whether the entry had started by ``day`` (``effective_from``) and had not ended before it.
        """
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)


@dataclass(frozen=True)
class IncorporationInfo:
    """A national list's incorporation of an international one (a UN schedule).

    It holds from ``effective_from`` until ``effective_to``. An entry of the incorporated list counts in the
    national list from its own start plus ``lag_days`` (none when not recorded), never before the
    incorporation's ``effective_from``.
    """

    national_list: str
    incorporated_list: str
    effective_from: datetime.date
    effective_to: datetime.date | None
    lag_days: int | None
    instrument: str
    source_url: str
    verified: bool


@dataclass(frozen=True)
class GenericInfo:
    """A generic definition of a list: a class, the derivatives of named parents, or an analogue clause.

    ``rule`` is the machine-readable rule (see ``generic``); ``kind`` is one of ``legal.choices.GenericKind``.
    """

    code: str
    list_code: str
    jurisdiction: str
    name: str
    kind: str
    rule: dict
    effective_from: datetime.date
    effective_to: datetime.date | None
    instrument: str
    source_url: str
    verified: bool

    def in_force(self, day: datetime.date) -> bool:
        """In force on ``day``.

        Parameters
        ----------
        day : datetime.date
            The day asked about.

        Returns
        -------
        bool
            Whether the definition had started by ``day`` and had not ended before it.
        """
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)


@dataclass(frozen=True)
class ThresholdInfo:
    """A jurisdiction's quantity thresholds for one substance: the bounds of each amount category.

    The bounds are in grams, None where none is recorded; ``comparison`` says whether an amount reaches a
    bound when it is ``above`` it or ``at_least`` it. ``inchikey`` identifies the substance by structure
    (empty when it is named only), and ``includes_derivatives`` extends the thresholds to its derivatives.
    """

    jurisdiction: str
    entry_name: str
    inchikey: str
    includes_derivatives: bool
    small_max_g: float | None
    significant_min_g: float | None
    large_min_g: float | None
    especially_large_min_g: float | None
    comparison: str
    basis: str
    effective_from: datetime.date
    effective_to: datetime.date | None
    instrument: str
    source_url: str
    verified: bool

    def in_force(self, day: datetime.date) -> bool:
        """In force on ``day``.

        Parameters
        ----------
        day : datetime.date
            The day asked about.

        Returns
        -------
        bool
            Whether the thresholds had started by ``day`` and had not ended before it.
        """
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)


@dataclass
class Snapshot:
    """All legal data the engine needs, in one consistent read."""

    jurisdictions: dict[str, str] = field(default_factory=dict)  # code → name
    complete: dict[str, bool] = field(default_factory=dict)  # code → its lists are recorded in full
    lists: dict[str, ListInfo] = field(default_factory=dict)
    entries: list[EntryInfo] = field(default_factory=list)
    incorporations: list[IncorporationInfo] = field(default_factory=list)
    generics: list[GenericInfo] = field(default_factory=list)
    thresholds: list[ThresholdInfo] = field(default_factory=list)
    entry_smiles: dict[str, str] = field(default_factory=dict)  # entry_id → SMILES, for similarity
    caveat: str = ""  # said with every answer (what a snapshot of a past moment could not take back)
