"""Typed request and response bodies of the people API."""

import datetime
import uuid

from ninja import Field, Schema

from fdx.accounts.choices import OrganisationType, Role
from fdx.core.api.types import Integer, Keep


class OrganisationOut(Schema):
    id: uuid.UUID = Field(alias="global_id")
    code: str
    name_en: str
    name_ru: str
    name_local: str
    country: str = Field(alias="country_id")
    org_type: OrganisationType
    is_active: bool


class OrganisationIn(Schema):
    code: str = Field(min_length=2, max_length=50, pattern=r"^[a-z0-9][a-z0-9-]*$")
    name_en: str = Field(min_length=1, max_length=250)
    name_ru: str = Field(min_length=1, max_length=250)
    name_local: str = Field("", max_length=250)
    country: str = Field(min_length=2, max_length=2, description="ISO 3166-1 alpha-2 code")
    org_type: OrganisationType


class OrganisationPatch(Schema):
    name_en: str = Keep(min_length=1, max_length=250)
    name_ru: str = Keep(min_length=1, max_length=250)
    name_local: str = Keep(max_length=250)
    country: str = Keep(min_length=2, max_length=2)
    org_type: OrganisationType = Keep()
    is_active: bool = Keep()
    reason: str = Field("", max_length=1000)


class UserOut(Schema):
    id: uuid.UUID = Field(alias="global_id")
    username: str
    first_name: str
    last_name: str
    email: str
    position: str
    organisation: str = Field(alias="organisation.code")
    roles: list[Role]
    is_active: bool
    last_login: datetime.datetime | None
    date_joined: datetime.datetime

    @staticmethod
    def resolve_roles(user) -> list[str]:
        return sorted(group.name for group in user.groups.all() if group.name in Role.values)


class UserIn(Schema):
    username: str = Field(min_length=2, max_length=150, pattern=r"^[\w.@+-]+$")
    organisation: str = Field(description="Organisation code")
    roles: list[Role] = Field(default_factory=list)
    first_name: str = Field("", max_length=150)
    last_name: str = Field("", max_length=150)
    email: str = Field("", max_length=254)
    position: str = Field("", max_length=150)
    password: str | None = Field(None, description="Leave out to have FDX generate one (returned once).")


class UserCreatedOut(Schema):
    user: UserOut
    generated_password: str | None = Field(None, description="Shown once; FDX keeps only its hash.")


class UserPatch(Schema):
    first_name: str = Keep(max_length=150)
    last_name: str = Keep(max_length=150)
    email: str = Keep(max_length=254)
    position: str = Keep(max_length=150)
    is_active: bool = Keep()
    organisation: str = Keep(min_length=1, description="Organisation code (node administrators only)")
    reason: str = Field("", max_length=1000)


class RolesIn(Schema):
    roles: list[Role]
    reason: str = Field("", max_length=1000)


class PasswordResetOut(Schema):
    generated_password: str


class TokenOut(Schema):
    id: uuid.UUID = Field(alias="global_id")
    name: str
    prefix: str
    username: str = Field(alias="user.username")
    created_at: datetime.datetime
    expires_at: datetime.datetime
    revoked_at: datetime.datetime | None
    last_used_at: datetime.datetime | None


class TokenIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    days: Integer | None = Field(
        None, ge=1, le=730, description="Lifetime; the node's default when left out."
    )
    username: str | None = Field(None, description="Another user's token (administrators only).")


class TokenCreatedOut(Schema):
    token: str = Field(description="The bearer token itself, shown this once.")
    details: TokenOut


class RevokeIn(Schema):
    reason: str = Field("", max_length=1000)


class SharingGroupOut(Schema):
    id: uuid.UUID = Field(alias="global_id")
    code: str
    name_en: str
    name_ru: str
    description: str
    organisations: list[str]
    is_active: bool

    @staticmethod
    def resolve_organisations(group):
        return sorted(organisation.code for organisation in group.organisations.all())


class SharingGroupIn(Schema):
    code: str = Field(min_length=2, max_length=50, pattern=r"^[a-z0-9][a-z0-9-]*$")
    name_en: str = Field(min_length=1, max_length=250)
    name_ru: str = Field(min_length=1, max_length=250)
    description: str = Field("", max_length=5000)
    organisations: list[str] = Field(default_factory=list, description="Organisation codes")


class SharingGroupPatch(Schema):
    name_en: str = Keep(min_length=1, max_length=250)
    name_ru: str = Keep(min_length=1, max_length=250)
    description: str = Keep(max_length=5000)
    is_active: bool = Keep()
    organisations: list[str] = Keep()
    reason: str = Field("", max_length=1000)


class NodeOut(Schema):
    """This node as its administrators (and, read out of band, its peers) know it."""

    node_id: uuid.UUID
    name: str
    country: str
    role: str = Field(description="national or hub")
    fingerprint: str = Field(description="SHA-256 of the current Ed25519 public key, hexadecimal")
    fingerprint_grouped: str = Field(description="The fingerprint in groups of four, to read out")
    public_key: str = Field(description="The current Ed25519 public key (32 bytes, base64)")
    key_created_at: datetime.datetime | None
    key_file_matches: bool = Field(description="The key file holds the private half of this public key")
    retired_keys: int


class DeliveryOut(Schema):
    event_sequence: int = Field(alias="event_id")
    event: str = Field(alias="event.code")
    subscriber: str
    state: str
    attempts: int
    next_attempt_at: datetime.datetime
    last_error: str


class EventStatusOut(Schema):
    counts: dict[str, int] = Field(
        description="Deliveries by state, each counted up to a bound (10,000): a state in `more` holds more"
    )
    more: list[str] = Field(description="The states holding more deliveries than their count (the bound)")
    failed: list[DeliveryOut]
