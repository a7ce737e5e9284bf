"""Latency of the large API lists, cursor against offset: the first page (with and without the count) and
a deep page (by ``offset`` and by ``cursor`` at the same depth) of ``GET /cases`` and ``GET /findings``, on
SQLite databases of the demo data set at several sizes. Prints one JSON object (p50/p95 in ms).

    PYTHONPATH=src python benchmarks/list_latency.py --sizes 1000 5000
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

from bench_django import api_client, bench_user, percentiles, prepare_node, setup_django


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000], help="demo cases per database")
    parser.add_argument("--repeat", type=int, default=20, help="requests per measurement")
    parser.add_argument("--one", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(_measure(args.one, args.repeat)))
        return
    results = []
    for size in args.sizes:
        # A fresh process and database per size, so one size's caches do not help the next.
        out = subprocess.run(  # noqa: S603 (this script itself, with integer arguments)
            [sys.executable, __file__, "--one", str(size), "--repeat", str(args.repeat)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        results.append(json.loads(out.strip().splitlines()[-1]))
    print(json.dumps({"benchmark": "list_latency", "database": "sqlite", "sizes": results}, indent=1))


def _measure(size: int, repeat: int) -> dict:
    setup_django()
    from fdx.core.api.pagination import encode_cursor
    from fdx.examinations import selectors
    from fdx.examinations.models import Finding

    node = prepare_node(demo_cases=size)
    reader, token = bench_user(node.actor, "bench_reader", roles=["analyst"])
    client = api_client(token)

    def timed(path: str) -> dict:
        samples = []
        client.get("/api/v1" + path)  # warm: token, caches
        for _ in range(repeat):
            begun = time.perf_counter()
            response = client.get("/api/v1" + path)
            samples.append((time.perf_counter() - begun) * 1000)
            if response.status_code != 200:
                raise RuntimeError(f"{path}: {response.status_code} {response.content[:300]}")
        return percentiles(samples)

    lists = {
        "cases": (selectors.list_cases(reader), ["-seizure_date", "-id"]),
        "findings": (Finding.objects.restrict(reader, "view").order_by("-id"), ["-id"]),
    }
    result = {"cases_in_database": size, "load_s": node.demo_load_s}
    for name, (visible, order) in lists.items():
        rows = visible.count()
        depth = rows // 2
        # The cursor a client would hold after paging to ``depth``: the key of the row just before it.
        before = visible.order_by(*order)[depth - 1] if depth else None
        cursor = encode_cursor(before, order) if before else ""
        result[name] = {
            "visible_rows": rows,
            "deep_page_at": depth,
            "first_page_with_count": timed(f"/{name}?limit=50"),
            "first_page_without_count": timed(f"/{name}?limit=50&with_count=false"),
            "deep_page_by_offset": timed(f"/{name}?limit=50&offset={depth}"),
            "deep_page_by_cursor": timed(f"/{name}?limit=50&cursor={cursor}") if cursor else None,
        }
    return result


if __name__ == "__main__":
    main()
