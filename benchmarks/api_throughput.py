"""Throughput of the case-data API: creating complete cases (case, exhibit, examination, finding, submit,
approve — eight requests each, through the full middleware stack with token authentication) and listing
cases with filters, on a database holding the demo data set. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time

from bench_django import bench_user, prepare_node, setup_django


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=200, help="complete cases to create through the API")
    parser.add_argument("--demo-cases", type=int, default=5000, help="demo cases in the database first")
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    setup_django(args.database_url)
    from django.db import connection
    from django.test import Client

    from fdx.substances.models import Substance

    node = prepare_node(demo_cases=args.demo_cases)
    tokens = {
        username: bench_user(node.actor, username, roles=[role])[1]
        for username, role in (
            ("bench_chemist", "data_entry"),
            ("bench_head", "reviewer"),
            ("bench_reader", "analyst"),
        )
    }
    client = Client(SERVER_NAME="localhost")
    meph = str(Substance.objects.get(key="mephedrone-hydrochloride").global_id)

    def call(method, path, user, data=None):
        response = getattr(client, method)(
            "/api/v1" + path,
            data,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {tokens[user]}",
        )
        if response.status_code >= 400:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.content[:300]}")
        return response.json() if response.content else None

    started = time.perf_counter()
    for number in range(args.cases):
        case = call(
            "post",
            "/cases",
            "bench_chemist",
            {
                "reference": f"BENCH-{number:06d}",
                "seizure_date": "2025-05-01",
                "seizure_country": "KZ",
                "seizure_region": "KZ-75",
                "seizure_context": "internal",
                "distribution_level": "regional",
            },
        )
        exhibit = call(
            "post",
            f"/cases/{case['id']}/exhibits",
            "bench_chemist",
            {"label": "1", "form": "powder", "gross_mass_g": "1.2", "net_mass_g": "1.0"},
        )
        examination = call(
            "post",
            f"/exhibits/{exhibit['id']}/examinations",
            "bench_chemist",
            {
                "received_date": "2025-05-02",
                "completed_date": "2025-05-05",
                "methods": ["gc_ms"],
                "conclusion": "Mephedrone.",
            },
        )
        call(
            "post",
            f"/examinations/{examination['id']}/findings",
            "bench_chemist",
            {"substance": meph, "result_type": "quantitative", "purity_percent": "75"},
        )
        call("post", f"/examinations/{examination['id']}/submit", "bench_chemist", {})
        call("post", f"/examinations/{examination['id']}/approve", "bench_head", {})
    create_s = time.perf_counter() - started

    list_timings = {}
    for label, query in {
        "first page": "",
        "class filter": "&substance_class=cathinones",
        "country and dates": "&country=KZ&seized_from=2025-01-01&seized_to=2025-12-31",
        "text": "&q=DEMO-KZ-2025",
    }.items():
        samples = []
        for _ in range(10):
            begun = time.perf_counter()
            call("get", f"/cases?limit=50{query}", "bench_reader")
            samples.append((time.perf_counter() - begun) * 1000)
        list_timings[label] = round(statistics.median(samples), 1)

    print(
        json.dumps(
            {
                "benchmark": "api_throughput",
                "database": connection.vendor,
                "cases_in_database": args.demo_cases + args.cases,
                "complete_cases_created": args.cases,
                "complete_cases_per_s": round(args.cases / create_s, 1),
                "requests_per_s": round(args.cases * 6 / create_s, 1),
                "list_cases_ms_median": list_timings,
                "cpus": os.cpu_count(),
            }
        )
    )


if __name__ == "__main__":
    main()
