"""``case_index``: the rows and columns the case list's filters read instead of the case's contents.

Whatever the actions, the bulk writers or the migration did, the stored rows must equal what the records
say (``refresh`` finds nothing to change), and the filters written on them must show every reader exactly
the cases the earlier filters (subqueries over findings, examinations and exhibits) showed. The earlier
filters are kept here as the oracle.
"""

import contextlib
import importlib

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from fdx.accounts.models import SharingGroup
from fdx.cli import app
from fdx.examinations import actions, case_index
from fdx.examinations.bulk import load_cases_in_batches, record_cases_in_bulk
from fdx.examinations.models import Case, CaseStatus, CaseSubstance, Examination, Exhibit, Finding
from fdx.examinations.querysets import SHARED_STATUSES
from fdx.examinations.selectors import CaseFilters, list_cases
from fdx.examinations.tests.builders import add_exhibit, case_spec, draft_examination, open_case
from fdx.examinations.tests.test_shared_flags import HISTORIES, LEVELS, OWNERS, READERS, _apply, build
from fdx.substances.models import Substance

pytestmark = pytest.mark.django_db

SUBSTANCES = ["methamphetamine-hydrochloride", "mephedrone", "heroin", "cocaine", "caffeine"]
CLASSES = ["amphetamines", "cathinones", "opioids", "cocaine", "no-such-class"]
STATUSES = ["draft", "submitted", "approved", "superseded", "retracted"]
TEXTS = ["tesla", "KZ-0", "blue", "Almaty", "нет"]


def earlier_filter(viewer, filters: CaseFilters):
    """The case list's filters as they were: subqueries over the records themselves."""
    own = viewer.organisation_id
    queryset = Case.objects.restrict(viewer, "view")
    visible_findings = Finding.objects.filter(
        Q(examination__status__in=SHARED_STATUSES) | Q(examination__exhibit__case__owner_organisation_id=own)
    )
    visible_examinations = Examination.objects.filter(
        Q(status__in=SHARED_STATUSES) | Q(exhibit__case__owner_organisation_id=own)
    )
    if filters.substance:
        queryset = queryset.filter(
            pk__in=visible_findings.filter(
                Q(substance__global_id=filters.substance) | Q(substance__parent__global_id=filters.substance)
            ).values("examination__exhibit__case_id")
        )
    if filters.substance_class:
        queryset = queryset.filter(
            pk__in=visible_findings.filter(substance__classes__code=filters.substance_class).values(
                "examination__exhibit__case_id"
            )
        )
    if filters.status:
        queryset = queryset.filter(
            pk__in=visible_examinations.filter(status=filters.status).values("exhibit__case_id")
        )
    if filters.text:
        text = filters.text
        queryset = queryset.filter(
            Q(reference__icontains=text)
            | Q(agency_case_number__icontains=text)
            | Q(locality__icontains=text)
            | Q(description__icontains=text)
            | Q(
                pk__in=Exhibit.objects.filter(Q(logo__icontains=text) | Q(colour__icontains=text)).values(
                    "case_id"
                )
            )
        )
    return queryset


def index_is_right() -> bool:
    """Nothing to change: the stored rows are what the records say."""
    with transaction.atomic():
        changed = case_index.refresh(Case._base_manager.values_list("pk", flat=True))
        transaction.set_rollback(True)
    return changed == 0


def _vary(persona, case, number):
    """More than one substance, an exhibit with words, a draft beside the approved work: so that the
    filters have something to tell apart."""
    chemist = persona("kz_lab_chemist" if case.reference.startswith("KZ") else "kg_lab_chemist")
    if number % 3 == 0:
        add_exhibit(chemist, case, label="9", logo="Tesla", colour="blue")
    if number % 4 == 1:
        examination = draft_examination(chemist, add_exhibit(chemist, case, label="8"))
        substance = Substance.objects.get(key=SUBSTANCES[number % len(SUBSTANCES)])
        actions.add_finding(chemist, examination, substance=substance, result_type="qualitative", role="main")
    if number % 5 == 2:
        actions.update_case(chemist, case, locality="Almaty", reason="corrected")


