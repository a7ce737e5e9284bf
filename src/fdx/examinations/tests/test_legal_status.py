"""A finding's legal status: the examinations side asks the legal engine, in the country and on the day of
seizure, for the mass each table weighs; and the legal-status page started from a finding."""

import datetime
from decimal import Decimal

import pytest

from fdx.examinations import actions as case_actions
from fdx.examinations.legal_status import finding_status
from fdx.examinations.models import Case
from fdx.examinations.tests.builders import add_exhibit, draft_examination, open_case
from fdx.legal import actions
from fdx.legal.models import QuantityThreshold
from fdx.substances.models import Substance

pytestmark = pytest.mark.django_db


def test_a_finding_gets_its_category_in_the_country_and_on_the_day_of_seizure(persona):
    chemist = persona("kz_lab_chemist")
    exhibit = add_exhibit(chemist, open_case(chemist), net_mass_g=Decimal("0.015"))
    finding = case_actions.add_finding(
        chemist,
        draft_examination(chemist, exhibit),
        substance=Substance.objects.get(key="mephedrone"),
        result_type="qualitative",
        role="main",
    )
    heavier = add_exhibit(chemist, exhibit.case, label="2", net_mass_g=Decimal("1.5"))
    other = case_actions.add_finding(
        chemist,
        draft_examination(chemist, heavier),
        substance=Substance.objects.get(key="mephedrone"),
        result_type="qualitative",
        role="main",
    )

    status = finding_status(finding)
    unknown = finding_status(other)

    assert (status.jurisdiction, status.day) == ("KZ", datetime.date(2025, 3, 14))
    assert status.answer.controlled is True and status.answer.lists == ["KZ-LIST-II"]
    assert status.category["category"] == "small" and status.category["verified"] is False
    assert unknown.category["category"] == "unknown"  # the large amount is not known: never guessed


def _mephedrone_finding(persona, net_mass_g, purity_percent=None):
    chemist = persona("kz_lab_chemist")
    case = open_case(chemist, reference=f"KZ-2025-{Case.objects.count() + 100:04d}")
    exhibit = add_exhibit(chemist, case, net_mass_g=net_mass_g)
    return case_actions.add_finding(
        chemist,
        draft_examination(chemist, exhibit),
        substance=Substance.objects.get(key="mephedrone"),
        result_type="quantitative" if purity_percent is not None else "qualitative",
        role="main",
        purity_percent=purity_percent,
    )


def test_a_table_of_the_pure_substance_reads_the_findings_content_not_the_net_mass(persona):
    QuantityThreshold.objects.filter(jurisdiction="KZ", entry_name="mephedrone").update(basis="pure")
    actions.bump_version()
    measured = _mephedrone_finding(persona, Decimal("10"), purity_percent=Decimal("0.1"))  # 0.01 g pure
    unmeasured = _mephedrone_finding(persona, Decimal("10"))

    status = finding_status(measured)
    unknown = finding_status(unmeasured)

    assert (status.mass_g, status.mass_kind, status.category["category"]) == (
        Decimal("0.0100"),
        "pure",
        "small",
    )
    assert (
        unknown.category["category"] == "unknown" and "content is not measured" in unknown.category["reason"]
    )


def test_where_the_table_does_not_say_what_it_weighs_a_small_net_mass_is_small_whatever_it_weighs(persona):
    # KZ's shipped mephedrone threshold does not say what it weighs: the pure substance is at most the net
    # mass, so 0.015 g net is small either way; 10 g net with 0.1 % content is small as pure substance and
    # beyond the small amount as a mixture, so it stays unknown
    small = finding_status(_mephedrone_finding(persona, Decimal("0.015")))
    either = finding_status(_mephedrone_finding(persona, Decimal("10"), purity_percent=Decimal("0.1")))

    assert small.category["category"] == "small" and small.category["bounds_g"] == [
        Decimal(0),
        Decimal("0.015"),
    ]
    assert either.category["category"] == "unknown"
    assert "does not say whether the table weighs the mixture" in either.category["reason"]


def test_status_page_from_a_finding_reads_the_mass_each_table_weighs(client, persona):
    QuantityThreshold.objects.filter(jurisdiction="KZ", entry_name="mephedrone").update(basis="pure")
    actions.bump_version()
    chemist = persona("kz_lab_chemist")
    exhibit = add_exhibit(chemist, open_case(chemist), net_mass_g=Decimal("10"))
    finding = case_actions.add_finding(
        chemist,
        draft_examination(chemist, exhibit),
        substance=Substance.objects.get(key="mephedrone"),
        result_type="quantitative",
        role="main",
        purity_percent=Decimal("0.1"),
    )
    client.force_login(chemist)

    page = client.get("/legal/", {"finding": str(finding.global_id)})

    kz = next(answer for answer in page.context["answers"] if answer.jurisdiction == "KZ")
    assert kz.amount_category["category"] == "small"  # 0.01 g of the pure substance, as the finding's page
