"""The substances app's extension points: what the apps above add to a substance wherever it is shown."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from fdx.core.extensions import ExtensionPoint

SUBSTANCE_PANELS = ExtensionPoint(
    "substances.panels",
    "Sections shown with a substance: on its page, and under the best hit of a spectral search. An "
    "implementation takes a SubstanceRef and returns a Panel, or None when it has nothing to say.",
)


@dataclass(frozen=True)
class SubstanceRef:
    """A substance as a page knows it: a registry entry, or only an InChIKey and a name (a library hit
    whose substance the registry does not hold). ``placement`` says where the panel goes: ``"page"`` (the
    substance's own page) or ``"hit"`` (under a search hit)."""

    substance: Any = None  # a Substance, or None
    inchikey: str = ""
    name: str = ""
    placement: str = "page"
    day: datetime.date | None = None


@dataclass(frozen=True)
class Panel:
    """A template to include, with what it shows (``panel`` in the template's context)."""

    template: str
    data: dict = field(default_factory=dict)
    ref: SubstanceRef | None = None


def panels_for(ref: SubstanceRef) -> list[Panel]:
    """What every app above has to show about ``ref``, in registration order."""
    panels = (implementation(ref) for implementation in SUBSTANCE_PANELS.implementations())
    return [panel for panel in panels if panel is not None]
