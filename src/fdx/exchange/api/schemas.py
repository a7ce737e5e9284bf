"""Typed request and response bodies of the exchange API."""

import datetime
import uuid

from ninja import Field, Schema

from fdx.core.signing import grouped
from fdx.exchange.choices import PeerRole


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
