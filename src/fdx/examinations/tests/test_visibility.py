"""Who sees what, as a table: every distribution level against readers at every distance from the owner.

Owner: the Kazakh forensic centre (kz_lab_chemist). Another organisation sees a case only when its level
reaches it *and* the case has an approved examination; drafts never leave the owning laboratory.
"""

import pytest

from fdx.accounts.models import Organisation, SharingGroup
from fdx.examinations import actions, selectors
from fdx.examinations.models import Attachment, Case, Examination, Exhibit, Finding
from fdx.examinations.tests.builders import (
    add_exhibit,
    add_meth_finding,
    approved_case,
    draft_examination,
    open_case,
)

pytestmark = pytest.mark.django_db

READERS = [
    "kz_lab_chemist",
    "kz_lab_viewer",
    "kz_police_analyst",
    "kg_lab_chemist",
    "uz_police_analyst",
    "kg_court_viewer",
    "rc_analyst",
    "intl_analyst",
    "kz_lab_admin",
    "hub_admin",
]

EXPECTED = {
    "organisation": {"kz_lab_chemist", "kz_lab_viewer"},
    "national": {"kz_lab_chemist", "kz_lab_viewer", "kz_police_analyst"},
    "sharing_group": {"kz_lab_chemist", "kz_lab_viewer", "kg_lab_chemist"},
    "regional": {
        "kz_lab_chemist",
        "kz_lab_viewer",
        "kz_police_analyst",
        "kg_lab_chemist",
        "uz_police_analyst",
        "kg_court_viewer",
        "rc_analyst",
    },
    "international": {
        "kz_lab_chemist",
        "kz_lab_viewer",
        "kz_police_analyst",
        "kg_lab_chemist",
        "uz_police_analyst",
        "kg_court_viewer",
        "rc_analyst",
        "intl_analyst",
    },
}


def sharing_group(persona):
    group = SharingGroup.objects.create(
        code="kz-kg-labs", name_en="KZ–KG laboratories", name_ru="Лаборатории КЗ–КГ"
    )
    group.organisations.set([persona("kz_lab_chemist").organisation, persona("kg_lab_chemist").organisation])
    return group


def who_sees(persona, model, pk):
    return {name for name in READERS if model.objects.restrict(persona(name), "view").filter(pk=pk).exists()}


@pytest.mark.parametrize("level", list(EXPECTED))
def test_each_distribution_level_reaches_exactly_its_readers(persona, level):
    extra = {"sharing_group": sharing_group(persona)} if level == "sharing_group" else {}
    case, exhibit, examination = approved_case(persona, distribution_level=level, **extra)
    finding = examination.findings.get()

    assert who_sees(persona, Case, case.pk) == EXPECTED[level]
    assert who_sees(persona, Exhibit, exhibit.pk) == EXPECTED[level]
    assert who_sees(persona, Examination, examination.pk) == EXPECTED[level]
    assert who_sees(persona, Finding, finding.pk) == EXPECTED[level]


def test_a_case_without_an_approved_examination_stays_in_the_laboratory(persona):
    chemist = persona("kz_lab_chemist")
    case = open_case(chemist, distribution_level="international")
    examination = draft_examination(chemist, add_exhibit(chemist, case))
    add_meth_finding(chemist, examination)
    actions.submit_examination(chemist, examination)

    assert who_sees(persona, Case, case.pk) == {"kz_lab_chemist", "kz_lab_viewer"}


def test_drafts_inside_a_shared_case_are_not_shared(persona):
    case, _exhibit, approved = approved_case(persona, distribution_level="international")
    revision = actions.revise_examination(persona("kz_lab_chemist"), approved, reason="recalculation")

    assert who_sees(persona, Examination, revision.pk) == {"kz_lab_chemist", "kz_lab_viewer"}
    assert who_sees(persona, Examination, approved.pk) == EXPECTED["international"]
    outsider_view = selectors.get_case(persona("uz_police_analyst"), case.global_id)
    shown = [e.pk for x in outsider_view.exhibits.all() for e in x.examinations.all()]
    assert shown == [approved.pk]


def test_an_inactive_sharing_group_shares_nothing(persona):
    group = sharing_group(persona)
    case, _exhibit, _examination = approved_case(
        persona, distribution_level="sharing_group", sharing_group=group
    )
    group.is_active = False
    group.save()

    assert "kg_lab_chemist" not in who_sees(persona, Case, case.pk)


def test_attachments_of_drafts_stay_home(persona):
    from django.core.files.uploadedfile import SimpleUploadedFile

    chemist = persona("kz_lab_chemist")
    case, _exhibit, approved = approved_case(persona, distribution_level="international")
    revision = actions.revise_examination(chemist, approved, reason="new spectrum")
    shared = actions.attach_file(
        chemist,
        case,
        SimpleUploadedFile("report.pdf", b"%PDF-1.7 report"),
        kind="report",
        examination=approved,
        reason="signed report",
    )
    private = actions.attach_file(
        chemist,
        case,
        SimpleUploadedFile("new.msp", b"Name: x\nNum Peaks: 1\n58 999\n"),
        kind="spectrum",
        examination=revision,
    )

    assert "uz_police_analyst" in who_sees(persona, Attachment, shared.pk)
    assert who_sees(persona, Attachment, private.pk) == {"kz_lab_chemist", "kz_lab_viewer"}


def test_nobody_else_changes_a_shared_case(persona):
    case, _exhibit, _examination = approved_case(persona, distribution_level="international")

    for name in READERS:
        allowed = Case.objects.restrict(persona(name), "change").filter(pk=case.pk).exists()
        assert allowed == (name == "kz_lab_chemist"), name


def test_list_filters(persona):
    case, _exhibit, _examination = approved_case(persona, distribution_level="regional")
    reader = persona("uz_police_analyst")
    meth = case.exhibits.get().examinations.get().findings.get().substance

    def found(**filters):
        return list(
            selectors.list_cases(reader, selectors.CaseFilters(**filters)).values_list("pk", flat=True)
        )

    assert found(country="kz") == [case.pk]
    assert found(country="UZ") == []
    assert found(substance=str(meth.parent.global_id)) == [case.pk]
    assert found(substance_class="amphetamines") == [case.pk]
    assert found(substance_class="cathinones") == []
    assert found(form="crystal", status="approved", text="KZ-2025") == [case.pk]


def test_organisation_of_a_persona_exists_for_every_reader(persona):
    for name in READERS:
        assert Organisation.objects.filter(pk=persona(name).organisation_id).exists()


def test_a_case_shared_with_a_big_group_is_listed_once(persona):
    for name in READERS:
        persona(name)
    group = sharing_group(persona)
    group.organisations.add(*Organisation.objects.exclude(pk__in=group.organisations.all()))
    case, _exhibit, _examination = approved_case(
        persona, distribution_level="sharing_group", sharing_group=group
    )

    assert Case.objects.restrict(persona("uz_police_analyst"), "view").filter(pk=case.pk).count() == 1
    assert selectors.list_cases(persona("uz_police_analyst")).filter(pk=case.pk).count() == 1
