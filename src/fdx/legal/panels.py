"""What the legal app adds to the pages of the apps below it (their extension points)."""

from __future__ import annotations

from fdx.legal import selectors
from fdx.substances.extensions import Panel, SubstanceRef


def legal_status_panel(ref: SubstanceRef) -> Panel | None:
    """A substance's legal status in every jurisdiction: on its page always (by structure, or by its key for
    listings that name it without one); under a search hit by structure, else by the InChIKey alone, and
    nothing when neither is known."""
    substance = ref.substance
    if ref.placement == "page" or (substance is not None and substance.smiles):
        answers = selectors.status_of_substance(substance, ref.day)
    else:
        inchikey = ref.inchikey or (substance.inchikey if substance is not None else "")
        if not inchikey:
            return None
        answers = selectors.status_of_inchikey(inchikey, ref.name, ref.day)
    has_structure = substance is not None and bool(substance.smiles)
    return Panel("legal/substance_panel.html", {"answers": answers, "has_structure": has_structure}, ref)
