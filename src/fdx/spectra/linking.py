"""Which registry substance a library record is a spectrum of.

The record's own structure decides when it gives one: its InChIKey, or the key computed from its SMILES or
InChI (as given, and of its free base: an EI spectrum is the spectrum of the neutral molecule), matched on
the full key, stereo and isotopes included — HU-211 is not HU-210, a deuterated standard is not its drug,
tetramisole is not levamisole. A record with a structure is never linked by its name or CAS number. Only a
record without any structure is linked by its CAS number, or by a name or synonym equal, letter for letter
(case, spaces and punctuation aside), to exactly one registry substance's name: the search's loose
spelling folds ("pCPP" and "PCP" fold alike) are never used for a link. A record that matches nothing is
registered as a new substance from the library's own data — with its structure when the record carries a
SMILES or InChI, otherwise by its names and CAS number, marked as such, for a chemist to complete. Records
of one compound (replicates, several suppliers) share one substance.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Q

from fdx.spectra.choices import SubstanceLink
from fdx.substances import actions as substance_actions
from fdx.substances import chem, names
from fdx.substances.choices import NameKind, SubstanceSource
from fdx.substances.models import Substance, SubstanceName
from fdx.substances.reference import cas_is_valid


@dataclass
class Linker:
    """Registry lookups made once per import, and the substances this import has registered."""

    actor: object
    library_label: str
    by_inchikey: dict[str, int] = field(default_factory=dict)
    by_cas: dict[str, int] = field(default_factory=dict)
    #: exact name key -> substance id, or None where two substances share the name (never linked by it)
    by_name: dict[str, int | None] = field(default_factory=dict)
    #: the same for preferred names only: "(+)-methamphetamine" is a synonym of dextromethamphetamine that
    #: compares like "Methamphetamine", whose preferred name it is, so a preferred name decides first
    by_preferred_name: dict[str, int | None] = field(default_factory=dict)
    created: dict[str, int] = field(default_factory=lambda: {"with_structure": 0, "without_structure": 0})

    @classmethod
    def load(cls, actor, library_label: str) -> Linker:
        linker = cls(actor, library_label)
        for pk, inchikey, cas in Substance.objects.values_list("pk", "inchikey", "cas_number").order_by("pk"):
            if inchikey:
                linker.by_inchikey.setdefault(inchikey, pk)
            if cas:
                linker.by_cas.setdefault(cas, pk)
        names_of = SubstanceName.objects.values_list("name", "substance_id", "kind").order_by("substance_id")
        for name, substance_id, kind in names_of:
            linker._add_name(name, substance_id, preferred=kind == NameKind.PREFERRED)
        return linker

    def link(self, name: str, metadata: dict, record_label: str) -> tuple[int | None, str]:
        """The substance (id) a record is a spectrum of, and how that was decided; registers one when
        nothing matches."""
        found = self._existing(name, metadata)
        if found is not None:
            return found
        return self._register(name, metadata, record_label)

    def existing(self, name: str, metadata: dict) -> tuple[int, str] | None:
        """The registry substance (id) a record is a spectrum of, and how that was decided, or None:
        never registers one (a spectrum received from another node is linked only to what is here)."""
        return self._existing(name, metadata)

    def _existing(self, name: str, metadata: dict) -> tuple[int, str] | None:
        keys = structure_keys(metadata)
        if keys:  # the structure decides: a different key is a different substance, whatever the name
            for key in keys:
                if key in self.by_inchikey:
                    return self.by_inchikey[key], SubstanceLink.INCHIKEY
            return None
        cas = _valid_cas(metadata)
        if cas and cas in self.by_cas:
            return self.by_cas[cas], SubstanceLink.CAS
        keys = [name_key(str(c)) for c in [name, *metadata.get("synonyms", [])]]
        for names_map in (self.by_preferred_name, self.by_name):
            found = {names_map.get(key) for key in keys}
            found.discard(None)
            if len(found) == 1:  # names pointing at two substances link to neither
                return found.pop(), SubstanceLink.NAME
        return None

    def _add_name(self, name: str, substance_id: int, *, preferred: bool = False) -> None:
        key = name_key(name)
        if not key:
            return
        for names_map in (self.by_name, self.by_preferred_name) if preferred else (self.by_name,):
            if key in names_map and names_map[key] != substance_id:
                names_map[key] = None  # shared by two substances: ambiguous
            else:
                names_map[key] = substance_id

    def _register(self, name: str, metadata: dict, record_label: str) -> tuple[int | None, str]:
        name = (name or "").strip()[:300]
        if not name:
            return None, SubstanceLink.NONE
        structure = str(metadata.get("smiles") or metadata.get("inchi") or "").strip()
        synonyms = [str(s)[:500] for s in metadata.get("synonyms", []) if str(s).strip()]
        cas = _valid_cas(metadata) or ""
        note = f"Registered from the spectral library {self.library_label}, record {record_label}."
        substance, kind = None, SubstanceLink.CREATED
        if structure:
            substance, new = self._create(name, structure, cas, synonyms, note)
            if substance is not None and not new:
                kind = SubstanceLink.INCHIKEY  # the structure is already registered
        if substance is None:
            note += " The library gave no usable structure: add it when it is known."
            substance, new = self._create(name, "", cas, synonyms, note)
            kind = SubstanceLink.CREATED_WITHOUT_STRUCTURE
        if substance is None:
            return None, SubstanceLink.NONE
        if new:
            self.created["with_structure" if kind == SubstanceLink.CREATED else "without_structure"] += 1
        self._remember(substance, metadata)
        return substance.pk, kind

    def _create(self, name, structure, cas, synonyms, note) -> tuple[Substance | None, bool]:
        """A new substance (and True), the registered one of the same structure (and False), or (None,
        False) when the structure cannot be read."""
        data = substance_actions.SubstanceInput(
            name_en=name, structure=structure, cas_number=cas, synonyms=synonyms, note=note
        )
        try:
            created = substance_actions.create_substance(
                self.actor, data, source=SubstanceSource.SPECTRAL_LIBRARY
            )
        except ValidationError as exc:
            if structure and "structure" in getattr(exc, "message_dict", {}):
                existing = _already_registered(structure)
                if existing is not None:
                    return existing, False
            if structure:
                return None, False  # an unreadable structure: registered by names instead
            raise
        return created, True

    def _remember(self, substance: Substance, metadata: dict) -> None:
        if substance.inchikey:
            self.by_inchikey.setdefault(substance.inchikey, substance.pk)
        for key in structure_keys(metadata):  # the library's keys link its other records of this compound
            self.by_inchikey.setdefault(key, substance.pk)
        if substance.cas_number:
            self.by_cas.setdefault(substance.cas_number, substance.pk)
        for name, kind in substance.names.values_list("name", "kind"):
            self._add_name(name, substance.pk, preferred=kind == NameKind.PREFERRED)


_NOT_LETTERS = re.compile(r"[^0-9a-z]+")


def name_key(name: str) -> str:
    """A name as compared for a link: case, accents, Greek letters (α → alpha), spaces and punctuation
    aside, every letter and digit kept — unlike the search's folds, "pCPP" is not "PCP"."""
    return _NOT_LETTERS.sub(" ", names.transliterate(unicodedata.normalize("NFKC", name))).strip()[:500]


