"""``fdx geo …``: load the reference geography and resolve region codes."""

from __future__ import annotations

import datetime

import typer

from fdx.core.cli_support import handle_errors, out, print_json

geo_app = typer.Typer(help="Countries, regions and border crossing points.", no_args_is_help=True)


@geo_app.command("load")
@handle_errors
def load() -> None:
    """Create or update countries, regions, successions and crossing points from the shipped data."""
    from fdx.core.actors import cli_actor
    from fdx.geo.actions import load_reference_geography

    print_json(load_reference_geography(cli_actor()))


@geo_app.command("resolve")
@handle_errors
def resolve(code: str, on: str = typer.Option(None, "--date", help="YYYY-MM-DD")) -> None:
    """Say which region a current or former code meant on a date."""
    from fdx.geo.selectors import resolve_region

    day = datetime.date.fromisoformat(on) if on else None
    region = resolve_region(code, day)
    if region is None:
        out.print(f"[red]unknown region code {code!r}[/red]")
        raise typer.Exit(1)
    print_json(
        {
            "code": region.code,
            "name_en": region.name_en,
            "name_ru": region.name_ru,
            "valid_from": region.valid_from,
            "valid_to": region.valid_to,
        }
    )
