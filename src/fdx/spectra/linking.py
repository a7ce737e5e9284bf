"""Which registry substance a library record is a spectrum of.

Strongest evidence first: the record's InChIKey (the same compound, or its free base: an EI spectrum is
the spectrum of the neutral molecule, and the same skeleton in another stereo form gives the same
spectrum), its CAS number, its name or a synonym. A record that matches nothing is registered as a new
substance from the library's own data — with its structure when the record carries one (SMILES, InChI),
otherwise by its names and CAS number, marked as such, for a chemist to complete. Records of one compound
(replicates, several suppliers) share one substance.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Q

from fdx.spectra.choices import SubstanceLink
from fdx.substances import actions as substance_actions
from fdx.substances import chem, names
from fdx.substances.choices import SubstanceSource
from fdx.substances.models import Substance, SubstanceName
from fdx.substances.reference import cas_is_valid


@dataclass
class Linker:
    """Registry lookups made once per import, and the substances this import has registered."""

    actor: object
    library_label: str
    by_inchikey: dict[str, int] = field(default_factory=dict)
    by_skeleton: dict[str, int] = field(default_factory=dict)
    by_cas: dict[str, int] = field(default_factory=dict)
    by_name: dict[str, int] = field(default_factory=dict)
    created: dict[str, int] = field(default_factory=lambda: {"with_structure": 0, "without_structure": 0})

    @classmethod
    def load(cls, actor, library_label: str) -> Linker:
        linker = cls(actor, library_label)
        for pk, inchikey, skeleton, cas, parent in Substance.objects.values_list(
            "pk", "inchikey", "skeleton", "cas_number", "parent_id"
        ).order_by("pk"):
            if inchikey:
                linker.by_inchikey.setdefault(inchikey, pk)
                if parent is None:
                    linker.by_skeleton.setdefault(skeleton, pk)
            if cas:
                linker.by_cas.setdefault(cas, pk)
        for normalised, substance_id in SubstanceName.objects.values_list(
            "normalised", "substance_id"
        ).order_by("substance_id"):
            if normalised:
                linker.by_name.setdefault(normalised, substance_id)
        return linker

    def link(self, name: str, metadata: dict, record_label: str) -> tuple[int | None, str]:
        """The substance (id) a record is a spectrum of, and how that was decided; registers one when
        nothing matches."""
        found = self._existing(name, metadata)
        if found is not None:
            return found
        return self._register(name, metadata, record_label)

    def _existing(self, name: str, metadata: dict) -> tuple[int, str] | None:
        inchikey = str(metadata.get("inchikey") or "").strip().upper()
        if inchikey:
            if inchikey in self.by_inchikey:
                return self.by_inchikey[inchikey], SubstanceLink.INCHIKEY
            if chem.skeleton_key(inchikey) in self.by_skeleton:
                return self.by_skeleton[chem.skeleton_key(inchikey)], SubstanceLink.INCHIKEY
        cas = _valid_cas(metadata)
        if cas and cas in self.by_cas:
            return self.by_cas[cas], SubstanceLink.CAS
        for candidate in [name, *metadata.get("synonyms", [])]:
            key = names.normalise(str(candidate))[:500]
            if len(key) >= 3 and key in self.by_name:
                return self.by_name[key], SubstanceLink.NAME
        return None

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
            self.by_skeleton.setdefault(substance.skeleton, substance.pk)
        inchikey = str(metadata.get("inchikey") or "").strip().upper()
        if inchikey:  # the library's key links its other records of this compound here
            self.by_inchikey.setdefault(inchikey, substance.pk)
            self.by_skeleton.setdefault(chem.skeleton_key(inchikey), substance.pk)
        if substance.cas_number:
            self.by_cas.setdefault(substance.cas_number, substance.pk)
        for normalised in substance.names.values_list("normalised", flat=True):
            self.by_name.setdefault(normalised, substance.pk)


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
