"""Reference data a node publishes, and the peers that subscribe to it.

A publication is a set of this node's reference records that travels to the peers subscribed to it, as
signed change records in their queues, exactly as case data does (``fdx.exchange.outbox.queue_records``):

* **substances** — the substances registered on this node (entered, imported, or made from a library's
  records), not those of FDX's shipped reference set, which every node has already;
* **a spectral library** — the library and its spectra (withdrawn ones too: a withdrawal travels);
* **the control lists of a jurisdiction** this node maintains — its listings (closed and withdrawn ones
  too: what the database said stays answerable on every node), generic definitions and quantity
  thresholds, those of FDX's shipped content among them: they carry the same global id on every node
  (``fdx.legal.reference.shipped_global_id``), so a receiver takes the authority's version of an entry it
  holds as shipped instead of keeping two (``fdx.exchange.copies.adoptable``).

The sharing rules decide as for a case: a publication of substances has its own distribution level (and
group), a library its own; own-organisation and national never leave. A peer receives a publication only
while it is subscribed *and* the rules let its node hold it; a record deleted here, a publication cleared
or a subscription ended is withdrawn from the peers that hold it. Comparing by version and content, never
by time, as for cases: nothing is queued when nothing changed.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Iterable

from django.db import transaction

from fdx.core.node import local_node_id
from fdx.exchange import dossier, messages, network, outbox, rules
from fdx.exchange.choices import PublicationKind
from fdx.exchange.models import Peer, PeerCopy, Publication, Subscription
from fdx.legal.models import GenericDefinition, Listing, QuantityThreshold
from fdx.spectra.models import SpectralLibrary, Spectrum
from fdx.substances.choices import SubstanceSource
from fdx.substances.models import Substance

#: Sources of substances every node has already (FDX's shipped set) or that are another node's.
NOT_PUBLISHED_SOURCES = (SubstanceSource.REFERENCE, SubstanceSource.EXCHANGE)


def published_substances():
    """This node's substances that a publication of substances carries, parents before their salts."""
    return (
        Substance.objects.filter(origin_node=local_node_id())
        .exclude(source__in=NOT_PUBLISHED_SOURCES)
        .select_related("parent")
        .order_by("pk")
    )


def published_legal_records(jurisdiction: str) -> list:
    """The records of ``jurisdiction``'s control lists this node holds as its own (not those it took from
    another node), definitions and thresholds first, then the listings, each one after the record it
    corrects."""
    local = local_node_id()
    definitions = GenericDefinition.objects.filter(control_list__jurisdiction=jurisdiction, origin_node=local)
    thresholds = QuantityThreshold.objects.filter(jurisdiction=jurisdiction, origin_node=local)
    listings = Listing.objects.filter(control_list__jurisdiction=jurisdiction, origin_node=local)
    return [
        *definitions.select_related("control_list", "instrument").order_by("pk"),
        *thresholds.select_related("instrument", "substance").order_by("pk"),
        *listings.select_related("control_list", "instrument", "substance", "corrects").order_by("pk"),
    ]


def jurisdiction_of(obj) -> str | None:
    """The jurisdiction a legal record belongs to (None for other reference data)."""
    if isinstance(obj, QuantityThreshold):
        return obj.jurisdiction_id
    if isinstance(obj, Listing | GenericDefinition):
        return obj.control_list.jurisdiction_id
    return None


def records_of(publication: Publication, only: frozenset[uuid.UUID] | None = None) -> list:
    """The records ``publication`` carries now, parents first (none when it is not active); of those with the
    global ids ``only``, when given, for a publication of substances."""
    if not publication.active:
        return []
    if publication.kind == PublicationKind.SUBSTANCES:
        substances = published_substances()
        return list(substances.filter(global_id__in=only) if only is not None else substances)
    if publication.kind == PublicationKind.LEGAL_LISTS:
        return published_legal_records(publication.jurisdiction_id) if publication.jurisdiction_id else []
    library = SpectralLibrary.objects.filter(pk=publication.spectral_library_id).first()
    if library is None:
        return []
    spectra = Spectrum.objects.filter(library=library).order_by("pk")
    for spectrum in spectra:
        spectrum.library = library
    return [library, *spectra]


def level_and_group(publication: Publication):
    """The distribution level and sharing group a publication's records travel under: a library's own, the
    publication's for substances."""
    if publication.kind == PublicationKind.SPECTRAL_LIBRARY and publication.spectral_library is not None:
        library = publication.spectral_library
        return library.distribution_level, library.sharing_group
    return publication.distribution_level, publication.sharing_group


