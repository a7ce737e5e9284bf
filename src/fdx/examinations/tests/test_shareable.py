"""The owner marks the personal and free-text fields of a record that may leave the country
(``shareable_fields``): through the actions, the pages and the API, validated, audited, and shown."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fdx.audit.models import AuditEvent
from fdx.examinations import actions
from fdx.examinations.models import Attachment, Case, Examination, Exhibit, Finding
from fdx.examinations.shareable import SHAREABLE_CANDIDATES
from fdx.examinations.tests.builders import (
    add_exhibit,
    add_meth_finding,
    approved_case,
    draft_examination,
    open_case,
)

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 100


def _last_event():
    return AuditEvent.objects.latest("sequence")


# Actions


def test_a_case_opened_with_marked_fields_keeps_them_sorted_once_and_audits_them(persona):
    chemist = persona("kz_lab_chemist")

    case = open_case(chemist, shareable_fields=["locality", "description", "locality"])

    case.refresh_from_db()
    assert case.shareable_fields == ["description", "locality"]
    assert _last_event().after["shareable_fields"] == ["description", "locality"]


def test_marking_a_field_of_a_case_is_a_change_audited_and_raises_the_version(persona):
    chemist = persona("kz_lab_chemist")
    case = open_case(chemist)
    version = case.record_version

    actions.update_case(chemist, case, shareable_fields=["latitude", "longitude"])

    case.refresh_from_db()
    assert case.shareable_fields == ["latitude", "longitude"]
    assert case.record_version == version + 1
    event = _last_event()
    assert event.action == "examinations.case.changed"
    assert event.before == {"shareable_fields": []}
    assert event.after == {"shareable_fields": ["latitude", "longitude"]}


def test_the_same_marking_in_another_order_changes_nothing(persona):
    chemist = persona("kz_lab_chemist")
    case = open_case(chemist, shareable_fields=["locality", "description"])
    version, events = case.record_version, AuditEvent.objects.count()

    actions.update_case(chemist, case, shareable_fields=["locality", "description"])

    case.refresh_from_db()
    assert (case.record_version, AuditEvent.objects.count()) == (version, events)


@pytest.mark.parametrize("name", ["reference", "agency_case_number", "created_by", "no_such_field"])
def test_a_field_that_cannot_leave_is_refused_by_name(persona, name):
    chemist = persona("kz_lab_chemist")
    case = open_case(chemist)

    with pytest.raises(ValidationError) as error:
        actions.update_case(chemist, case, shareable_fields=["locality", name])

    messages = error.value.message_dict["shareable_fields"]
    assert len(messages) == 1 and f"“{name}”" in messages[0] and "locality" in messages[0]
    case.refresh_from_db()
    assert case.shareable_fields == []


@pytest.mark.parametrize("value", ["locality", [1], {"locality": True}])
def test_a_marking_that_is_not_a_list_of_names_is_refused(persona, value):
    chemist = persona("kz_lab_chemist")
    case = open_case(chemist)

    with pytest.raises(ValidationError) as error:
        actions.update_case(chemist, case, shareable_fields=value)

    assert "shareable_fields" in error.value.message_dict


def test_exhibits_examinations_and_findings_are_marked_through_their_actions(persona):
    chemist = persona("kz_lab_chemist")
    case = open_case(chemist)
    exhibit = add_exhibit(chemist, case, packaging="Bag marked 'Ivanov'", shareable_fields=["description"])
    examination = draft_examination(chemist, exhibit, shareable_fields=["conclusion"])
    finding = actions.add_finding(
        chemist,
        examination,
        unidentified_description="white powder, unknown",
        result_type="qualitative",
        role="main",
        shareable_fields=["note"],
    )

    actions.update_exhibit(chemist, exhibit, shareable_fields=["packaging", "description"])
    actions.update_examination(chemist, examination, shareable_fields=[])
    actions.update_finding(chemist, finding, shareable_fields=["unidentified_description", "note"])

    assert Exhibit.objects.get(pk=exhibit.pk).shareable_fields == ["description", "packaging"]
    assert Examination.objects.get(pk=examination.pk).shareable_fields == []
    assert Finding.objects.get(pk=finding.pk).shareable_fields == ["note", "unidentified_description"]
    event = _last_event()
    assert event.action == "examinations.finding.changed"
    assert event.after == {"shareable_fields": ["note", "unidentified_description"]}
    with pytest.raises(ValidationError) as error:
        actions.update_exhibit(chemist, exhibit, shareable_fields=["logo"])
    assert "“logo”" in error.value.message_dict["shareable_fields"][0]


def test_an_approved_examination_keeps_its_marking_and_a_revision_carries_it(persona):
    chemist, head = persona("kz_lab_chemist"), persona("kz_lab_head")
    exhibit = add_exhibit(chemist, open_case(chemist))
    examination = draft_examination(chemist, exhibit, shareable_fields=["conclusion"])
    finding = add_meth_finding(chemist, examination)
    actions.update_finding(chemist, finding, shareable_fields=["note"])
    actions.submit_examination(chemist, examination)
    actions.approve_examination(head, examination)
    examination.refresh_from_db()

    with pytest.raises(ValidationError):
        actions.update_examination(chemist, examination, shareable_fields=[])
    revision = actions.revise_examination(chemist, examination, reason="typo in the conclusion")

    assert Examination.objects.get(pk=examination.pk).shareable_fields == ["conclusion"]
    assert revision.shareable_fields == ["conclusion"]
    assert [f.shareable_fields for f in revision.findings.all()] == [["note"]]


def test_an_attachment_is_marked_when_it_is_attached(persona):
    case, _exhibit, _examination = approved_case(persona)
    chemist = persona("kz_lab_chemist")

    attachment = actions.attach_file(
        chemist,
        case,
        SimpleUploadedFile("photo.png", PNG),
        kind="photograph",
        shareable_fields=["description", "original_name"],
    )
    with pytest.raises(ValidationError) as error:
        actions.attach_file(
            chemist, case, SimpleUploadedFile("b.png", PNG), kind="photograph", shareable_fields=["sha256"]
        )

    assert Attachment.objects.get(pk=attachment.pk).shareable_fields == ["description", "original_name"]
    assert _last_event().after["shareable_fields"] == ["description", "original_name"]
    assert "“sha256”" in error.value.message_dict["shareable_fields"][0]
    assert case.attachments.count() == 1


def test_a_local_case_number_keeps_its_limit_of_60_characters(persona):
    chemist = persona("kz_lab_chemist")

    with pytest.raises(ValidationError) as error:
        open_case(chemist, reference="K" * 61)

    assert "60" in error.value.message_dict["reference"][0]
    assert open_case(chemist, reference="K" * 60).reference == "K" * 60


def test_the_case_number_column_takes_a_received_cases_keyed_hash():
    assert Case._meta.get_field("reference").max_length == 64


SUBSETS = st.sampled_from(sorted(SHAREABLE_CANDIDATES)).flatmap(
    lambda label: st.tuples(st.just(label), st.lists(st.sampled_from(SHAREABLE_CANDIDATES[label])))
)
NOT_CANDIDATES = st.text(min_size=1, max_size=30).filter(
    lambda name: not any(name in names for names in SHAREABLE_CANDIDATES.values())
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    marking=SUBSETS, intruder=st.none() | NOT_CANDIDATES | st.sampled_from(["reference", "label", "sha256"])
)
def test_any_subset_of_candidates_round_trips_and_anything_else_is_refused(persona, marking, intruder):
    label, names = marking
    chemist = persona("kz_lab_chemist")
    with transaction.atomic():
        records = _one_of_each(chemist)
        if intruder is None:
            record = _mark(label, chemist, records, names)
            record.refresh_from_db()
            assert record.shareable_fields == sorted(set(names))
        else:
            with pytest.raises(ValidationError) as error:
                _mark(label, chemist, records, [*names, intruder])
            assert f"“{intruder}”" in " ".join(error.value.message_dict["shareable_fields"])
            for record in records.values():
                record.refresh_from_db()
                assert record.shareable_fields == []
            assert not Attachment.objects.exists()
        transaction.set_rollback(True)


def _one_of_each(chemist) -> dict:
    case = open_case(chemist)
    exhibit = add_exhibit(chemist, case)
    examination = draft_examination(chemist, exhibit)
    finding = add_meth_finding(chemist, examination)
    return {
        "examinations.case": case,
        "examinations.exhibit": exhibit,
        "examinations.examination": examination,
        "examinations.finding": finding,
    }


def _mark(label, chemist, records, names):
    """Mark ``names`` on the record of model ``label`` through its action (a file is marked when attached)."""
    if label == "examinations.attachment":
        upload = SimpleUploadedFile("photo.png", PNG)
        case = records["examinations.case"]
        return actions.attach_file(chemist, case, upload, kind="photograph", shareable_fields=names)
    update = {
        "examinations.case": actions.update_case,
        "examinations.exhibit": actions.update_exhibit,
        "examinations.examination": actions.update_examination,
        "examinations.finding": actions.update_finding,
    }[label]
    return update(chemist, records[label], shareable_fields=names)


# Pages


def test_the_case_form_lists_the_candidates_and_a_marking_round_trips(client, persona):
    chemist = persona("kz_lab_chemist")
    case = open_case(chemist)
    client.force_login(chemist)

    form = client.get(f"/cases/{case.global_id}/edit/").content.decode()
    assert "May leave the country" in form
    assert 'name="shareable_fields" value="locality"' in form
    assert 'name="shareable_fields" value="reference"' not in form
    assert "are removed from the copy that leaves" in form

    response = client.post(
        f"/cases/{case.global_id}/edit/",
        {
            "reference": case.reference,
            "seizure_date": "2025-03-14",
            "seizure_country": "KZ",
            "seizure_region": "KZ-75",
            "locality": "Almaty",
            "seizure_context": "internal",
            "distribution_level": "organisation",
            "shareable_fields": ["locality", "description"],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    case.refresh_from_db()
    assert case.shareable_fields == ["description", "locality"]

    again = client.get(f"/cases/{case.global_id}/edit/").content.decode()
    assert 'value="locality" id="id_shareable_fields_1" checked' in again
    page = client.get(f"/cases/{case.global_id}/").content.decode()
    assert '<dd class="shareable" id="case-shareable">Locality, Description</dd>' in page


def test_a_case_form_refuses_a_field_that_is_not_offered(client, persona):
    chemist = persona("kz_lab_chemist")
    client.force_login(chemist)

    response = client.post(
        "/cases/new/",
        {
            "reference": "KZ-WEB-9",
            "seizure_date": "2025-03-14",
            "seizure_country": "KZ",
            "seizure_context": "internal",
            "distribution_level": "organisation",
            "shareable_fields": ["reference"],
        },
    )

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Case.objects.filter(reference="KZ-WEB-9").exists()


def test_exhibit_examination_and_finding_forms_mark_fields(client, persona):
    chemist = persona("kz_lab_chemist")
    case = open_case(chemist)
    client.force_login(chemist)

    client.post(
        f"/cases/{case.global_id}/exhibits/",
        {"exhibit-label": "1", "exhibit-form": "powder", "exhibit-shareable_fields": ["packaging"]},
    )
    exhibit = case.exhibits.get()
    assert exhibit.shareable_fields == ["packaging"]
    edit = client.get(f"/cases/exhibits/{exhibit.global_id}/edit/").content.decode()
    assert 'value="packaging" id="id_shareable_fields_0" checked' in edit
    client.post(
        f"/cases/exhibits/{exhibit.global_id}/edit/",
        {"label": "1", "form": "powder", "shareable_fields": ["description"]},
    )
    exhibit.refresh_from_db()
    assert exhibit.shareable_fields == ["description"]

    client.post(
        f"/cases/exhibits/{exhibit.global_id}/examinations/",
        {"examination-received_date": "2025-03-17", "examination-shareable_fields": ["conclusion"]},
    )
    examination = Examination.objects.get(exhibit=exhibit)
    assert examination.shareable_fields == ["conclusion"]
    client.post(
        f"/cases/examinations/{examination.global_id}/findings/",
        {
            "unidentified_description": "brown resin",
            "result_type": "qualitative",
            "role": "main",
            "shareable_fields": ["unidentified_description"],
        },
    )
    assert examination.findings.get().shareable_fields == ["unidentified_description"]

    page = client.get(f"/cases/examinations/{examination.global_id}/").content.decode()
    assert '<dd class="shareable" id="examination-shareable">Conclusion</dd>' in page
    assert "May leave the country: Description of an unidentified substance" in page
    assert 'value="conclusion" id="id_examination_shareable_fields_0" checked' in page  # the change form
    assert 'value="note" id="id_shareable_fields_1"' in page  # the finding form, with ids of its own
    case_page = client.get(f"/cases/{case.global_id}/").content.decode()
    assert "May leave the country: Description</p>" in case_page


def test_an_attachment_form_marks_the_file_name(client, persona):
    case, _exhibit, _examination = approved_case(persona)
    client.force_login(persona("kz_lab_chemist"))

    client.post(
        f"/cases/{case.global_id}/attachments/",
        {
            "file": SimpleUploadedFile("photo.png", PNG),
            "kind": "photograph",
            "shareable_fields": ["original_name"],
        },
    )

    assert case.attachments.get().shareable_fields == ["original_name"]
    assert "May leave the country: File name" in client.get(f"/cases/{case.global_id}/").content.decode()


# API


def test_the_api_round_trips_a_marking(api, persona):
    chemist = persona("kz_lab_chemist")
    created = api.post(
        "/cases",
        {
            "reference": "KZ-API-S1",
            "seizure_date": "2025-02-10",
            "seizure_country": "KZ",
            "seizure_context": "border",
            "shareable_fields": ["locality", "description", "locality"],
        },
        user=chemist,
    )
    assert created.status_code == 201, created.json()
    case_id = created.json()["id"]
    assert created.json()["shareable_fields"] == ["description", "locality"]

    changed = api.patch(f"/cases/{case_id}", {"shareable_fields": ["latitude"]}, user=chemist)
    assert changed.status_code == 200, changed.json()
    assert changed.json()["shareable_fields"] == ["latitude"]
    untouched = api.patch(f"/cases/{case_id}", {"locality": "Almaty"}, user=chemist)
    assert untouched.json()["shareable_fields"] == ["latitude"]

    exhibit = api.post(
        f"/cases/{case_id}/exhibits",
        {"label": "1", "form": "powder", "shareable_fields": ["packaging"]},
        user=chemist,
    ).json()
    assert exhibit["shareable_fields"] == ["packaging"]
    examination = api.post(
        f"/exhibits/{exhibit['id']}/examinations",
        {"received_date": "2025-02-11", "shareable_fields": ["conclusion"]},
        user=chemist,
    ).json()
    assert examination["shareable_fields"] == ["conclusion"]
    finding = api.post(
        f"/examinations/{examination['id']}/findings",
        {"unidentified_description": "resin", "result_type": "qualitative", "shareable_fields": ["note"]},
        user=chemist,
    ).json()
    assert finding["shareable_fields"] == ["note"]
    patched = api.patch(f"/findings/{finding['id']}", {"shareable_fields": []}, user=chemist)
    assert patched.json()["shareable_fields"] == []
    read = api.get(f"/cases/{case_id}", user=chemist).json()
    assert read["shareable_fields"] == ["latitude"]
    assert read["exhibits"][0]["examinations"][0]["shareable_fields"] == ["conclusion"]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        (
            "/cases",
            {
                "reference": "X",
                "seizure_date": "2025-02-10",
                "seizure_country": "KZ",
                "seizure_context": "border",
            },
        ),
        ("patch-case", {}),
        ("patch-exhibit", {}),
    ],
)
def test_the_api_refuses_an_unknown_field_with_422_naming_it(api, persona, path, body):
    chemist = persona("kz_lab_chemist")
    case = open_case(chemist)
    exhibit = add_exhibit(chemist, case)
    version = case.record_version

    marking = {"shareable_fields": ["locality", "agency_case_number"]}
    if path == "/cases":
        response = api.post(path, {**body, **marking}, user=chemist)
    elif path == "patch-case":
        response = api.patch(f"/cases/{case.global_id}", marking, user=chemist)
    else:
        response = api.patch(f"/exhibits/{exhibit.global_id}", {"shareable_fields": ["logo"]}, user=chemist)

    assert response.status_code == 422
    fields = response.json()["error"]["fields"]
    assert list(fields) == ["shareable_fields"]
    assert ("agency_case_number" if path != "patch-exhibit" else "logo") in fields["shareable_fields"][0]
    case.refresh_from_db()
    assert (case.shareable_fields, case.record_version) == ([], version)


def test_the_api_refuses_null_for_a_marking(api, persona):
    chemist = persona("kz_lab_chemist")
    case = open_case(chemist)

    response = api.patch(f"/cases/{case.global_id}", {"shareable_fields": None}, user=chemist)

    assert response.status_code == 422
    assert "shareable_fields" in response.json()["error"]["fields"]


def test_an_attachment_is_marked_through_the_api(api, persona, client):
    case, _exhibit, _examination = approved_case(persona)
    chemist = persona("kz_lab_chemist")

    response = client.post(
        f"/api/v1/cases/{case.global_id}/attachments",
        {
            "file": SimpleUploadedFile("photo.png", PNG),
            "kind": "photograph",
            "shareable_fields": ["original_name", "description"],
        },
        HTTP_AUTHORIZATION=f"Bearer {api.token_for(chemist)}",
    )
    refused = client.post(
        f"/api/v1/cases/{case.global_id}/attachments",
        {"file": SimpleUploadedFile("b.png", PNG), "kind": "photograph", "shareable_fields": ["sha256"]},
        HTTP_AUTHORIZATION=f"Bearer {api.token_for(chemist)}",
    )

    assert response.status_code == 201, response.json()
    assert response.json()["shareable_fields"] == ["description", "original_name"]
    assert refused.status_code == 422 and "sha256" in refused.json()["error"]["fields"]["shareable_fields"][0]


def test_the_openapi_document_lists_the_candidates(api, persona):
    document = api.get("/openapi.json", user=persona("kz_lab_chemist")).json()

    items = document["components"]["schemas"]["CaseIn"]["properties"]["shareable_fields"]["items"]
    assert items["enum"] == list(SHAREABLE_CANDIDATES["examinations.case"])
