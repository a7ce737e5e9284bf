"""Reference data at volume, between two real FDX nodes (the multi-node harness): Kazakhstan's node imports
the SWGDRUG 3.4 EI library (``../shared/data/spectra``, 2,988 spectra) at regional level and publishes it;
Uzbekistan's node subscribes (``fdx exchange follow``) and pulls it.

Measured, each as the ``fdx`` command an administrator runs (wall time, and the peak memory of that process):

* **queue** — ``fdx node deliver`` on the origin after the subscription: the library and every spectrum
  compared with what the subscriber holds and queued;
* **sync** — ``fdx exchange sync`` on the subscriber: pulled over HTTP, each spectrum's peaks checked
  against their SHA-256, linked to the subscriber's registry and written;
* **again** — ``fdx exchange requeue`` when nothing changed: everything compared, nothing queued.

Prints one JSON document. The peer of comparison is the case-data sync of ``benchmarks/exchange_sync.py``
(goal: 2,000 records per second applied over HTTP), run on the same machine.

    PYTHONPATH=src:. python benchmarks/exchange_publications.py
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.exchange_sync import HTTP_GOAL_RECORDS_PER_S, _rate, count, measured
from tests.multinode.harness import NodeSpec, connect_all, running_nodes

LIBRARY = Path(__file__).resolve().parents[2] / "shared" / "data" / "spectra" / "swgdrug_3.4.msp"

ORGANISATION = """
from fdx.testing.personas import organisation
organisation("demo-kz-forensic-centre")
"""
LIBRARY_ID = """
import json
from fdx.spectra.models import SpectralLibrary
print(json.dumps({"id": str(SpectralLibrary.objects.get(name="SWGDRUG").global_id)}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--library", type=Path, default=LIBRARY, help="an MSP file to publish")
    parser.add_argument("--database-url", default="", help="a PostgreSQL server for both nodes")
    args = parser.parse_args()
    database = "postgres" if args.database_url else "sqlite"
    specs = [
        NodeSpec("kz", "KZ", database=database, background_worker=False),
        NodeSpec("uz", "UZ", database=database, background_worker=False),
    ]
    report: dict = {"library": args.library.name, "database": database}
    with (
        tempfile.TemporaryDirectory(prefix="fdx-publication-bench-") as root,
        running_nodes(Path(root), *specs, postgres_url=args.database_url or None, use_cache=False) as nodes,
    ):
        kz, uz = nodes["kz"], nodes["uz"]
        kz.run_cli("manage", "shell", "-c", ORGANISATION)
        started = time.perf_counter()
        kz.run_cli(
            "spectra", "import", str(args.library), "--library", "SWGDRUG", "--version", "3.4",
            "--org", "demo-kz-forensic-centre", "--level", "regional", timeout=3600,
        )  # fmt: skip
        report["library_import_s"] = round(time.perf_counter() - started, 1)
        library_id = json.loads(
            kz.run_cli("manage", "shell", "-c", LIBRARY_ID).stdout.strip().splitlines()[-1]
        )
        connect_all((kz, uz))
        _deliver_all(kz)
        kz.run_cli(
            "exchange", "publications", "add", "kz-swgdrug", "--kind", "spectral_library",
            "--library", library_id["id"], "--organisation", "demo-kz-forensic-centre",
            "--name-en", "SWGDRUG 3.4",
        )  # fmt: skip
        _deliver_all(kz)
        catalogue = json.loads(uz.run_cli("exchange", "catalogue", "--peer", "kz", "--json").stdout)
        uz.run_cli("exchange", "follow", catalogue[0]["id"], "--peer", "kz")
        queue = measured(kz, "node", "deliver")
        records = count(kz, "exchange_outboxentry")
        report["records"] = records
        report["queue"] = _rate(queue, records)
        report["sync_http"] = _rate(measured(uz, "exchange", "sync", "--peer", "kz"), records)
        report["received_spectra"] = count(uz, "spectra_spectrum")
        report["linked_spectra"] = uz.scalar(
            "SELECT COUNT(*) FROM spectra_spectrum WHERE substance_id IS NOT NULL"
        )
        before = count(kz, "exchange_outboxentry")
        report["again"] = _rate(measured(kz, "exchange", "requeue"), 0)
        report["again"]["queued"] = count(kz, "exchange_outboxentry") - before
    report["sync_http"]["peer_goal_records_per_s"] = HTTP_GOAL_RECORDS_PER_S
    print(json.dumps(report, indent=1))


def _deliver_all(node) -> None:
    """Deliver every domain event due (the import's: a thousand a call), so that the step measured next
    delivers only its own."""
    while "nothing was due" not in node.run_cli("node", "deliver").stdout:
        pass


if __name__ == "__main__":
    main()
