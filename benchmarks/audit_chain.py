"""Audit chain throughput: append N events (one transaction each), sign a checkpoint every --every events,
and verify the whole chain against every checkpoint.

Prints one JSON object. Uses a fresh database: a temporary SQLite file, or the PostgreSQL database named
by --database-url (dropped and re-created).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=20000)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--every", type=int, default=1000, help="events between signed checkpoints")
    args = parser.parse_args()

    var_dir = tempfile.mkdtemp(prefix="fdx-bench-")
    os.environ.update(
        {
            "FDX_VAR_DIR": var_dir,
            "FDX_ENV_FILE": os.devnull,
            "DJANGO_SETTINGS_MODULE": "fdx.config.settings",
            "FDX_LOG_LEVEL": "WARNING",
        }
    )
    os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{var_dir}/bench.sqlite3"
    if args.database_url:
        _recreate_postgresql_database(args.database_url)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from fdx.audit.actions import record
    from fdx.audit.checkpoints import write_checkpoint
    from fdx.audit.verify import verify_chain
    from fdx.core import node
    from fdx.core.actors import system

    call_command("migrate", verbosity=0)
    node.create_key()
    actor = system("benchmark")

    checkpoint_s = 0.0
    checkpoints = 0
    started = time.perf_counter()
    for number in range(args.events):
        if number and number % args.every == 0:
            moment = time.perf_counter()
            write_checkpoint()
            checkpoint_s += time.perf_counter() - moment
            checkpoints += 1
        record(
            "geo.reference.loaded",
            actor=actor,
            object_type="benchmark",
            object_id=str(number),
            before={"n": number - 1},
            after={"n": number, "text": "мефедрон 4-MMC", "mass_g": 12.5},
        )
    append_s = time.perf_counter() - started - checkpoint_s

    started = time.perf_counter()
    result = verify_chain()
    verify_s = time.perf_counter() - started

    print(
        json.dumps(
            {
                "benchmark": "audit_chain",
                "database": connection.vendor,
                "events": args.events,
                "append_s": round(append_s, 3),
                "append_events_per_s": round(args.events / append_s, 1),
                "verify_s": round(verify_s, 3),
                "verify_events_per_s": round(result.events_checked / verify_s, 1),
                "verified": result.ok,
                "checkpoints": result.checkpoints_checked,
                "checkpoint_write_ms_mean": round(1000 * checkpoint_s / max(1, checkpoints), 2),
                "anchored_sequence": result.anchored_sequence,
                "max_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                "python": sys.version.split()[0],
                "cpus": os.cpu_count(),
            }
        )
    )


def _recreate_postgresql_database(url: str) -> None:
    import environ
    import psycopg

    config = environ.Env.db_url_config(url)
    admin = psycopg.connect(
        host=config["HOST"],
        port=config["PORT"] or 5432,
        user=config["USER"],
        password=config["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )
    name = psycopg.sql.Identifier(config["NAME"])
    admin.execute(psycopg.sql.SQL("DROP DATABASE IF EXISTS {}").format(name))
    admin.execute(psycopg.sql.SQL("CREATE DATABASE {}").format(name))
    admin.close()


if __name__ == "__main__":
    main()