def owner_of(publication: Publication):
    """The organisation the rules see as the records' owner (a library's owner, else the publisher)."""
    if publication.kind == PublicationKind.SPECTRAL_LIBRARY and publication.spectral_library is not None:
        return publication.spectral_library.owner_organisation
    return publication.owner_organisation


class Audience:
    """How the rules see one publication's records, and the group definition that travels with them: read
    once per publication (a page of the queues, a refresh)."""

    def __init__(self, publication: Publication):
        self.publication = publication
        level, sharing_group = level_and_group(publication)
        self.level = rules.Level(level)
        self.group = network.rules_group(sharing_group) if sharing_group is not None else None
        self.definition = None
        if self.level == rules.Level.SHARING_GROUP and sharing_group is not None:
            self.definition = messages.group_definition(
                self.group,
                code=sharing_group.code,
                name_en=sharing_group.name_en,
                name_ru=sharing_group.name_ru,
            )
        self.owner_country = owner_of(publication).country_id

    def record(self, model: str) -> rules.Record:
        return rules.Record(
            model=model,
            level=self.level,
            origin_node=str(local_node_id()),
            owner_country=self.owner_country,
            group=self.group,
        )


@transaction.atomic
def refresh(
    publication: Publication, peers: list[Peer] | None = None, *, only: frozenset[uuid.UUID] | None = None
) -> int:
    """Queue, for each subscribed peer, the changes, withdrawals and tombstones of ``publication`` (and the
    withdrawal of what it holds of it for a peer no longer subscribed); returns how many entries. ``only``:
    just those records of a publication of substances (one substance changed: the others are not read)."""
    if only is not None and publication.kind != PublicationKind.SUBSTANCES:
        only = None
    peers = outbox.active_peers() if peers is None else peers
    if not peers:
        return 0
    publication = (
        Publication.objects.select_related(
            "owner_organisation",
            "sharing_group",
            "spectral_library__owner_organisation",
            "spectral_library__sharing_group",
        )
        .prefetch_related("sharing_group__organisations", "spectral_library__sharing_group__organisations")
        .get(pk=publication.pk)
    )
    subscribed = set(Subscription.objects.filter(publication=publication).values_list("peer_id", flat=True))
    records = records_of(publication, only)
    audience = Audience(publication)
    held: dict[int, dict[uuid.UUID, PeerCopy]] = {peer.pk: {} for peer in peers}
    copies = PeerCopy.objects.filter(peer__in=list(held), publication_id=publication.pk)
    if only is not None:
        copies = copies.filter(global_id__in=only)
    for copy in copies.order_by("pk"):
        held[copy.peer_id][copy.global_id] = copy
    return outbox.queue_records(
        records,
        peers,
        seen_as={obj.global_id: audience.record(dossier.label(obj)) for obj in records},
        group=audience.definition,
        held=held,
        scope={"publication_id": publication.pk},
        takes=lambda peer: peer.pk in subscribed,
        relayed=False,
    )


def refresh_all(
    kind: str | None = None, *, library_ids: Iterable[int] = (), only: frozenset[uuid.UUID] | None = None
) -> int:
    """Refresh the publications of ``kind`` (every one when None), or those of the libraries named; ``only``
    as for ``refresh``."""
    publications = Publication.objects.all()
    if library_ids:
        publications = publications.filter(spectral_library__in=list(library_ids))
    elif kind is not None:
        publications = publications.filter(kind=kind)
    return sum(refresh(publication, only=only) for publication in publications)


# Building the messages of a page (``fdx.exchange.outbox.PageBuilder``)


