"""Every API failure has one shape, and none shows a traceback."""

import pytest
from django.test import Client

from fdx.core.api.errors import ApiErrorShapeMiddleware, error_body

pytestmark = pytest.mark.django_db


def assert_error_shape(response, status, code):
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == code
    assert "Traceback" not in response.content.decode()
    return body["error"]


def test_unknown_route(client):
    assert_error_shape(client.get("/api/v1/no/such/route"), 404, "not_found")


def test_wrong_method(client):
    error = assert_error_shape(client.delete("/api/v1/health"), 405, "method_not_allowed")
    assert error["message"] == "Method Not Allowed"


def test_unauthenticated(api):
    assert_error_shape(api.get("/me"), 401, "unauthenticated")


def test_malformed_bearer_token(api):
    assert_error_shape(api.get("/me", token="definitely-not-a-token"), 401, "token_invalid")


def test_validation_errors_name_the_fields(api, persona):
    error = assert_error_shape(
        api.post("/tokens", {"days": 0}, user=persona("kz_lab_chemist")), 422, "invalid"
    )

    assert set(error["fields"]) == {"name", "days"}


def test_query_validation_names_the_parameter(api, persona):
    error = assert_error_shape(
        api.get("/regions", user=persona("kz_lab_chemist"), on_date="2022-13-45"), 422, "invalid"
    )

    assert "on_date" in error["fields"]


def test_malformed_json_body(api, persona):
    token = api.token_for(persona("kz_lab_chemist"))
    response = api.client.post(
        "/api/v1/tokens", "{not json", content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )

    assert response.status_code in (400, 422)
    assert_error_shape(response, response.status_code, response.json()["error"]["code"])


def test_forbidden(api, persona):
    assert_error_shape(api.get("/audit/verify", user=persona("kz_lab_chemist")), 403, "forbidden")


def test_crash_is_an_internal_error_with_the_request_id(persona, monkeypatch):
    from fdx.accounts import selectors

    def explode(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(selectors, "get_user", explode)
    client = Client(raise_request_exception=False)
    client.force_login(persona("kz_lab_chemist"))

    response = client.get("/api/v1/me", HTTP_X_REQUEST_ID="req-abcdef123")

    error = assert_error_shape(response, 500, "internal_error")
    assert "req-abcdef123" in error["message"]
    assert "secret internals" not in response.content.decode()


def test_middleware_leaves_pages_outside_the_api_alone(rf):
    from django.http import HttpResponseNotFound

    middleware = ApiErrorShapeMiddleware(lambda request: HttpResponseNotFound("<h1>not here</h1>"))

    assert middleware(rf.get("/somewhere")).content == b"<h1>not here</h1>"


def test_error_body():
    assert error_body("x", "y") == {"error": {"code": "x", "message": "y", "fields": {}}}
