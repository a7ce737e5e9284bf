"""The ``fdx`` command line: the one tool node operators use (set-up, serving, people, audit, reference data).

It sits at the top of the layers: each domain contributes a typer sub-application from its own ``cli.py``,
and ``fdx.cli.node`` sets up, serves and describes the node as a whole. Commands call the same actions and
selectors as the web pages and the API, with the operator recorded as ``cli:<os user>``.
"""

from __future__ import annotations

import os
import sys

import typer

from fdx.accounts.cli import node_app, orgs_app, users_app
from fdx.audit.cli import audit_app
from fdx.cli.node import register_node_commands
from fdx.core.cli_support import err
from fdx.demo.cli import demo_app
from fdx.examinations.cli import cases_app, exports_app, reports_app
from fdx.exchange.cli import exchange_app
from fdx.geo.cli import geo_app
from fdx.intake.cli import export_app, import_app
from fdx.legal.cli import legal_app
from fdx.spectra.cli import spectra_app
from fdx.substances.cli import substances_app

app = typer.Typer(
    name="fdx",
    help="FDX — Forensic Drug eXchange: set up, serve and administer a node.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def setup_django() -> None:
    """Load FDX's settings (failing with the name of a bad variable) and Django's app registry."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fdx.config.settings")
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None


@app.callback()
def _root(ctx: typer.Context) -> None:
    if ctx.resilient_parsing:
        return
    setup_django()


def _register() -> None:
    register_node_commands(app)
    app.add_typer(users_app, name="users")
    app.add_typer(orgs_app, name="orgs")
    app.add_typer(node_app, name="node")
    app.add_typer(audit_app, name="audit")
    app.add_typer(geo_app, name="geo")
    app.add_typer(demo_app, name="demo")
    app.add_typer(substances_app, name="substances")
    app.add_typer(legal_app, name="legal")
    app.add_typer(spectra_app, name="spectra")
    app.add_typer(reports_app, name="reports")
    app.add_typer(exports_app, name="exports")
    app.add_typer(cases_app, name="cases")
    app.add_typer(exchange_app, name="exchange")
    app.add_typer(import_app, name="import")
    app.add_typer(export_app, name="export")


_register()


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
