"""The exchange at volume, between real FDX nodes (the multi-node harness: ``fdx serve`` on loopback ports,
each with its own database): Kazakhstan's node with N demo cases made regional, and two receivers.

Measured, each as the ``fdx`` command an administrator runs (wall time, and the peak memory of that process):

* **queue** — ``fdx exchange requeue`` on the origin: what each receiver is owed, compared and queued;
* **export** — ``fdx exchange export`` of the whole queue for the first receiver, as a bundle file;
* **import** — ``fdx exchange import`` of that bundle on the first receiver;
* **sync** — ``fdx exchange sync`` on the second receiver: pulled over HTTP from the origin and applied.

Prints one JSON document: records, seconds, records per second and peak memory (MiB) per step, and the goals
of issue 13 (2,000 records/s applied over HTTP; a 100,000-record bundle exported and imported in under 60 s
each). The origin on PostgreSQL with ``--database-url`` (a server: the harness creates and drops its
databases); SQLite otherwise.

    PYTHONPATH=src:. python benchmarks/exchange_sync.py --cases 2000
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.multinode.harness import NodeSpec, connect_all, running_nodes

HTTP_GOAL_RECORDS_PER_S = 2000
BUNDLE_GOAL_S_PER_100K = 60

MAKE_REGIONAL = """
import json
from fdx.examinations.models import Case
shared = Case.objects.filter(has_shared_result=True)
changed = shared.update(distribution_level="regional", sharing_group=None)
print(json.dumps({"regional_cases": changed}))
"""

PEAK = """
import json, resource, sys, time
sys.argv = ["fdx"] + sys.argv[1:]
started = time.perf_counter()
code = 0
try:
    from fdx.cli import main
    main()
except SystemExit as exit:
    code = exit.code or 0
print(json.dumps({"seconds": round(time.perf_counter() - started, 2),
                  "peak_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                  "exit": code}), file=sys.stderr)
"""


def measured(node, *args) -> dict:
    """Run ``fdx ARGS`` on ``node`` in a process of its own; its time and peak memory (from its stderr)."""
    import subprocess

    result = subprocess.run(  # noqa: S603 (this interpreter, fixed code, the benchmark's own arguments)
        [sys.executable, "-c", PEAK, *args], env=node.env, capture_output=True, text=True, timeout=7200
    )
    figures = json.loads(result.stderr.strip().splitlines()[-1])
    if figures["exit"]:
        raise RuntimeError(f"fdx {' '.join(args)} failed on {node.name}:\n{result.stdout}\n{result.stderr}")
    figures["output"] = result.stdout.strip()[-400:]
    return figures


def count(node, table: str) -> int:
    return node.scalar(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 (a constant table name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=2000, help="demo cases on the origin")
    parser.add_argument("--database-url", default="", help="a PostgreSQL server for the origin and receivers")
    args = parser.parse_args()
    database = "postgres" if args.database_url else "sqlite"
    specs = [
        NodeSpec("kz", "KZ", database=database, background_worker=False),
        NodeSpec("uz", "UZ", database=database, background_worker=False),
        NodeSpec("tj", "TJ", database=database, background_worker=False),
    ]
    report: dict = {"cases": args.cases, "database": database}
    with (
        tempfile.TemporaryDirectory(prefix="fdx-exchange-bench-") as root,
        running_nodes(Path(root), *specs, postgres_url=args.database_url or None, use_cache=False) as nodes,
    ):
        kz, uz, tj = nodes["kz"], nodes["uz"], nodes["tj"]
        started = time.perf_counter()
        kz.run_cli("demo", "load", "--cases", str(args.cases), timeout=7200)
        report["demo_load_s"] = round(time.perf_counter() - started, 1)
        report["regional_cases"] = json.loads(
            kz.run_cli("manage", "shell", "-c", MAKE_REGIONAL).stdout.strip().splitlines()[-1]
        )["regional_cases"]
        connect_all((kz, tj), (kz, uz))
        queue = measured(kz, "exchange", "requeue")
        records = count(kz, "exchange_outboxentry") // 2
        report["records_per_receiver"] = records
        report["queue"] = _rate(queue, records * 2)
        bundle = Path(root) / "for-uz.fdxbundle"
        report["export"] = _rate(
            measured(kz, "exchange", "export", "--peer", "uz", "-o", str(bundle)), records
        )
        report["bundle_mib"] = round(bundle.stat().st_size / 2**20, 1)
        report["import"] = _rate(measured(uz, "exchange", "import", str(bundle)), records)
        report["sync_http"] = _rate(measured(tj, "exchange", "sync", "--peer", "kz"), records)
        report["received"] = {node.name: count(node, "exchange_receivedrecord") for node in (uz, tj)}
    for step in ("export", "import"):
        seconds_per_100k = report[step]["seconds"] * 100_000 / max(records, 1)
        report[step]["seconds_per_100k"] = round(seconds_per_100k, 1)
        report[step]["goal_s_per_100k"] = BUNDLE_GOAL_S_PER_100K
        report[step]["pass"] = seconds_per_100k < BUNDLE_GOAL_S_PER_100K
    report["sync_http"]["goal_records_per_s"] = HTTP_GOAL_RECORDS_PER_S
    report["sync_http"]["pass"] = report["sync_http"]["records_per_s"] >= HTTP_GOAL_RECORDS_PER_S
    print(json.dumps(report, indent=1))


def _rate(figures: dict, records: int) -> dict:
    figures = dict(figures)
    figures.pop("exit", None)
    figures["records"] = records
    figures["records_per_s"] = round(records / figures["seconds"]) if figures["seconds"] else None
    return figures


if __name__ == "__main__":
    main()
