"""Harmonisation weighed against the findings: how often each substance was found where it is (not)
controlled, and which past findings a proposed listing would have covered.

The legal app builds the matrix, the gap report and the engine of a proposal from structures, lists and
dates; this module counts and walks the findings a viewer may see, of approved examinations, and asks it.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count
from django.db.models.functions import Coalesce

from fdx.examinations.choices import ExaminationStatus
from fdx.examinations.selectors import list_findings
from fdx.legal import harmonisation as legal_harmonisation
from fdx.legal import selectors as legal
from fdx.legal.harmonisation import CENTRAL_ASIA, Gap, Matrix, Proposal

MAX_WHAT_IF_FINDINGS = 2000


def finding_counts(viewer) -> legal_harmonisation.FoundCounts:
    """(parent InChIKey, country of seizure) → findings of approved examinations the viewer may see."""
    found = (
        list_findings(viewer)
        .filter(substance__isnull=False, examination__status=ExaminationStatus.APPROVED)
        .annotate(parent_key=Coalesce("substance__parent__inchikey", "substance__inchikey"))
        .values("parent_key", "examination__exhibit__case__seizure_country")
        .annotate(number=Count("pk"))
    )
    return {
        (row["parent_key"], row["examination__exhibit__case__seizure_country"]): row["number"]
        for row in found
        if row["parent_key"]
    }


def matrix(viewer, jurisdictions=(), day: datetime.date | None = None) -> Matrix:
    """Every substance listed anywhere or found in the findings ``viewer`` may see, in every jurisdiction
    asked (all by default) on ``day`` (today by default)."""
    return legal_harmonisation.matrix(finding_counts(viewer), jurisdictions, day)


def gaps(viewer, group=CENTRAL_ASIA, day: datetime.date | None = None) -> tuple[Matrix, list[Gap]]:
    """The gap report of ``group``, ordered by the findings ``viewer`` may see where a substance is not
    controlled."""
    return legal_harmonisation.gaps(finding_counts(viewer), group, day)


# What if


@dataclass
class CoveredFinding:
    finding_id: str
    case_id: str
    case_reference: str
    seizure_date: datetime.date
    country: str
    substance: str
    substance_id: str
    net_mass_g: object
    already_controlled: bool | None


@dataclass
class WhatIf:
    proposal: Proposal
    considered: int
    covered: list[CoveredFinding]  # the most recent ones, at most MAX_WHAT_IF_FINDINGS
    newly_covered: int
    substances: list[tuple[str, int, int]]  # name, findings covered, of which newly covered
    truncated: bool
    covered_count: int = 0  # all findings covered, listed or not


def what_if(viewer, proposal: Proposal) -> WhatIf:
    """The past findings (that ``viewer`` may see, seized in the jurisdiction's country, or anywhere for the
    UN) the proposal would have covered, and which of them were not controlled at the time."""
    jurisdiction = legal.get_jurisdiction(proposal.jurisdiction)
    proposed = legal_harmonisation.proposal_engine(proposal)
    current = legal.engine()
    by_substance = _findings_by_substance(viewer, jurisdiction.country_id, proposal.effective_from)
    covered, summary, newly = [], [], 0
    considered = sum(len(items) for items in by_substance.values())
    for items in by_substance.values():
        query = legal.query_for_substance(items[0].substance)
        if not legal_harmonisation.proposal_covers(proposed, proposal, query):
            continue
        new_here = 0
        for finding in items:
            case = finding.examination.exhibit.case
            before = current.assess(query, jurisdiction.code, case.seizure_date).controlled
            new_here += before is not True
            covered.append(_covered(finding, before))
        newly += new_here
        summary.append((items[0].substance.name, len(items), new_here))
    covered.sort(key=lambda c: (c.seizure_date, c.case_reference), reverse=True)
    summary.sort(key=lambda s: (-s[2], -s[1], s[0]))
    return WhatIf(
        proposal,
        considered,
        covered[:MAX_WHAT_IF_FINDINGS],
        newly,
        summary,
        len(covered) > MAX_WHAT_IF_FINDINGS,
        len(covered),
    )


def _findings_by_substance(viewer, country: str | None, start: datetime.date | None) -> dict[int, list]:
    """Approved findings ``viewer`` may see (seized in ``country`` when given, from ``start``), by
    substance."""
    findings = (
        list_findings(viewer)
        .filter(substance__isnull=False, examination__status=ExaminationStatus.APPROVED)
        .order_by("-examination__exhibit__case__seizure_date", "pk")
    )
    if country:
        findings = findings.filter(examination__exhibit__case__seizure_country=country)
    if start:
        findings = findings.filter(examination__exhibit__case__seizure_date__gte=start)
    by_substance: dict[int, list] = defaultdict(list)
    for finding in findings:
        by_substance[finding.substance_id].append(finding)
    return by_substance


def _covered(finding, already_controlled: bool | None) -> CoveredFinding:
    case = finding.examination.exhibit.case
    return CoveredFinding(
        str(finding.global_id),
        str(case.global_id),
        case.reference,
        case.seizure_date,
        case.seizure_country_id,
        finding.substance.name,
        str(finding.substance.global_id),
        finding.examination.exhibit.net_mass_g,
        already_controlled,
    )
