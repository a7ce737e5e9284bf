"""What an audit event shows its reader: everything, or, for a record the reader may not see, only that it
happened (code, time, actor, organisation, the record's global id) with its content withheld.

The chain itself is never changed: redaction happens on the way out, in the pages, the API and the CLI.
Which records a reader may see is the owning app's answer (``extensions.RECORD_VISIBILITY``).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from django.utils.translation import gettext_lazy as _

from fdx.audit import sentences
from fdx.audit.extensions import RECORD_VISIBILITY
from fdx.core.actors import is_user

WITHHELD = _("withheld: not visible to you")

#: The fields of an event that can carry a record's content; withheld when the record is not visible.
CONTENT_FIELDS = ("object_repr", "before", "after", "reason")


class ShownEvent:
    """An event as one reader sees it: the stored event, with its content fields withheld when the record
    it describes is hidden from that reader (``withheld``)."""

    def __init__(self, event, withheld: bool):
        self.event = event
        self.withheld = withheld

    def __getattr__(self, name: str) -> Any:
        if name in CONTENT_FIELDS and self.__dict__["withheld"]:
            return None if name in ("before", "after") else str(WITHHELD)
        return getattr(self.__dict__["event"], name)

    @property
    def withheld_note(self) -> str:
        return str(WITHHELD) if self.withheld else ""

    @property
    def sentence(self) -> str:
        """The event as a sentence in the active language (``fdx.audit.sentences``)."""
        return sentences.sentence(self)

    @property
    def changes(self) -> list[sentences.Change]:
        """What changed, field by field (none when the content is withheld)."""
        return sentences.changes(self)


def shown_to(viewer, events: Iterable) -> list[ShownEvent]:
    """``events`` as ``viewer`` may see them (one query per object type, not one per event)."""
    events = list(events)
    ids_by_type: dict[str, set[str]] = defaultdict(set)
    for event in events:
        if event.object_type and event.object_id:
            ids_by_type[event.object_type].add(event.object_id)
    hidden: dict[str, set[str]] = {}
    for object_type, object_ids in ids_by_type.items():
        visible = _visible(viewer, object_type, object_ids)
        if visible is not None:
            hidden[object_type] = object_ids - visible
    return [ShownEvent(event, event.object_id in hidden.get(event.object_type, ())) for event in events]


def shown_one(viewer, event) -> ShownEvent:
    return shown_to(viewer, [event])[0]


def _visible(viewer, object_type: str, object_ids: set[str]) -> set[str] | None:
    """The union of what the implementations that know ``object_type`` let ``viewer`` see, or None."""
    answer: set[str] | None = None
    for implementation in RECORD_VISIBILITY.implementations():
        visible = implementation(viewer, object_type, sorted(object_ids))
        if visible is not None:
            answer = (answer or set()) | {str(value) for value in visible}
    return answer


def restricted_models(*models) -> Callable[[Any, str, list[str]], set[str] | None]:
    """An implementation of ``RECORD_VISIBILITY`` for models with a global id and a restricted queryset
    (``objects.restrict(user, "view")``): a record is visible when that queryset holds it. Removed records
    (tombstones) are judged by the same rule, so that the events of a removed record stay readable to those
    who could read it."""
    by_type = {model._meta.label_lower: model for model in models}

    def visible(viewer, object_type: str, object_ids: list[str]) -> set[str] | None:
        model = by_type.get(object_type)
        if model is None:
            return None
        if not is_user(viewer):
            return set()  # the system (the CLI's operator) reads no organisation's records
        valid = [value for value in object_ids if is_uuid(value)]
        # The queryset class without the default manager's exclusion of tombstones.
        queryset = model.objects._queryset_class(model=model).restrict(viewer, "view")
        return {
            str(value) for value in queryset.filter(global_id__in=valid).values_list("global_id", flat=True)
        }

    return visible


def is_uuid(value: str) -> bool:
    """Whether an audit event's object id is a global id (older or foreign events may hold anything)."""
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
