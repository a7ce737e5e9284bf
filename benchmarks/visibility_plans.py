"""Plans and latency of the case and findings lists under the visibility rule, on a database loaded already
(``fdx demo load --cases N`` on PostgreSQL, or on SQLite): first page, a cursor page half-way down, ``q=``
(common and rare), and the findings list (first page, half-way cursor, a class filter), each as a Kazakh
laboratory analyst and as the regional centre's analyst. Prints one JSON object: p50/p95 in ms, the rows
each reader may see, and for each route the database's plan of its main query (EXPLAIN ANALYZE on
PostgreSQL, EXPLAIN QUERY PLAN on SQLite). The database is read, not dropped; two analysts ("vis_kz_analyst",
"vis_rc_analyst") and an API token each are added to it.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fdx_100k PYTHONPATH=src \
        python benchmarks/visibility_plans.py --repeat 20 --plans
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time

READERS = {"kz_analyst": "demo-kz-forensic-centre", "rc_analyst": "demo-regional-centre"}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""), required=False)
    parser.add_argument("--repeat", type=int, default=20, help="requests per measurement")
    parser.add_argument("--plans", action="store_true", help="include each route's plan")
    args = parser.parse_args()
    if not args.database_url:
        parser.error("name the loaded database: --database-url or DATABASE_URL")
    os.environ.update(
        {
            "FDX_VAR_DIR": tempfile.mkdtemp(prefix="fdx-bench-"),
            "FDX_ENV_FILE": os.devnull,
            "FDX_LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "fdx.config.settings",
            "SECRET_KEY": "benchmark-" + "x" * 40,
            "DATABASE_URL": args.database_url,
        }
    )
    import django

    django.setup()
    from django.db import connection

    result = {"benchmark": "visibility_plans", "database": connection.vendor, "readers": {}}
    for name, organisation in READERS.items():
        result["readers"][name] = _measure(_reader(name, organisation), args.repeat, args.plans)
    print(json.dumps(result, indent=1))


def _reader(name: str, organisation: str):
    from fdx.accounts.actions import create_api_token, create_user
    from fdx.accounts.models import Organisation, User
    from fdx.core.actors import system

    actor = system("benchmark")
    user = User.objects.filter(username=f"vis_{name}").first()
    if user is None:
        user, _password = create_user(
            actor,
            username=f"vis_{name}",
            organisation=Organisation.objects.get(code=organisation),
            roles=["analyst"],
        )
    return user, create_api_token(actor, user, name="benchmark")[1]


def _measure(reader, repeat: int, plans: bool) -> dict:
    from django.test import Client

    from fdx.core.api.pagination import encode_cursor
    from fdx.examinations import selectors
    from fdx.examinations.models import Finding

    user, token = reader
    cases = selectors.list_cases(user)
    findings = Finding.objects.restrict(user, "view").order_by("-id")
    visible = {"cases": cases.count(), "findings": findings.count()}
    # The cursor a client holds after paging half-way down: the key of the row just before.
    case_cursor = encode_cursor(cases[visible["cases"] // 2 - 1], ["-seizure_date", "-id"])
    finding_cursor = encode_cursor(findings[visible["findings"] // 2 - 1], ["-id"])
    routes = {
        "cases_first_page": "/cases?limit=50&with_count=false",
        "cases_first_page_with_count": "/cases?limit=50",
        "cases_half_way_cursor": f"/cases?limit=50&cursor={case_cursor}",
        "cases_q_common": "/cases?limit=50&q=KZ&with_count=false",
        "cases_q_rare": "/cases?limit=50&q=Tesla&with_count=false",
        "findings_first_page": "/findings?limit=50&with_count=false",
        "findings_half_way_cursor": f"/findings?limit=50&cursor={finding_cursor}",
        "findings_class": "/findings?limit=50&substance_class=cathinones&with_count=false",
    }
    client = Client(SERVER_NAME="localhost")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    out = {"visible": visible}
    for key, path in routes.items():
        client.get("/api/v1" + path, **headers)  # warm: token, caches
        samples = []
        for _ in range(repeat):
            begun = time.perf_counter()
            response = client.get("/api/v1" + path, **headers)
            samples.append((time.perf_counter() - begun) * 1000)
            if response.status_code != 200:
                raise RuntimeError(f"{path}: {response.status_code} {response.content[:300]}")
        samples.sort()
        out[key] = {
            "p50_ms": round(statistics.median(samples), 1),
            "p95_ms": round(samples[min(len(samples) - 1, int(len(samples) * 0.95))], 1),
        }
        if plans:
            out[key]["plan"] = _plan(client, "/api/v1" + path, headers)
    return out


def _plan(client, path: str, headers: dict) -> list[str]:
    """The plan of the route's main query: the first paged SELECT of cases or findings it runs."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(path, **headers)
    tables = ('FROM "examinations_case"', 'FROM "examinations_finding"')
    main = next(
        (
            q["sql"]
            for q in captured.captured_queries
            if "LIMIT" in q["sql"] and any(t in q["sql"] for t in tables)
        ),
        None,
    )
    if main is None:
        return []
    explain = "EXPLAIN (ANALYZE, BUFFERS) " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
    with connection.cursor() as cursor:
        cursor.execute(explain + main)  # the SQL Django ran, its values bound in: nothing from outside
        return [" ".join(str(part) for part in row) for row in cursor.fetchall()]


if __name__ == "__main__":
    main()
