"""Extension points: a lower app asks what only the apps above it can answer, without importing them.

A page of a lower app sometimes shows what a higher app knows: a substance's page shows its legal status, a
search hit shows the legal status of its substance, the legal-status page can start from a finding. The
lower app declares an ``ExtensionPoint`` (a stable dotted name and what an implementation receives and
returns, in its docstring); the app above registers an implementation in its ``AppConfig.ready``. The lower
app calls ``implementations()`` and never learns who answered.

This is the read-side twin of the domain events (``fdx.core.events``): events tell the apps above that
something changed, after commit; extension points let them add to what a lower app shows, while it shows it.
``docs/en/development.md`` lists every extension point (a test checks that it does).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

_NAME = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")
_registry: dict[str, ExtensionPoint] = {}


class ExtensionPoint:
    """A named place where apps above may plug in callables (see the module's docstring)."""

    def __init__(self, name: str, description: str):
        if not _NAME.match(name):
            raise ValueError(f"extension point {name!r} must look like 'app.point'")
        if name in _registry:
            raise ValueError(f"extension point {name!r} is declared twice")
        self.name = name
        self.description = description
        self._implementations: list[Callable[..., Any]] = []
        _registry[name] = self

    def register(self, implementation: Callable[..., Any]) -> Callable[..., Any]:
        """Add ``implementation`` (once: registering it again changes nothing); usable as a decorator."""
        if implementation not in self._implementations:
            self._implementations.append(implementation)
        return implementation

    def implementations(self) -> tuple[Callable[..., Any], ...]:
        """The registered implementations, in the order the apps registered them."""
        return tuple(self._implementations)

    def __repr__(self) -> str:
        return f"<ExtensionPoint {self.name} ({len(self._implementations)} implementations)>"


def all_extension_points() -> list[ExtensionPoint]:
    """Every declared extension point, by name (for the documentation test)."""
    return sorted(_registry.values(), key=lambda point: point.name)


HOME_PANELS = ExtensionPoint(
    "core.home_panels",
    "Lists of work waiting for the signed-in user, shown on the home page. An implementation takes the "
    "user and returns a list of fdx.core.extensions.HomePanel (empty when it has nothing for them).",
)


@dataclass(frozen=True)
class HomePanel:
    """A short list on the home page: a title, up to a few (label, url, note) rows, the full count, and
    where the whole list is (optional); ``empty`` is said when there are no rows."""

    key: str
    title: str
    rows: list[tuple[str, str, str]] = field(default_factory=list)
    count: int = 0
    more_url: str = ""
    empty: str = ""
