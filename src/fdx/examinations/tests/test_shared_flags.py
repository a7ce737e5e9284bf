"""``Case.has_shared_result``: the stored flag the visibility rule reads instead of the examinations.

The flag must always equal "the case has an examination (not a tombstone) that is approved, superseded or
retracted", whatever the actions did; and the rule written on it must show every reader exactly the rows the
earlier rule (a subquery over the examinations) showed. The earlier rule is kept here as the oracle.
"""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Q
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fdx.accounts.models import SharingGroup
from fdx.accounts.sharing import shared_with
from fdx.examinations import actions
from fdx.examinations.bulk import ExhibitSpec, load_cases_in_batches, record_cases_in_bulk
from fdx.examinations.models import Attachment, Case, Examination, Exhibit, Finding
from fdx.examinations.querysets import SHARED_STATUSES, can_view_case_data
from fdx.examinations.tests.builders import (
    add_exhibit,
    add_meth_finding,
    case_spec,
    draft_examination,
    open_case,
)

pytestmark = pytest.mark.django_db

LEVELS = ["organisation", "national", "sharing_group", "regional", "international"]
HISTORIES = [
    "no_examination",
    "draft",
    "submitted",
    "returned",
    "approved",
    "approved_and_revising",
    "superseded",
    "retracted",
    "discarded",
]
OWNERS = [("kz_lab_chemist", "kz_lab_head"), ("kg_lab_chemist", "kg_lab_head")]
#: A reader of every kind of organisation: the owning laboratory (two roles), the same state's police, a
#: neighbour's laboratory in a sharing group, a neighbour's police and court, the regional centre hosted in
#: Kazakhstan, an international office, and roles that do not read case data.
READERS = [
    "kz_lab_chemist",
    "kz_lab_viewer",
    "kz_police_analyst",
    "kg_lab_chemist",
    "kg_lab_head",
    "uz_police_analyst",
    "kg_court_viewer",
    "rc_analyst",
    "intl_analyst",
    "kz_lab_admin",
    "hub_admin",
]


def flag_is_right(case) -> bool:
    shared = Examination.objects.filter(exhibit__case=case, status__in=SHARED_STATUSES).exists()
    return Case.objects.values_list("has_shared_result", flat=True).get(pk=case.pk) == shared


# The earlier rule, verbatim: a case is shared once an examination of it has a shared status.


def earlier_case_visibility(user, prefix=""):
    organisation = user.organisation
    own = Q(**{f"{prefix}owner_organisation_id": organisation.pk})
    has_shared_result = Q(
        **{
            f"{prefix}pk__in": Examination.objects.filter(status__in=SHARED_STATUSES).values(
                "exhibit__case_id"
            )
        }
    )
    return own | (shared_with(organisation, prefix) & has_shared_result)


def earlier_visible(model, user):
    if not can_view_case_data(user):
        return model.objects.none()
    org = user.organisation_id
    if model is Case:
        return Case.objects.filter(earlier_case_visibility(user))
    if model is Exhibit:
        return Exhibit.objects.filter(earlier_case_visibility(user, "case__"))
    if model is Examination:
        return Examination.objects.filter(earlier_case_visibility(user, "exhibit__case__")).filter(
            Q(exhibit__case__owner_organisation_id=org) | Q(status__in=SHARED_STATUSES)
        )
    if model is Finding:
        return Finding.objects.filter(earlier_case_visibility(user, "examination__exhibit__case__")).filter(
            Q(examination__exhibit__case__owner_organisation_id=org)
            | Q(examination__status__in=SHARED_STATUSES)
        )
    shared_file = Q(examination__isnull=True) | Q(examination__status__in=SHARED_STATUSES)
    return Attachment.objects.filter(earlier_case_visibility(user, "case__")).filter(
        Q(case__owner_organisation_id=org) | shared_file
    )


def build(persona, owner, reviewer, number, level, history, group):
    """A case of ``owner``'s laboratory at ``level`` whose examinations went through ``history``, with a
    file on the case and one on its latest examination."""
    chemist, head = persona(owner), persona(reviewer)
    extra = {"sharing_group": group} if level == "sharing_group" else {}
    country = chemist.organisation.country
    case = open_case(
        chemist,
        reference=f"{country.code}-{number:03d}",
        seizure_country=country,
        seizure_region=None,
        distribution_level=level,
        **extra,
    )
    actions.attach_file(chemist, case, SimpleUploadedFile("request.pdf", b"%PDF-1.7 request"), kind="report")
    exhibit = add_exhibit(chemist, case)
    if history == "no_examination":
        return case
    examination = draft_examination(chemist, exhibit)
    add_meth_finding(chemist, examination)
    if history == "discarded":
        actions.discard_examination(chemist, examination)
        return case
    if history != "draft":
        actions.submit_examination(chemist, examination)
    if history == "returned":
        actions.return_examination(head, examination, reason="check the purity")
    if history not in {"draft", "submitted", "returned"}:
        actions.approve_examination(head, examination)
    if history in {"approved_and_revising", "superseded"}:
        examination = actions.revise_examination(chemist, examination, reason="new spectrum")
    if history == "superseded":
        actions.submit_examination(chemist, examination)
        actions.approve_examination(head, examination)
    if history == "retracted":
        actions.retract_examination(head, examination, reason="wrong sample")
    examination.refresh_from_db()
    reason = "" if examination.status == "draft" else "signed report"
    upload = SimpleUploadedFile("report.pdf", b"%PDF-1.7 report")
    actions.attach_file(chemist, case, upload, kind="report", examination=examination, reason=reason)
    return case


