"""Django for a benchmark script: a fresh data folder and database of its own (SQLite there, or the PostgreSQL
database at ``database_url``, dropped and created again), production settings; then the set-up the Django
benchmarks share: a node with its reference data, the demo people and demo cases (``prepare_node``), a reader
of a demo organisation with an API token (``bench_user``), the test clients that sign in as them
(``api_client``, ``web_client``), and the p50/p95 of timed requests (``percentiles``)."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from dataclasses import dataclass

#: The demo laboratory whose people the benchmarks read as (the head of laboratory's own records).
DEMO_LAB = "demo-kz-forensic-centre"
SEED = 2024


def setup_django(database_url: str = "", *, web_sessions: bool = False) -> str:
    """Point FDX at a throw-away data folder and database, then set Django up; returns the data folder.
    ``web_sessions``: readers of case data may sign in without a second factor, as ``web_client`` does."""
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
    if web_sessions:
        os.environ["FDX_REQUIRE_TWO_FACTOR"] = "false"
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{var_dir}/bench.sqlite3"
    if database_url:
        from audit_chain import _recreate_postgresql_database  # the scripts' folder is on sys.path

        _recreate_postgresql_database(database_url)
    import django

    django.setup()
    return var_dir


@dataclass
class Node:
    """A prepared node: the system actor that loaded it, and what loading the demo cases took."""

    actor: object
    demo_cases: int = 0
    demo_load_s: float = 0.0


def prepare_node(
    *,
    demo_cases: int = 0,
    seed: int = SEED,
    batch_size: int = 5000,
    node_key: bool = False,
    starter_library: bool = False,
) -> Node:
    """Migrate; the roles, reference geography, analytical methods and substances, the demo people; the
    node's key and the starter spectral library when asked; then ``demo_cases`` demo cases through the
    batched bulk loader (deterministic for ``seed``)."""
    from django.core.management import call_command

    from fdx.accounts.roles import sync_roles
    from fdx.core import node
    from fdx.core.actors import system
    from fdx.demo.cases import load_demo_cases_in_batches
    from fdx.demo.people import ensure_demo_people
    from fdx.examinations.actions import load_analytical_methods
    from fdx.geo.actions import load_reference_geography
    from fdx.substances.actions import load_reference_substances

    call_command("migrate", verbosity=0)
    if node_key:
        node.create_key()
    actor = system("benchmark")
    sync_roles()
    load_reference_geography(actor)
    load_analytical_methods(actor)
    load_reference_substances(actor)
    ensure_demo_people(actor)
    if starter_library:
        from fdx.demo.spectra import ensure_starter_library

        ensure_starter_library(actor)
    prepared = Node(actor)
    if demo_cases:
        started = time.perf_counter()
        prepared.demo_cases = load_demo_cases_in_batches(
            actor, cases=demo_cases, seed=seed, batch_size=batch_size
        ).written
        prepared.demo_load_s = round(time.perf_counter() - started, 1)
    return prepared


def bench_user(actor, username: str, *, roles: list[str], organisation: str = DEMO_LAB, token: bool = True):
    """A user of a demo organisation with ``roles``, and an API token of theirs (None unless ``token``)."""
    from fdx.accounts.actions import create_api_token, create_user
    from fdx.accounts.models import Organisation

    user, _ = create_user(
        actor,
        username=username,
        organisation=Organisation.objects.get(code=organisation),
        roles=roles,
        must_change_password=False,
    )
    return user, create_api_token(actor, user, name="benchmark")[1] if token else None


def api_client(token: str):
    """A test client that sends ``token`` with every request."""
    from django.test import Client

    return Client(SERVER_NAME="localhost", HTTP_AUTHORIZATION=f"Bearer {token}")


def web_client(user):
    """A test client signed in as ``user`` (a session without a second factor: ``setup_django(web_sessions=
    True)``)."""
    from django.test import Client

    client = Client(SERVER_NAME="localhost")
    client.force_login(user)
    return client


def percentiles(samples_ms: list[float]) -> dict:
    """The median and the 95th percentile (nearest rank) of request times in milliseconds."""
    ordered = sorted(samples_ms)
    p95 = ordered[min(len(ordered) - 1, round(len(ordered) * 0.95) - 1)]
    return {"p50_ms": round(statistics.median(ordered), 1), "p95_ms": round(p95, 1)}
