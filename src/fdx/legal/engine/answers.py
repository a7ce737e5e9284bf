"""The engine's answers.

Whether a structure is controlled in a jurisdiction on a day, and each basis (list, entry, kind of match)
the answer rests on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DECISIVE = ("explicit", "salt", "stereoisomer", "ester_ether", "generic", "derivative")


@dataclass
class Basis:
    """One ground of an answer: a list, its entry or definition, and the kind of match.

    ``kind`` is one of ``DECISIVE`` or ``analogue_possible``; a basis of a decisive kind decides the answer
    unless its date or its stereochemistry is uncertain (``decides``).
    """

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
        """The basis as JSON-ready data.

        Returns
        -------
        dict
            Its fields, ``parent_skeleton`` left out.
        """
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
    """Whether a structure is controlled in a jurisdiction on a day, and on what bases.

    ``controlled`` is None when the answer stays open (``reason`` says why) or the input could not be read
    (``error``); ``lists`` are those whose bases decide it; ``searched`` every list of the jurisdiction (its
    own and the international ones it incorporates) that was read, so that "in no list" says which;
    ``amount_category`` is set when an amount was given and the structure is controlled.
    """

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
    searched: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        """The answer as JSON-ready data.

        Returns
        -------
        dict
            Its fields, each basis as a dictionary; ``reason``, ``error`` and ``note`` only when they are
            set.
        """
        data = {
            "input": self.input,
            "inchikey": self.inchikey,
            "jurisdiction": self.jurisdiction,
            "date": self.date,
            "controlled": self.controlled,
            "lists": self.lists,
            "basis": [b.as_dict() for b in self.basis],
            "amount_category": self.amount_category,
            "searched": self.searched,
        }
        if self.reason:
            data["reason"] = self.reason
        if self.error:
            data["error"] = self.error
        if self.note:
            data["note"] = self.note
        return data
