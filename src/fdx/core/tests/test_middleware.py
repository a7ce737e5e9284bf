import logging

import pytest

from fdx.core import request_context
from fdx.core.middleware import RequestIdLogFilter

pytestmark = pytest.mark.django_db


def test_every_response_carries_a_request_id(client):
    first = client.get("/api/v1/health")["X-Request-ID"]
    second = client.get("/api/v1/health")["X-Request-ID"]

    assert len(first) == 32 and first != second


def test_a_well_formed_incoming_request_id_is_kept_and_a_bad_one_replaced(client):
    assert (
        client.get("/api/v1/health", HTTP_X_REQUEST_ID="lims-0001-abcd")["X-Request-ID"] == "lims-0001-abcd"
    )
    assert client.get("/api/v1/health", HTTP_X_REQUEST_ID="<script>")["X-Request-ID"] != "<script>"


def test_content_security_policy_forbids_outside_resources(client):
    policy = client.get("/accounts/signin/")["Content-Security-Policy"]

    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy


def test_log_records_carry_the_request_id():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "m", None, None)
    token = request_context.bind(request_context.RequestContext(request_id="abc12345"))
    try:
        RequestIdLogFilter().filter(record)
    finally:
        request_context.reset(token)

    assert record.request_id == "abc12345"


def test_outside_a_request_the_context_is_empty():
    assert request_context.current() == request_context.RequestContext()
