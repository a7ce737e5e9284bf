"""The examination report (the expert's conclusion): its content, fixed as language-neutral data, and its
fingerprint.

The content names everything by code and stores both the English and the Russian name where a name is
translated, so one digest covers the report in either language. The digest is SHA-256 over the canonical
JSON of the content (keys sorted, no spaces, UTF-8): anyone holding the printed or PDF report can check it on
the node against the record (``actions.verify_report``).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from fdx.audit.models import AuditEvent
from fdx.core.node import local_node_id
from fdx.examinations import audit_events
from fdx.examinations.choices import ExaminationStatus
from fdx.examinations.legal_status import finding_status
from fdx.examinations.models import Attachment, Examination
from fdx.examinations.querysets import SHARED_STATUSES

#: The format of the content; a change to what the content holds is a new format.
REPORT_FORMAT = "fdx-report/1"
#: Statuses whose report may be shown: the revision was approved at some point.
REPORTABLE_STATUSES = SHARED_STATUSES
LANGUAGES = ("en", "ru")
DIGEST_PATTERN = re.compile(r"^[0-9a-f]{64}$")


def canonical_json(content: dict) -> bytes:
    """The content as canonical JSON bytes: sorted keys, no insignificant spaces, UTF-8."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def report_digest(content: dict) -> str:
    """The report's fingerprint: SHA-256 (hex) of its canonical JSON."""
    return hashlib.sha256(canonical_json(content)).hexdigest()


def normalise_digest(text: str) -> str:
    """A digest as typed or copied from a printed report (grouped by spaces, colons or dashes; any case)
    as 64 lowercase hex digits; empty when it is not one."""
    digest = re.sub(r"[\s:\-]", "", text or "").lower()
    return digest if DIGEST_PATTERN.match(digest) else ""


def grouped(digest: str) -> str:
    """The digest in groups of eight, as printed (easier to read aloud and to compare by eye)."""
    return " ".join(digest[i : i + 8] for i in range(0, len(digest), 8))


def verification_link(global_id: str, digest: str) -> str:
    """The verification page for a report, with its identifiers filled in (the QR code's target)."""
    return reverse("reports:verify") + "?" + urlencode({"examination": global_id, "digest": digest})


def node_language() -> str:
    """The laboratory's language: the node's (``LANGUAGE_CODE``), English when it is neither."""
    code = (settings.LANGUAGE_CODE or "en")[:2]
    return code if code in LANGUAGES else "en"


def approval_sequence(examination: Examination) -> int | None:
    """The audit sequence number of the event that approved this revision (or recorded it approved in
    bulk); None when the chain holds neither (a record received from another node)."""
    codes = [audit_events.EXAMINATION_APPROVED.code]
    sequence = (
        AuditEvent.objects.filter(object_id=str(examination.global_id), action__in=codes)
        .order_by("-sequence")
        .values_list("sequence", flat=True)
        .first()
    )
    if sequence is None:
        sequence = (
            AuditEvent.objects.filter(
                action=audit_events.CASE_IMPORTED.code, object_id=str(examination.exhibit.case.global_id)
            )
            .order_by("-sequence")
            .values_list("sequence", flat=True)
            .first()
        )
    return sequence


def build_content(examination: Examination, supersedes: dict | None) -> dict:
    """The report's content of an approved revision, as data (no translated text, decimals as strings).

    ``supersedes`` names the revision it replaces and the digest of that revision's issued report."""
    exhibit = examination.exhibit
    case = exhibit.case
    return {
        "format": REPORT_FORMAT,
        "node": str(local_node_id()),
        "examination": {
            "global_id": str(examination.global_id),
            "revision": examination.revision,
            "record_version": examination.record_version,
            "request_number": examination.request_number,
            "received_date": _date(examination.received_date),
            "completed_date": _date(examination.completed_date),
            "laboratory": _organisation(examination.laboratory),
            "examiner": _person(examination.examiner),
            "conclusion": examination.conclusion,
            "revision_reason": examination.revision_reason,
            "methods": [
                {
                    "code": method.code,
                    "name_en": method.name_en,
                    "name_ru": method.name_ru,
                    "confirmatory": method.confirmatory,
                }
                for method in examination.methods.order_by("code")
            ],
            "approval_audit_sequence": approval_sequence(examination),
        },
        "case": {
            "global_id": str(case.global_id),
            "reference": case.reference,
            "agency_case_number": case.agency_case_number,
            "submitting_agency": _organisation(case.submitting_agency) if case.submitting_agency_id else None,
            "seizure_date": _date(case.seizure_date),
            "seizure_country": case.seizure_country_id,
            "seizure_region": _region(case.seizure_region) if case.seizure_region_id else None,
            "locality": case.locality,
            "seizure_context": case.seizure_context,
            "description": case.description,
        },
        "exhibit": {
            "global_id": str(exhibit.global_id),
            "label": exhibit.label,
            "form": exhibit.form,
            "colour": exhibit.colour,
            "logo": exhibit.logo,
            "diameter_mm": _decimal(exhibit.diameter_mm),
            "thickness_mm": _decimal(exhibit.thickness_mm),
            "unit_count": exhibit.unit_count,
            "gross_mass_g": _decimal(exhibit.gross_mass_g),
            "net_mass_g": _decimal(exhibit.net_mass_g),
            "packaging": exhibit.packaging,
            "description": exhibit.description,
        },
        "findings": [_finding(finding) for finding in examination.findings.select_related("substance")],
        "approvals": _approvals(examination),
        "attachments": _attachments(examination),
        "supersedes": supersedes,
    }


