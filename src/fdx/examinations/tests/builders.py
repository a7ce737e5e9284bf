"""Building realistic case records through the actions, for tests."""

import datetime
from decimal import Decimal

from fdx.examinations import actions
from fdx.geo.models import Country, Region
from fdx.substances.models import Substance

SEIZED = datetime.date(2025, 3, 14)
RECEIVED = datetime.date(2025, 3, 17)
COMPLETED = datetime.date(2025, 3, 28)


def open_case(chemist, **overrides):
    values = {
        "reference": "KZ-2025-0001",
        "seizure_date": SEIZED,
        "seizure_country": Country.objects.get(code="KZ"),
        "seizure_region": Region.objects.get(code="KZ-75"),
        "locality": "Almaty",
        "seizure_context": "internal",
        "distribution_level": "organisation",
    }
    values.update(overrides)
    return actions.open_case(chemist, **values)


def add_exhibit(chemist, case, **overrides):
    values = {
        "label": "1",
        "form": "crystal",
        "colour": "colourless",
        "gross_mass_g": Decimal("12.5"),
        "net_mass_g": Decimal("10.0"),
    }
    values.update(overrides)
    return actions.add_exhibit(chemist, case, **values)


def draft_examination(chemist, exhibit, **overrides):
    values = {
        "request_number": "R-17",
        "received_date": RECEIVED,
        "completed_date": COMPLETED,
        "conclusion": "Methamphetamine hydrochloride identified.",
        "methods": ["gc_ms", "ftir"],
    }
    values.update(overrides)
    return actions.start_examination(chemist, exhibit, **values)


def add_meth_finding(chemist, examination, purity="70.0"):
    return actions.add_finding(
        chemist,
        examination,
        substance=Substance.objects.get(key="methamphetamine-hydrochloride"),
        result_type="quantitative",
        purity_percent=Decimal(purity),
        role="main",
    )


def approved_case(persona, chemist_name="kz_lab_chemist", reviewer_name="kz_lab_head", **case_overrides):
    """A case with one exhibit and one approved examination finding methamphetamine hydrochloride."""
    chemist, reviewer = persona(chemist_name), persona(reviewer_name)
    case = open_case(chemist, **case_overrides)
    exhibit = add_exhibit(chemist, case)
    examination = draft_examination(chemist, exhibit)
    add_meth_finding(chemist, examination)
    actions.submit_examination(chemist, examination)
    actions.approve_examination(reviewer, examination)
    examination.refresh_from_db()
    return case, exhibit, examination


def case_spec(persona, chemist_name="kz_lab_chemist", reviewer_name="kz_lab_head", **overrides):
    """A complete, approved case record for ``record_cases_in_bulk``: one exhibit of crystals, one finding of
    methamphetamine hydrochloride at 70 %."""
    from fdx.examinations.bulk import CaseSpec, ExhibitSpec, FindingSpec
    from fdx.examinations.models import AnalyticalMethod

    chemist, reviewer = persona(chemist_name), persona(reviewer_name)
    country = chemist.organisation.country
    values = {
        "owner": chemist.organisation,
        "examiner": chemist,
        "reviewer": reviewer,
        "reference": f"{country.code}-BULK-0001",
        "seizure_date": SEIZED,
        "seizure_country": country,
        "seizure_region": None,
        "locality": "",
        "seizure_context": "internal",
        "distribution_level": "organisation",
        "is_demo": True,
        "exhibits": [
            ExhibitSpec(
                label="1",
                form="crystal",
                gross_mass_g=Decimal("12.5"),
                net_mass_g=Decimal("10.0"),
                received_date=RECEIVED,
                completed_date=COMPLETED,
                methods=list(AnalyticalMethod.objects.filter(code__in=["gc_ms", "ftir"])),
                findings=[
                    FindingSpec(
                        substance=Substance.objects.get(key="methamphetamine-hydrochloride"),
                        result_type="quantitative",
                        role="main",
                        purity_percent=Decimal("70.0"),
                    )
                ],
            )
        ],
    }
    values.update(overrides)
    return CaseSpec(**values)
