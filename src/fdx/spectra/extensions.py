"""The spectra app's extension points: records of the apps above that a library search starts from (an
examination, a case's attachment) and in which a hit can be recorded (as a finding)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fdx.core.extensions import ExtensionPoint

SEARCH_SOURCES = ExtensionPoint(
    "spectra.search_sources",
    "Records a spectral search can start from and record its hits in. An implementation is a SearchSource: "
    "start(request) reads its own parameters (None when the request carries none of them); record(request, "
    "hit) records a hit the search page offered (None when the request is not for this source).",
)


@dataclass
class SearchStart:
    """What a search started from a record looks like: a sentence above the form, the fields the search and
    record forms carry, whether a hit can be recorded, and the spectra to search at once on arrival (a
    case's file: ``read_queries`` may raise ``FormatError`` or ``ValueError`` naming what it cannot read)."""

    message: str = ""
    hidden: dict[str, str] = field(default_factory=dict)
    recordable: bool = False
    read_queries: Callable[[], list] | None = None


@dataclass(frozen=True)
class SearchSource:
    start: Callable[[Any], SearchStart | None]
    record: Callable[[Any, dict], str | None]


def start_for(request) -> SearchStart | None:
    """The start of the first source that recognises ``request``, if any."""
    for source in SEARCH_SOURCES.implementations():
        start = source.start(request)
        if start is not None:
            return start
    return None


def record_hit(request, hit: dict) -> str | None:
    """Record ``hit`` (signed by the search page) in the record the request names; the address to go to
    next, or None when no source recognises the request."""
    for source in SEARCH_SOURCES.implementations():
        target = source.record(request, hit)
        if target is not None:
            return target
    return None
