"""Django for a benchmark script: a fresh data folder and database of its own (SQLite there, or the PostgreSQL
database at ``database_url``, dropped and created again), production settings."""

from __future__ import annotations

import os
import tempfile


def setup_django(database_url: str = "") -> str:
    """Point FDX at a throw-away data folder and database, then set Django up; returns the data folder."""
    var_dir = tempfile.mkdtemp(prefix="fdx-bench-")
    os.environ.update(
        {
            "FDX_VAR_DIR": var_dir,
            "FDX_ENV_FILE": os.devnull,
            "FDX_LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "fdx.config.settings",
            "SECRET_KEY": "benchmark-" + "x" * 40,
        }
    )
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{var_dir}/bench.sqlite3"
    if database_url:
        from audit_chain import _recreate_postgresql_database  # the scripts' folder is on sys.path

        _recreate_postgresql_database(database_url)
    import django

    django.setup()
    return var_dir
