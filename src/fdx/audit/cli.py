"""``fdx audit …``: verify the chain, read and export events."""

from __future__ import annotations

import json

import typer
from rich.markup import escape
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
        if result.anchored_sequence is None:
            out.print(
                "[yellow]no signed checkpoint yet[/yellow]: nothing outside the database vouches for the "
                "chain (`fdx audit checkpoint` writes one)"
            )
        else:
            out.print(
                f"events 1–{result.last_sequence:,} verified; the last checkpoint (signed "
                f"{result.anchored_at}, sequence {result.anchored_sequence:,}) matches, as do all "
                f"{result.checkpoints_checked:,} checkpoints in {result.checkpoint_file}"
            )
            if result.unanchored_events:
                out.print(
                    f"events after #{result.anchored_sequence:,} ({result.unanchored_events:,}) are not yet "
                    "anchored"
                )
            if result.warning:
                out.print(f"[yellow]warning[/yellow]: {result.warning}")
    else:
        out.print(f"[red]audit chain BROKEN[/red] at event #{result.broken_sequence}: {result.problem}")
        out.print(f"{result.events_checked:,} events before it verified")
    if not result.ok:
        raise typer.Exit(1)


@audit_app.command("checkpoint")
@handle_errors
def checkpoint() -> None:
    """Sign the chain's head with the node's key and append it to the checkpoint file (also run it from a
    timer; the node writes one on its own every FDX_AUDIT_CHECKPOINT_EVENTS events or each minute)."""
    from fdx.audit.checkpoints import CheckpointFileError, write_checkpoint
    from fdx.core.node import NodeKeyError

    try:
        written = write_checkpoint()
    except (NodeKeyError, CheckpointFileError, OSError) as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from None
    out.print(
        f"checkpoint {written.number}: event #{written.sequence:,} signed {written.signed_at} "
        f"with key {written.key_fingerprint[:16]}…"
    )


@audit_app.command("events")
@handle_errors
def events(
    limit: int = typer.Option(20, "--limit"),
    action: str = typer.Option(None, "--action", help="Event code, or a prefix ending in a dot."),
    actor: str = typer.Option(None, "--actor"),
    as_user: str = typer.Option(
        None,
        "--as",
        help="Show what this user may read (their events, and the content of the records they may see); "
        "by default every event, with the content of organisations' records withheld.",
    ),
    codes: bool = typer.Option(False, "--codes", help="Event codes and raw data instead of sentences."),
) -> None:
    """Show the latest events, as sentences."""
    from django.contrib.auth import get_user_model

    from fdx.audit.models import AuditEvent
    from fdx.audit.selectors import list_events
    from fdx.audit.visibility import shown_to
    from fdx.core.actors import cli_actor

    if as_user:
        viewer = get_user_model().objects.get(username=as_user)
        queryset = list_events(viewer, action=action, actor=actor)
    else:
        # The operator sees that every event happened; records' content follows the same rules as for a user.
        viewer = cli_actor()
        queryset = list_events_for_operator(AuditEvent.objects.all(), action=action, actor=actor)
    shown = shown_to(viewer, queryset[:limit])
    if codes:
        table = Table("#", "when (UTC)", "action", "actor", "object", "reason")
        for event in shown:
            table.add_row(
                str(event.sequence),
                f"{event.occurred_at:%Y-%m-%d %H:%M:%S}",
                event.action,
                event.actor_username or "-",
                event.object_id if event.withheld else (event.object_repr or event.object_id),
                event.reason,
            )
    else:
        table = Table("#", "when (UTC)", "organisation", "what happened")
        for event in shown:
            text = escape(event.sentence)
            if event.withheld:
                text += f" [dim]({event.withheld_note})[/dim]"
            elif event.changes:
                text += "\n" + "\n".join(
                    escape(f"  {change.field}: {change.before!r} → {change.after!r}")
                    for change in event.changes
                )
            table.add_row(
                str(event.sequence),
                f"{event.occurred_at:%Y-%m-%d %H:%M:%S}",
                event.organisation_code or "-",
                text,
            )
    out.print(table)


def _change_text(change, *, created: bool) -> str:
    if created:
        return f"  {change.field}: {change.after!r}"
    return f"  {change.field}: {change.before!r} → {change.after!r}"


def list_events_for_operator(queryset, *, action: str | None, actor: str | None):
    """Every event (the operator's view), newest first, filtered like the administrators' pages."""
    if action:
        queryset = (
            queryset.filter(action__startswith=action)
            if action.endswith(".")
            else queryset.filter(action=action)
        )
    if actor:
        queryset = queryset.filter(actor_username=actor)
    return queryset.order_by("-sequence")


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
