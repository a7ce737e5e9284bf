"""Typed request and response bodies of the exchange API."""

import datetime
import uuid

from ninja import Field, Schema

from fdx.core.signing import grouped
from fdx.exchange.choices import PeerRole, PublicationKind


class PeerOut(Schema):
    id: uuid.UUID = Field(alias="global_id")
    name: str
    url: str
    role: PeerRole
    country: str | None = Field(
        None, alias="country_id", description="ISO 3166-1 alpha-2; national nodes only"
    )
    node_id: uuid.UUID
    key_fingerprint: str = Field(description="SHA-256 of the peer's Ed25519 key, 64 hexadecimal digits")
    key_fingerprint_grouped: str = Field(
        description="The fingerprint as people read it out (`fdx node show`)"
    )
    public_key: str = Field(description="The peer's Ed25519 public key (base64); empty when not given")
    hosts: list[str] = Field(description="Codes of the supranational organisations the peer hosts")
    relaying: bool
    suspended: bool
    suspended_at: datetime.datetime | None
    suspension_reason: str
    created_at: datetime.datetime

    @staticmethod
    def resolve_key_fingerprint_grouped(peer) -> str:
        return grouped(peer.key_fingerprint)

    @staticmethod
    def resolve_hosts(peer) -> list[str]:
        return sorted(organisation.code for organisation in peer.organisations.all())


class PeerIn(Schema):
    name: str = Field(min_length=1, max_length=50, pattern=r"^[-a-zA-Z0-9_]+$")
    url: str = Field(
        min_length=1, max_length=300, description="The peer's address, e.g. https://fdx.example.uz"
    )
    role: PeerRole
    node_id: uuid.UUID = Field(description="The peer's node identifier (`fdx node show` there)")
    key_fingerprint: str = Field(
        min_length=1,
        max_length=200,
        description="As checked with the peer's administrator (spaces and colons are ignored)",
    )
    country: str | None = Field(
        None, min_length=2, max_length=2, description="ISO 3166-1 alpha-2 code of a national node"
    )
    relaying: bool = Field(False, description="The peer (a regional hub) relays others' records")
    public_key: str = Field("", max_length=100, description="The peer's Ed25519 public key (base64)")
    hosts: list[str] = Field(
        default_factory=list,
        description="Codes of the supranational organisations a hub or an international node hosts",
    )


class PeerCreatedOut(Schema):
    peer: PeerOut
    token: str = Field(description="The peer token, shown once: hand it to the peer's administrator")


class PeerReasonIn(Schema):
    reason: str = Field(max_length=1000, description="Why (recorded in the audit chain); required")


class SyncStatusOut(Schema):
    peer: str
    suspended: bool
    callable: bool = Field(description="This node has the peer's address and a token for calling it")
    pending: int = Field(description="Entries of the peer's queue it does not hold yet")
    refused: int = Field(description="Entries the peer refused (kept with the reason)")
    oldest_pending_at: datetime.datetime | None
    lag_s: int | None = Field(description="Seconds the oldest pending entry has waited")
    last_attempt_at: datetime.datetime | None
    last_success_at: datetime.datetime | None
    next_attempt_at: datetime.datetime | None
    failures: int = Field(description="Failed syncs in a row (the back-off doubles with each, up to an hour)")
    last_error: str
    pulled_through: int = Field(description="The last entry of the peer's queue applied here")
    acknowledged_through: int = Field(description="The last entry of this node's queue the peer holds")


class SyncResultOut(Schema):
    peer: str
    pulled: int
    applied: int
    unchanged: int
    refused: int
    pushed: int
    push_refused: int
    retried: int = Field(
        0, description="Records refused for a reference this node lacked, fetched again and applied"
    )
    error: str
    refusals: list[str]


class QueueEntryOut(Schema):
    id: int = Field(alias="sequence", description="The entry's place in the queue (the cursor)")
    kind: str = Field(description="change, withdrawal or relay")
    model: str
    global_id: uuid.UUID
    version: int
    enqueued_at: datetime.datetime
    refusal: str = Field(description="Why the peer refused it; empty unless refused")


class ReceiptOut(Schema):
    id: int = Field(alias="sequence")
    peer: str | None = Field(None, alias="peer.name")
    channel: str = Field(description="pull, push, bundle or fetch")
    model: str
    global_id: uuid.UUID | None
    version: int | None
    state: str
    outcome: str = Field(description="applied, unchanged or refused")
    reason: str
    received_at: datetime.datetime


class PeerTokenIn(Schema):
    token: str = Field(min_length=1, max_length=200, description="The token the peer gave for calling it")


class PublicationOut(Schema):
    id: uuid.UUID = Field(alias="global_id")
    code: str
    name_en: str
    name_ru: str
    description: str
    kind: PublicationKind = Field(
        description="substances, spectral_library (a library and its spectra) or legal_lists "
        "(a jurisdiction's control lists)"
    )
    spectral_library: uuid.UUID | None = Field(None, alias="spectral_library.global_id")
    jurisdiction: str | None = Field(None, alias="jurisdiction_id", description="Kind legal_lists")
    owner_organisation: str = Field(alias="owner_organisation.code")
    distribution_level: str = Field(description="For a spectral library, the library's own level applies")
    sharing_group: str | None = Field(None, alias="sharing_group.code")
    active: bool
    subscribers: list[str] = Field(description="Names of the peers subscribed")
    created_at: datetime.datetime

    @staticmethod
    def resolve_subscribers(publication) -> list[str]:
        return sorted(subscription.peer.name for subscription in publication.subscriptions.all())


class PublicationIn(Schema):
    code: str = Field(min_length=1, max_length=50, pattern=r"^[-a-zA-Z0-9_]+$")
    name_en: str = Field(min_length=1, max_length=250)
    name_ru: str = Field("", max_length=250)
    description: str = Field("", max_length=5000)
    kind: PublicationKind
    spectral_library: uuid.UUID | None = Field(
        None, description="The library to publish (kind spectral_library)"
    )
    jurisdiction: str | None = Field(
        None,
        max_length=10,
        description="Code of the jurisdiction whose lists are published (kind legal_lists)",
    )
    owner_organisation: str = Field(
        min_length=1, max_length=50, description="Code of the publishing organisation"
    )
    distribution_level: str = Field("regional", description="sharing_group, regional or international")
    sharing_group: str | None = Field(
        None, max_length=50, description="Code of the group (level sharing_group)"
    )


class PublicationPatch(Schema):
    name_en: str | None = Field(None, min_length=1, max_length=250)
    name_ru: str | None = Field(None, max_length=250)
    description: str | None = Field(None, max_length=5000)
    distribution_level: str | None = None
    sharing_group: str | None = Field(None, max_length=50)
    active: bool | None = Field(None, description="Cleared: withdrawn from every subscriber")


class SubscriberIn(Schema):
    peer: str = Field(min_length=1, max_length=50, description="The peer's name on this node")


class CatalogueEntryOut(Schema):
    id: uuid.UUID
    code: str
    name_en: str
    name_ru: str
    description: str
    kind: str
    jurisdiction: str | None = Field(None, description="Kind legal_lists: whose lists")
    distribution_level: str
    subscribed: bool = Field(description="Whether the calling node is subscribed")


class CatalogueOut(Schema):
    publications: list[CatalogueEntryOut]


class FollowIn(Schema):
    publication_id: uuid.UUID = Field(description="The publication's identifier in the peer's catalogue")


class FollowedOut(Schema):
    peer: str = Field(alias="peer.name")
    publication_id: uuid.UUID
    code: str
    name_en: str
    name_ru: str
    kind: str
    subscribed_at: datetime.datetime
