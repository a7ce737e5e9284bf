"""The findings export streams flat rows from one query: the same columns and rows as the row-by-row
model export it replaced, in CSV and JSON, through the restricted querysets, in a fixed number of queries."""

import csv
import io
import json

import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext

from fdx.core.actors import system
from fdx.core.spreadsheet import text_cell
from fdx.demo.cases import load_demo_cases
from fdx.examinations import exports, selectors
from fdx.examinations.models import Case, Finding

pytestmark = pytest.mark.django_db
EVERYTHING = selectors.CaseFilters()


def model_rows(viewer, filters):
    """The rows as the export made them before streaming: a model instance per finding, its relations read
    one by one. Kept here as the reference the flat rows must equal."""
    cases = selectors.list_cases(viewer, filters).values("pk")
    findings = (
        selectors.list_findings(viewer)
        .filter(examination__exhibit__case__in=cases)
        .prefetch_related("substance__classes")
        .order_by(
            "-examination__exhibit__case__seizure_date",
            "examination__exhibit__case_id",
            "examination__exhibit__label",
            "-examination__revision",
            "position",
        )
    )
    plain = exports._plain
    for finding in findings:
        examination = finding.examination
        exhibit = examination.exhibit
        case = exhibit.case
        substance = finding.substance
        yield {
            "case": case.reference,
            "owner": case.owner_organisation.code,
            "seizure_date": case.seizure_date.isoformat(),
            "country": case.seizure_country_id,
            "region": case.seizure_region.code if case.seizure_region_id else "",
            "locality": case.locality,
            "seizure_context": case.seizure_context,
            "distribution_level": case.distribution_level,
            "exhibit": exhibit.label,
            "form": exhibit.form,
            "colour": exhibit.colour,
            "logo": exhibit.logo,
            "unit_count": exhibit.unit_count or "",
            "net_mass_g": plain(exhibit.net_mass_g),
            "examination_status": examination.status,
            "revision": examination.revision,
            "substance": substance.name_en if substance else finding.unidentified_description,
            "inchikey": substance.inchikey if substance else "",
            "classes": "|".join(c.code for c in substance.classes.all()) if substance else "",
            "role": finding.role,
            "result": finding.result_type,
            "content_percent": plain(finding.purity_percent),
            "amount_g": plain(finding.amount_g),
            "base_equivalent_g": plain(finding.base_equivalent_g),
        }


def model_csv(viewer, filters) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=exports.COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in model_rows(viewer, filters):
        writer.writerow({key: text_cell(value) for key, value in row.items()})
    return buffer.getvalue()


@pytest.fixture
def demo_cases():
    load_demo_cases(system("setup"), cases=40, seed=11)


@pytest.mark.parametrize("reader", ["kz_lab_chemist", "uz_police_analyst", "intl_analyst"])
def test_the_streamed_csv_equals_the_model_export(demo_cases, persona, reader):
    viewer = persona(reader)
    expected = model_csv(viewer, EVERYTHING)

    streamed = "".join(exports.stream_findings_csv(viewer, EVERYTHING))

    assert streamed == expected
    assert streamed.splitlines()[0] == ",".join(exports.COLUMNS)


def test_the_streamed_json_holds_the_same_rows(demo_cases, persona):
    viewer = persona("uz_police_analyst")
    expected = list(model_rows(viewer, EVERYTHING))

    streamed = json.loads("".join(exports.stream_findings_json(viewer, EVERYTHING)))

    assert expected and streamed == expected
    assert list(streamed[0]) == exports.COLUMNS


def test_unidentified_findings_and_regions_are_exported_like_before(demo_cases, persona):
    viewer = persona("uz_police_analyst")
    rows = list(exports.finding_rows(viewer, EVERYTHING))

    assert rows == list(model_rows(viewer, EVERYTHING))
    assert any(row["classes"] for row in rows) and any(row["region"] for row in rows)


def test_the_query_count_does_not_grow_with_the_rows(persona, demo_cases, monkeypatch):
    viewer = persona("uz_police_analyst")
    monkeypatch.setattr(exports, "CHUNK_ROWS", 7)  # many chunks: each must come from the same cursor
    "".join(exports.stream_findings_csv(viewer, EVERYTHING))  # the viewer's permissions are read once
    one_case = selectors.CaseFilters(text=Case.objects.order_by("pk").first().reference)
    with CaptureQueriesContext(connection) as few:
        few_rows = "".join(exports.stream_findings_csv(viewer, one_case))
    with CaptureQueriesContext(connection) as many:
        many_rows = "".join(exports.stream_findings_csv(viewer, EVERYTHING))

    assert few_rows.count("\n") < 10 < 40 < many_rows.count("\n")
    assert len(many.captured_queries) == len(few.captured_queries)


def test_pages_and_api_stream_both_formats_to_readers_only(client, api, persona, demo_cases):
    reader = persona("uz_police_analyst")
    visible = Finding.objects.restrict(reader, "view").count()
    client.force_login(reader)

    for response in (
        client.get("/cases/export.csv"),
        api.get("/findings/export.csv", user=reader),
    ):
        assert isinstance(response, StreamingHttpResponse) and response["Content-Type"].startswith("text/csv")
        assert b"".join(response.streaming_content).decode().count("\n") == visible + 1
    for response in (
        client.get("/cases/export.json"),
        api.get("/findings/export.json", user=reader),
    ):
        assert isinstance(response, StreamingHttpResponse)
        assert len(json.loads(b"".join(response.streaming_content))) == visible
    outsider = persona("intl_analyst")
    client.force_login(outsider)
    leaked = json.loads(b"".join(client.get("/cases/export.json").streaming_content))
    assert leaked == list(model_rows(outsider, EVERYTHING)) and len(leaked) < visible


def test_a_json_export_is_audited_with_its_format_and_rows(persona, demo_cases):
    from fdx.audit.models import AuditEvent

    viewer = persona("uz_police_analyst")
    rows = json.loads("".join(exports.stream_findings_json(viewer, EVERYTHING)))

    event = AuditEvent.objects.filter(action="examinations.cases.exported").latest("pk")
    assert event.after["rows"] == len(rows) and event.after["format"] == "json"


def test_the_json_text_is_byte_for_byte_what_json_dumps_of_each_row_gave(demo_cases, persona):
    from fdx.examinations.models import Exhibit

    viewer = persona("kz_lab_chemist")
    awkward = 'a "quoted" \\ back\nslash\tлоготип \u2028 \x01 ☃'
    shown = Finding.objects.restrict(viewer, "view").order_by("pk").values("examination__exhibit_id")[:1]
    Exhibit.objects.filter(pk__in=shown).update(logo=awkward, unit_count=0)
    rows = list(model_rows(viewer, EVERYTHING))
    expected = "[" + ",".join("\n" + json.dumps(row, ensure_ascii=False) for row in rows) + "\n]\n"

    streamed = "".join(exports.stream_findings_json(viewer, EVERYTHING))

    assert any(row["logo"] == awkward and row["unit_count"] == "" for row in rows)
    assert streamed == expected


def test_an_empty_json_export_is_an_empty_array(persona):
    nothing = selectors.CaseFilters(text="no case has this text")

    assert "".join(exports.stream_findings_json(persona("kz_lab_chemist"), nothing)) == "[\n]\n"


def test_decimals_are_written_plain_never_in_exponent_form():
    from decimal import Decimal

    assert [exports._plain(Decimal(text)) for text in ("12.3400", "0E-7", "1E+2", "0.000")] == [
        "12.3400",
        "0.0000000",
        "100",
        "0.000",
    ]
    assert exports._plain(None) == ""
