"""Background work of the exchange: filling the peers' queues after each change to case data (a subscriber
of the examinations' domain events, after commit, in ``fdx worker``) and after a peer is registered."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Q
from django_tasks import task

from fdx.core.node import local_node_id
from fdx.examinations import events
from fdx.examinations.models import Case
from fdx.exchange import outbox, publications
from fdx.exchange.choices import PublicationKind
from fdx.exchange.models import Peer, PeerCopy, Publication
from fdx.exchange.rules import Level
from fdx.substances.models import Substance

#: Every event about case data; each names its case (the object itself, or ``payload["case"]``).
CASE_EVENTS = (
    events.CASE_CHANGED,
    events.CASE_RETRACTED,
    events.EXHIBIT_CHANGED,
    events.EXHIBIT_REMOVED,
    events.EXAMINATION_APPROVED,
    events.EXAMINATION_SUPERSEDED,
    events.EXAMINATION_RETRACTED,
    events.EXAMINATION_DISCARDED,
)
SUBSCRIBER = "exchange.queue_case"
#: Levels that may leave the node at all.
LEAVING_LEVELS = (Level.SHARING_GROUP, Level.REGIONAL, Level.INTERNATIONAL)


def queue_case(event) -> int:
    """After a change to a case: queue what each peer is owed of it. Idempotent (it compares with what the
    peers hold). Returns how many entries were queued."""
    case_global_id = (
        event.object_id if event.code.startswith("examinations.case.") else event.payload.get("case")
    )
    case_id = Case.with_tombstones().filter(global_id=case_global_id).values_list("pk", flat=True).first()
    return outbox.refresh_cases([case_id]) if case_id is not None else 0


def queue_imported(event) -> int:
    """After cases were recorded in bulk: queue the ones that may leave (all candidates when the event does
    not name them: a load of a million does not list them)."""
    named = event.payload.get("cases") or []
    if named:
        ids = Case.with_tombstones().filter(global_id__in=named).values_list("pk", flat=True)
        return outbox.refresh_cases(list(ids))
    return sum(outbox.refresh_cases(chunk) for chunk in candidate_chunks())


def candidate_chunks(peer: Peer | None = None, size: int = 500) -> Iterator[list[int]]:
    """This node's cases that a peer may be owed something of: those with a shared result at a level that
    leaves the node, and those a peer holds a copy of. In chunks of primary keys, in order."""
    held = PeerCopy.objects.filter(model="examinations.case")
    if peer is not None:
        held = held.filter(peer=peer)
    cases = (
        Case.with_tombstones()
        .filter(origin_node=local_node_id())
        .filter(
            Q(has_shared_result=True, distribution_level__in=LEAVING_LEVELS)
            | Q(pk__in=held.values("case_id"))
        )
    )
    last = 0
    while True:
        chunk = list(cases.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:size])
        if not chunk:
            return
        yield chunk
        last = chunk[-1]


@task()
def backfill_peer(peer_id: int) -> int:
    """Queue everything a newly registered (or resumed) peer is owed; returns how many entries."""
    peer = Peer.objects.filter(pk=peer_id, suspended=False).prefetch_related("organisations").first()
    if peer is None:
        return 0
    queued = sum(outbox.refresh_cases(chunk, [peer]) for chunk in candidate_chunks())
    for publication in Publication.objects.filter(subscriptions__peer=peer):
        queued += publications.refresh(publication, [peer])
    return queued


def queue_group(event) -> int:
    """After a sharing group's members or active flag changed: queue what each peer is now owed of this
    node's cases of that group (copies withdrawn from nodes no member works on any more, sent to new ones)."""
    ids = (
        Case.with_tombstones()
        .filter(origin_node=local_node_id(), sharing_group__global_id=event.object_id)
        .values_list("pk", flat=True)
    )
    return sum(outbox.refresh_cases(chunk) for chunk in _chunks(list(ids)))


def _chunks(ids: list[int], size: int = 500) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


# Reference data


def queue_substances(event) -> int:
    """After substances were registered or changed here: queue the publication of substances (substances
    received from another node are that node's to publish)."""
    if event.payload.get("source") == "exchange":
        return 0
    if event.code == "substances.substance.changed" and event.object_id:
        # One substance (and, for a salt registered with its base, the base: a parent is read with it).
        changed = Substance.with_tombstones().filter(global_id=event.object_id).first()
        if changed is not None:
            related = {changed.global_id} | ({changed.parent.global_id} if changed.parent_id else set())
            return publications.refresh_all(PublicationKind.SUBSTANCES, only=frozenset(related))
    return publications.refresh_all(PublicationKind.SUBSTANCES)


def queue_library(event) -> int:
    """After a spectral library or its spectra changed: queue its publication, if it has one."""
    library_id = event.payload.get("library") or event.object_id
    return publications.refresh_all(library_ids=_library_ids([library_id]))


def _library_ids(global_ids: list) -> list[int]:
    from fdx.spectra.models import SpectralLibrary

    ids = list(
        SpectralLibrary.with_tombstones().filter(global_id__in=global_ids).values_list("pk", flat=True)
    )
    return ids or [0]  # none: a filter that matches nothing rather than every publication


def queue_legal_lists(event) -> int:
    """After the legal data changed here: queue the publications of control lists (what this node took from
    another jurisdiction's node is that node's to publish, and is never read here)."""
    return publications.refresh_all(PublicationKind.LEGAL_LISTS)


def queue_publication(event) -> int:
    """After a publication, or who subscribes to it, changed: queue what each subscriber is now owed (and
    withdraw what a peer no longer subscribed holds)."""
    publication = Publication.objects.filter(global_id=event.object_id).first()
    return publications.refresh(publication) if publication is not None else 0
