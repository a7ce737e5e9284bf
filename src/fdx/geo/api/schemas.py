import datetime

from ninja import Field, Schema

from fdx.geo.choices import CrossingKind, RegionType


class CountryOut(Schema):
    code: str
    alpha_3: str
    numeric: str
    name_en: str
    name_ru: str


class RegionOut(Schema):
    code: str
    country: str = Field(alias="country_id")
    parent: str | None = None
    name_en: str
    name_ru: str
    name_local: str
    region_type: RegionType
    iso_type: str
    valid_from: datetime.date | None
    valid_to: datetime.date | None

    @staticmethod
    def resolve_parent(region) -> str | None:
        return region.parent.code if region.parent_id else None


class SuccessionOut(Schema):
    region: str
    effective_date: datetime.date
    kind: str
    legal_basis: str


class RegionDetailOut(RegionOut):
    note: str
    successors: list[SuccessionOut]
    predecessors: list[SuccessionOut]
    former_codes: list[str]

    @staticmethod
    def resolve_successors(region) -> list[dict]:
        return [
            {
                "region": s.successor.code,
                "effective_date": s.effective_date,
                "kind": s.kind,
                "legal_basis": s.legal_basis,
            }
            for s in region.succession_to.select_related("successor")
        ]

    @staticmethod
    def resolve_predecessors(region) -> list[dict]:
        return [
            {
                "region": s.predecessor.code,
                "effective_date": s.effective_date,
                "kind": s.kind,
                "legal_basis": s.legal_basis,
            }
            for s in region.succession_from.select_related("predecessor")
        ]

    @staticmethod
    def resolve_former_codes(region) -> list[str]:
        return sorted(alias.code for alias in region.aliases.all())


class CrossingPointOut(Schema):
    code: str
    name_en: str
    name_ru: str
    country: str = Field(alias="country_id")
    region: str | None = None
    neighbour_country: str | None = Field(None, alias="neighbour_country_id")
    kind: CrossingKind
    latitude: float | None
    longitude: float | None

    @staticmethod
    def resolve_region(point) -> str | None:
        return point.region.code if point.region_id else None