def test_the_rule_on_the_flag_shows_every_reader_exactly_what_the_earlier_rule_showed(persona):
    group = SharingGroup.objects.create(code="kz-kg", name_en="KZ–KG", name_ru="КЗ–КГ")
    group.organisations.set([persona("kz_lab_chemist").organisation, persona("kg_lab_chemist").organisation])
    cases = [
        build(persona, owner, reviewer, number, level, history, group)
        for number, (level, history, (owner, reviewer)) in enumerate(
            (level, history, owner) for level in LEVELS for history in HISTORIES for owner in OWNERS
        )
    ]

    assert all(flag_is_right(case) for case in cases)
    assert Case.objects.filter(has_shared_result=True).count() == len(LEVELS) * len(OWNERS) * 4
    for model in (Case, Exhibit, Examination, Finding, Attachment):
        for name in READERS:
            reader = persona(name)
            now = set(model.objects.restrict(reader, "view").values_list("pk", flat=True))
            before = set(earlier_visible(model, reader).values_list("pk", flat=True))
            assert (model.__name__, name, now) == (model.__name__, name, before)
    # The table is not trivial: each laboratory sees its 45 cases and the other's shared ones (3 levels × 4
    # histories with an approval), the police and court their state's national ones too, the regional
    # centre and the international office no national ones.
    seen = {name: Case.objects.restrict(persona(name), "view").count() for name in READERS}
    assert seen == {
        "kz_lab_chemist": 57,
        "kz_lab_viewer": 57,
        "kz_police_analyst": 20,
        "kg_lab_chemist": 57,
        "kg_lab_head": 57,
        "uz_police_analyst": 16,
        "kg_court_viewer": 20,
        "rc_analyst": 16,
        "intl_analyst": 8,
        "kz_lab_admin": 0,
        "hub_admin": 0,
    }


STEPS = st.lists(
    st.tuples(
        st.sampled_from(["start", "submit", "return", "approve", "revise", "retract", "discard"]),
        st.integers(min_value=0, max_value=3),
    ),
    max_size=12,
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=STEPS)
def test_any_sequence_of_transitions_keeps_the_flag_right(persona, steps):
    chemist, head = persona("kz_lab_chemist"), persona("kz_lab_head")
    with transaction.atomic():
        case = open_case(chemist, distribution_level="regional")
        exhibits = [add_exhibit(chemist, case, label=label) for label in ("1", "2")]
        for step, which in steps:
            examinations = list(Examination.objects.filter(exhibit__case=case).order_by("pk"))
            try:
                if step == "start":
                    add_meth_finding(chemist, draft_examination(chemist, exhibits[which % 2]))
                elif examinations:
                    _apply(step, examinations[which % len(examinations)], chemist, head)
            except (ValidationError, PermissionDenied):
                pass  # a transition the workflow refuses changes nothing
            assert flag_is_right(case), (step, which)
        transaction.set_rollback(True)


def _apply(step, examination, chemist, head):
    if step == "submit":
        actions.submit_examination(chemist, examination)
    elif step == "return":
        actions.return_examination(head, examination, reason="check the purity")
    elif step == "approve":
        actions.approve_examination(head, examination)
    elif step == "revise":
        actions.revise_examination(chemist, examination, reason="new spectrum")
    elif step == "retract":
        actions.retract_examination(head, examination, reason="wrong sample")
    else:
        actions.discard_examination(chemist, examination)


def test_the_flag_changes_neither_the_version_nor_the_time_of_the_case(persona):
    chemist, head = persona("kz_lab_chemist"), persona("kz_lab_head")
    case = open_case(chemist, distribution_level="regional")
    examination = draft_examination(chemist, add_exhibit(chemist, case))
    add_meth_finding(chemist, examination)
    actions.submit_examination(chemist, examination)
    case.refresh_from_db()
    version, updated_at = case.record_version, case.updated_at

    actions.approve_examination(head, examination)

    case.refresh_from_db()
    assert (case.has_shared_result, case.record_version, case.updated_at) == (True, version, updated_at)


def test_bulk_writes_set_the_flag_per_case(persona):
    specs = [
        case_spec(persona, reference=f"KZ-BULK-{status}", exhibits=[_exhibit(persona, status)])
        for status in ("approved", "submitted", "draft")
    ]
    specs[0].exhibits.append(_exhibit(persona, "draft", label="2"))

    record_cases_in_bulk(persona("kz_lab_chemist"), specs[:2])
    load_cases_in_batches(persona("kz_lab_chemist"), specs[2:], batch_size=1)

    flags = dict(Case.objects.values_list("reference", "has_shared_result"))
    assert flags == {"KZ-BULK-approved": True, "KZ-BULK-submitted": False, "KZ-BULK-draft": False}


def _exhibit(persona, status, label="1") -> ExhibitSpec:
    exhibit = case_spec(persona).exhibits[0]
    exhibit.label, exhibit.status = label, status
    return exhibit
