"""The node as a whole: ``fdx setup``, ``fdx serve``, ``fdx worker``, ``fdx i18n`` and ``fdx manage``.

Set-up loads every app's reference data in layer order, so it lives here, above all of them.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time

import typer

from fdx.core.cli_support import err, out

logger = logging.getLogger(__name__)


def register_node_commands(app: typer.Typer) -> None:
    """Add the node-wide commands to the top-level ``fdx`` application."""
    app.command("setup")(setup)
    app.command("serve")(serve)
    app.command("worker")(worker)
    app.command("i18n")(i18n)
    app.command(
        "manage",
        context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
        help="Run a Django management command (for example: fdx manage showmigrations).",
    )(manage)


def setup(
    demo: bool = typer.Option(False, "--demo", help="Also create the demo organisations, people and cases."),
    demo_cases: int = typer.Option(5000, "--demo-cases", help="Demo cases to create when there are none."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print only passwords and errors."),
) -> None:
    """Prepare this node: migrate, compile translations, collect static files, roles, reference data."""
    from django.core.management import call_command

    from fdx.accounts.roles import sync_roles
    from fdx.core.actors import system
    from fdx.core.events import deliver_due
    from fdx.core.i18n import compile_catalogues
    from fdx.examinations.actions import load_analytical_methods
    from fdx.geo.actions import load_reference_geography
    from fdx.legal.actions import load_legal_reference
    from fdx.substances.actions import load_reference_substances

    started = time.monotonic()
    actor = system("setup")

    def step(label: str) -> None:
        if not quiet:
            out.print(f"[bold]•[/bold] {label}")

    step("Applying database migrations")
    call_command("migrate", interactive=False, verbosity=0)
    step("Compiling translations")
    compile_catalogues()
    if not static_is_current():
        step("Collecting static files")
        call_command("collectstatic", interactive=False, verbosity=0)
    step("Synchronising roles and permissions")
    sync_roles()
    step("Checking the node's identity and signing key")
    _node_key(actor, quiet)
    step("Loading reference geography")
    counts = load_reference_geography(actor)
    if not quiet and (counts["countries_created"] or counts["regions_created"]):
        out.print(f"  {counts['countries_created']} countries, {counts['regions_created']} regions added")
    step("Loading analytical methods")
    methods = load_analytical_methods(actor)
    if not quiet and (methods["created"] or methods["updated"]):
        out.print(f"  {methods['created']} methods added, {methods['updated']} updated")
    step("Loading reference substances")
    substances = load_reference_substances(actor)
    if not quiet and (substances["created"] or substances["updated"]):
        out.print(f"  {substances['created']} substances added, {substances['updated']} updated")
    step("Loading the legal reference content")
    legal = load_legal_reference(actor)
    if not quiet and (legal["listings_added"] or legal["listings_corrected"] or legal["updated"]):
        out.print(
            f"  {legal['listings_added']} listings added, {legal['listings_corrected']} corrected, "
            f"{legal['updated']} other facts brought up to date"
        )
    if demo:
        from fdx.demo.people import ensure_demo_people

        step("Creating the demo organisations and users")
        created = ensure_demo_people(actor)
        if created:
            out.print(
                "\n[bold yellow]Demo users (passwords and authenticator secrets are shown only this once; "
                "add the secret to an authenticator app for the sign-in code):[/bold yellow]"
            )
            for username, role, password, secret in created:
                out.print(
                    f"  {username:<24} {role:<12} {password}  authenticator secret: {secret}", soft_wrap=True
                )
            out.print("")
        from fdx.demo.spectra import ensure_starter_library

        step("Loading the starter EI library (openly licensed MassBank spectra)")
        spectra = ensure_starter_library(actor)
        if spectra and not quiet:
            out.print(f"  {spectra:,} spectra imported")
        if demo_cases:
            from fdx.demo.cases import load_demo_cases

            step(f"Creating {demo_cases:,} demo cases (when there are none)")
            written = load_demo_cases(actor, cases=demo_cases, seed=2024)
            if written and not quiet:
                out.print(f"  {written:,} demo cases added")
    step("Delivering domain events")
    deliver_due()
    if not quiet:
        out.print(f"[green]Ready[/green] in {time.monotonic() - started:.1f} s.")


def _node_key(actor, quiet: bool) -> None:
    """The node's key: created on first set-up (its fingerprint printed), checked afterwards."""
    from fdx.accounts.node import ensure_node_key
    from fdx.core.node import NodeKeyError, grouped, local_node_id

    try:
        key, created = ensure_node_key(actor)
    except NodeKeyError as exc:
        err.print(f"[red]{exc}[/red]")
        err.print("Restore the key file from its backup, or replace the key: fdx node rotate-key --reason …")
        raise typer.Exit(1) from None
    if created and not quiet:
        out.print(f"  node {local_node_id()}")
        out.print(f"  key fingerprint {grouped(key.fingerprint)}", soft_wrap=True)


