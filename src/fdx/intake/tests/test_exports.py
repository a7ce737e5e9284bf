"""The findings a user may see, exported to Parquet (partitioned by year and country, read back as it is by
DuckDB) and XLSX, each file saying when, where and with which filter it was made; audited; only what the
user may see."""

import datetime
import json

import pytest
from typer.testing import CliRunner

from fdx.audit.models import AuditEvent
from fdx.cli import app
from fdx.examinations.selectors import CaseFilters
from fdx.examinations.tests.builders import approved_case
from fdx.intake import exports

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_years(persona):
    approved_case(persona, reference="KZ-EXP-1", seizure_date=datetime.date(2023, 5, 1))
    approved_case(persona, reference="KZ-EXP-2", seizure_date=datetime.date(2024, 2, 1))


def test_parquet_is_partitioned_by_year_and_country_and_read_as_it_is_by_duckdb(persona, two_years, tmp_path):
    duckdb = pytest.importorskip("duckdb")
    head = persona("kz_lab_head")
    written = exports.write_parquet(head, CaseFilters(), tmp_path / "findings")

    assert written.rows == 2
    assert sorted(
        p.relative_to(tmp_path / "findings").parts[:2] for p in (tmp_path / "findings").rglob("*.parquet")
    ) == [
        ("year=2023", "country=KZ"),
        ("year=2024", "country=KZ"),
    ]
    glob = str(tmp_path / "findings" / "**" / "*.parquet")
    rows = duckdb.execute(
        'SELECT "case", year, country, net_mass_g, seizure_date '
        "FROM read_parquet(?, hive_partitioning = true) ORDER BY year",
        [glob],
    ).fetchall()
    assert [(r[0], r[1], r[2]) for r in rows] == [("KZ-EXP-1", 2023, "KZ"), ("KZ-EXP-2", 2024, "KZ")]
    assert rows[0][4] == datetime.date(2023, 5, 1)
    metadata = duckdb.execute(
        "SELECT key, value FROM parquet_kv_metadata(?) WHERE key = 'fdx.filter'", [glob]
    ).fetchall()
    assert metadata and json.loads(metadata[0][1])["include_retracted"] is True
    assert AuditEvent.objects.filter(action="examinations.cases.exported", after__format="parquet").exists()


def test_an_export_holds_only_what_the_user_may_see(persona, two_years, tmp_path):
    written = exports.write_parquet(persona("kg_lab_chemist"), CaseFilters(), tmp_path / "kg")
    assert written.rows == 0


def test_xlsx_says_when_where_and_with_which_filter(persona, two_years, tmp_path):
    from openpyxl import load_workbook

    written = exports.write_xlsx(persona("kz_lab_head"), CaseFilters(country="KZ"), tmp_path / "f.xlsx")

    assert written.rows == 2
    findings, about = load_workbook(tmp_path / "f.xlsx").worksheets
    assert [c.value for c in next(findings.iter_rows(max_row=1))][:3] == ["case", "owner", "seizure_date"]
    notes = {row[0].value: row[1].value for row in about.iter_rows()}
    assert json.loads(notes["filter"])["country"] == "KZ" and notes["exported_at"]


def test_the_command_line_exports_each_format(persona, two_years, tmp_path):
    runner = CliRunner()
    persona("kz_lab_head")
    for file_format, name in (("csv", "f.csv"), ("json", "f.json"), ("xlsx", "f.xlsx"), ("parquet", "f")):
        result = runner.invoke(
            app,
            [
                "export",
                "findings",
                "--as",
                "kz_lab_head",
                "--format",
                file_format,
                "-o",
                str(tmp_path / name),
                "--filter",
                "seized_from=2024-01-01",
            ],
        )
        assert result.exit_code == 0, result.output
        assert "1 findings written" in result.output
    assert (
        "KZ-EXP-2" in (tmp_path / "f.csv").read_text() and "KZ-EXP-1" not in (tmp_path / "f.csv").read_text()
    )
    bad = runner.invoke(
        app,
        [
            "export",
            "findings",
            "--as",
            "kz_lab_head",
            "-o",
            str(tmp_path / "x"),
            "--filter",
            "seized_from=May",
        ],
    )
    assert bad.exit_code != 0 and "filter" in bad.output
