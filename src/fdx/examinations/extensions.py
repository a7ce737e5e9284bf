"""The examinations app's extension points: what the apps above add to a case wherever it is shown."""

from __future__ import annotations

from dataclasses import dataclass, field

from fdx.core.extensions import ExtensionPoint

CASE_PANELS = ExtensionPoint(
    "examinations.case_panels",
    "Sections shown on a case's page, above its exhibits. An implementation takes the case and the reader "
    "and returns a CasePanel, or None when it has nothing to say.",
)


@dataclass(frozen=True)
class CasePanel:
    """A template to include, with what it shows (``panel`` in the template's context)."""

    template: str
    data: dict = field(default_factory=dict)


def panels_for(case, user) -> list[CasePanel]:
    """What every app above has to show about ``case`` to ``user``, in registration order."""
    panels = (implementation(case, user) for implementation in CASE_PANELS.implementations())
    return [panel for panel in panels if panel is not None]
