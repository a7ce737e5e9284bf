"""``fdx legal …``: the legal status of structures, and the maintenance of control lists."""

from __future__ import annotations

import datetime
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path

import typer
from rich.table import Table

from fdx.core.cli_support import err, handle_errors, out, print_json

legal_app = typer.Typer(help="Legal status and control lists.", no_args_is_help=True)


@legal_app.command("status")
@handle_errors
def status(
    smiles: list[str] = typer.Option(None, "--smiles", help="A structure (SMILES, InChI); repeatable."),
    name: list[str] = typer.Option(None, "--name", help="A substance name (any language); repeatable."),
    input_file: Path = typer.Option(None, "--input", help="A .smi or .csv file of structures."),
    jurisdiction: list[str] = typer.Option(
        None, "--jurisdiction", "-j", help="A code (UN, KZ…); repeatable."
    ),
    date: str = typer.Option("", "--date", help="The day asked about, YYYY-MM-DD (default: today)."),
    amount_g: str = typer.Option("", "--amount-g", help="A mass in grams, for the amount category."),
    as_json: bool = typer.Option(
        False, "--json", help="Print JSON (one object per structure and jurisdiction)."
    ),
) -> None:
    """Is it controlled, where, since when, under what, and in which amount category?"""
    from fdx.legal import selectors
    from fdx.legal.transfer import StructureFileError, read_structures

    day = _day(date)
    amount = _amount(amount_g)
    items = [("", s, "") for s in smiles or []] + [("", "", n) for n in name or []]
    if input_file is not None:
        try:
            items += [(item.label, item.structure, item.name) for item in read_structures(input_file)]
        except (StructureFileError, FileNotFoundError) as exc:
            err.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(1) from None
    if not items:
        err.print("[red]error:[/red] give --smiles, --name or --input")
        raise typer.Exit(2)
    try:
        queries = [selectors.query_for(structure=s, name=n, label=label) for label, s, n in items]
        answers = selectors.assess(queries, selectors.Question(tuple(jurisdiction or ()), day, amount))
    except selectors.LegalQueryError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    if as_json:
        print_json([answer.as_dict() for answer in answers])
        return
    _print_table(answers)


def _print_table(answers) -> None:
    table = Table("input", "jurisdiction", "controlled", "lists", "basis", "amount")
    marks = {True: "[red]yes[/red]", False: "[green]no[/green]", None: "[yellow]cannot decide[/yellow]"}
    for answer in answers:
        basis = (
            "; ".join(f"{b.kind}: {b.entry}{'' if b.verified else ' (unverified)'}" for b in answer.basis)
            or answer.error
            or answer.reason
        )
        amount = (answer.amount_category or {}).get("category", "")
        table.add_row(
            answer.input[:40],
            answer.jurisdiction,
            marks[answer.controlled],
            ", ".join(answer.lists),
            basis,
            amount,
        )
    out.print(table)


@legal_app.command("load-reference")
@handle_errors
def load_reference() -> None:
    """Create or update FDX's reference legal content (lists, UN schedules, generic definitions)."""
    from fdx.core.actors import cli_actor
    from fdx.legal.actions import load_legal_reference

    print_json(load_legal_reference(cli_actor()))


@legal_app.command("lists")
@handle_errors
def lists() -> None:
    """The jurisdictions and their lists, with how many entries each holds and how many are verified."""
    from fdx.legal.selectors import list_summary

    table = Table("jurisdiction", "list", "name", "entries", "verified", "complete")
    for row in list_summary():
        table.add_row(
            row["jurisdiction"],
            row["code"],
            row["name"],
            str(row["entries"]),
            str(row["verified"]),
            "yes" if row["complete"] else "no",
        )
    out.print(table)


@legal_app.command("export")
@handle_errors
def export(
    jurisdiction: str = typer.Argument(..., help="The jurisdiction whose lists to export (UN, KZ…)."),
    output: Path = typer.Option(None, "-o", "--output", help="File to write (default: standard output)."),
) -> None:
    """Export a jurisdiction's current entries in the documented listing CSV format."""
    from fdx.legal.selectors import export_listings, get_jurisdiction

    text, count = export_listings(get_jurisdiction(jurisdiction))
    if output:
        output.write_text(text, encoding="utf-8")
        err.print(f"wrote {count} entries to {output}")
    else:
        sys.stdout.write(text)


@legal_app.command("import")
@handle_errors
def import_file(
    jurisdiction: str = typer.Argument(..., help="The jurisdiction whose lists the file holds."),
    path: Path = typer.Argument(..., help="A CSV file in the listing format (see docs/en/legal.md)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Report what would change; write nothing."),
    reason: str = typer.Option("", "--reason", help="Why (kept in the audit chain)."),
) -> None:
    """Add and correct entries from a listing CSV; one bad row imports nothing."""
    from fdx.core.actors import cli_actor
    from fdx.legal.actions import ImportRefused, import_listings
    from fdx.legal.selectors import get_jurisdiction

    target = get_jurisdiction(jurisdiction)
    try:
        with open(path, "rb") as handle:  # the reader checks the bytes are UTF-8, naming the line
            counts = import_listings(cli_actor(), target, handle, path.name, dry_run=dry_run, reason=reason)
    except (FileNotFoundError, IsADirectoryError, PermissionError) as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from None
    except ImportRefused as refused:
        for problem in refused.problems:
            err.print(f"[red]{problem}[/red]")
        err.print("nothing imported")
        raise typer.Exit(1) from None
    print_json({"dry_run": dry_run, **counts})


def _day(text: str) -> datetime.date | None:
    if not text:
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        err.print(f"[red]error:[/red] --date {text!r} is not a date (YYYY-MM-DD)")
        raise typer.Exit(2) from None


def _amount(text: str) -> Decimal | None:
    if not text:
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        amount = Decimal(-1)
    if not amount.is_finite() or amount < 0:
        err.print(f"[red]error:[/red] --amount-g {text!r} is not a mass in grams")
        raise typer.Exit(2)
    return amount