def static_is_current() -> bool:
    """Whether the collected static files are newer than every source static file."""
    from django.conf import settings
    from django.contrib.staticfiles.finders import get_finders

    manifest = settings.STATIC_ROOT / "staticfiles.json"
    if not manifest.exists():
        return False
    collected_at = manifest.stat().st_mtime
    for finder in get_finders():
        for path, storage in finder.list([]):
            if storage.path(path) and _mtime(storage.path(path)) > collected_at:
                return False
    return True


def _mtime(path: str) -> float:
    return os.stat(path).st_mtime


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(None, "--port", help="Port (default: $PORT, else 8000)."),
    workers: int = typer.Option(
        None, "--workers", help="Worker processes (default: $FDX_WEB_WORKERS, else 2)."
    ),
    background: bool = typer.Option(
        None,
        "--background-worker/--no-background-worker",
        help="Also run `fdx worker` for background tasks (default: yes in local mode; in production run "
        "`fdx worker` as a service of its own).",
    ),
) -> None:
    """Serve FDX with gunicorn (static files by WhiteNoise)."""
    from django.conf import settings
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        err.print("[red]The database is not up to date.[/red] Run `fdx setup` (or `make setup`) first.")
        raise typer.Exit(2)
    connection.close()
    port = port or settings.FDX_PORT
    workers = workers or settings.FDX_WEB_WORKERS
    out.print(
        f"FDX {settings.FDX_NODE_NAME!r} serving on [bold]http://{host}:{port}/[/bold] (Ctrl+C stops it)"
    )
    sys.stdout.flush()
    from fdx.cli.server import run_gunicorn

    if background is None:
        background = settings.FDX_MODE == "local"
    task_worker = _spawn_worker() if background else None
    try:
        run_gunicorn(host=host, port=port, workers=workers)
    finally:
        if task_worker is not None:
            task_worker.terminate()
            task_worker.wait(timeout=20)


def _spawn_worker():
    """``fdx worker`` in a process of its own, beside the web server, stopped with it."""
    import subprocess

    command = [sys.executable, "-m", "fdx.cli", "worker", "--parent-pid", str(os.getpid())]
    return subprocess.Popen(command)  # noqa: S603 (our own command)


def worker(
    queue: str = typer.Option("default", "--queue", help="Queue to take tasks from."),
    sweep_every: int = typer.Option(
        30, "--sweep-every", min=1, help="Seconds between sweeps for domain events that are due."
    ),
    parent_pid: int = typer.Option(
        None, "--parent-pid", hidden=True, help="Stop when this process (the web server) is gone."
    ),
) -> None:
    """Run background tasks (django-tasks database worker) until stopped, and deliver the domain events
    that a back-off or an interrupted enqueue left waiting."""
    from django.core.management import call_command

    _start_event_sweep(sweep_every, parent_pid)
    call_command("db_worker", "--queue-name", queue)


def _start_event_sweep(interval_s: int, parent_pid: int | None = None) -> threading.Thread:
    """A thread of the worker process that delivers due domain events every ``interval_s`` seconds, and
    ends the process when the web server that started it is gone (however it ended)."""
    from django.db import connection

    from fdx.core.actors import system
    from fdx.core.events import deliver_due
    from fdx.exchange import actions as exchange_actions

    def sweep() -> None:
        next_sweep = 0.0
        while True:
            if parent_pid and os.getppid() != parent_pid:
                os._exit(0)
            if time.monotonic() >= next_sweep:
                try:
                    deliver_due()
                except Exception:  # a database that is away for a moment: try again at the next sweep
                    logger.exception("domain event sweep failed")
                try:
                    # Each peer that is due: every minute when well, after its back-off when failing.
                    exchange_actions.sync_due(system("exchange-sync"))
                except Exception:  # one failure is logged; the next sweep tries again
                    logger.exception("exchange sync sweep failed")
                finally:
                    connection.close()
                next_sweep = time.monotonic() + interval_s
            time.sleep(1)

    thread = threading.Thread(target=sweep, name="fdx-event-sweep", daemon=True)
    thread.start()
    return thread


def i18n(force: bool = typer.Option(False, "--force", help="Recompile every catalogue.")) -> None:
    """Compile the translation catalogues (.po → .mo)."""
    from fdx.core.i18n import CatalogueError, compile_catalogues

    try:
        written = compile_catalogues(force=force)
    except CatalogueError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from None
    for path in written:
        out.print(f"compiled {path}")


def manage(ctx: typer.Context) -> None:
    """Run a Django management command."""
    from django.core.management import execute_from_command_line

    execute_from_command_line(["fdx manage", *ctx.args])
