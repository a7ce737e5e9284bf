"""The legal app's extension points: where the apps above start a legal question from their own records."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fdx.core.extensions import ExtensionPoint

STATUS_SOURCES = ExtensionPoint(
    "legal.status_sources",
    "Records a legal-status question can start from (a finding: its substance, seizure date and mass). An "
    "implementation is a StatusSource; the status page asks the one whose parameter the request carries.",
)


@dataclass(frozen=True)
class StatusStart:
    """A question prefilled from a record: the form's values, a sentence saying where they come from, and
    ``refine(answers, query, substance)``, which may correct the answers (each table's own mass)."""

    data: dict
    message: str
    refine: Callable[[list, Any, Any], None] = field(default=lambda answers, query, substance: None)


@dataclass(frozen=True)
class StatusSource:
    """``parameter`` names the query-string parameter (``finding``); ``start(user, value)`` returns a
    ``StatusStart`` or raises ``LookupError`` when the user may not see such a record."""

    parameter: str
    start: Callable[[Any, str], StatusStart]


def source_for(params) -> tuple[StatusSource, str] | None:
    """The registered source whose parameter ``params`` carries (a query dict), with its value."""
    for source in STATUS_SOURCES.implementations():
        value = params.get(source.parameter)
        if value:
            return source, value
    return None
