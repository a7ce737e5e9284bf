"""``fdx demo …``: the demo data set."""

from __future__ import annotations

import time

import typer

from fdx.core.cli_support import handle_errors, out

demo_app = typer.Typer(help="Load the clearly labelled demo data set.", no_args_is_help=True)


@demo_app.command("load")
@handle_errors
def load(
    cases: int = typer.Option(5000, "--cases", help="How many demo cases (0: only the people)."),
    seed: int = typer.Option(2024, "--seed", help="The same seed always gives the same data."),
) -> None:
    """Create the demo organisations, one demo user per role (passwords printed once) and demo cases."""
    from fdx.core.actors import cli_actor
    from fdx.demo.cases import load_demo_cases
    from fdx.demo.people import ensure_demo_people

    actor = cli_actor()
    created = ensure_demo_people(actor)
    for username, role, password, secret in created:
        out.print(f"{username:<24} {role:<12} {password}  authenticator secret: {secret}", soft_wrap=True)
    if not created:
        out.print("the demo people exist already")
    if cases:
        started = time.monotonic()
        with out.status(f"generating {cases:,} demo cases"):
            written = load_demo_cases(actor, cases=cases, seed=seed)
        if written:
            out.print(f"{written:,} demo cases in {time.monotonic() - started:.1f} s")
        else:
            out.print("demo cases exist already")
