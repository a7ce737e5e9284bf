import uuid
from decimal import Decimal

from ninja import Field, Schema


class NameOut(Schema):
    name: str
    language: str
    kind: str


class SubstanceOut(Schema):
    id: uuid.UUID = Field(alias="global_id")
    key: str | None
    name_en: str
    name_ru: str
    names: list[NameOut]
    cas_number: str
    smiles: str
    inchi: str
    inchikey: str
    formula: str
    average_mass: float | None
    monoisotopic_mass: float | None
    classes: list[str]
    parent: uuid.UUID | None = None
    base_conversion_factor: Decimal
    source: str
    score: float | None = Field(None, description="Tanimoto similarity, for similarity search")

    @staticmethod
    def resolve_names(substance):
        return list(substance.names.all())

    @staticmethod
    def resolve_classes(substance):
        return [c.code for c in substance.classes.all()]

    @staticmethod
    def resolve_parent(substance):
        return substance.parent.global_id if substance.parent_id else None

    @staticmethod
    def resolve_score(substance):
        return getattr(substance, "search_score", None)


class SubstanceIn(Schema):
    name_en: str = Field(min_length=1, max_length=300)
    name_ru: str = Field("", max_length=300)
    structure: str = Field("", max_length=20000, description="SMILES, InChI or a molfile")
    cas_number: str = Field("", max_length=20)
    synonyms: list[str] = Field(default_factory=list)
    note: str = Field("", max_length=5000)


class SubstancePatch(SubstanceIn):
    reason: str = Field("", max_length=1000, description="Required when the structure changes")


class SubstanceClassOut(Schema):
    code: str
    name_en: str
    name_ru: str
    description: str
    description_ru: str
    substance_count: int


class SubstanceImportOut(Schema):
    created: int
    merged: int
    received: int = Field(0, description="Records of substances received from another node: left as sent")
    skipped: int
    problems: list[str]
