"""Recording complete cases in bulk: the same rules as the per-record actions, and the same authority."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fdx.core.actors import system
from fdx.examinations.bulk import record_cases_in_bulk
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
    assert foreign  # the generated set spans laboratories

    with pytest.raises(PermissionDenied, match=foreign[0].reference):
        record_cases_in_bulk(chemist, foreign)
    assert not Case.objects.filter(is_demo=True).exists()


@pytest.mark.parametrize(("role", "name"), [("reviewer", "kg_lab_head"), ("examiner", "kz_police_analyst")])
def test_the_examiner_and_the_reviewer_are_staff_of_the_owner_with_their_permissions(persona, role, name):
    specs = _specs(persona)
    person = persona(name)
    setattr(specs[0], role, person)

    with pytest.raises(ValidationError) as refused:
        record_cases_in_bulk(system("setup"), specs)

    problems = " ".join(message for messages in refused.value.message_dict.values() for message in messages)
    if person.organisation_id == specs[0].owner.pk:
        assert f"the {role} {name} may not" in problems
    else:
        assert f"the {role} {name} is not staff of" in problems
    assert not Case.objects.filter(is_demo=True).exists()


def test_good_records_are_written(persona):
    assert record_cases_in_bulk(system("setup"), _specs(persona)) == 3
    assert Case.objects.filter(is_demo=True).count() == 3
