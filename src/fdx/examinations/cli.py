"""``fdx reports …``: check an examination report against the record on this node."""

from __future__ import annotations

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
