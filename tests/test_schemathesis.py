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


def _conforms(operation, mode: GenerationMode, examples: int, headers: dict, path_parameters: dict) -> None:
    # Positive data goes to the records that exist; negative data may be about the path too.
    fixed = path_parameters if mode is GenerationMode.POSITIVE else None

    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
    )
    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=fixed))
    def check(case):
        response = case.call(headers=headers)
        case.validate_response(response, headers=headers, excluded_checks=NOT_CHECKED + _overridden(case))

    check()


def _overridden(case) -> list:
    """The rejection check, for a case whose only refused data is in its headers: the test sends a good token
    in place of the Authorization header generated, so nothing refused reaches the node."""
    from schemathesis.core.parameters import ParameterLocation
    from schemathesis.specs.openapi.checks import negative_data_rejection

    reaching = (ParameterLocation.PATH, ParameterLocation.QUERY, ParameterLocation.BODY)
    if case.meta is None or any(case.meta.is_negative_at(location) for location in reaching):
        return []
    return [negative_data_rejection]


@pytest.fixture
def records(persona, settings, tmp_path, spectral_index_folder):
    """One record of each kind a path names, so that the fuzzing reaches the routes' own code (a random
    identifier only ever finds a 404): a case with an exhibit, a draft examination, a finding and a file;
    a note on the case; a library of six spectra; a sharing group; a token to revoke; a peer."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from fdx.accounts.actions import create_api_token, create_sharing_group
    from fdx.audit.models import AuditEvent
    from fdx.core.actors import system
    from fdx.examinations.actions import attach_file
    from fdx.examinations.case_notes import add_case_note
    from fdx.examinations.export_runs import start_export_run
    from fdx.examinations.selectors import CaseFilters
    from fdx.examinations.tests.builders import add_exhibit, add_meth_finding, draft_examination, open_case
    from fdx.exchange.actions import register_peer
    from fdx.geo.models import Region
    from fdx.legal.models import Listing
    from fdx.spectra.tests.builders import imported_library
    from fdx.substances.models import Substance

    chemist, head = persona("kz_lab_chemist"), persona("kz_lab_head")
    persona("hub_admin")
    case = open_case(chemist)
    exhibit = add_exhibit(chemist, case)
    examination = draft_examination(chemist, exhibit)
    finding = add_meth_finding(chemist, examination)
    upload = SimpleUploadedFile("report.txt", b"the report", content_type="text/plain")
    attachment = attach_file(chemist, case, upload, kind="other", description="report")
    note = add_case_note(chemist, case, "matches our case KZ-2025-114")
    library = imported_library(head, tmp_path)
    listing = Listing.objects.select_related("control_list__jurisdiction").filter(recorded_to=None).first()
    token, _secret = create_api_token(system("fuzz"), chemist, name="fuzzed")
    group = create_sharing_group(system("fuzz"), code="fuzz-group", name_en="Fuzz", name_ru="Фазз")
    export_run = start_export_run(chemist, CaseFilters(), "csv")
    from fdx.intake.actions import import_file
    from fdx.intake.tests.test_import import csv_file, row

    import_run = import_file(chemist, csv_file([row()]), "fuzz.csv", dry_run=True).run
    from fdx.exchange.actions import create_publication
    from fdx.exchange.choices import PublicationKind

    publication = create_publication(
        system("fuzz"),
        code="fuzz-publication",
        name_en="Fuzz",
        kind=PublicationKind.SUBSTANCES,
        owner_organisation=chemist.organisation,
    )
    peer, _token = register_peer(
        system("fuzz"),
        name="fuzz-peer",
        url="https://fuzz.example.org",
        role="international",
        node_id="00000000-0000-4000-8000-00000000f022",
        key_fingerprint="ab12" * 16,
    )
    return {
        "case_id": case.global_id,
        "exhibit_id": exhibit.global_id,
        "examination_id": examination.global_id,
        "finding_id": finding.global_id,
        "attachment_id": attachment.global_id,
        "note_id": note.global_id,
        "library_id": library.global_id,
        "spectrum_id": library.spectra.first().global_id,
        "substance_id": Substance.objects.order_by("pk").first().global_id,
        "listing_id": listing.global_id,
        "token_id": token.global_id,
        "run_id": export_run.global_id,
        "import_run_id": import_run.global_id,
        "username": chemist.username,
        "name": peer.name,
        # /exchange/records/{global_id} is a peer's route: a user's token is refused there.
        "global_id": case.global_id,
        # /exchange/catalogue/{publication_id}/… is a peer's route too; …/followed/{publication_id} asks a
        # peer this node cannot call (no token): refused as a conflict, never sent anywhere.
        "publication_id": publication.global_id,
        "sequence": AuditEvent.objects.order_by("-sequence").first().sequence,
        # {code} names a different thing on each route
        "/organisations/": chemist.organisation.code,
        "/sharing-groups/": group.code,
        "/countries/": "KZ",
        "/regions/": Region.objects.filter(country_id="KZ").order_by("code").first().code,
        "/legal/lists/": listing.control_list.code,
        "/legal/jurisdictions/": listing.control_list.jurisdiction.code,
        "/exchange/publications/": publication.code,
    }


def _path_parameters(path: str, records: dict) -> dict:
    names = [part[1:-1] for part in path.split("/") if part.startswith("{")]
    values = {}
    for name in names:
        if name == "code":
            values[name] = next(
                value for prefix, value in records.items() if prefix.startswith("/") and prefix in path
            )
        else:
            values[name] = records[name]
    return {name: str(value) for name, value in values.items()}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_operation_conforms_to_the_document(api, persona, records, in_test_transaction, role, method, path):
    headers = {"Authorization": f"Bearer {api.token_for(persona(role))}"}
    operation = SCHEMA[path][method]
    path_parameters = _path_parameters(path, records)

    _conforms(operation, GenerationMode.POSITIVE, EXAMPLES, headers, path_parameters)
    if operation.definition.raw.get("parameters") or "requestBody" in operation.definition.raw:
        _conforms(operation, GenerationMode.NEGATIVE, NEGATIVE_EXAMPLES, headers, path_parameters)
