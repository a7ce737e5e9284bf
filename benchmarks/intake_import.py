"""Importing a laboratory's file of cases (``fdx.intake``): findings generated like the demo data, written to
CSV and XLSX in FDX's template, then read, checked (a dry run: validation) and imported (the commit) for one
laboratory, on SQLite and, when FDX_BENCH_DATABASE_URL (or --database-url) names one, on PostgreSQL. Next to
them, in the same run, PostgreSQL's own ``COPY`` of the same rows (as text) into a bare table: the floor no
import that checks every row can reach. Rows per second count file rows (one per finding); ``peak_rss_mib``
is the process's peak memory. Each database is fresh (the PostgreSQL one is dropped and created again: give
it one of its own). Prints one JSON object.

    python benchmarks/intake_import.py --rows 10000 [--formats csv,xlsx] [--database-url postgres://…]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import resource
import subprocess
import sys
import time

from bench_django import DEMO_LAB, setup_django


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000, help="about this many findings (file rows)")
    parser.add_argument("--formats", default="csv,xlsx")
    parser.add_argument("--database-url", default=os.environ.get("FDX_BENCH_DATABASE_URL", ""))
    parser.add_argument("--run", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        _measure(args.run, args.rows, args.database_url)
        return
    databases = [("sqlite", "")] + ([("postgresql", args.database_url)] if args.database_url else [])
    results = []
    for database, url in databases:
        for file_format in args.formats.split(","):
            command = [sys.executable, __file__, "--run", file_format, "--rows", str(args.rows)]
            command += ["--database-url", url]
            completed = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
            if completed.returncode:
                raise SystemExit(completed.stderr)
            results.append({"database": database, **json.loads(completed.stdout.strip().splitlines()[-1])})
    print(json.dumps({"rows_asked": args.rows, "runs": results}, indent=2))


def _rows(rows_wanted: int) -> tuple[list[str], list[list[str]]]:
    """The template's headers and about ``rows_wanted`` rows of demo-like findings of the demo laboratory."""
    from django.utils import timezone

    from fdx.core.actors import system
    from fdx.demo.cases import _context, iter_generate
    from fdx.intake import schema

    context = _context(system("benchmark"))
    headers = [column.header_en for column in schema.COLUMNS]
    rows: list[list[str]] = []
    today = timezone.localdate()
    for number, spec in enumerate(iter_generate(context, cases=rows_wanted, seed=2024, today=today)):
        for item, exhibit in enumerate(spec.exhibits, 1):
            for finding in exhibit.findings:
                values = {
                    "reference": f"BENCH-{number:07d}",
                    "agency_case_number": spec.agency_case_number,
                    "seizure_date": spec.seizure_date.isoformat(),
                    "seizure_country": "KZ",
                    "seizure_region": "",
                    "locality": spec.locality,
                    "seizure_context": spec.seizure_context,
                    "distribution_level": spec.distribution_level,
                    "label": str(item),
                    "form": exhibit.form,
                    "colour": exhibit.colour,
                    "logo": exhibit.logo,
                    "unit_count": "" if exhibit.unit_count is None else str(exhibit.unit_count),
                    "gross_mass_g": "" if exhibit.gross_mass_g is None else str(exhibit.gross_mass_g),
                    "net_mass_g": "" if exhibit.net_mass_g is None else str(exhibit.net_mass_g),
                    "received_date": (exhibit.received_date or spec.seizure_date).isoformat(),
                    "completed_date": exhibit.completed_date.isoformat() if exhibit.completed_date else "",
                    "methods": "; ".join(method.code for method in exhibit.methods),
                    "conclusion": "",
                    "substance": finding.substance.name_en,
                    "result_type": finding.result_type,
                    "role": finding.role,
                    "purity_percent": "" if finding.purity_percent is None else str(finding.purity_percent),
                }
                rows.append([values[column.key] for column in schema.COLUMNS])
        if len(rows) >= rows_wanted:
            break
    return headers, rows


def _file(file_format: str, headers: list[str], rows: list[list[str]]) -> bytes:
    if file_format == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(headers)
        writer.writerows(rows)
        return buffer.getvalue().encode("utf-8")
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _copy_floor(headers: list[str], rows: list[list[str]]) -> float | None:
    """Seconds PostgreSQL's COPY takes to load the same rows, as text, into a bare table (None on SQLite)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    columns = ", ".join(f"c{n} text" for n in range(len(headers)))
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE bench_copy ({columns})")
        started = time.perf_counter()
        with cursor.copy("COPY bench_copy FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        seconds = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_copy")
    return seconds


def _measure(file_format: str, rows_wanted: int, database_url: str) -> None:
    setup_django(database_url)
    from django.core.management import call_command

    from fdx.accounts.models import Organisation, User
    from fdx.accounts.roles import sync_roles
    from fdx.core.actors import system
    from fdx.demo.people import ensure_demo_people
    from fdx.examinations.actions import load_analytical_methods
    from fdx.examinations.models import Finding
    from fdx.geo.actions import load_reference_geography
    from fdx.intake import actions
    from fdx.intake.reading import read_table
    from fdx.substances.actions import load_reference_substances

    call_command("migrate", verbosity=0)
    actor = system("benchmark")
    sync_roles()
    load_reference_geography(actor)
    load_analytical_methods(actor)
    load_reference_substances(actor)
    ensure_demo_people(actor)
    headers, rows = _rows(rows_wanted)
    data = _file(file_format, headers, rows)
    laboratory = Organisation.objects.get(code=DEMO_LAB)
    examiner = User.objects.filter(organisation=laboratory, username__contains="chemist").first()
    examiner = examiner or User.objects.filter(organisation=laboratory).first()

    started = time.perf_counter()
    read_table(io.BytesIO(data), f"bench.{file_format}", max_bytes=len(data) + 1)
    read_s = time.perf_counter() - started
    started = time.perf_counter()
    checked = actions.import_file(
        actor,
        io.BytesIO(data),
        f"bench.{file_format}",
        laboratory=laboratory,
        examiner=examiner,
        dry_run=True,
    )
    check_s = time.perf_counter() - started
    started = time.perf_counter()
    imported = actions.import_file(
        actor, io.BytesIO(data), f"bench.{file_format}", laboratory=laboratory, examiner=examiner
    )
    import_s = time.perf_counter() - started
    copy_s = _copy_floor(headers, rows)
    count = len(rows)
    print(
        json.dumps(
            {
                "format": file_format,
                "rows": count,
                "file_mib": round(len(data) / 2**20, 2),
                "problems": checked.run.problem_count,
                "first_problems": [str(p) for p in checked.problems[:3]],
                "state": imported.run.state,
                "findings_stored": Finding.objects.count(),
                "read_s": round(read_s, 2),
                "read_rows_per_s": round(count / read_s),
                "check_s": round(check_s, 2),
                "validated_rows_per_s": round(count / check_s),
                "import_s": round(import_s, 2),
                "imported_rows_per_s": round(count / import_s),
                "postgresql_copy_s": None if copy_s is None else round(copy_s, 3),
                "postgresql_copy_rows_per_s": None if copy_s is None else round(count / copy_s),
                "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
