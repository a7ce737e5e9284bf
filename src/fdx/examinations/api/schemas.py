"""Typed bodies of the case-data API."""

import datetime
import uuid
from decimal import Decimal
from typing import Annotated

from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import AfterValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from fdx.core.api.types import Integer, IsoDate, Keep
from fdx.core.distribution import DistributionLevel
from fdx.examinations.choices import (
    CASE_NOTE_MAX_LENGTH,
    LOCAL_REFERENCE_MAX_LENGTH,
    AttachmentKind,
    ExaminationStatus,
    ExhibitForm,
    FindingRole,
    ResultType,
    SeizureContext,
)
from fdx.examinations.shareable import candidates


def _shareable_fields(model_label: str):
    """The ``shareable_fields`` of a body for a record of ``model_label``: the names of its fields that may
    leave the country (``fdx.examinations.shareable``), kept sorted and each once; any other name is
    refused (422 naming it)."""
    allowed = candidates(model_label)

    def check(names: list[str]) -> list[str]:
        unknown = sorted(set(names) - set(allowed))
        if unknown:
            message = _(
                "These fields cannot be marked to leave the country: %(unknown)s (only %(allowed)s)."
            ) % {
                "unknown": ", ".join(unknown),
                "allowed": ", ".join(allowed),
            }
            raise PydanticCustomError("shareable_field", message)
        return sorted(set(names))

    name = Annotated[str, WithJsonSchema({"type": "string", "enum": list(allowed)})]
    return Annotated[list[name], AfterValidator(check)]


ShareableCase = _shareable_fields("examinations.case")
ShareableExhibit = _shareable_fields("examinations.exhibit")
ShareableExamination = _shareable_fields("examinations.examination")
ShareableFinding = _shareable_fields("examinations.finding")
SHAREABLE_DESCRIPTION = (
    "The personal and free-text fields the owner marks as allowed to leave the country; the others are "
    "removed when the record is shared with another country"
)


class FindingOut(Schema):
    id: uuid.UUID = Field(alias="global_id")
    substance: uuid.UUID | None = None
    substance_name: str | None = None
    unidentified_description: str
    result_type: ResultType
    role: FindingRole
    purity_percent: Decimal | None
    purity_uncertainty_percent: Decimal | None
    amount_g: Decimal | None
    base_equivalent_g: Decimal | None
    note: str
    shareable_fields: list[str]

    @staticmethod
    def resolve_substance(finding):
        return finding.substance.global_id if finding.substance_id else None

    @staticmethod
    def resolve_substance_name(finding):
        return finding.substance.name_en if finding.substance_id else None


class ExaminationOut(Schema):
    id: uuid.UUID = Field(alias="global_id")
    exhibit: uuid.UUID
    laboratory: str = Field(alias="laboratory.code")
    request_number: str
    received_date: datetime.date
    completed_date: datetime.date | None
    examiner: str = Field(alias="examiner.username")
    methods: list[str]
    conclusion: str
    status: ExaminationStatus
    revision: int
    previous_revision: uuid.UUID | None = None
    revision_reason: str
    approved_at: datetime.datetime | None
    approved_by: str | None = None
    retraction_reason: str
    shareable_fields: list[str]
    findings: list[FindingOut]

    @staticmethod
    def resolve_exhibit(examination):
        return examination.exhibit.global_id

    @staticmethod
    def resolve_methods(examination):
        return sorted(method.code for method in examination.methods.all())

    @staticmethod
    def resolve_previous_revision(examination):
        return examination.previous_revision.global_id if examination.previous_revision_id else None

    @staticmethod
    def resolve_approved_by(examination):
        return examination.approved_by.username if examination.approved_by_id else None

    @staticmethod
    def resolve_findings(examination):
        return list(examination.findings.all())


class ExhibitOut(Schema):
    id: uuid.UUID = Field(alias="global_id")
    case: uuid.UUID
    label: str
    form: ExhibitForm
    colour: str
    logo: str
    diameter_mm: Decimal | None
    thickness_mm: Decimal | None
    unit_count: int | None
    gross_mass_g: Decimal | None
    net_mass_g: Decimal | None
    packaging: str
    description: str
    shareable_fields: list[str]

    @staticmethod
    def resolve_case(exhibit):
        return exhibit.case.global_id


