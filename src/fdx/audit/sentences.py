"""The audit log as sentences in the reader's language: "kz_lab_head approved examination KZ-1/2026 …".

Each event type's ``template`` (``fdx.audit.events.register``) is a translatable sentence with placeholders
filled from the event as its reader may see it (``fdx.audit.visibility``): a withheld record is named by its
global identifier only, and its changes are not listed.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from fdx.audit import events


@dataclass(frozen=True)
class Change:
    """One field of a record, from what to what (either may be None: added or removed)."""

    field: str
    before: object
    after: object


def sentence(shown) -> str:
    """The sentence of one shown event (``visibility.ShownEvent``), in the active language."""
    try:
        event_type = events.get(shown.action)
    except KeyError:
        return shown.action
    values = _Values(
        actor=shown.actor_username or _("someone unknown"),
        organisation=shown.organisation_code or "—",
        object=shown.object_id if shown.withheld else (shown.object_repr or shown.object_id or "—"),
    )
    template = event_type.template or _("%(actor)s: %(what)s (%(object)s)")
    values["what"] = str(event_type.sentence)
    try:
        return str(template) % values
    except (TypeError, ValueError):
        # A translation with a broken placeholder must not hide the event: fall back to the plain sentence.
        return f"{values['actor']}: {event_type.sentence} ({values['object']})"


def changes(shown) -> list[Change]:
    """What changed, field by field, from ``before`` to ``after`` (none when the content is withheld)."""
    if shown.withheld:
        return []
    before, after = shown.before or {}, shown.after or {}
    if not isinstance(before, dict) or not isinstance(after, dict):
        return []
    keys = list(dict.fromkeys([*before, *after]))
    return [Change(key, before.get(key), after.get(key)) for key in keys]


class _Values(dict):
    """The placeholders of a sentence: an unknown one reads as a dash rather than failing."""

    def __missing__(self, key):
        return "—"
