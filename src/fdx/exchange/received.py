"""Received reference data (``fdx.exchange.publications``) made at home: after a page's copies are written,
each node indexes them for itself — a substance's names and classes by this node's rules, a spectrum linked
to this node's registry (a local annotation, which a later version from the origin leaves alone), a
jurisdiction's lists taken into this node's legal engine — and a withdrawn copy is removed, or kept as a
tombstone where this node's own records still name it (an entry of FDX's shipped legal content goes back
to being this node's own, as last received: every node has it)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone

from fdx.core.models import RecordState
from fdx.core.node import local_node_id
from fdx.exchange import copies, dossier
from fdx.legal.actions.common import bump_version
from fdx.legal.models import Listing
from fdx.spectra.choices import SubstanceLink
from fdx.spectra.linking import Linker
from fdx.spectra.models import SpectralLibrary, Spectrum
from fdx.substances import actions as substance_actions
from fdx.substances.models import Substance


def after_write(new: dict[type, list], changed: dict[type, list]) -> None:
    """Index the reference copies a page created or changed."""
    substances = [*new.get(Substance, []), *changed.get(Substance, [])]
    if substances:
        substance_actions.index_received(substances)
    spectra = new.get(Spectrum, [])
    if spectra:
        _link(spectra)
    if any(new.get(cls) or changed.get(cls) for cls in dossier.LEGAL_MODELS):
        bump_version()  # answers of the legal engine may differ from now on


def _link(spectra: list[Spectrum]) -> None:
    """Link new spectrum copies to this node's registry by their structure (or, with none, CAS number or
    exact name), as an import here links them; never registers a substance for them."""
    linker = Linker.load(None, "")
    linked = []
    for spectrum in spectra:
        metadata = {**spectrum.metadata, "inchikey": spectrum.inchikey, "cas": spectrum.cas_number}
        found = linker.existing(spectrum.name, metadata)
        if found is not None:
            spectrum.substance_id, spectrum.substance_link = found
            linked.append(spectrum)
    Spectrum.with_tombstones().bulk_update(linked, ["substance", "substance_link"])


def remove(local) -> None:
    """Remove a reference copy its origin withdrew: a library with its spectra, a spectrum, or a substance —
    kept as a tombstone (hidden from every reader) where this node's records still name it."""
    if isinstance(local, SpectralLibrary):
        Spectrum.with_tombstones().filter(library=local).delete()
        SpectralLibrary.with_tombstones().filter(pk=local.pk).delete()
        return
    if isinstance(local, Spectrum):
        Spectrum.with_tombstones().filter(pk=local.pk).delete()
        return
    if isinstance(local, dossier.LEGAL_MODELS):
        _remove_legal(local)
        bump_version()
        return
    try:
        with transaction.atomic():
            Substance.with_tombstones().filter(pk=local.pk).delete()
    except ProtectedError:
        Substance.with_tombstones().filter(pk=local.pk).update(
            record_state=RecordState.DELETED, record_state_changed_at=timezone.now()
        )
        Spectrum.with_tombstones().filter(substance=local).update(
            substance=None, substance_link=SubstanceLink.NONE
        )


def _remove_legal(local) -> None:
    """A withdrawn copy of a jurisdiction's legal record: an entry of FDX's shipped content goes back to this
    node, as last received; another is deleted (kept as a tombstone where a correction names it), and the
    shipped entry it corrected here, left with no current successor, is current again."""
    cls = type(local)
    if copies.is_shipped_entry(local):
        cls.with_tombstones().filter(pk=local.pk).update(origin_node=local_node_id())
        return
    try:
        with transaction.atomic():
            cls.with_tombstones().filter(pk=local.pk).delete()
    except ProtectedError:
        cls.with_tombstones().filter(pk=local.pk).update(
            record_state=RecordState.DELETED, record_state_changed_at=timezone.now()
        )
    if isinstance(local, Listing) and local.corrects_id:
        corrected = Listing.with_tombstones().filter(pk=local.corrects_id).first()
        successors = Listing.objects.filter(corrects=corrected).exclude(pk=local.pk)
        if corrected is not None and copies.is_shipped_entry(corrected) and not successors.exists():
            Listing.with_tombstones().filter(pk=corrected.pk).update(recorded_to=None)