def test_the_filters_on_the_index_show_every_reader_what_the_earlier_filters_showed(persona):
    group = SharingGroup.objects.create(code="kz-kg", name_en="KZ–KG", name_ru="КЗ–КГ")
    group.organisations.set([persona("kz_lab_chemist").organisation, persona("kg_lab_chemist").organisation])
    cases = [
        build(persona, owner, reviewer, number, level, history, group)
        for number, (level, history, (owner, reviewer)) in enumerate(
            (level, history, owner) for level in LEVELS for history in HISTORIES for owner in OWNERS
        )
    ]
    for number, case in enumerate(cases):
        _vary(persona, case, number)
    assert index_is_right()

    meth = Substance.objects.get(key="methamphetamine-hydrochloride")
    filters = (
        [CaseFilters(substance=str(Substance.objects.get(key=key).global_id)) for key in SUBSTANCES]
        + [CaseFilters(substance=str(meth.parent.global_id))]
        + [CaseFilters(substance_class=code) for code in CLASSES]
        + [CaseFilters(status=status) for status in STATUSES]
        + [CaseFilters(text=text) for text in TEXTS]
        + [CaseFilters(substance_class="amphetamines", status="draft", text="KZ")]
    )
    matched = 0
    for name in READERS:
        reader = persona(name)
        for case_filters in filters:
            now = set(list_cases(reader, case_filters).values_list("pk", flat=True))
            before = set(earlier_filter(reader, case_filters).values_list("pk", flat=True))
            assert (name, case_filters, now) == (name, case_filters, before)
            matched += len(now)
    # Not trivially equal: the filters match cases, and a filter does not match everything.
    assert matched > 500
    chemist = persona("kg_lab_chemist")
    assert 0 < list_cases(chemist, CaseFilters(status="draft")).count() < list_cases(chemist).count()


STEPS = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "exhibit",
                "exhibit_words",
                "remove_exhibit",
                "start",
                "finding",
                "change_substance",
                "remove_finding",
                "submit",
                "approve",
                "revise",
                "retract",
                "discard",
                "case_words",
            ]
        ),
        st.integers(min_value=0, max_value=4),
    ),
    max_size=14,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=STEPS)
def test_any_sequence_of_actions_keeps_the_index_right(persona, steps):
    chemist, head = persona("kz_lab_chemist"), persona("kz_lab_head")
    with transaction.atomic():
        # A start where every step has something to act on: an exhibit with a draft and its finding.
        case = open_case(chemist, distribution_level="regional")
        examination = draft_examination(chemist, add_exhibit(chemist, case, label="E0"))
        actions.add_finding(
            chemist,
            examination,
            substance=Substance.objects.get(key="cocaine"),
            result_type="qualitative",
            role="main",
        )
        for step, which in steps:
            with contextlib.suppress(ValidationError, PermissionDenied):  # a refusal changes nothing
                _act(step, which, case, chemist, head)
            assert index_is_right(), (step, which)
        transaction.set_rollback(True)


def _act(step, which, case, chemist, head):
    exhibits = list(Exhibit.objects.filter(case=case).order_by("pk"))
    examinations = list(Examination.objects.filter(exhibit__case=case).order_by("pk"))
    findings = list(Finding.objects.filter(examination__exhibit__case=case).order_by("pk"))
    substance = Substance.objects.get(key=SUBSTANCES[which])
    if step == "exhibit":
        add_exhibit(chemist, case, label=f"E{len(exhibits) + 1}", logo=["", "Tesla", "Rolex"][which % 3])
    elif step == "case_words":
        actions.update_case(chemist, case, locality=TEXTS[which], reason="corrected")
    elif step == "start":
        if exhibits:
            draft_examination(chemist, exhibits[which % len(exhibits)])
    elif exhibits and step in {"exhibit_words", "remove_exhibit"}:
        exhibit = exhibits[which % len(exhibits)]
        if step == "exhibit_words":
            actions.update_exhibit(
                chemist, exhibit, colour=["red", "blue", ""][which % 3], reason="seen again"
            )
        else:
            actions.remove_exhibit(chemist, exhibit)
    elif examinations and step == "finding":
        examination = examinations[which % len(examinations)]
        actions.add_finding(chemist, examination, substance=substance, result_type="qualitative", role="main")
    elif findings and step in {"change_substance", "remove_finding"}:
        finding = findings[which % len(findings)]
        if step == "change_substance":
            actions.update_finding(chemist, finding, substance=substance)
        else:
            actions.remove_finding(chemist, finding)
    elif examinations:
        _apply(step, examinations[which % len(examinations)], chemist, head)


