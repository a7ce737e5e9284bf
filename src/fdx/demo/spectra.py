"""The starter EI library a demo node is set up with, so that a first library search finds something.

Its spectra are openly licensed MassBank records (CC BY or CC BY-SA only; see ``data/NOTICE.md``), chosen
and written by ``scripts/build_starter_library.py``; each keeps its accession, contributor and authors, and
licence, shown on its hits and its page. It is not a drug library — MassBank has no openly licensed EI
spectrum of a controlled drug: a laboratory imports its own (SWGDRUG, its reference standards).
"""

from __future__ import annotations

from pathlib import Path

from fdx.core.distribution import DistributionLevel
from fdx.spectra import actions
from fdx.spectra.models import SpectralLibrary

STARTER_FILE = Path(__file__).parent / "data" / "starter_ei_library.msp"
STARTER_NAME = "FDX starter EI library (MassBank, open licences)"
STARTER_VERSION = "1"
STARTER_OWNER = "demo-kz-forensic-centre"


def ensure_starter_library(actor) -> int:
    """Create and fill the starter library once (owned by the demo forensic centre, searchable by everyone on
    the node); the number of spectra imported now (0 when it exists already)."""
    from fdx.accounts.models import Organisation

    owner = Organisation.objects.get(code=STARTER_OWNER)
    if SpectralLibrary.objects.filter(
        owner_organisation=owner, name=STARTER_NAME, version=STARTER_VERSION
    ).exists():
        return 0
    data = actions.LibraryInput(
        name=STARTER_NAME,
        version=STARTER_VERSION,
        source="MassBank (MassBank-data, https://github.com/MassBank/MassBank-data)",
        licence="CC BY or CC BY-SA, per record (see each spectrum)",
        description=(
            "Openly licensed EI spectra of compounds a drug laboratory meets besides drugs: cutting agents"
            " and diluents, precursors, contaminants. Attribution per record: MassBank accession,"
            " contributor and authors, licence."
        ),
        distribution_level=DistributionLevel.INTERNATIONAL,
    )
    library = actions.create_library(actor, data, organisation=owner)
    return actions.import_spectra(actor, library, STARTER_FILE).imported
