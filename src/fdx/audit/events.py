"""The registered vocabulary of audit events (stable codes, a dotted name, a human sentence).

Apps declare their events in ``<app>/audit_events.py`` with ``register``; ``record`` refuses an unknown
code, so the documentation (``docs/en/audit-events.md``, checked by a test) always lists every event.
Each event type may also give a ``template``: the sentence the audit log reads, with ``%(actor)s``,
``%(object)s`` and ``%(organisation)s`` filled in from the event (see ``fdx.audit.sentences``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.functional import Promise

_CODE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*){2}$")


class EventCategory:
    DATA = "data"  # a record was created or changed
    ACCESS = "access"  # someone read or exported protected data
    SECURITY = "security"  # sign-in, tokens, roles, two-factor devices


@dataclass(frozen=True)
class EventType:
    """One kind of audit event: ``code`` is stable forever (it is hashed into the chain)."""

    code: str
    sentence: str | Promise
    category: str
    template: str | Promise | None = None

    def __str__(self) -> str:
        return self.code


_registry: dict[str, EventType] = {}


def register(
    code: str,
    sentence: str | Promise,
    category: str = EventCategory.DATA,
    template: str | Promise | None = None,
) -> EventType:
    """Declare an event type; codes are ``app.object.verb`` and unique. ``template`` is the log's sentence
    (translatable, ``%(actor)s``-style placeholders; see ``fdx.audit.sentences``)."""
    if not _CODE.match(code):
        raise ValueError(f"audit event code {code!r} must look like 'app.object.verb'")
    if code in _registry:
        raise ValueError(f"audit event code {code!r} is registered twice")
    event = EventType(code=code, sentence=sentence, category=category, template=template)
    _registry[code] = event
    return event


def describe(code: str, template: str | Promise) -> EventType:
    """Give the registered event type ``code`` its log sentence, for an app that declares the sentences of
    its events apart from their codes."""
    event = get(code)
    _registry[code] = described = EventType(event.code, event.sentence, event.category, template)
    return described


def get(code: str) -> EventType:
    """Return the registered event type ``code`` or raise ``KeyError`` naming it."""
    try:
        return _registry[code]
    except KeyError:
        raise KeyError(f"unknown audit event {code!r}; declare it in an audit_events module") from None


def all_event_types() -> list[EventType]:
    return sorted(_registry.values(), key=lambda event: event.code)