def _finding(finding) -> dict:
    substance = finding.substance
    return {
        "global_id": str(finding.global_id),
        "substance": (
            {
                "global_id": str(substance.global_id),
                "name_en": substance.name_en,
                "name_ru": substance.name_ru,
            }
            if substance
            else None
        ),
        "unidentified_description": finding.unidentified_description,
        "result_type": finding.result_type,
        "role": finding.role,
        "purity_percent": _decimal(finding.purity_percent),
        "purity_uncertainty_percent": _decimal(finding.purity_uncertainty_percent),
        "amount_g": _decimal(finding.amount_g),
        "base_equivalent_g": _decimal(finding.base_equivalent_g),
        "note": finding.note,
        "legal_status": _legal(finding),
    }


def _legal(finding) -> dict | None:
    """The legal status and amount category in the country of seizure on the seizure date, with the lists,
    entries and instruments that decide it (read in English: the engine's explanations are translated
    when shown)."""
    with translation.override("en"):
        status = finding_status(finding)
    if status is None:
        return None
    answer = status.answer
    return {
        "jurisdiction": status.jurisdiction,
        "date": _date(status.day),
        "controlled": answer.controlled if answer else None,
        "lists": list(answer.lists) if answer else [],
        "basis": [
            {
                "list": basis.list,
                "kind": basis.kind,
                "entry": basis.entry,
                "instrument": basis.instrument,
                "effective_from": basis.effective_from,
                "verified": basis.verified,
            }
            for basis in (answer.basis if answer else [])
        ],
        "reason": (answer.reason if answer else ""),
        "mass_g": _decimal(status.mass_g),
        "mass_kind": status.mass_kind,
        "category": _json_ready(status.category),
    }


def _approvals(examination: Examination) -> list[dict]:
    steps = []
    if examination.submitted_at:
        steps.append(
            {
                "step": "submitted",
                "by": _person(examination.submitted_by),
                "at": examination.submitted_at.isoformat(),
            }
        )
    if examination.approved_at:
        steps.append(
            {
                "step": "approved",
                "by": _person(examination.approved_by),
                "at": examination.approved_at.isoformat(),
            }
        )
    return steps


def _attachments(examination: Examination) -> list[dict]:
    """The files of the case that concern this revision: its own, its exhibit's and the case's own."""
    exhibit = examination.exhibit
    files = Attachment.objects.filter(case=exhibit.case).order_by("created_at", "id")
    kept = [
        attachment
        for attachment in files
        if attachment.examination_id == examination.pk
        or (attachment.examination_id is None and attachment.exhibit_id in (None, exhibit.pk))
    ]
    return [
        {
            "global_id": str(attachment.global_id),
            "name": attachment.original_name,
            "kind": attachment.kind,
            "size_bytes": attachment.size_bytes,
            "sha256": attachment.sha256,
        }
        for attachment in kept
    ]


def _organisation(organisation) -> dict:
    return {
        "code": organisation.code,
        "name_en": organisation.name_en,
        "name_ru": organisation.name_ru or organisation.name_en,
    }


def _region(region) -> dict:
    return {"code": region.code, "name_en": region.name_en, "name_ru": region.name_ru or region.name_en}


def _person(user) -> dict | None:
    if user is None:
        return None
    return {"username": user.get_username(), "name": user.get_full_name() or user.get_username()}


def _date(value) -> str | None:
    return value.isoformat() if value else None


def _decimal(value) -> str | None:
    return None if value is None else str(value)


