"""Schemathesis over the whole OpenAPI document, in-process against the WSGI application, as a chemist and as
a node administrator: no operation answers a server error (5xx), and every answer conforms to the document
(status, content type, headers, body schema), for data the document allows and for data it refuses.

Marked ``schemathesis``: left out of ``make test``; run by ``make test-api`` and by CI after the PostgreSQL
suite. ``EXAMPLES`` (positive) and ``NEGATIVE_EXAMPLES`` data per operation and role, derandomised, keep it to
a few minutes on two cores; raise them (``FDX_SCHEMATHESIS_EXAMPLES``) to look harder.
"""

from __future__ import annotations

import os

import pytest

schemathesis = pytest.importorskip("schemathesis")

from django.core import signals  # noqa: E402
from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.db import close_old_connections  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from schemathesis.generation.modes import GenerationMode  # noqa: E402
from schemathesis.specs.openapi.checks import positive_data_acceptance  # noqa: E402

from fdx.config.api import api  # noqa: E402

pytestmark = [pytest.mark.schemathesis, pytest.mark.django_db]

EXAMPLES = int(os.environ.get("FDX_SCHEMATHESIS_EXAMPLES", "12"))
NEGATIVE_EXAMPLES = max(1, EXAMPLES // 2)
ROLES = ("kz_lab_chemist", "hub_admin")
#: Every check schemathesis has but one: data the document allows may still be refused (422) for what a
#: schema cannot say: a country or organisation code that does not exist, a region of another country, a
#: structure that does not parse, a workflow step out of turn.
NOT_CHECKED = [positive_data_acceptance]

SCHEMA = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/v1"))
SCHEMA.app = WSGIHandler()
OPERATIONS = sorted(
    (method.upper(), path) for path, item in SCHEMA.raw_schema["paths"].items() for method in item
)


@pytest.fixture
def in_test_transaction():
    """Keep the WSGI requests inside the test's transaction, as Django's test client does: the handler would
    otherwise close the connection at the end of each request (and with it the rolled-back test data)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _conforms(operation, mode: GenerationMode, examples: int, headers: dict) -> None:
    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def check(case):
        response = case.call(headers=headers)
        case.validate_response(response, headers=headers, excluded_checks=NOT_CHECKED)

    check()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_operation_conforms_to_the_document(api, persona, in_test_transaction, role, method, path):
    headers = {"Authorization": f"Bearer {api.token_for(persona(role))}"}
    operation = SCHEMA[path][method]

    _conforms(operation, GenerationMode.POSITIVE, EXAMPLES, headers)
    if operation.definition.raw.get("parameters") or "requestBody" in operation.definition.raw:
        _conforms(operation, GenerationMode.NEGATIVE, NEGATIVE_EXAMPLES, headers)  # nothing to get wrong else
