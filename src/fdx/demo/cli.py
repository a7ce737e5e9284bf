"""``fdx demo …``: the demo data set."""

from __future__ import annotations

import typer
from rich.console import Console

from fdx.core.cli_support import handle_errors

out = Console()
demo_app = typer.Typer(help="Load the clearly labelled demo data set.", no_args_is_help=True)


@demo_app.command("load")
@handle_errors
def load() -> None:
    """Create the demo organisations and one demo user per role (passwords printed once)."""
    from fdx.core.actors import cli_actor
    from fdx.demo.people import ensure_demo_people

    created = ensure_demo_people(cli_actor())
    for username, role, password in created:
        out.print(f"{username:<24} {role:<12} {password}")
    if not created:
        out.print("the demo people exist already")
