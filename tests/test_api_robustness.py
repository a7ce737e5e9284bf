"""Inputs a client gets wrong are refused in the one error shape, with the status that says why: never a
500, never a 409 for what is a bad field, never a silent success."""

import json
import uuid

import pytest
from django.test import Client

from fdx.core.api.pagination import MAX_OFFSET
from tests.test_api_errors import assert_error_shape

pytestmark = pytest.mark.django_db

UPLOAD_ROUTES = [
    "/api/v1/spectra/search-file",
    "/api/v1/spectral-libraries/{id}/import",
    "/api/v1/cases/{id}/attachments",
    "/api/v1/legal/jurisdictions/KZ/import",
    "/api/v1/substances/import",
]


@pytest.fixture
def raw(api):
    """A client that answers a crash with its 500 (as a server would) instead of raising it."""

    def send(method, path, body, content_type, user):
        client = Client(raise_request_exception=False)
        return client.generic(
            method,
            path,
            body,
            content_type=content_type,
            HTTP_AUTHORIZATION=f"Bearer {api.token_for(user)}",
        )

    return send


@pytest.mark.parametrize("route", UPLOAD_ROUTES)
def test_a_multipart_body_without_its_boundary_is_a_400(raw, persona, route):
    path = route.format(id=uuid.uuid4())

    response = raw("POST", path, b"--x\r\n\r\n", "multipart/form-data", persona("hub_admin"))

    error = assert_error_shape(response, 400, "bad_request")
    assert "boundary" in error["message"]


def test_a_web_upload_without_its_boundary_is_a_400_not_a_500(persona):
    client = Client(raise_request_exception=False)
    client.force_login(persona("kz_lab_chemist"))

    response = client.generic("POST", "/spectra/", b"--x\r\n\r\n", content_type="multipart/form-data")

    assert response.status_code == 400


def test_a_body_over_the_limit_is_a_413(raw, persona, settings):
    body = b'{"name": "' + b"x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE + b'"}'

    response = raw("POST", "/api/v1/tokens", body, "application/json", persona("kz_lab_chemist"))

    error = assert_error_shape(response, 413, "too_large")
    assert "10 MiB" in error["message"]


def test_a_body_that_is_not_json_is_a_400_saying_where(raw, persona):
    response = raw("POST", "/api/v1/tokens", b'{"name": ', "application/json", persona("kz_lab_chemist"))

    error = assert_error_shape(response, 400, "bad_request")
    assert "line 1, column 10" in error["message"]


@pytest.mark.parametrize("body", ["[]", '[{"name_en": "x"}]', "42", '"text"', "null"])
def test_a_body_that_is_not_a_json_object_is_refused_and_changes_nothing(raw, persona, body):
    admin = persona("hub_admin")
    from fdx.accounts.models import Organisation

    before = Organisation.objects.get(code=admin.organisation.code).name_en

    response = raw(
        "PATCH", f"/api/v1/organisations/{admin.organisation.code}", body, "application/json", admin
    )

    error = assert_error_shape(response, 422, "invalid")
    assert error["fields"] == {"non_field": ["The body must be a JSON object."]}
    assert Organisation.objects.get(code=admin.organisation.code).name_en == before


def _library(persona):
    from fdx.spectra.tests.builders import make_library

    return make_library(persona("kz_lab_head"))


def _sharing_group(persona):
    from fdx.accounts.actions import create_sharing_group
    from fdx.core.actors import system

    return create_sharing_group(system("test"), code="tst-group", name_en="Test", name_ru="Тест")


NULL_PATCHES = [
    # (who, path of the record, field): each used to be a 500 (or a 409 for a text field that cannot be null)
    ("hub_admin", lambda persona: "/organisations/demo-kz-forensic-centre", "country"),
    ("hub_admin", lambda persona: "/organisations/demo-kz-forensic-centre", "name_local"),
    ("hub_admin", lambda persona: f"/sharing-groups/{_sharing_group(persona).code}", "organisations"),
    ("hub_admin", lambda persona: f"/sharing-groups/{_sharing_group(persona).code}", "description"),
    ("hub_admin", lambda persona: "/users/kz_lab_chemist", "first_name"),
    ("hub_admin", lambda persona: "/users/kz_lab_chemist", "position"),
    *[
        ("kz_lab_head", lambda persona: f"/spectral-libraries/{_library(persona).global_id}", field)
        for field in ("description", "name", "version", "source", "licence")
    ],
]


@pytest.mark.parametrize(("who", "record", "field"), NULL_PATCHES)
def test_an_explicit_null_in_a_patch_is_a_422_naming_the_field(api, persona, who, record, field):
    persona("kz_lab_chemist")  # the organisation and the user patched
    path = record(persona)

    response = api.patch(path, {field: None}, user=persona(who))

    error = assert_error_shape(response, 422, "invalid")
    assert error["fields"] == {field: ["This field cannot be null."]}


