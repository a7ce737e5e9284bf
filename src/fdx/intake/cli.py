"""``fdx import FILE`` and ``fdx import template``: a laboratory's file of cases checked and imported, and
the template to fill."""

from __future__ import annotations

import csv
from pathlib import Path

import typer
from typer.core import TyperGroup

from fdx.core.cli_support import err, handle_errors, out, print_json


class _FileOrCommand(TyperGroup):
    """``fdx import FILE …`` imports a file, while ``fdx import template`` is a command: an argument that
    names no command is the file of the default command. (click has no default command of its own; this is
    the usual small subclass.)"""

    def parse_args(self, ctx, args):
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["file", *args]
        return super().parse_args(ctx, args)


import_app = typer.Typer(
    cls=_FileOrCommand,
    help="Import a laboratory's file of cases (CSV or XLSX, one row per finding).",
    no_args_is_help=True,
)


@import_app.command("file", hidden=True)
@handle_errors
def import_file(
    path: Path = typer.Argument(..., help="The CSV or XLSX file.", exists=True, dir_okay=False),
    laboratory: str = typer.Option(..., "--laboratory", help="Code of the laboratory the cases are of."),
    examiner: str = typer.Option(..., "--examiner", help="Username of the examiner of the drafts."),
    mapping: str = typer.Option("", "--mapping", help="Name of the laboratory's saved mapping."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check every row; write nothing."),
    partial: bool = typer.Option(
        False, "--partial", help="Import the cases without problems; report the refused rows."
    ),
    problems_csv: Path = typer.Option(None, "--problems-csv", help="Write the problems to this CSV file."),
    as_json: bool = typer.Option(False, "--json", help="Print the run as JSON."),
) -> None:
    """Check a file of cases and import it as draft examinations (all or nothing, unless --partial)."""
    from django.utils.translation import gettext as _

    from fdx.accounts.models import Organisation, User
    from fdx.core.actors import cli_actor
    from fdx.intake import actions
    from fdx.intake.models import ImportMapping

    lab = Organisation.objects.get(code=laboratory)
    chosen = ImportMapping.objects.get(organisation=lab, name=mapping) if mapping else None
    with path.open("rb") as handle:
        outcome = actions.import_file(
            cli_actor(),
            handle,
            path.name,
            laboratory=lab,
            examiner=User.objects.get(username=examiner),
            mapping=chosen,
            dry_run=dry_run,
            partial=partial,
        )
    run = outcome.run
    if problems_csv is not None:
        write_problems(problems_csv, outcome.problems)
    if as_json:
        print_json(run_summary(run) | {"problems": [p.as_dict() for p in outcome.problems]})
    else:
        for problem in outcome.problems[:50]:
            err.print(str(problem), highlight=False, markup=False)
        if len(outcome.problems) > 50:
            err.print(_("… and %(count)s more problems.") % {"count": len(outcome.problems) - 50})
        out.print(
            _("%(state)s: %(rows)s rows read, %(refused)s refused, %(cases)s cases written (%(file)s).")
            % {
                "state": run.get_state_display(),
                "rows": run.rows_read,
                "refused": run.rows_refused,
                "cases": run.cases_written,
                "file": run.file_name,
            },
            highlight=False,
        )
    if run.state == "refused":
        raise typer.Exit(1)


@import_app.command("template")
@handle_errors
def template(
    lang: str = typer.Option("en", "--lang", help="Language of the headers: en or ru."),
    file_format: str = typer.Option("csv", "--format", help="csv or xlsx."),
    output: Path = typer.Option(
        None, "-o", "--output", help="File to write (default: standard output, CSV)."
    ),
) -> None:
    """The template of the import format: the headers, an example row (and, in XLSX, each column's meaning
    and allowed values)."""
    from fdx.intake import schema

    if lang not in ("en", "ru") or file_format not in ("csv", "xlsx"):
        err.print("[red]error:[/red] --lang en|ru, --format csv|xlsx")
        raise typer.Exit(2)
    if file_format == "xlsx":
        if output is None:
            err.print("[red]error:[/red] an XLSX template needs -o FILE")
            raise typer.Exit(2)
        output.write_bytes(schema.template_xlsx(lang))
        return
    text = schema.template_csv(lang)
    if output is None:
        typer.echo(text.lstrip("\ufeff"), nl=False)
    else:
        output.write_text(text, encoding="utf-8")


@import_app.command("undo")
@handle_errors
def undo(
    run_id: str = typer.Argument(..., help="The import run's identifier."),
    reason: str = typer.Option(..., "--reason", help="Why (kept in the audit chain)."),
) -> None:
    """Undo an import while nobody has worked on its cases (every examination still a draft)."""
    from django.utils.translation import gettext as _

    from fdx.core.actors import cli_actor
    from fdx.intake import actions
    from fdx.intake.models import ImportRun

    run = actions.undo_run(cli_actor(), ImportRun.objects.get(global_id=run_id), reason=reason)
    out.print(_("Undone: %(file)s (%(id)s).") % {"file": run.file_name, "id": run.global_id}, highlight=False)


def run_summary(run) -> dict:
    """A run as the CLI and the API show it."""
    return {
        "id": str(run.global_id),
        "file": run.file_name,
        "sha256": run.file_sha256,
        "state": run.state,
        "dry_run": run.dry_run,
        "partial": run.partial,
        "rows_read": run.rows_read,
        "rows_refused": run.rows_refused,
        "cases_written": run.cases_written,
        "cases_replaced": run.cases_replaced,
        "findings_written": run.findings_written,
        "problem_count": run.problem_count,
        "unresolved_names": run.unresolved_names,
    }


def write_problems(path: Path, problems) -> None:
    """The problems as CSV: file, row, column, value, message."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file", "row", "column", "value", "message"])
        for problem in problems:
            writer.writerow(
                [problem.file, problem.line or "", problem.column, problem.value, problem.message]
            )


export_app = typer.Typer(help="Export the data you may see for your own tools.", no_args_is_help=True)

FILTER_HELP = (
    "key=value, repeatable: seized_from, seized_to (YYYY-MM-DD), country, region, substance (global id), "
    "substance_class, form, status, text, owner (organisation code)."
)


@export_app.command("findings")
@handle_errors
def export_findings(
    as_user: str = typer.Option(..., "--as", help="The user whose visibility decides what is exported."),
    file_format: str = typer.Option("csv", "--format", help="csv, json, xlsx or parquet."),
    output: Path = typer.Option(..., "-o", "--output", help="The file (a folder for parquet)."),
    filters: list[str] = typer.Option(None, "--filter", help=FILTER_HELP),
) -> None:
    """The findings the user may see, one row per finding, with the run date and the filter in the file
    (XLSX: its "about" sheet; Parquet: its metadata, partitioned by year and country)."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    from fdx.accounts.models import User
    from fdx.examinations import exports
    from fdx.examinations.export_runs import filters_from_json
    from fdx.intake import exports as files

    if file_format not in ("csv", "json", "xlsx", "parquet"):
        err.print("[red]error:[/red] --format csv|json|xlsx|parquet")
        raise typer.Exit(2)
    values = {}
    for item in filters or []:
        key, _sep, value = item.partition("=")
        values[key.strip()] = value.strip()
    try:
        chosen = filters_from_json(values)
    except (TypeError, ValueError) as exc:
        raise ValidationError(_("The filter cannot be read: %(error)s") % {"error": exc}) from None
    viewer = User.objects.get(username=as_user)
    if file_format == "parquet":
        written = files.write_parquet(viewer, chosen, output)
    elif file_format == "xlsx":
        written = files.write_xlsx(viewer, chosen, output)
    else:
        stream = exports.stream_findings_csv if file_format == "csv" else exports.stream_findings_json
        with output.open("w", encoding="utf-8", newline="") as handle:
            for text in stream(viewer, chosen):
                handle.write(text)
        rows = exports.visible_findings(viewer, chosen).count()
        written = files.Written(rows, output)
    out.print(_("%(rows)s findings written to %(path)s.") % {"rows": written.rows, "path": written.path})
