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
    assert not then.note  # nothing but a listing changed since: the answer is wholly as recorded then


def test_a_past_moment_takes_back_completeness_and_names_the_facts_it_answers_as_they_are_now(persona):
    from django.contrib.admin.sites import site
    from django.test import RequestFactory

    from fdx.legal.models import ControlList, Jurisdiction

    admin = persona("hub_admin")
    moment = timezone.now()
    actions.set_lists_complete(admin, Jurisdiction.objects.get(code="KZ"), True, reason="checked")
    # A list's coverage changed in the administration pages (audited there)
    control_list = ControlList.objects.get(code="UN-1988-II")
    model_admin = site._registry[ControlList]
    request = RequestFactory().post("/")
    request.user = admin
    form = model_admin.get_form(request, control_list)(
        instance=control_list, data={**model_admin.get_form(request)(instance=control_list).initial}
    )
    control_list.covers_stereoisomers = True
    model_admin.save_model(request, control_list, form, change=True)
    caffeine = selectors.query_for_text("Cn1cnc2c1c(=O)n(C)c(=O)n2C")

    now = selectors.assess([caffeine], selectors.Question(("KZ",)))[0]
    then = selectors.assess([caffeine], selectors.Question(("KZ",), as_recorded_at=moment))[0]

    assert now.controlled is False and then.controlled is None  # KZ's lists were not yet marked complete
    assert then.note.endswith("changed since and are as they are now: what lists cover")
    assert "note" in then.as_dict() and not now.note


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


def test_the_weighed_mass_lies_between_what_is_known():
    salt = selectors.Measured(Decimal("5"), amount_g=Decimal("1.2"), base_equivalent_g=Decimal("1.0"))
    nothing = selectors.Measured(Decimal("5"))
    unweighed = selectors.Measured(None, amount_g=Decimal("1.2"), base_equivalent_g=Decimal("1.0"))

    assert selectors._weighed_mass("mixture", salt)[:3] == (Decimal("5"), Decimal("5"), "net")
    assert selectors._weighed_mass("pure", salt)[:3] == (Decimal("1.0"), Decimal("1.2"), "bounds")
    assert selectors._weighed_mass("pure", nothing)[:2] == (Decimal(0), Decimal("5"))
    assert selectors._weighed_mass("dry_residue", salt)[:2] == (Decimal("1.0"), Decimal("5"))
    assert selectors._weighed_mass("mixture", unweighed)[1] is None


def test_a_moment_before_any_legal_data_was_recorded_decides_nothing():
    heroin = selectors.query_for_text(
        "CC(=O)Oc1ccc2C[C@H]3N(C)CC[C@@]45[C@@H](Oc1c24)[C@@H](OC(C)=O)C=C[C@@H]35"
    )
    long_ago = timezone.now() - datetime.timedelta(days=3650)

    then = selectors.assess([heroin], selectors.Question(("UN",), as_recorded_at=long_ago))[0]

    assert then.controlled is None and then.note == "FDX held no legal reference content at that moment"


def test_without_the_net_mass_a_table_that_does_not_say_what_it_weighs_has_no_upper_bound():
    measured = selectors.Measured(None, amount_g=Decimal("0.01"), base_equivalent_g=Decimal("0.008"))

    assert selectors._weighed_mass("unknown", measured)[:2] == (Decimal("0.008"), None)


def test_an_empty_or_repeated_jurisdiction_code_asks_as_expected():
    every = selectors.jurisdiction_codes()

    assert selectors.jurisdiction_codes([""]) == every
    assert selectors.jurisdiction_codes(["kz", "KZ ", "UN"]) == ["KZ", "UN"]
