import datetime

import pytest
from django.utils import timezone

from fdx.audit.verify import verify_chain
from fdx.core.actors import system
from fdx.demo.cases import _context, generate, load_demo_cases
from fdx.examinations.bulk import BulkRefused, check, record_cases_in_bulk
from fdx.examinations.models import Case, Examination, Finding

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 22)


def summary(specs):
    return [
        (
            s.reference,
            s.seizure_date,
            s.seizure_region.code if s.seizure_region else None,
            [
                (e.form, e.net_mass_g, [(f.substance.key, f.purity_percent) for f in e.findings])
                for e in s.exhibits
            ],
        )
        for s in specs
    ]


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data():
    context = _context(system("setup"))

    first = generate(context, cases=200, seed=7, today=TODAY)
    again = generate(context, cases=200, seed=7, today=TODAY)
    other = generate(context, cases=200, seed=8, today=TODAY)

    assert summary(first) == summary(again)
    assert summary(first) != summary(other)


def test_the_data_is_realistic_and_valid():
    specs = generate(_context(system("setup")), cases=1500, seed=2024, today=TODAY)
    countries = {s.seizure_country.code for s in specs}
    main = [e.findings[0].substance.key for s in specs for e in s.exhibits]
    late = [e.findings[0].substance.key for s in specs if s.seizure_date.year == 2026 for e in s.exhibits]
    early = [
        e.findings[0].substance.key
        for s in specs
        if s.seizure_date < datetime.date(2024, 6, 1)
        for e in s.exhibits
    ]

    assert countries == {"KZ", "KG", "TJ", "TM", "UZ"}
    assert main.count("mephedrone-hydrochloride") > main.count("cocaine-hydrochloride") * 5
    assert "adb-butinaca" in late and "adb-butinaca" not in early  # an emerging substance
    assert all(s.is_demo and s.reference.startswith("DEMO-") for s in specs)
    assert check(specs, TODAY) == []
    for spec in specs:
        assert spec.seizure_region is None or spec.seizure_region.is_valid_on(spec.seizure_date)


def test_loading_writes_the_cases_once_and_audits_each():
    written = load_demo_cases(system("setup"), cases=120, seed=3)

    assert written == 120 and Case.objects.filter(is_demo=True).count() == 120
    assert Examination.objects.filter(status="approved").count() > 100
    finding = (
        Finding.objects.filter(purity_percent__isnull=False).select_related("examination__exhibit").first()
    )
    assert finding.amount_g is not None and finding.base_equivalent_g <= finding.amount_g
    assert load_demo_cases(system("setup"), cases=120, seed=3) == 0
    assert verify_chain().ok


def test_a_bad_record_stops_the_bulk_write():
    specs = generate(_context(system("setup")), cases=5, seed=1, today=TODAY)
    specs[3].reviewer = specs[3].examiner

    with pytest.raises(BulkRefused) as refused:
        record_cases_in_bulk(system("setup"), specs)

    assert {(p.row, p.field) for p in refused.value.problems} == {(4, "reviewer")}
    assert not Case.objects.filter(is_demo=True).exists()


def _stored():
    """The demo records as stored, in the order written, in the shape ``summary`` gives for specs."""
    return [
        (
            case.reference,
            case.seizure_date,
            case.seizure_region.code if case.seizure_region else None,
            [
                (
                    exhibit.form,
                    exhibit.net_mass_g,
                    [
                        (f.substance.key, f.purity_percent)
                        for f in Finding.objects.filter(examination__exhibit=exhibit).order_by("position")
                    ],
                )
                for exhibit in case.exhibits.order_by("pk")
            ],
        )
        for case in Case.objects.filter(is_demo=True).select_related("seizure_region").order_by("pk")
    ]