class ExhibitDetailOut(ExhibitOut):
    examinations: list[ExaminationOut]

    @staticmethod
    def resolve_examinations(exhibit):
        return list(exhibit.examinations.all())


class CaseOut(Schema):
    id: uuid.UUID = Field(alias="global_id")
    reference: str
    owner: str = Field(alias="owner_organisation.code")
    submitting_agency: str | None = None
    agency_case_number: str
    seizure_date: datetime.date
    seizure_country: str = Field(alias="seizure_country_id")
    seizure_region: str | None = None
    locality: str
    border_crossing_point: str | None = None
    latitude: Decimal | None
    longitude: Decimal | None
    seizure_context: SeizureContext
    description: str
    distribution_level: DistributionLevel
    sharing_group: str | None = None
    is_demo: bool
    retracted_at: datetime.datetime | None
    retraction_reason: str
    shareable_fields: list[str]

    @staticmethod
    def resolve_submitting_agency(case):
        return case.submitting_agency.code if case.submitting_agency_id else None

    @staticmethod
    def resolve_seizure_region(case):
        return case.seizure_region.code if case.seizure_region_id else None

    @staticmethod
    def resolve_border_crossing_point(case):
        return case.border_crossing_point.code if case.border_crossing_point_id else None

    @staticmethod
    def resolve_sharing_group(case):
        return case.sharing_group.code if case.sharing_group_id else None


class CaseDetailOut(CaseOut):
    exhibits: list[ExhibitDetailOut]

    @staticmethod
    def resolve_exhibits(case):
        return list(case.exhibits.all())


class CaseIn(Schema):
    reference: str = Field(min_length=1, max_length=LOCAL_REFERENCE_MAX_LENGTH)
    submitting_agency: str | None = Field(None, description="Organisation code")
    agency_case_number: str = Field("", max_length=100)
    seizure_date: IsoDate
    seizure_country: str = Field(min_length=2, max_length=2)
    seizure_region: str | None = Field(
        None, description="ISO 3166-2 code; a former code is read on the seizure date"
    )
    locality: str = Field("", max_length=200)
    border_crossing_point: str | None = Field(None, description="Border crossing point code")
    latitude: Decimal | None = Field(None, ge=-90, le=90)
    longitude: Decimal | None = Field(None, ge=-180, le=180)
    seizure_context: SeizureContext
    description: str = Field("", max_length=10000)
    distribution_level: DistributionLevel = DistributionLevel.ORGANISATION
    sharing_group: str | None = Field(None, description="Sharing group code")
    shareable_fields: ShareableCase = Field(default_factory=list, description=SHAREABLE_DESCRIPTION)


class CasePatch(Schema):
    reference: str = Keep(min_length=1, max_length=LOCAL_REFERENCE_MAX_LENGTH)
    submitting_agency: str | None = None
    agency_case_number: str = Keep(max_length=100)
    seizure_date: IsoDate = Keep()
    seizure_country: str = Keep(min_length=2, max_length=2)
    seizure_region: str | None = None
    locality: str = Keep(max_length=200)
    border_crossing_point: str | None = None
    latitude: Decimal | None = Field(None, ge=-90, le=90)
    longitude: Decimal | None = Field(None, ge=-180, le=180)
    seizure_context: SeizureContext = Keep()
    description: str = Keep(max_length=10000)
    distribution_level: DistributionLevel = Keep()
    sharing_group: str | None = None
    shareable_fields: ShareableCase = Keep(description=SHAREABLE_DESCRIPTION)
    reason: str = Field("", max_length=2000)


class ExhibitIn(Schema):
    label: str = Field(min_length=1, max_length=40)
    form: ExhibitForm
    colour: str = Field("", max_length=60)
    logo: str = Field("", max_length=120)
    diameter_mm: Decimal | None = Field(None, ge=0, le=1000)
    thickness_mm: Decimal | None = Field(None, ge=0, le=1000)
    unit_count: Integer | None = Field(None, ge=1)
    gross_mass_g: Decimal | None = Field(None, ge=0)
    net_mass_g: Decimal | None = Field(None, ge=0)
    packaging: str = Field("", max_length=200)
    description: str = Field("", max_length=10000)
    shareable_fields: ShareableExhibit = Field(default_factory=list, description=SHAREABLE_DESCRIPTION)


