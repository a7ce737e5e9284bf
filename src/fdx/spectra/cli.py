"""``fdx spectra …``: spectral libraries — import, search, export, index."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from rich.table import Table

from fdx.core.cli_support import err, handle_errors, out, print_json

spectra_app = typer.Typer(help="Spectral libraries and library search.", no_args_is_help=True)


@spectra_app.command("libraries")
@handle_errors
def libraries() -> None:
    """List the libraries of this node with their spectrum counts."""
    from fdx.core.actors import cli_actor
    from fdx.spectra.selectors import libraries_for

    print_json(
        [
            {
                "id": str(library.global_id),
                "name": library.name,
                "version": library.version,
                "owner": library.owner_organisation.code,
                "distribution_level": library.distribution_level,
                "spectra": library.spectrum_count,
            }
            for library in libraries_for(cli_actor())
        ]
    )


@spectra_app.command("import")
@handle_errors
def import_file(
    path: Path = typer.Argument(
        ..., exists=True, dir_okay=False, help="MSP, MSL, JCAMP-DX, MGF, mzML, mzXML or ANDI netCDF (.cdf)"
    ),
    library: str = typer.Option(..., "--library", help="Library name (created when it does not exist)."),
    version: str = typer.Option("", "--version", help="Library version."),
    org: str = typer.Option("", "--org", help="Owning organisation's code (to create the library)."),
    level: str = typer.Option(
        "organisation", "--level", help="Distribution level of a new library (international: every user)."
    ),
    source: str = typer.Option("", "--source", help="Where the library comes from (a new library)."),
    licence: str = typer.Option("", "--licence", help="Its licence (a new library)."),
    fmt: str = typer.Option(
        None, "--format", help="msp, msl, jcamp, mgf, mzml, mzxml, andi or massbank (default: by extension)"
    ),
    identifiers: Path = typer.Option(
        None,
        "--identifiers",
        exists=True,
        help="TSV/CSV keyed by record id with inchikey, smiles, cas columns.",
    ),
    skip_bad: bool = typer.Option(
        False, "--skip-bad", help="Import the good records and report the bad ones."
    ),
) -> None:
    """Import a file of spectra into a library; a file with a bad record imports nothing unless --skip-bad."""
    from django.db import transaction

    from fdx.core.actors import cli_actor
    from fdx.spectra import actions

    actor = cli_actor()
    # A library created for this file and the file's spectra are one transaction: a refused file leaves
    # no empty library behind.
    with transaction.atomic():
        target = _library(actor, library, version, org, level, source, licence)
        with err.status(f"importing {path.name} into {target} …"):
            try:
                report = actions.import_spectra(
                    actor, target, path, fmt=fmt, skip_bad=skip_bad, identifiers=identifiers
                )
            except actions.ImportRefused as refused:
                for problem in refused.problems:
                    err.print(f"[red]{problem}[/red]")
                err.print("nothing imported (use --skip-bad to import the good records)")
                raise typer.Exit(1) from None
    for problem in report.skipped:
        err.print(f"[yellow]skipped[/yellow] {problem}")
    for link in report.linked_by_name:  # no structure in the record: a chemist checks each of these
        record_id, name, substance = link["record"] or "—", link["name"], link["substance"]
        err.print(f"[yellow]linked by name[/yellow] record {record_id} {name!r} → {substance}")
    with err.status("updating the search index …"):
        from fdx.spectra.index_store import current_index

        indexed = len(current_index())
    print_json(report.as_dict() | {"indexed": indexed})


def _library(actor, name, version, org, level, source, licence):
    from django.core.exceptions import ObjectDoesNotExist

    from fdx.accounts.models import Organisation
    from fdx.spectra import actions
    from fdx.spectra.selectors import library_by_name

    organisation = None
    if org:
        organisation = Organisation.objects.filter(code=org).first()
        if organisation is None:
            raise ObjectDoesNotExist(f"no organisation {org!r}")
    existing = library_by_name(actor, name, version, owner=organisation)
    if existing is not None:
        return existing
    if organisation is None:
        err.print(f"[red]error:[/red] there is no library {name!r}; name its owner with --org to create it")
        raise typer.Exit(1)
    data = actions.LibraryInput(
        name=name, version=version, source=source, licence=licence, distribution_level=level
    )
    return actions.create_library(actor, data, organisation=organisation)


@spectra_app.command("search")
@handle_errors
def search(
    path: Path = typer.Argument(..., exists=True, dir_okay=False, help="A file of query spectra (any size)."),
    library: list[str] = typer.Option(None, "--library", help="Search only these libraries (by name)."),
    top: int = typer.Option(5, "--top", help="Hits per query."),
    ri_window: float = typer.Option(None, "--ri-window", min=0, help="Retention-index window (± units)."),
    fmt: str = typer.Option(None, "--format", help="The file's format (default: by extension)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON (default: a table)."),
    block: int = typer.Option(1000, "--block", min=1, help="Queries searched at once (memory stays flat)."),
) -> None:
    """Identify each spectrum of a file by identity search of the libraries.

    The file is read and searched in blocks of queries, each block's results printed as it is done: a file
    of any size is searched in flat memory, with a progress bar on the terminal. A bad record stops the
    search with its file, record and line; the results printed before it stand (the JSON list is closed).
    """
    from fdx.core.actors import cli_actor
    from fdx.spectra import selectors

    actor = cli_actor()
    chosen = []
    for name in library or []:
        found = selectors.libraries_named(actor, name)
        if not found:
            raise LookupError(f"no library {name!r}")
        chosen += [each.global_id for each in found]
    filters = selectors.SearchFilters(libraries=tuple(chosen), top=top, retention_window=ri_window)
    printer = _JsonList() if as_json else _print_table
    try:
        searched = _search_in_blocks(actor, path, fmt, filters, block, printer)
    finally:
        if as_json and printer.count:
            printer.close()  # results printed before a bad record stand, as a whole JSON list
    if as_json and not printer.count:
        printer.close()
    err.print(f"{searched} spectra searched")


def _search_in_blocks(actor, path: Path, fmt, filters, block: int, printer) -> int:
    """Search the file block by block under a progress bar; the number of spectra searched."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from fdx.spectra import selectors
    from fdx.spectra.formats import FormatError
    from fdx.spectra.transfer import query_blocks

    searched = 0
    size = path.stat().st_size or 1
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[spectra]} spectra"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        redirect_stdout=False,
        redirect_stderr=False,
        transient=True,
    )
    with progress:
        task = progress.add_task(f"searching {path.name}", total=size, spectra=0)
        try:
            reached = lambda done: progress.update(task, completed=done)  # noqa: E731
            for queries in query_blocks(path, fmt, block, position=reached):
                for result in selectors.search(actor, queries, filters):
                    printer(_result_json(result))
                searched += len(queries)
                progress.update(task, spectra=searched)
        except FormatError as exc:
            progress.stop()
            if searched:
                err.print(f"{searched} spectra were searched before a bad record; their results stand")
            err.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(1) from None
        progress.update(task, completed=size)
    return searched


