"""Loading the demo data set in bulk: ``load_demo_cases_in_batches`` (generated lazily, checked with the
actions' rules and written in batches, one transaction and one audit event per batch) at each size, on SQLite
and, when FDX_BENCH_DATABASE_URL (or --database-url) names one, on PostgreSQL. Each size is loaded twice, in
the same run: ``fast`` (COPY on PostgreSQL, one executemany on SQLite: ``fdx.core.bulk_rows``) and ``orm``
(the same checks, the same rows written with ``bulk_create``); ``--paths fast`` leaves the ORM path out. For
comparison, ``--baseline`` adds the earlier path at the smallest size (every case checked first, then written
in batches of 500 with one audit event per case, all in one transaction). Cases/s and findings/s count the
whole load: generation, checks, writes, the audit chain and the final domain event (the demo staff are
created before the clock starts: hashing their passwords is not loading); ``cpu_s`` is this process's CPU
time (the database server's is not in it), a steadier figure than the wall clock on a busy machine. The
audit chain is verified after each run.

Each run has a fresh database (a temporary SQLite file; the PostgreSQL database is dropped and re-created,
so give it one of its own). Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time

from bench_django import setup_django


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="2000,20000", help="comma-separated case counts")
    parser.add_argument("--batch-size", type=int, default=5000)
    parser.add_argument("--database-url", default=os.environ.get("FDX_BENCH_DATABASE_URL", ""))
    parser.add_argument("--paths", default="fast,orm", help="comma-separated: fast, orm")
    parser.add_argument("--baseline", action="store_true", help="add the earlier per-case-audit path")
    parser.add_argument("--run", help=argparse.SUPPRESS)  # one measurement, in a child process
    args = parser.parse_args()
    if args.run:
        _measure(args.run, args.database_url, args.batch_size)
        return
    sizes = [int(size) for size in args.sizes.split(",")]
    databases = [("sqlite", "")] + ([("postgresql", args.database_url)] if args.database_url else [])
    results = []
    for database, url in databases:
        runs = [(path, size) for size in sizes for path in args.paths.split(",")]
        if args.baseline:
            runs.insert(0, ("per_case_audit", sizes[0]))
        for path, size in runs:
            command = [
                sys.executable,
                __file__,
                "--run",
                f"{path}:{size}",
                "--batch-size",
                str(args.batch_size),
            ]
            command += ["--database-url", url]
            completed = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
            if completed.returncode:
                raise SystemExit(completed.stderr)
            results.append({"database": database, **json.loads(completed.stdout.strip().splitlines()[-1])})
    print(json.dumps({"batch_size": args.batch_size, "runs": results}, indent=2))


def _measure(run: str, database_url: str, batch_size: int) -> None:
    path, size = run.split(":")
    cases = int(size)
    setup_django(database_url)
    from django.core.management import call_command
    from django.utils import timezone

    from fdx.accounts.roles import sync_roles
    from fdx.audit.models import AuditEvent
    from fdx.audit.verify import verify_chain
    from fdx.core import node
    from fdx.core.actors import system
    from fdx.demo.cases import _context, generate, iter_generate
    from fdx.demo.people import ensure_demo_people
    from fdx.examinations.actions import load_analytical_methods
    from fdx.examinations.bulk import load_cases_in_batches, record_cases_in_bulk
    from fdx.examinations.models import Case, Finding
    from fdx.geo.actions import load_reference_geography
    from fdx.substances.actions import load_reference_substances

    call_command("migrate", verbosity=0)
    node.create_key()
    actor = system("benchmark")
    sync_roles()
    load_reference_geography(actor)
    load_analytical_methods(actor)
    load_reference_substances(actor)
    ensure_demo_people(actor)
    context = _context(actor)  # the demo staff, with their (slow, memory-hard) password hashes
    audit_before = AuditEvent.objects.count()

    started, cpu_started = time.perf_counter(), time.process_time()
    today = timezone.localdate()
    if path in ("fast", "orm"):
        specs = iter_generate(context, cases=cases, seed=2024, today=today)
        written = load_cases_in_batches(actor, specs, batch_size=batch_size, fast=path == "fast").written
    else:
        written = record_cases_in_bulk(actor, generate(context, cases=cases, seed=2024, today=today)).written
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    findings = Finding.objects.count()
    moment = time.perf_counter()
    verified = verify_chain().ok
    verify_s = time.perf_counter() - moment
    print(
        json.dumps(
            {
                "path": path,
                "cases": written,
                "stored_cases": Case.objects.count(),
                "findings": findings,
                "seconds": round(seconds, 2),
                "cases_per_s": round(written / seconds, 1),
                "cpu_s": round(cpu_seconds, 2),
                "findings_per_s": round(findings / seconds, 1),
                "audit_events": AuditEvent.objects.count() - audit_before,
                "audit_chain_verifies": verified,
                "audit_verify_s": round(verify_s, 2),
                "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
