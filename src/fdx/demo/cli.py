"""``fdx demo …``: the demo data set."""

from __future__ import annotations

import time

import typer

from fdx.core.cli_support import err, handle_errors, out

demo_app = typer.Typer(help="Load the clearly labelled demo data set.", no_args_is_help=True)


@demo_app.command("load")
@handle_errors
def load(
    cases: int = typer.Option(5000, "--cases", help="How many demo cases (0: only the people)."),
    seed: int = typer.Option(2024, "--seed", help="The same seed always gives the same data."),
    batch_size: int = typer.Option(5000, "--batch-size", min=1, help="Cases written per transaction."),
    force: bool = typer.Option(False, "--force", help="Load even on a node that is not a demo node."),
) -> None:
    """Create the demo organisations, one demo user per role (passwords printed once) and demo cases,
    written in large checked batches (a million cases take minutes)."""
    from django.core.exceptions import PermissionDenied
    from django.utils.translation import gettext as _

    from fdx.core.actors import cli_actor
    from fdx.demo.cases import not_a_demo_node
    from fdx.demo.people import ensure_demo_people

    reason = not_a_demo_node()
    if reason and not force:
        hint = _("Use --force to load the demo data anyway.")
        raise PermissionDenied(f"{reason} {hint}")
    actor = cli_actor()
    created = ensure_demo_people(actor)
    for username, role, password, secret in created:
        out.print(f"{username:<24} {role:<12} {password}  authenticator secret: {secret}", soft_wrap=True)
    if not created:
        out.print("the demo people exist already")
    if cases:
        _load_cases(actor, cases=cases, seed=seed, batch_size=batch_size)


def _load_cases(actor, *, cases: int, seed: int, batch_size: int) -> None:
    """The demo cases under a progress bar; refused rows (there should be none) are listed, not fatal."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from fdx.demo.cases import load_demo_cases_in_batches

    started = time.monotonic()
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        redirect_stdout=False,
        redirect_stderr=False,
        transient=True,
    )
    with progress:
        task = progress.add_task("demo cases", total=cases, rate="")

        def advanced(read: int, _written: int) -> None:
            rate = read / max(time.monotonic() - started, 1e-6)
            progress.update(task, completed=read, rate=f"{rate:,.0f} cases/s")

        report = load_demo_cases_in_batches(
            actor, cases=cases, seed=seed, batch_size=batch_size, on_batch=advanced
        )
    for problem in report.refused:
        err.print(str(problem), highlight=False, soft_wrap=True)
    if report.written:
        seconds = time.monotonic() - started
        rate = report.written / max(seconds, 1e-6)
        out.print(f"{report.written:,} demo cases in {seconds:.1f} s ({rate:,.0f} cases/s)")
    elif not report.refused:
        out.print("demo cases exist already")
