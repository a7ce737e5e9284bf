"""``fdx audit …``: verify the chain, read and export events."""

from __future__ import annotations

import json

import typer
from rich.table import Table

from fdx.core.cli_support import err, handle_errors, out

audit_app = typer.Typer(help="Verify and read the tamper-evident audit chain.", no_args_is_help=True)


@audit_app.command("verify")
def verify(as_json: bool = typer.Option(False, "--json")) -> None:
    """Walk the chain; exit 1 and name the first broken link if it does not verify."""
    from fdx.audit.verify import verify_chain

    with err.status("verifying the audit chain") as status:
        result = verify_chain(progress=lambda n: status.update(f"verified {n:,} events"))
    if as_json:
        typer.echo(json.dumps(result.as_dict()))
    elif result.ok:
        out.print(f"[green]audit chain verified[/green]: {result.events_checked:,} events, all links intact")
    else:
        out.print(f"[red]audit chain BROKEN[/red] at event #{result.broken_sequence}: {result.problem}")
        out.print(f"{result.events_checked:,} events before it verified")
    if not result.ok:
        raise typer.Exit(1)


@audit_app.command("events")
@handle_errors
def events(
    limit: int = typer.Option(20, "--limit"),
    action: str = typer.Option(None, "--action", help="Event code, or a prefix ending in a dot."),
    actor: str = typer.Option(None, "--actor"),
) -> None:
    """Show the latest events."""
    from fdx.audit.models import AuditEvent

    queryset = AuditEvent.objects.order_by("-sequence")
    if action:
        queryset = (
            queryset.filter(action__startswith=action)
            if action.endswith(".")
            else queryset.filter(action=action)
        )
    if actor:
        queryset = queryset.filter(actor_username=actor)
    table = Table("#", "when (UTC)", "action", "actor", "object", "reason")
    for event in queryset[:limit]:
        table.add_row(
            str(event.sequence),
            f"{event.occurred_at:%Y-%m-%d %H:%M:%S}",
            event.action,
            event.actor_username or "-",
            event.object_repr or event.object_id,
            event.reason,
        )
    out.print(table)


@audit_app.command("export")
@handle_errors
def export(
    output: typer.FileTextWrite = typer.Option(
        ..., "--output", "-o", help="File to write (JSON lines); - for stdout."
    ),
    reason: str = typer.Option(..., "--reason", help="Why the events are exported (recorded in the chain)."),
) -> None:
    """Export every event as JSON lines, with hashes, so that the chain can be verified elsewhere."""
    from fdx.audit.actions import export_events
    from fdx.core.actors import cli_actor

    count = 0
    for line in export_events(cli_actor(), reason=reason):
        output.write(line + "\n")
        count += 1
    err.print(f"exported {count:,} events")