def test_the_index_changes_neither_the_version_nor_the_time_of_the_case(persona):
    chemist = persona("kz_lab_chemist")
    case = open_case(chemist)
    case.refresh_from_db()
    version, updated_at = case.record_version, case.updated_at

    examination = draft_examination(chemist, add_exhibit(chemist, case, logo="Tesla"))
    actions.add_finding(
        chemist,
        examination,
        substance=Substance.objects.get(key="heroin"),
        result_type="qualitative",
        role="main",
    )

    case.refresh_from_db()
    assert "Tesla" in case.search_text
    assert (case.record_version, case.updated_at) == (version, updated_at)
    assert CaseSubstance.objects.filter(case=case, shared=False).count() == 1
    assert list(CaseStatus.objects.filter(case=case).values_list("status", flat=True)) == ["draft"]


def test_bulk_writes_write_the_index_with_the_records(persona):
    specs = [case_spec(persona, reference=f"KZ-BULK-{n}") for n in range(4)]
    specs[1].exhibits[0].status = "draft"
    specs[2].exhibits[0].logo = "Tesla"

    record_cases_in_bulk(persona("kz_lab_chemist"), specs[:2])
    load_cases_in_batches(persona("kz_lab_chemist"), specs[2:], batch_size=1)

    assert index_is_right()
    assert CaseSubstance.objects.count() == 4
    assert set(CaseStatus.objects.values_list("status", flat=True)) == {specs[0].exhibits[0].status, "draft"}
    assert Case.objects.get(reference="KZ-BULK-2").search_text.endswith("Tesla")


def test_the_migration_fills_what_the_actions_keep(persona):
    group = SharingGroup.objects.create(code="kz-kg", name_en="KZ–KG", name_ru="КЗ–КГ")
    for number, history in enumerate(HISTORIES):
        case = build(persona, "kz_lab_chemist", "kz_lab_head", number, "regional", history, group)
        _vary(persona, case, number)
    CaseSubstance.objects.all().delete()
    CaseStatus.objects.all().delete()
    Case._base_manager.update(search_text="")
    assert not index_is_right()

    migration = importlib.import_module("fdx.examinations.migrations.0007_case_index")
    migration.fill_case_index(django_apps, None)

    assert index_is_right()


def test_reindex_reports_and_mends_what_differs(persona):
    chemist = persona("kz_lab_chemist")
    examination = draft_examination(chemist, add_exhibit(chemist, open_case(chemist)))
    actions.add_finding(
        chemist,
        examination,
        substance=Substance.objects.get(key="heroin"),
        result_type="qualitative",
        role="main",
    )
    runner = CliRunner()
    assert runner.invoke(app, ["cases", "reindex", "--check"]).exit_code == 0

    CaseSubstance.objects.all().delete()
    checked = runner.invoke(app, ["cases", "reindex", "--check"])
    assert checked.exit_code == 1, checked.output
    assert "1 derived row(s) or column(s) differed" in checked.output
    assert not CaseSubstance.objects.exists()  # --check wrote nothing

    assert runner.invoke(app, ["cases", "reindex"]).exit_code == 0
    assert index_is_right()
    assert CaseSubstance.objects.count() == 1