def _json_ready(value):
    """Decimals and dates inside the engine's category as strings (the canonical JSON holds no floats)."""
    if isinstance(value, dict):
        return {str(key): _json_ready(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_ready(item) for item in value]
    if isinstance(value, (Decimal, float)):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def is_reportable(examination: Examination) -> bool:
    """Whether a report may be shown: the revision was approved (and may since be superseded or retracted)."""
    return examination.status in REPORTABLE_STATUSES and examination.approved_at is not None


def current_revision(examination: Examination) -> Examination:
    """The revision that now stands for this examination: follow the revisions approved after it."""
    current = examination
    while True:
        following = Examination.objects.filter(
            previous_revision=current, status__in=REPORTABLE_STATUSES
        ).first()
        if following is None:
            return current
        current = following


def report_document(issued) -> dict:
    """The issued report as one JSON document: its content, digest and when and in what language it was
    issued (the digest covers ``content`` only)."""
    return {
        "content": issued.content,
        "digest": issued.digest,
        "revision": issued.revision,
        "issued_at": issued.issued_at.isoformat(),
        "language": issued.language,
        "verification": verification_link(str(issued.examination.global_id), issued.digest),
    }


@dataclass
class ReportVerification:
    """What a check of a report's digest answers: ``current`` (the report of the revision that stands),
    ``superseded`` (a later revision replaced it), ``retracted`` or ``no_match``. Dates and revision
    numbers only: the content of the record is never part of the answer."""

    outcome: str
    global_id: str
    digest: str
    revision: int | None = None
    issued_at: datetime.datetime | None = None
    approved_at: datetime.datetime | None = None
    superseded_by_revision: int | None = None
    superseded_at: datetime.datetime | None = None
    retracted_at: datetime.datetime | None = None
    examination: Examination | None = field(default=None, repr=False)
    viewer_may_see: bool = False

    @property
    def matches(self) -> bool:
        return self.outcome != NO_MATCH

    def as_dict(self) -> dict:
        """The answer as JSON-ready data (the API's and the CLI's)."""
        when = {
            name: (getattr(self, name).isoformat() if getattr(self, name) else None)
            for name in ("issued_at", "approved_at", "superseded_at", "retracted_at")
        }
        return {
            "outcome": self.outcome,
            "matches": self.matches,
            "global_id": self.global_id,
            "digest": self.digest,
            "revision": self.revision,
            "superseded_by_revision": self.superseded_by_revision,
            **when,
        }


CURRENT, SUPERSEDED, RETRACTED, NO_MATCH = "current", "superseded", "retracted", "no_match"


def parse_verification_input(global_id: str, digest: str) -> tuple[uuid.UUID, str]:
    """The examination's global id and the digest as entered, checked; a ValidationError names each
    field that cannot be read."""
    problems = {}
    try:
        checked_id = uuid.UUID(str(global_id or "").strip())
    except ValueError:
        checked_id = None
        problems["global_id"] = [_("This is not a global identifier (a UUID such as the one on the report).")]
    checked_digest = normalise_digest(digest)
    if not checked_digest:
        problems["digest"] = [
            _("A report digest is 64 hexadecimal digits (spaces between groups are allowed).")
        ]
    if problems:
        raise ValidationError(problems)
    return checked_id, checked_digest


def verification_of(global_id: uuid.UUID, digest: str) -> ReportVerification:
    """Compare a digest with the reports issued for the examination revision ``global_id``. An unknown
    examination and a wrong digest give the same answer, so a check discloses nothing without the digest."""
    from fdx.examinations.models import IssuedReport

    issued = (
        IssuedReport.objects.select_related("examination", "examination__exhibit__case")
        .filter(examination__global_id=global_id, digest=digest)
        .first()
    )
    if issued is None:
        return ReportVerification(NO_MATCH, str(global_id), digest)
    examination = issued.examination
    answer = ReportVerification(
        CURRENT,
        str(global_id),
        digest,
        revision=issued.revision,
        issued_at=issued.issued_at,
        approved_at=examination.approved_at,
        examination=examination,
    )
    case = examination.exhibit.case
    if examination.status == ExaminationStatus.RETRACTED or examination.is_tombstone or case.retracted_at:
        answer.outcome = RETRACTED
        answer.retracted_at = (
            examination.retracted_at or case.retracted_at or examination.record_state_changed_at
        )
    elif examination.status == ExaminationStatus.SUPERSEDED:
        current = current_revision(examination)
        answer.outcome = SUPERSEDED
        answer.superseded_by_revision = current.revision
        answer.superseded_at = current.approved_at
    return answer
