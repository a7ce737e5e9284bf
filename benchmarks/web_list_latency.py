"""Latency of the Cases web page (``/cases/``, 25 a page, with its total): the first page and a page
half-way down the list, on a database of the demo data set (SQLite, or PostgreSQL with ``--database-url``).
Prints one JSON object (p50/p95 in ms over ``--repeat`` requests; a large total is then read from the cache
after the first request, as a reader paging through the list would see).

Run it with the ``src`` of the code to measure on ``PYTHONPATH``: the web pages page by cursor where
``fdx.core.paging`` exists (the half-way page is then a ``cursor=`` link), by page number before (the
half-way page is then ``page=N``, counted and skipped by offset), so the same script gives before and after.

    PYTHONPATH=src python benchmarks/web_list_latency.py --cases 20000
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

PER_PAGE = 25


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=20000, help="demo cases in the database")
    parser.add_argument("--repeat", type=int, default=20, help="requests per measurement")
    parser.add_argument("--database-url", default="", help="a PostgreSQL database to drop and fill")
    args = parser.parse_args()
    os.environ["FDX_REQUIRE_TWO_FACTOR"] = "false"  # the benchmark's reader signs in with a session alone
    from bench_django import setup_django

    setup_django(args.database_url)
    print(json.dumps(_measure(args.cases, args.repeat, args.database_url), indent=1))


def _measure(size: int, repeat: int, database_url: str) -> dict:
    from django.core.management import call_command
    from django.test import Client

    from fdx.accounts.actions import create_user
    from fdx.accounts.models import Organisation
    from fdx.accounts.roles import sync_roles
    from fdx.core.actors import system
    from fdx.demo.cases import load_demo_cases_in_batches
    from fdx.demo.people import ensure_demo_people
    from fdx.examinations import selectors
    from fdx.examinations.actions import load_analytical_methods
    from fdx.geo.actions import load_reference_geography
    from fdx.substances.actions import load_reference_substances

    call_command("migrate", verbosity=0)
    actor = system("benchmark")
    sync_roles()
    load_reference_geography(actor)
    load_analytical_methods(actor)
    load_reference_substances(actor)
    ensure_demo_people(actor)
    load_demo_cases_in_batches(actor, cases=size, seed=2024, batch_size=5000)
    lab = Organisation.objects.get(code="demo-kz-forensic-centre")
    reader, _ = create_user(
        actor, username="bench_reader", organisation=lab, roles=["analyst"], must_change_password=False
    )
    client = Client(SERVER_NAME="localhost")
    client.force_login(reader)

    def timed(path: str) -> dict:
        samples = []
        for _ in range(repeat):
            begun = time.perf_counter()
            response = client.get(path)
            samples.append((time.perf_counter() - begun) * 1000)
            if response.status_code != 200:
                raise RuntimeError(f"{path}: {response.status_code} {response.content[:300]}")
        samples.sort()
        return {
            "p50_ms": round(statistics.median(samples), 1),
            "p95_ms": round(samples[min(len(samples) - 1, int(len(samples) * 0.95))], 1),
        }

    visible = selectors.list_cases(reader)
    rows = visible.count()
    depth = (rows // 2) // PER_PAGE * PER_PAGE
    keyset = importlib.util.find_spec("fdx.core.paging") is not None
    if keyset:
        from fdx.core.paging import encode_cursor

        order = ["-seizure_date", "-id"]
        deep = "/cases/?cursor=" + encode_cursor(visible.order_by(*order)[depth - 1], order)
    else:
        deep = f"/cases/?page={depth // PER_PAGE + 1}"
    client.get("/cases/")  # warm: the session, the templates
    return {
        "benchmark": "web_list_latency",
        "database": "postgresql" if database_url else "sqlite",
        "paging": "cursor" if keyset else "page number",
        "cases_in_database": size,
        "visible_rows": rows,
        "deep_page_at": depth,
        "first_page": timed("/cases/"),
        "deep_page": timed(deep),
    }


if __name__ == "__main__":
    main()