def test_a_batched_load_writes_the_generated_records_with_one_audit_event_per_batch():
    from fdx.audit.models import AuditEvent
    from fdx.core.models import OutboxEvent
    from fdx.demo.cases import load_demo_cases_in_batches

    actor = system("setup")
    progress = []

    report = load_demo_cases_in_batches(
        actor, cases=200, seed=5, batch_size=50, on_batch=lambda read, written: progress.append(read)
    )

    expected = generate(_context(actor), cases=200, seed=5, today=timezone.localdate())
    assert report.written == 200 and report.refused == []
    assert progress == [50, 100, 150, 200]
    assert _stored() == summary(expected)  # the same seed: the same records, in the same shape
    assert Examination.objects.count() == sum(len(s.exhibits) for s in expected)
    assert Finding.objects.count() == sum(len(e.findings) for s in expected for e in s.exhibits)
    case = Case.objects.filter(is_demo=True).first()
    assert case.global_id and case.owner_organisation.code.startswith("demo-") and case.distribution_level
    assert AuditEvent.objects.filter(action="examinations.cases.imported_in_batch").count() == 4
    assert not AuditEvent.objects.filter(action="examinations.case.imported").exists()
    assert OutboxEvent.objects.filter(code="examinations.cases.imported").count() == 1  # once per load
    assert verify_chain().ok


def test_a_bad_generated_row_is_reported_and_the_others_are_written(monkeypatch):
    from fdx.demo import cases as demo_cases

    real = demo_cases.iter_generate

    def with_a_bad_row(*args, **kwargs):
        for row, spec in enumerate(real(*args, **kwargs), 1):
            if row == 7:
                spec.reviewer = spec.examiner  # four eyes broken in the second batch
            yield spec

    monkeypatch.setattr(demo_cases, "iter_generate", with_a_bad_row)

    report = demo_cases.load_demo_cases_in_batches(system("setup"), cases=12, seed=5, batch_size=5)

    assert report.written == 11 and report.refused_rows == [7]
    four_eyes = "Four eyes: the reviewer cannot be the examiner, the author or the submitter."
    assert ("reviewer", four_eyes) in [(p.field, p.message) for p in report.refused]
    assert {p.field for p in report.refused} == {"reviewer"}
    assert Case.objects.filter(is_demo=True).count() == 11
    assert verify_chain().ok


def _queries_of_a_load(context, cases: int) -> tuple[int, int]:
    """(statements other than writes, writes: INSERT, an executemany of one, or COPY) of a load of ``cases``
    cases in one batch."""
    import re

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from fdx.examinations.bulk import load_cases_in_batches

    specs = generate(context, cases=cases, seed=cases, today=timezone.localdate())
    for spec in specs:
        spec.reference += f"-Q{cases}"
    with CaptureQueriesContext(connection) as queries:
        load_cases_in_batches(system("setup"), specs, batch_size=cases)
    inserts = sum(
        bool(re.match(r"(\d+ times: )?(INSERT|COPY) ", query["sql"])) for query in queries.captured_queries
    )
    return len(queries) - inserts, inserts


def test_the_queries_of_a_batch_do_not_grow_with_its_size():
    from fdx.examinations.bulk import RECORD, REVIEW

    context = _context(system("setup"))
    for examiner, reviewer in context.staff.values():
        # The roles of the (at most ten) demo staff are read once and kept on their rows.
        examiner.has_perm(RECORD), reviewer.has_perm(REVIEW)

    small, large = _queries_of_a_load(context, 8), _queries_of_a_load(context, 40)

    assert small[0] == large[0]
    # One write per table (ten: cases, exhibits, examinations, methods, findings, and the case index's
    # substances and statuses — COPY on PostgreSQL, one executemany on SQLite — then the audit event, the
    # outbox event and its deliveries).
    assert small[1] == large[1] == 10


def test_the_demo_load_command_refuses_a_node_with_real_cases_unless_forced(persona):
    from typer.testing import CliRunner

    from fdx.cli import app
    from fdx.examinations.tests.builders import open_case

    open_case(persona("kz_lab_chemist"))

    refused = CliRunner().invoke(app, ["demo", "load", "--cases", "20"])
    forced = CliRunner().invoke(app, ["demo", "load", "--cases", "20", "--seed", "3", "--force"])

    assert refused.exit_code == 1 and "not demo data" in refused.output
    assert forced.exit_code == 0, forced.output
    assert Case.objects.filter(is_demo=True).count() == 20