def test_an_empty_organisation_code_in_a_user_patch_is_a_422(api, persona):
    # Found by schemathesis: the empty code reached the action as text (a 500).
    persona("kz_lab_chemist")

    response = api.patch("/users/kz_lab_chemist", {"organisation": ""}, user=persona("hub_admin"))

    assert "organisation" in assert_error_shape(response, 422, "invalid")["fields"]


def test_a_field_called_form_is_named_in_the_error(api, persona):
    from fdx.examinations.tests.builders import add_exhibit, open_case

    chemist = persona("kz_lab_chemist")
    exhibit = add_exhibit(chemist, open_case(chemist))

    response = api.patch(f"/exhibits/{exhibit.global_id}", {"form": None}, user=chemist)

    assert assert_error_shape(response, 422, "invalid")["fields"] == {"form": ["This field cannot be null."]}


def test_a_null_where_the_field_takes_one_clears_it(api, persona):
    from fdx.accounts.models import SharingGroup

    head = persona("kz_lab_head")
    library = _library(persona)
    group = SharingGroup.objects.get(code=_sharing_group(persona).code)
    api.patch(f"/spectral-libraries/{library.global_id}", {"sharing_group": group.code}, user=head)

    response = api.patch(f"/spectral-libraries/{library.global_id}", {"sharing_group": None}, user=head)

    assert response.status_code == 200 and response.json()["sharing_group"] is None


@pytest.mark.parametrize(
    ("who", "path", "parameter"),
    [
        ("kz_lab_chemist", "/cases?seized_from=0", "seized_from"),
        ("kz_lab_chemist", "/cases?seized_to=20240101", "seized_to"),
        ("kz_lab_chemist", "/findings/export.csv?seized_to=0", "seized_to"),
        ("kz_lab_chemist", "/regions?on_date=0", "on_date"),
        ("kz_lab_chemist", "/regions/resolve?code=KZ-ALA&on_date=1700000000", "on_date"),
        ("kz_lab_chemist", "/legal/lists/KZ-I/listings?date=0", "date"),
        ("hub_admin", "/audit/events?since=0", "since"),
    ],
)
def test_a_number_is_not_a_date_in_a_query(persona, api, who, path, parameter):
    response = api.client.get(f"/api/v1{path}", HTTP_AUTHORIZATION=f"Bearer {api.token_for(persona(who))}")

    error = assert_error_shape(response, 422, "invalid")
    assert list(error["fields"]) == [parameter]


def test_a_number_is_not_a_date_in_a_body(api, persona):
    response = api.post(
        "/legal/status", {"structure": "CN", "date": 0, "as_recorded_at": 0}, user=persona("kz_lab_chemist")
    )

    error = assert_error_shape(response, 422, "invalid")
    assert set(error["fields"]) == {"date", "as_recorded_at"}
    assert error["fields"]["date"] == ["Enter a date as YYYY-MM-DD."]


def test_a_parameter_that_takes_one_value_is_given_once(api, persona):
    # Found by schemathesis: ninja kept the last of the values and answered 200.
    response = api.client.get(
        "/api/v1/substances?substance_class=opioid&substance_class=x&q=a",
        HTTP_AUTHORIZATION=f"Bearer {api.token_for(persona('kz_lab_chemist'))}",
    )

    assert assert_error_shape(response, 422, "invalid")["fields"] == {
        "substance_class": ["Give this parameter once."]
    }


def test_true_is_not_a_number(api, persona):
    # Found by schemathesis: pydantic's lax mode read true as 1 (a token for one day).
    response = api.post("/tokens", {"name": "x", "days": True}, user=persona("kz_lab_chemist"))

    assert assert_error_shape(response, 422, "invalid")["fields"] == {
        "days": ["Enter a whole number, not true or false."]
    }


def test_an_iso_date_is_still_a_date(api, persona):
    response = api.get("/cases", user=persona("kz_lab_chemist"), seized_from="2024-01-01")

    assert response.status_code == 200


def test_an_offset_beyond_the_maximum_is_a_422(api, persona):
    chemist = persona("kz_lab_chemist")

    deepest = api.get("/cases", user=chemist, offset=MAX_OFFSET)
    beyond = api.get("/cases", user=chemist, offset=2**63)

    assert deepest.status_code == 200 and deepest.json()["items"] == []
    assert "offset" in assert_error_shape(beyond, 422, "invalid")["fields"]


def test_the_refusals_are_in_russian_for_a_russian_client(api, persona):
    admin = persona("hub_admin")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {api.token_for(admin)}", "HTTP_ACCEPT_LANGUAGE": "ru"}

    null = api.client.patch(
        f"/api/v1/organisations/{admin.organisation.code}",
        json.dumps({"name_local": None}),
        content_type="application/json",
        **headers,
    )
    date = api.client.get("/api/v1/cases", {"seized_from": "0"}, **headers)

    assert null.json()["error"]["fields"]["name_local"] == ["Это поле не может иметь значение NULL."]
    assert date.json()["error"]["fields"]["seized_from"] == ["Введите дату в виде ГГГГ-ММ-ДД."]
