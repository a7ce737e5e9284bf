import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from fdx.legal import actions, selectors
from fdx.legal.models import Listing
from fdx.substances.models import Substance

pytestmark = pytest.mark.django_db


def _status(text, code, day=None):
    return selectors.assess([selectors.query_for_text(text)], selectors.Question((code,), day))[0]


def test_the_engine_is_rebuilt_when_the_legal_data_change(persona):
    before = selectors.engine()
    assert selectors.engine() is before
    assert _status("CCCCCCCCCCCCCN", "KZ").controlled is None

    actions.add_listing(
        persona("kz_node_admin"),
        actions.listing_row(
            list_code="KZ-LIST-I",
            name_en="Probe",
            smiles="CCCCCCCCCCCCCN",
            effective_from=datetime.date(2020, 1, 1),
        ),
    )

    assert selectors.engine() is not before
    assert _status("CCCCCCCCCCCCCN", "KZ").controlled is True


def test_what_the_database_said_at_a_past_moment_stays_answerable(persona):
    admin = persona("hub_admin")
    listing = Listing.objects.current().get(control_list__code="UN-1971-II", name_en="mephedrone")
    moment = timezone.now()
    actions.withdraw_listing(admin, listing, reason="test: recorded in error")
    query = selectors.query_for_text("CNC(C)C(=O)c1ccc(C)cc1")
    day = datetime.date(2024, 1, 1)

    now = selectors.assess([query], selectors.Question(("UN",), day))[0]
    then = selectors.assess([query], selectors.Question(("UN",), day, as_recorded_at=moment))[0]

    assert "UN-1971-II" not in now.lists
    assert then.lists == ["UN-1971-II"]


def test_names_find_registry_substances_in_any_language_and_structureless_listings():
    assert selectors.query_for_text("мефедрон").inchikey == Substance.objects.get(key="mephedrone").inchikey
    assert selectors.query_for_text("Coca leaf").substance_keys == {"name:coca leaf"}
    assert "nor is it the name" in selectors.query_for_text("mephedr").error  # never a partial match


def test_list_summary_counts_entries_and_verified_ones():
    rows = {row["code"]: row for row in selectors.list_summary()}

    assert (
        rows["UN-1971-II"]["entries"] >= 60
        and 0 < rows["UN-1971-II"]["verified"] < rows["UN-1971-II"]["entries"]
    )
    assert rows["UN-1971-II"]["complete"] is True and rows["KZ-LIST-I"]["complete"] is False


def test_a_finding_gets_its_category_in_the_country_and_on_the_day_of_seizure(persona):
    from fdx.examinations import actions as case_actions
    from fdx.examinations.tests.builders import add_exhibit, draft_examination, open_case

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

    status = selectors.finding_status(finding)
    unknown = selectors.finding_status(other)

    assert (status.jurisdiction, status.day) == ("KZ", datetime.date(2025, 3, 14))
    assert status.answer.controlled is True and status.answer.lists == ["KZ-LIST-II"]
    assert status.category["category"] == "small" and status.category["verified"] is False
    assert unknown.category["category"] == "unknown"  # the large amount is not known: never guessed


def test_a_russian_seizure_of_mephedrone_falls_in_the_significant_amount(persona):
    query = selectors.query_for_text("CNC(C)C(=O)c1ccc(C)cc1.Cl")

    answer = selectors.assess(
        [query], selectors.Question(("RU",), datetime.date(2020, 1, 1), Decimal("0.3"))
    )[0]
    small = selectors.assess([query], selectors.Question(("RU",), datetime.date(2020, 1, 1), Decimal("0.2")))[
        0
    ]
    before = selectors.assess([query], selectors.Question(("RU",), datetime.date(2010, 1, 1), Decimal("3")))[
        0
    ]

    assert answer.amount_category["category"] == "significant"
    assert small.amount_category["category"] == "none"  # "above 0.2 g": 0.2 g itself is not significant
    assert before.controlled is None and before.amount_category is None
