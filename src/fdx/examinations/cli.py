"""``fdx reports …``, ``fdx exports …`` and ``fdx cases …``: reports checked against the records, background
exports, and the case data kept for the lists' filters."""

from __future__ import annotations

import contextlib
import json
import re
from pathlib import Path

import typer

from fdx.core.cli_support import err, handle_errors, out, print_json

reports_app = typer.Typer(help="Check examination reports against the records.", no_args_is_help=True)

_PDF_MARK = re.compile(rb"fdx-report:([0-9a-fA-F-]{36}):([0-9a-f]{64})")


def read_report_file(path: Path) -> tuple[str, str]:
    """The examination's global id and the digest a report file carries: a report's JSON (whose content is
    hashed again, so an edited file is caught) or its PDF (read from the document's metadata)."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    from fdx.examinations.reports import report_digest

    try:
        data = path.read_bytes()
    except OSError as exc:
        message = _("%(file)s: cannot be read (%(error)s).") % {"file": path, "error": exc.strerror}
        raise ValidationError(message) from None
    if data.startswith(b"%PDF"):
        found = _PDF_MARK.search(data)
        if not found:
            raise ValidationError(_("%(file)s: this PDF is not an FDX report.") % {"file": path})
        return found.group(1).decode(), found.group(2).decode()
    try:
        document = json.loads(data.decode("utf-8"))
        content, digest = document["content"], document["digest"]
        global_id = content["examination"]["global_id"]
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError):
        raise ValidationError(
            _("%(file)s: neither an FDX report's PDF nor its JSON (with content and digest).")
            % {"file": path}
        ) from None
    if report_digest(content) != digest:
        raise ValidationError(
            _("%(file)s: the content does not give the digest it states: the file was changed.")
            % {"file": path}
        )
    return global_id, digest


@reports_app.command("verify")
@handle_errors
def verify(
    global_id_or_file: str = typer.Argument(
        ..., help="The examination's global id, or a report's PDF or JSON."
    ),
    digest: str = typer.Argument(None, help="The report digest (with a global id)."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Say whether a report matches the current record, an earlier version of it, or nothing; exit 1 when
    it does not match (or was retracted)."""
    from django.core.exceptions import ValidationError

    from fdx.core.actors import cli_actor
    from fdx.examinations.actions import verify_report

    if digest is None:
        path = Path(global_id_or_file)
        if not path.exists():
            raise ValidationError(
                {"digest": ["give the report digest after the global id, or a report file"]}
            )
        global_id, digest = read_report_file(path)
    else:
        global_id = global_id_or_file
    verification = verify_report(cli_actor(), global_id, digest, channel="cli")
    if as_json:
        print_json(verification.as_dict())
    elif verification.outcome == "current":
        out.print(
            f"[green]matches the current record[/green]: examination {verification.global_id}, "
            f"revision {verification.revision}, approved {verification.approved_at:%Y-%m-%d}"
        )
    elif verification.outcome == "superseded":
        out.print(
            f"[yellow]matches an earlier version[/yellow]: revision {verification.revision}, superseded by "
            f"revision {verification.superseded_by_revision} on {verification.superseded_at:%Y-%m-%d}"
        )
    elif verification.outcome == "retracted":
        out.print(
            f"[red]matches, but retracted[/red]: revision {verification.revision}, retracted "
            f"{verification.retracted_at:%Y-%m-%d}"
        )
    else:
        err.print("[red]does not match[/red] any report issued on this node for this examination")
    if verification.outcome in ("no_match", "retracted"):
        raise typer.Exit(1)


exports_app = typer.Typer(help="Findings exports prepared in the background.", no_args_is_help=True)


@exports_app.command("cleanup")
@handle_errors
def cleanup() -> None:
    """Remove the files of background exports past their time (FDX_EXPORT_KEEP_HOURS), and mark failed the
    runs whose worker stopped; the worker also does this before each export."""
    from fdx.core.actors import cli_actor
    from fdx.examinations.export_runs import remove_expired_runs

    expired = remove_expired_runs(cli_actor())
    out.print(f"{expired} export(s) expired")


cases_app = typer.Typer(help="Case data kept for the lists' filters.", no_args_is_help=True)


@cases_app.command("reindex")
@handle_errors
def reindex(
    check: bool = typer.Option(False, "--check", help="Only count what differs; change nothing."),
    batch_size: int = typer.Option(2000, "--batch-size", min=1, help="Cases a transaction."),
) -> None:
    """Rebuild what the case list's filters read (substances found, examination statuses, search text,
    shared flag) from the records; with --check, report how much differs and exit 1 if anything does."""
    from django.db import transaction

    from fdx.examinations import case_index

    class _Rollback(Exception):
        pass

    differed = done = 0
    # With --check the batches run inside one transaction that is rolled back: nothing is written.
    try:
        with transaction.atomic() if check else contextlib.nullcontext():
            for done, total, changed in case_index.refresh_all(batch_size):
                differed += changed
                err.print(f"{done}/{total}", end="\r")
            if check:
                raise _Rollback
    except _Rollback:
        pass
    err.print()
    out.print(f"{done} case(s) read, {differed} derived row(s) or column(s) differed")
    if check and differed:
        raise typer.Exit(1)
