"""A finding's legal status: the examinations app asks the legal engine about the finding's substance, in the
country and on the day of seizure, for the mass each jurisdiction's table weighs.

The legal app answers questions about structures, lists, dates and amounts only; what a finding is (which
substance, seized where and when, how much of it) is read here, where the findings live.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _

from fdx.examinations.models import Finding
from fdx.examinations.selectors import get_finding
from fdx.legal import selectors as legal
from fdx.legal.extensions import StatusSource, StatusStart


@dataclass
class FindingStatus:
    """A finding's substance in the country of seizure on the seizure date, and the amount category of
    the mass the jurisdiction's table weighs (the net mass, the pure substance, the dry residue)."""

    jurisdiction: str
    day: datetime.date
    answer: legal.Answer | None
    mass_g: Decimal | None  # the mass the category was read from (the upper bound when only bounds are known)
    mass_kind: str  # "net", "pure", "dry_residue" or "bounds"
    category: dict | None


def measured(finding: Finding) -> legal.Measured:
    """What was weighed and measured of the finding's substance, as the legal engine reads amounts."""
    return legal.Measured(finding.examination.exhibit.net_mass_g, finding.amount_g, finding.base_equivalent_g)


def finding_status(finding: Finding, shared: dict | None = None) -> FindingStatus | None:
    """None when the finding names no substance or the country of seizure has no legal data in FDX.
    ``shared``, one dict for all the findings of a page, reads each country's jurisdiction and the legal
    engine once for the page rather than once per finding."""
    if not finding.substance_id:
        return None
    case = finding.examination.exhibit.case
    shared = {} if shared is None else shared
    country = ("jurisdiction", case.seizure_country_id)
    if country not in shared:
        shared[country] = legal.jurisdiction_of_country(case.seizure_country_id)
    code = shared[country]
    if code is None:
        return None
    if "engine" not in shared:
        shared["engine"] = legal.engine()
    compiled = shared["engine"]
    query = legal.query_for_substance(finding.substance)
    answer = compiled.assess(query, code, case.seizure_date)
    mass, kind, category = legal.category_of_measured(compiled, query, answer, measured(finding))
    return FindingStatus(code, case.seizure_date, answer, mass, kind, category)


def _start_from_finding(user, finding_id: str) -> StatusStart:
    """The legal-status page started from a finding: its substance, seizure date and net mass; each table
    then reads the mass it weighs, as the finding's own page does."""
    try:
        finding = get_finding(user, finding_id)
    except (Http404, ValidationError, ValueError):
        raise LookupError(_("No such finding.")) from None
    exhibit = finding.examination.exhibit
    case = exhibit.case

    def refine(answers, query, substance) -> None:
        if substance is None or substance.pk != finding.substance_id:
            return
        compiled = legal.engine()
        for answer in answers:
            answer.amount_category = legal.category_of_measured(compiled, query, answer, measured(finding))[2]

    return StatusStart(
        data={
            "substance": str(finding.substance.global_id) if finding.substance_id else "",
            "date": case.seizure_date.isoformat(),
            "amount_g": "" if exhibit.net_mass_g is None else str(exhibit.net_mass_g),
        },
        message=_(
            "From a finding of case %(reference)s (seized in %(country)s): the seizure date and the "
            "exhibit's net mass are filled in."
        )
        % {"reference": case.reference, "country": case.seizure_country_id},
        refine=refine,
    )


#: Registered with the legal app's status page in ``ExaminationsConfig.ready``.
FINDING_STATUS_SOURCE = StatusSource("finding", _start_from_finding)