def structure_keys(metadata: dict) -> list[str]:
    """The full InChIKeys a record gives for its compound: the one it states, then those of its SMILES or
    InChI as given and of their free base (parent). Empty when the record gives no usable structure."""
    keys = []
    stated = str(metadata.get("inchikey") or "").strip().upper()
    if _INCHIKEY.fullmatch(stated):
        keys.append(stated)
    structure = str(metadata.get("smiles") or metadata.get("inchi") or "").strip()
    for key in _keys_of(structure) if structure else ():
        if key not in keys:
            keys.append(key)
    return keys


@functools.lru_cache(maxsize=4096)
def _keys_of(structure: str) -> tuple[str, ...]:
    """The InChIKeys of a structure as given and of its parent; none when it cannot be read."""
    try:
        standardised = chem.standardise(chem.parse(structure))
    except chem.StructureError:
        return ()
    return tuple(key for key in (standardised.full.inchikey, standardised.parent.inchikey) if key)


_INCHIKEY = re.compile(r"[A-Z]{14}-[A-Z]{10}-[A-Z]")


def _valid_cas(metadata: dict) -> str | None:
    cas = str(metadata.get("cas") or "").strip()
    return cas if cas and cas_is_valid(cas) else None


def _already_registered(structure: str) -> Substance | None:
    try:
        standardised = chem.standardise(chem.parse(structure))
    except chem.StructureError:
        return None
    return Substance.objects.filter(
        Q(inchikey=standardised.full.inchikey) | Q(inchikey=standardised.parent.inchikey)
    ).first()