class PageScope:
    """What the messages of reference records in one page of a peer's queue need: each record's publication
    and its audience, read once per publication, and whether the peer is subscribed to it."""

    def __init__(self, peer: Peer):
        self.peer = peer

    @functools.cached_property
    def _subscribed(self) -> set[int]:
        return set(Subscription.objects.filter(peer=self.peer).values_list("publication_id", flat=True))

    @functools.cached_property
    def _substances(self) -> Publication | None:
        return Publication.objects.filter(kind=PublicationKind.SUBSTANCES).select_related(*_RELATED).first()

    @functools.cache  # noqa: B019 (one scope per page: the cache goes with it)
    def _library(self, library_id: int) -> Publication | None:
        return Publication.objects.filter(spectral_library_id=library_id).select_related(*_RELATED).first()

    @functools.cache  # noqa: B019
    def _lists(self, jurisdiction: str) -> Publication | None:
        return Publication.objects.filter(jurisdiction_id=jurisdiction).select_related(*_RELATED).first()

    @functools.cache  # noqa: B019
    def audience(self, publication_id: int) -> Audience:
        publication = Publication.objects.select_related(*_RELATED).get(pk=publication_id)
        return Audience(publication)

    def publication_of(self, obj) -> Publication | None:
        """The publication that carries ``obj`` (None when none does)."""
        if isinstance(obj, Substance):
            return self._substances
        if isinstance(obj, dossier.LEGAL_MODELS):
            return self._lists(jurisdiction_of(obj))
        library_id = obj.pk if isinstance(obj, SpectralLibrary) else obj.library_id
        return self._library(library_id)

    def may_go(self, obj, publication: Publication | None) -> bool:
        """Whether ``obj`` may go to the peer now as part of ``publication``."""
        if publication is None or not publication.active or publication.pk not in self._subscribed:
            return False
        if obj.is_tombstone:
            return False
        if isinstance(obj, Substance):
            return obj.source not in NOT_PUBLISHED_SOURCES and obj.is_local
        if isinstance(obj, dossier.LEGAL_MODELS):
            return obj.is_local  # a jurisdiction's lists taken from another node are that node's to send
        return True

    def level_of(self, obj) -> rules.Level:
        """The level a withdrawal of ``obj`` is sent under (its publication's; regional once none is)."""
        publication = self.publication_of(obj)
        if publication is None:
            return rules.Level.REGIONAL
        return self.audience(publication.pk).level


_RELATED = (
    "owner_organisation",
    "sharing_group",
    "spectral_library__owner_organisation",
    "spectral_library__sharing_group",
)


def load(wanted: dict[str, list[uuid.UUID]]) -> dict[str, dict[uuid.UUID, object]]:
    """The reference records a page names (tombstones included), by model and global id, with the rows
    their values read."""
    found: dict[str, dict[uuid.UUID, object]] = {}
    for model, ids in wanted.items():
        cls = dossier.TRAVELLING_BY_LABEL[model]
        queryset = cls.with_tombstones().filter(global_id__in=ids)
        if cls is Substance:
            queryset = queryset.select_related("parent")
        elif cls is Spectrum:
            queryset = queryset.select_related("library")
        elif cls is Listing:
            queryset = queryset.select_related("control_list", "instrument", "substance", "corrects")
        elif cls is GenericDefinition:
            queryset = queryset.select_related("control_list", "instrument")
        elif cls is QuantityThreshold:
            queryset = queryset.select_related("instrument", "substance")
        else:
            queryset = queryset.select_related("owner_organisation", "sharing_group")
        found[model] = {obj.global_id: obj for obj in queryset}
    return found


# Subscribing


def visible_to(peer: Peer) -> list[Publication]:
    """The active publications whose records the rules let ``peer``'s node hold (what its catalogue lists)."""
    this = network.this_node()
    node = peer.as_rules_node()
    shown = []
    for publication in Publication.objects.filter(active=True).select_related(*_RELATED):
        audience = Audience(publication)
        if rules.decide(
            audience.record(dossier.label(_first_model(publication))), [this], node, region=outbox.region()
        ):
            shown.append(publication)
    return shown


def _first_model(publication: Publication):
    if publication.kind == PublicationKind.LEGAL_LISTS:
        return Listing
    return Substance if publication.kind == PublicationKind.SUBSTANCES else SpectralLibrary


def describe(publication: Publication, peer: Peer | None = None) -> dict:
    """A publication as a peer's catalogue shows it (and as a subscription's answer describes it)."""
    level, _group = level_and_group(publication)
    return {
        "id": str(publication.global_id),
        "code": publication.code,
        "name_en": publication.name_en,
        "name_ru": publication.name_ru,
        "description": publication.description,
        "kind": publication.kind,
        "jurisdiction": publication.jurisdiction_id,
        "distribution_level": level,
        "subscribed": peer is not None
        and Subscription.objects.filter(publication=publication, peer=peer).exists(),
    }


def offered(peer: Peer, publication_id) -> Publication:
    """The publication ``publication_id`` if ``peer`` may see it (``Publication.DoesNotExist`` otherwise: a
    publication the rules keep from the peer is not even named to it)."""
    for publication in visible_to(peer):
        if str(publication.global_id) == str(publication_id):
            return publication
    raise Publication.DoesNotExist
