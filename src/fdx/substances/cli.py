"""``fdx substances …``: load the reference set, import and export the registry, search it."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from fdx.core.cli_support import err, handle_errors, print_json

substances_app = typer.Typer(help="The substance registry.", no_args_is_help=True)


@substances_app.command("load-reference")
@handle_errors
def load_reference() -> None:
    """Create or update the reference substances shipped with FDX."""
    from fdx.core.actors import cli_actor
    from fdx.substances.actions import load_reference_substances

    print_json(load_reference_substances(cli_actor()))


@substances_app.command("export")
@handle_errors
def export(
    fmt: str = typer.Option("csv", "--format", help="csv or json"),
    output: Path = typer.Option(None, "-o", "--output", help="File to write (default: standard output)."),
) -> None:
    """Export every substance: names, synonyms, SMILES, InChIKey, classes."""
    from fdx.substances.selectors import substances_queryset
    from fdx.substances.transfer import export_rows, to_csv, to_json

    if fmt not in ("csv", "json"):
        err.print("[red]--format must be csv or json[/red]")
        raise typer.Exit(2)
    rows = export_rows(substances_queryset().order_by("name_en"))
    text = to_csv(rows) if fmt == "csv" else to_json(rows)
    if output:
        output.write_text(text, encoding="utf-8")
        err.print(f"wrote {len(rows)} substances to {output}")
    else:
        sys.stdout.write(text)


@substances_app.command("import")
@handle_errors
def import_file(
    path: Path = typer.Argument(
        ..., help="A .csv (name_en, name_ru, synonyms, smiles, cas, classes, note) or .sdf"
    ),
    skip_bad: bool = typer.Option(
        False, "--skip-bad", help="Import the good records and report the bad ones."
    ),
) -> None:
    """Import substances; a file with a bad record imports nothing unless --skip-bad."""
    from fdx.core.actors import cli_actor
    from fdx.substances.actions import ImportRefused, import_substances
    from fdx.substances.transfer import read_substance_file

    try:
        parsed = read_substance_file(path)
    except (FileNotFoundError, ValueError) as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from None
    try:
        counts = import_substances(cli_actor(), parsed, skip_bad=skip_bad)
    except ImportRefused as refused:
        for problem in refused.problems:
            err.print(f"[red]{problem}[/red]")
        if parsed.unreadable:  # --skip-bad cannot help: no record of the file can be trusted
            err.print("nothing imported: the file cannot be read")
        else:
            err.print(
                f"nothing imported: {len(refused.problems)} bad records (use --skip-bad to import the rest)"
            )
        raise typer.Exit(1) from None
    for problem in parsed.problems:
        err.print(f"[yellow]skipped[/yellow] {problem}")
    print_json(counts)


@substances_app.command("search")
@handle_errors
def search(
    text: str = typer.Argument(..., help="A name (any language), an InChIKey, or a structure with --mode."),
    mode: str = typer.Option("name", "--mode", help="name, exact, substructure or similarity"),
    threshold: float = typer.Option(0.7, "--threshold", help="Similarity threshold (Tanimoto)."),
    limit: int = typer.Option(20, "--limit"),
) -> None:
    """Search the registry and print the hits as JSON."""
    from fdx.substances import selectors

    if mode == "name":
        hits = [selectors.SearchHit(s) for s in selectors.search_by_name(text)[:limit]]
    elif mode == "exact":
        hits = [selectors.SearchHit(s) for s in selectors.search_exact_structure(text)[:limit]]
    elif mode == "substructure":
        hits = selectors.search_substructure(text, limit=limit)
    elif mode == "similarity":
        hits = selectors.search_similar(text, threshold=threshold, limit=limit)
    else:
        err.print("[red]--mode must be name, exact, substructure or similarity[/red]")
        raise typer.Exit(2)
    print_json(
        [
            {
                "name": h.substance.name_en,
                "name_ru": h.substance.name_ru,
                "inchikey": h.substance.inchikey,
                "smiles": h.substance.smiles,
                "score": h.score,
            }
            for h in hits
        ]
    )
