"""Exporting findings through the API (`GET /api/v1/findings/export.csv` and `.json`), the full stack with
token authentication: rows per second and the peak Python memory of the export, at two sizes. The findings
are the demo cases' findings, copied within their examinations up to each size (a fast direct path for the
benchmark only). Prints one JSON object. On PostgreSQL give `--database-url` (or FDX_BENCH_DATABASE_URL) a
database of its own: it is dropped and re-created.
"""

from __future__ import annotations

import argparse
import json
import os
import time
import tracemalloc
import uuid

from bench_django import api_client, bench_user, prepare_node, setup_django


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="20000,100000", help="findings in the database, comma-separated")
    parser.add_argument("--demo-cases", type=int, default=500, help="demo cases loaded first")
    parser.add_argument("--database-url", default=os.environ.get("FDX_BENCH_DATABASE_URL", ""))
    args = parser.parse_args()
    setup_django(args.database_url)
    from django.db import connection

    node = prepare_node(demo_cases=args.demo_cases)
    client = api_client(bench_user(node.actor, "bench_reader", roles=["analyst"])[1])

    client.get("/api/v1/findings/export.csv", {"seized_to": "1900-01-01"})  # permissions read, caches warm
    results = []
    for size in sorted(int(s) for s in args.sizes.split(",")):
        findings = _grow_findings_to(size)
        for file_format in ("csv", "json"):
            results.append({"findings": findings, "format": file_format, **_measure(client, file_format)})
    print(
        json.dumps(
            {
                "database": connection.vendor,
                "demo_cases": args.demo_cases,
                "demo_load_s": node.demo_load_s,
                "exports": results,
            },
            indent=2,
        )
    )


def _grow_findings_to(size: int) -> int:
    """Copy existing findings (same examination, later positions) until the database holds ``size``."""
    from django.db import transaction

    from fdx.examinations.models import Finding

    originals = list(Finding.objects.order_by("pk"))
    step = max(finding.position for finding in originals) + 1  # positions stay within a small integer
    total = Finding.objects.count()
    round_ = 1
    while total < size:
        batch = []
        for finding in originals[: size - total]:
            finding.pk = None
            finding.id = None
            finding.global_id = uuid.uuid4()
            finding.position = finding.position + step * round_
            batch.append(finding)
        with transaction.atomic():
            Finding.objects.bulk_create(batch, batch_size=2000)
        total += len(batch)
        round_ += 1
    _analyse()

    return total


def _analyse() -> None:
    """On PostgreSQL, what autovacuum does on a database at rest: the planner's statistics of every table
    brought up to date (measured right after loading, it would plan with the empty tables' counts)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _measure(client, file_format: str) -> dict:
    """Rows per second of one export (consumed block by block, never held), then its peak memory in a
    second run under tracemalloc (which slows it, so timed apart)."""
    path = f"/api/v1/findings/export.{file_format}"
    started = time.perf_counter()
    response = client.get(path)
    if response.status_code != 200:
        return {"status": response.status_code}
    rows, size = _consume(response)
    seconds = time.perf_counter() - started
    tracemalloc.start()
    _consume(client.get(path))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "rows": rows,
        "seconds": round(seconds, 2),
        "rows_per_s": round(rows / seconds),
        "megabytes": round(size / 1e6, 1),
        "streamed": response.streaming,
        "peak_python_memory_mb": round(peak / 1e6, 1),
    }


def _consume(response) -> tuple[int, int]:
    """Rows and bytes of a response, read as it comes (a streamed one is never held whole)."""
    blocks = response.streaming_content if response.streaming else [response.content]
    rows = size = 0
    for block in blocks:
        rows += block.count(b"\n")
        size += len(block)
    return rows - (1 if response["Content-Type"].startswith("text/csv") else 2), size


if __name__ == "__main__":
    main()