class ExhibitPatch(Schema):
    label: str = Keep(min_length=1, max_length=40)
    form: ExhibitForm = Keep()
    colour: str = Keep(max_length=60)
    logo: str = Keep(max_length=120)
    diameter_mm: Decimal | None = Field(None, ge=0, le=1000)
    thickness_mm: Decimal | None = Field(None, ge=0, le=1000)
    unit_count: Integer | None = Field(None, ge=1)
    gross_mass_g: Decimal | None = Field(None, ge=0)
    net_mass_g: Decimal | None = Field(None, ge=0)
    packaging: str = Keep(max_length=200)
    description: str = Keep(max_length=10000)
    shareable_fields: ShareableExhibit = Keep(description=SHAREABLE_DESCRIPTION)
    reason: str = Field("", max_length=2000)


class ExaminationIn(Schema):
    request_number: str = Field("", max_length=60)
    received_date: IsoDate
    completed_date: IsoDate | None = None
    examiner: str | None = Field(None, description="Username; the caller when left out")
    methods: list[str] = Field(default_factory=list, description="Method codes (gc_ms, ftir …)")
    conclusion: str = Field("", max_length=20000)
    shareable_fields: ShareableExamination = Field(default_factory=list, description=SHAREABLE_DESCRIPTION)


class ExaminationPatch(Schema):
    request_number: str = Keep(max_length=60)
    received_date: IsoDate = Keep()
    completed_date: IsoDate | None = None
    examiner: str = Keep()
    methods: list[str] = Keep()
    conclusion: str = Keep(max_length=20000)
    shareable_fields: ShareableExamination = Keep(description=SHAREABLE_DESCRIPTION)


class FindingIn(Schema):
    substance: uuid.UUID | None = Field(None, description="Registry substance id")
    unidentified_description: str = Field("", max_length=300)
    result_type: ResultType
    role: FindingRole = FindingRole.MAIN
    purity_percent: Decimal | None = Field(None, ge=0, le=100)
    purity_uncertainty_percent: Decimal | None = Field(None, ge=0, le=100)
    note: str = Field("", max_length=5000)
    position: Integer = Field(0, ge=0, le=1000)
    shareable_fields: ShareableFinding = Field(default_factory=list, description=SHAREABLE_DESCRIPTION)


class FindingPatch(Schema):
    substance: uuid.UUID | None = None
    unidentified_description: str = Keep(max_length=300)
    result_type: ResultType = Keep()
    role: FindingRole = Keep()
    purity_percent: Decimal | None = Field(None, ge=0, le=100)
    purity_uncertainty_percent: Decimal | None = Field(None, ge=0, le=100)
    note: str = Keep(max_length=5000)
    position: Integer = Keep(ge=0, le=1000)
    shareable_fields: ShareableFinding = Keep(description=SHAREABLE_DESCRIPTION)


class CaseReasonIn(Schema):
    reason: str = Field("", max_length=2000)


class AttachmentOut(Schema):
    id: uuid.UUID = Field(alias="global_id")
    case: uuid.UUID
    exhibit: uuid.UUID | None = None
    examination: uuid.UUID | None = None
    kind: AttachmentKind
    original_name: str
    content_type: str
    size_bytes: int
    sha256: str
    description: str
    shareable_fields: list[str]
    uploaded_by: str = Field(alias="uploaded_by.username")
    created_at: datetime.datetime

    @staticmethod
    def resolve_case(attachment):
        return attachment.case.global_id

    @staticmethod
    def resolve_exhibit(attachment):
        return attachment.exhibit.global_id if attachment.exhibit_id else None

    @staticmethod
    def resolve_examination(attachment):
        return attachment.examination.global_id if attachment.examination_id else None


class CaseNoteIn(Schema):
    text: str = Field(
        min_length=1,
        max_length=CASE_NOTE_MAX_LENGTH,
        description="The note (at most 4,000 characters); kept on this node, seen by your organisation only",
    )


class CaseNoteOut(Schema):
    id: uuid.UUID = Field(alias="global_id")
    case: uuid.UUID
    author: str = Field(alias="author.username")
    organisation: str = Field(description="Code of the organisation the note belongs to (the author's)")
    text: str
    created_at: datetime.datetime

    @staticmethod
    def resolve_case(note):
        return note.case.global_id

    @staticmethod
    def resolve_organisation(note):
        return note.organisation.code
