import datetime
import uuid
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema

from fdx.core.api.types import IsoDate, IsoDateTime

MAX_BATCH = 1000


class StructureIn(Schema):
    structure: str = Field("", max_length=20000, description="SMILES, InChI or a molfile")
    name: str = Field("", max_length=300, description="A substance name (any language), when no structure")
    substance: uuid.UUID | None = Field(None, description="A registry substance, instead of a structure")
    label: str = Field("", max_length=300, description="Echoed back as the answer's input")


class QuestionIn(Schema):
    jurisdictions: list[str] = Field(default_factory=list, description="Codes (UN, KZ…); all when empty")
    date: IsoDate | None = Field(None, description="The day asked about (default: today)")
    amount_g: Decimal | None = Field(None, ge=0, description="A mass in grams, for the amount category")
    as_recorded_at: IsoDateTime | None = Field(
        None, description="Answer with what this database recorded at that moment (corrections since ignored)"
    )


class StatusIn(StructureIn, QuestionIn):
    pass


class BatchIn(QuestionIn):
    items: list[StructureIn] = Field(min_length=1, max_length=MAX_BATCH)


class BasisOut(Schema):
    list: str
    kind: str
    entry: str
    instrument: str
    effective_from: str
    source_url: str
    verified: bool
    detail: str
    date_uncertain: bool
    stereo_uncertain: bool = False


class AnswerOut(Schema):
    input: str
    inchikey: str
    jurisdiction: str
    date: str
    controlled: bool | None
    lists: list[str]
    searched: list[str] = Field(
        default_factory=list, description="Every list of the jurisdiction read (own and incorporated)"
    )
    basis: list[BasisOut]
    amount_category: dict | None
    reason: str | None = None
    error: str | None = None
    note: str | None = None


class ControlListOut(Schema):
    code: str
    name_en: str
    name_ru: str
    kind: str
    covers_salts: bool
    covers_stereoisomers: bool
    covers_esters_ethers: bool
    instrument: str | None = Field(None, alias="instrument.code")
    source_url: str
    verified: bool


class JurisdictionOut(Schema):
    code: str
    name_en: str
    name_ru: str
    kind: str
    lists_complete: bool
    lists: list[ControlListOut]

    @staticmethod
    def resolve_lists(jurisdiction):
        return list(jurisdiction.lists.all())


class ListingOut(Schema):
    id: uuid.UUID = Field(alias="global_id")
    list: str = Field(alias="control_list.code")
    name_en: str
    name_ru: str
    substance: uuid.UUID | None = None
    smiles: str
    inchikey: str
    is_exclusion: bool
    stereo_scope: str
    decision: str
    decision_date: datetime.date | None
    effective_from: datetime.date
    effective_from_earliest: datetime.date | None
    effective_to: datetime.date | None
    instrument: str | None = None
    note: str
    source_url: str
    verified: bool
    recorded_at: datetime.datetime = Field(alias="created_at")
    recorded_to: datetime.datetime | None
    corrects: uuid.UUID | None = None
    change_reason: str

    @staticmethod
    def resolve_substance(listing):
        return listing.substance.global_id if listing.substance_id else None

    @staticmethod
    def resolve_instrument(listing):
        return listing.instrument.code if listing.instrument_id else None

    @staticmethod
    def resolve_corrects(listing):
        return listing.corrects.global_id if listing.corrects_id else None


class ListingIn(Schema):
    list: str = Field(min_length=1, max_length=40)
    name_en: str = Field(min_length=1, max_length=300)
    name_ru: str = Field("", max_length=300)
    smiles: str = Field("", max_length=20000)
    registry_key: str = Field("", max_length=100)
    effective_from: IsoDate
    effective_from_earliest: IsoDate | None = None
    effective_to: IsoDate | None = None
    decision: str = Field("", max_length=100)
    decision_date: IsoDate | None = None
    instrument: str = Field("", max_length=80)
    is_exclusion: bool = False
    stereo_scope: Literal["list", "enantiomers"] = Field(
        "list",
        description="Which stereoisomers the name designates where the list covers none: 'enantiomers' for a "
        "name of one diastereomer (ephedrine)",
    )
    verified: bool = False
    source_url: str = Field("", max_length=500)
    note: str = Field("", max_length=5000)
    reason: str = Field("", max_length=500, description="Why; required for a correction")


class EndIn(Schema):
    effective_to: IsoDate
    reason: str = Field(min_length=1, max_length=500)


class ListingReasonIn(Schema):
    reason: str = Field(min_length=1, max_length=500)


class ListingImportOut(Schema):
    dry_run: bool
    added: int
    corrected: int
    unchanged: int