class _JsonList:
    """A JSON list written one element at a time, so that no result waits for the end of the file."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, row: dict) -> None:
        from django.core.serializers.json import DjangoJSONEncoder

        # One query a line: a hundred thousand of them stay quick to write and easy to grep.
        text = json.dumps(row, cls=DjangoJSONEncoder, ensure_ascii=False)
        sys.stdout.write(("[\n" if not self.count else ",\n") + text)
        self.count += 1

    def close(self) -> None:
        """End the list: the results so far stand even when a bad record stopped the search."""
        sys.stdout.write("\n]\n" if self.count else "[]\n")
        sys.stdout.flush()


def _result_json(result) -> dict:
    return {
        "query": result.query.name,
        "hits": [
            {
                "rank": hit.rank,
                "name": hit.spectrum.name,
                "inchikey": hit.spectrum.inchikey
                or (hit.spectrum.substance.inchikey if hit.spectrum.substance_id else ""),
                "substance": hit.spectrum.substance.name_en if hit.spectrum.substance_id else None,
                "library": str(hit.spectrum.library),
                "record_id": hit.spectrum.record_id,
                "score": round(hit.score, 1),
                "forward_score": round(hit.forward, 1),
                "reverse_score": round(hit.reverse, 1),
                "entropy": round(hit.entropy, 4),
                "shortlisted": hit.shortlisted,
            }
            for hit in result.hits
        ],
    }


def _print_table(row: dict) -> None:
    """One query's hits as a table on standard output."""
    from fdx.spectra.science.index import SearchOptions

    share = SearchOptions.plausible
    table = Table(title=row["query"], title_justify="left")
    for column in ("rank", "name", "library", "score", "reverse", "entropy", "inchikey"):
        table.add_column(column)
    for hit in row["hits"]:
        table.add_row(
            f"{hit['rank']}{'' if hit['shortlisted'] else '*'}",
            hit["name"],
            hit["library"],
            f"{hit['score']:.0f}",
            f"{hit['reverse_score']:.0f}",
            f"{hit['entropy']:.3f}",
            hit["inchikey"],
        )
    if not all(hit["shortlisted"] for hit in row["hits"]):
        table.caption = f"* beyond the shortlist (cosine under {share} of the best), listed after it"
    out.print(table)


@spectra_app.command("export")
@handle_errors
def export(
    library: str = typer.Option(..., "--library", help="Library name."),
    version: str = typer.Option("", "--version"),
    org: str = typer.Option("", "--org", help="The owner's code, when several organisations use the name."),
    fmt: str = typer.Option("msp", "--format", help="msp or jcamp"),
    output: Path = typer.Option(None, "-o", "--output", help="File to write (default: standard output)."),
) -> None:
    """Write a library's spectra (withdrawn ones left out) as NIST MSP or JCAMP-DX."""
    from fdx.core.actors import cli_actor
    from fdx.spectra import selectors
    from fdx.spectra.transfer import write_library

    if fmt not in ("msp", "jcamp"):
        err.print("[red]--format must be msp or jcamp[/red]")
        raise typer.Exit(2)
    owner = None
    if org:
        from fdx.accounts.models import Organisation

        owner = Organisation.objects.filter(code=org).first()
        if owner is None:
            raise LookupError(f"no organisation {org!r}")
    found = selectors.library_by_name(cli_actor(), library, version, owner=owner)
    if found is None:
        raise LookupError(f"no library {library!r}")
    if output:
        with output.open("w", encoding="utf-8") as stream:
            count = write_library(found, fmt, stream)
        err.print(f"wrote {count} spectra to {output}")
    else:
        write_library(found, fmt, sys.stdout)


@spectra_app.command("reindex")
@handle_errors
def reindex() -> None:
    """Build the search index anew from the database (after restoring a backup)."""
    from fdx.spectra.index_store import rebuild_index

    with err.status("building the spectral search index …"):
        index = rebuild_index()
    print_json(
        {"indexed": len(index), "clustered": index.clusters is not None, "bytes": index.memory_bytes()}
    )
