"""Recording complete cases in bulk: the same rules as the per-record actions (one validation path), every
problem reported as (row, field, value, message), nothing written unless told to keep the valid rows."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from fdx.core.actors import system
from fdx.core.models import OutboxEvent
from fdx.examinations.bulk import BulkRefused, check, record_cases_in_bulk
from fdx.examinations.models import Case
from fdx.examinations.tests.builders import case_spec

pytestmark = pytest.mark.django_db


def _specs(persona):
    """Three records: two of the Kazakh laboratory, one of the Kyrgyz one."""
    return [
        case_spec(persona, reference="KZ-BULK-0001"),
        case_spec(persona, reference="KZ-BULK-0002"),
        case_spec(persona, "kg_lab_chemist", "kg_lab_head", reference="KG-BULK-0001"),
    ]


def test_a_user_records_in_bulk_only_for_their_own_organisation(persona):
    chemist = persona("kz_lab_chemist")
    specs = _specs(persona)
    foreign = [spec for spec in specs if spec.owner.pk != chemist.organisation_id]
    assert foreign  # the set spans laboratories

    with pytest.raises(PermissionDenied, match=foreign[0].reference):
        record_cases_in_bulk(chemist, foreign)
    assert not Case.objects.filter(is_demo=True).exists()


@pytest.mark.parametrize(
    ("role", "name", "message"),
    [
        ("reviewer", "kg_lab_head", "kg_lab_head is not staff of demo-kz-forensic-centre."),
        ("examiner", "kz_police_analyst", "kz_police_analyst is not staff of demo-kz-forensic-centre."),
        ("reviewer", "kz_lab_viewer", "kz_lab_viewer does not hold the role this needs."),
    ],
)
def test_the_examiner_and_the_reviewer_are_staff_of_the_owner_with_their_roles(persona, role, name, message):
    specs = _specs(persona)
    setattr(specs[0], role, persona(name))

    with pytest.raises(BulkRefused) as refused:
        record_cases_in_bulk(system("setup"), specs)

    assert (1, role, message) in [(p.row, p.field, p.message) for p in refused.value.problems]
    assert {p.row for p in refused.value.problems} == {1}
    assert not Case.objects.filter(is_demo=True).exists()


def test_every_problem_of_every_row_is_named_and_nothing_is_written(persona):
    # Given three rows, two of them wrong in several places
    specs = _specs(persona)
    specs[0].seizure_date = datetime.date(2099, 1, 1)
    exhibit = specs[0].exhibits[0]
    exhibit.net_mass_g = Decimal("20")  # above the gross mass of 12.5 g
    exhibit.findings[0].purity_percent = Decimal("120")
    specs[2].reviewer = specs[2].examiner

    # When they are recorded in bulk
    with pytest.raises(BulkRefused) as refused:
        record_cases_in_bulk(system("setup"), specs)

    # Then each problem names its row, field and value, and no row is written
    assert {(p.row, p.field, p.value) for p in refused.value.problems} >= {
        (1, "seizure_date", "2099-01-01"),
        (1, "exhibits[1].net_mass_g", "20"),
        (1, "exhibits[1].received_date", "2025-03-17"),
        (1, "exhibits[1].findings[1].purity_percent", "120"),
        (3, "reviewer", str(specs[2].examiner)),
    }
    assert {p.row for p in refused.value.problems} == {1, 3}
    assert not Case.objects.filter(is_demo=True).exists()
    assert not OutboxEvent.objects.filter(code="examinations.cases.imported").exists()


def test_told_to_keep_the_valid_rows_it_writes_them_and_reports_the_others(persona):
    specs = _specs(persona)
    specs[1].exhibits[0].findings[0].purity_percent = None  # quantitative without its content

    report = record_cases_in_bulk(system("setup"), specs, keep_valid=True)

    assert report.written == 2 and report.refused_rows == [2]
    assert [(p.field, p.message) for p in report.refused] == [
        ("exhibits[1].findings", "The quantitative finding Methamphetamine hydrochloride has no content."),
        ("exhibits[1].findings[1].purity_percent", "A quantitative finding needs its content."),
    ]
    assert set(Case.objects.values_list("reference", flat=True)) == {"KZ-BULK-0001", "KG-BULK-0001"}


def test_a_case_number_given_twice_or_already_recorded_is_refused(persona):
    record_cases_in_bulk(system("setup"), [case_spec(persona, reference="KZ-BULK-0001")])
    again = [case_spec(persona, reference="KZ-BULK-0001"), case_spec(persona, reference="KZ-BULK-0009")]
    again.append(case_spec(persona, reference="KZ-BULK-0009"))

    problems = check(again)

    assert [(p.row, p.field, p.message) for p in problems] == [
        (1, "reference", "This laboratory has already recorded a case with this number."),
        (3, "reference", "The same case number as row 2."),
    ]


def test_problems_are_in_the_users_language(persona):
    spec = case_spec(persona, reference="KZ-BULK-0001", seizure_date=datetime.date(2099, 1, 1))

    with translation.override("ru"):
        problem = next(p for p in check([spec]) if p.field == "seizure_date")
        text = str(problem)

    assert problem.message == "Дата изъятия не может быть в будущем."
    assert text.startswith("строка 1 (KZ-BULK-0001), seizure_date = 2099-01-01: ")


def test_the_actions_and_the_bulk_write_refuse_with_the_same_words(persona):
    from django.core.exceptions import ValidationError

    from fdx.examinations.tests.builders import add_exhibit, open_case

    chemist = persona("kz_lab_chemist")
    with pytest.raises(ValidationError) as by_action:
        add_exhibit(chemist, open_case(chemist), gross_mass_g=Decimal("1"), net_mass_g=Decimal("2"))
    spec = case_spec(persona, reference="KZ-BULK-0001")
    spec.exhibits[0].gross_mass_g, spec.exhibits[0].net_mass_g = Decimal("1"), Decimal("2")

    in_bulk = check([spec])

    assert by_action.value.message_dict["net_mass_g"] == [p.message for p in in_bulk]


def test_good_records_are_written_and_one_event_tells_the_apps_above(persona):
    report = record_cases_in_bulk(system("setup"), _specs(persona))

    assert report.written == 3 and report.refused == []
    assert Case.objects.filter(is_demo=True).count() == 3
    event = OutboxEvent.objects.get(code="examinations.cases.imported")
    assert sorted(event.payload["cases"]) == sorted(str(c.global_id) for c in Case.objects.all())


def test_two_exhibits_of_a_row_with_one_label_are_refused_with_the_actions_words(persona):
    import copy

    from django.core.exceptions import ValidationError

    from fdx.examinations.tests.builders import add_exhibit, open_case

    spec = case_spec(persona, reference="KZ-BULK-0001")
    spec.exhibits.append(copy.deepcopy(spec.exhibits[0]))
    chemist = persona("kz_lab_chemist")
    case = open_case(chemist)
    add_exhibit(chemist, case, label="1")
    with pytest.raises(ValidationError) as by_action:
        add_exhibit(chemist, case, label="1")

    problems = check([spec, case_spec(persona, reference="KZ-BULK-0002")])

    assert [(p.row, p.field, p.value) for p in problems] == [(1, "exhibits[2].label", "1")]
    assert by_action.value.message_dict["label"] == [problems[0].message]
    report = record_cases_in_bulk(
        system("setup"), [spec, case_spec(persona, reference="KZ-BULK-0002")], keep_valid=True
    )
    assert report.written == 1 and report.refused_rows == [1]
