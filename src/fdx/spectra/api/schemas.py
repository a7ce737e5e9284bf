import uuid
from typing import Annotated, Literal

from ninja import Field, Schema

from fdx.core.api.types import Integer, Keep
from fdx.core.distribution import DistributionLevel
from fdx.spectra.science.index import SearchOptions

Level = Literal[tuple(DistributionLevel.values)]
#: One peak, ``[m/z, intensity]``: a two-number array (a ``tuple`` gave ``prefixItems``, which OpenAPI 3.0
#: tools read as an ``items`` array and reject).
Peak = Annotated[list[float], Field(min_length=2, max_length=2)]


class LibraryOut(Schema):
    id: uuid.UUID = Field(alias="global_id")
    name: str
    version: str
    source: str
    licence: str
    description: str
    kind: str
    distribution_level: str
    sharing_group: str | None = None
    owner_organisation: str
    spectrum_count: int = 0

    @staticmethod
    def resolve_owner_organisation(library):
        return library.owner_organisation.code

    @staticmethod
    def resolve_sharing_group(library):
        return library.sharing_group.code if library.sharing_group_id else None

    @staticmethod
    def resolve_spectrum_count(library):
        return getattr(library, "spectrum_count", 0)


class LibraryIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    version: str = Field("", max_length=50)
    source: str = Field("", max_length=300)
    licence: str = Field("", max_length=300)
    description: str = Field("", max_length=5000)
    distribution_level: Level = DistributionLevel.ORGANISATION
    sharing_group: str | None = Field(
        None, description="Code of the sharing group (sharing_group level only)"
    )


class LibraryPatch(Schema):
    """Only the fields sent change; the others keep their values."""

    name: str = Keep(min_length=1, max_length=200)
    version: str = Keep(max_length=50)
    source: str = Keep(max_length=300)
    licence: str = Keep(max_length=300)
    description: str = Keep(max_length=5000)
    distribution_level: Level = Keep()
    sharing_group: str | None = Field(
        None, description="Code of the sharing group (sharing_group level only)"
    )
    reason: str = Field("", max_length=1000)


class NameLinkOut(Schema):
    record: str
    name: str
    substance: str


class SpectraImportOut(Schema):
    library: str
    file: str
    sha256: str
    read: int
    imported: int
    already_present: int
    skipped: list[str]
    links: dict[str, int]
    linked_percent: float
    substances_registered: dict[str, int]
    linked_by_name: list[NameLinkOut] = Field(
        description="Spectra linked by their name alone (the record gave no structure): check each."
    )


class SpectrumOut(Schema):
    id: uuid.UUID = Field(alias="global_id")
    library: uuid.UUID
    name: str
    record_id: str
    kind: str
    substance: uuid.UUID | None = None
    substance_name: str | None = None
    substance_link: str
    inchikey: str
    formula: str
    cas_number: str
    retention_index: float | None
    instrument: str
    instrument_type: str
    peak_count: int
    peaks_sha256: str
    withdrawn: bool

    @staticmethod
    def resolve_library(spectrum):
        return spectrum.library.global_id

    @staticmethod
    def resolve_substance(spectrum):
        return spectrum.substance.global_id if spectrum.substance_id else None

    @staticmethod
    def resolve_substance_name(spectrum):
        return spectrum.substance.name if spectrum.substance_id else None

    @staticmethod
    def resolve_withdrawn(spectrum):
        return spectrum.withdrawn_at is not None


class SpectrumDetailOut(SpectrumOut):
    comment: str
    metadata: dict
    source_file: str
    source_line: int | None
    peaks: list[Peak] = Field(description="[[m/z, intensity], …]")

    @staticmethod
    def resolve_peaks(spectrum):
        mz, intensity = spectrum.peaks
        return [[float(m), float(i)] for m, i in zip(mz, intensity, strict=True)]


class SpectrumReasonIn(Schema):
    reason: str = Field(min_length=1, max_length=2000)


class LinkIn(SpectrumReasonIn):
    substance: uuid.UUID


class QueryIn(Schema):
    name: str = Field("query", max_length=300)
    peaks: list[Peak] | None = Field(None, description="[[m/z, intensity], …]")
    text: str | None = Field(None, max_length=200_000, description="Peaks as text: m/z intensity pairs")
    retention_index: float | None = None


class SearchIn(Schema):
    spectra: list[QueryIn] = Field(min_length=1, max_length=1000)
    libraries: list[uuid.UUID] = Field(
        default_factory=list, description="Library ids; all visible when empty"
    )
    top: Integer = Field(10, ge=1, le=100)
    retention_window: float | None = Field(None, ge=0, description="Retention-index window (± units)")
    substance_class: str = Field("", max_length=40)


class HitOut(Schema):
    rank: int
    name: str
    spectrum: uuid.UUID
    record_id: str
    inchikey: str
    substance: uuid.UUID | None
    substance_name: str | None
    library: str
    score: float
    forward_score: float
    reverse_score: float
    entropy: float
    shortlisted: bool = Field(
        description=f"Ranked by its score among the candidates whose weighted cosine is at least "
        f"{SearchOptions.plausible} of the best's; the hits that are not follow them, to make up the number "
        "asked for."
    )


class ResultOut(Schema):
    query: str
    hits: list[HitOut]
