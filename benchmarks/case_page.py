"""The web case page (``/cases/<id>/``) alone: growth.py's detail page cell (a regionally shared case of 12
exhibits, their examinations and findings, and 10 attachments, beside N demo cases), as the owner's head of
laboratory (who is shown the forms that record an exhibit, an examination, an attachment) and as an analyst
of the regional centre (who is shown none), in English and in Russian: p50/p95 of the wall time and of the
process's CPU time, the fastest request (these two less moved by other work on a shared machine), the
queries, and the page's size. Its cost does not depend on the size of the tables (growth.py measures
that), so a small database is enough.

    PYTHONPATH=src python benchmarks/case_page.py --cases 200 --repeat 40
"""

from __future__ import annotations

import argparse
import json
import os
import time

from bench_django import percentiles, setup_django
from growth import TEMPLATE_MARGIN, Bench


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=200, help="demo cases in the database")
    parser.add_argument(
        "--repeat", type=int, default=40, help="timed requests per figure (after one warm-up)"
    )
    parser.add_argument("--database-url", default=os.environ.get("FDX_BENCH_DATABASE_URL", ""))
    args = parser.parse_args()
    setup_django(args.database_url, web_sessions=True)
    from django.db import connection

    bench = Bench(repeat=args.repeat, batch_size=5000, max_cases=args.cases + TEMPLATE_MARGIN)
    bench.prepare()
    bench.grow_to(args.cases)
    path = f"/cases/{bench.targets['case']}/"
    figures = {
        f"{persona} {language}": _measure(bench.clients[persona][1], path, language, args.repeat)
        for persona in ("lab_head", "regional_analyst")
        for language in ("en", "ru")
    }
    document = {
        "benchmark": "case_page",
        "database": connection.vendor,
        "cases": args.cases,
        "case": {key: bench.targets[key] for key in ("case_exhibits", "case_findings", "case_attachments")},
        "repeat": args.repeat,
        "figures": figures,
    }
    print(json.dumps(document, indent=1))


def _measure(client, path: str, language: str, repeat: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(path, HTTP_ACCEPT_LANGUAGE=language)  # warm: templates, caches, the session
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, HTTP_ACCEPT_LANGUAGE=language)
    if response.status_code != 200:
        raise RuntimeError(f"{path}: {response.status_code}")
    query_count = len(queries)  # now: each request empties the connection's log of queries
    wall, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        client.get(path, HTTP_ACCEPT_LANGUAGE=language)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    cpu_figures = percentiles(cpu)
    return {
        **percentiles(wall),
        "fastest_ms": round(min(wall), 1),  # the least moved by other work on a shared machine
        "cpu_p50_ms": cpu_figures["p50_ms"],
        "cpu_p95_ms": cpu_figures["p95_ms"],
        "queries": query_count,
        "kilobytes": round(len(response.content) / 1024, 1),
    }


if __name__ == "__main__":
    main()
