"""``fdx exchange peers …``: the nodes this node exchanges records with."""

from __future__ import annotations

import typer
from rich.table import Table

from fdx.core.cli_support import handle_errors, out, print_json

exchange_app = typer.Typer(help="Exchange with other nodes: peers.", no_args_is_help=True)
peers_app = typer.Typer(help="Register, list, suspend and resume peer nodes.", no_args_is_help=True)
exchange_app.add_typer(peers_app, name="peers")


@peers_app.command("add")
@handle_errors
def peers_add(
    name: str,
    url: str = typer.Option(..., "--url", help="The peer's address, e.g. https://fdx.example.uz"),
    role: str = typer.Option(..., "--role", help="national, hub or international"),
    node_id: str = typer.Option(..., "--node-id", help="The peer's node identifier (`fdx node show` there)."),
    fingerprint: str = typer.Option(
        ..., "--fingerprint", help="The peer's key fingerprint, as checked with its administrator."
    ),
    country: str = typer.Option("", "--country", help="ISO 3166-1 alpha-2 code of a national node."),
    relaying: bool = typer.Option(False, "--relaying", help="The peer (a hub) relays others' records."),
    public_key: str = typer.Option(
        "", "--public-key", help="The peer's Ed25519 public key (base64); it must have the fingerprint."
    ),
    hosts: list[str] = typer.Option(
        [],
        "--hosts",
        help="Code of a supranational organisation the hub or international node hosts (repeat).",
    ),
) -> None:
    """Register a peer; prints the token to hand to the peer's administrator, once."""
    from django.utils.translation import gettext as _

    from fdx.accounts.models import Organisation
    from fdx.core.actors import cli_actor
    from fdx.exchange import actions
    from fdx.geo.models import Country

    peer, token = actions.register_peer(
        cli_actor(),
        name=name,
        url=url,
        role=role,
        node_id=node_id,
        key_fingerprint=fingerprint,
        country=Country.objects.get(code=country.upper()) if country else None,
        relaying=relaying,
        public_key=public_key,
        organisations=[Organisation.objects.get(code=code) for code in hosts],
    )
    out.print(_("registered peer %(name)s") % {"name": peer.name}, highlight=False)
    out.print(_("peer token (shown once; give it to the peer's administrator):"), highlight=False)
    print(token)


@peers_app.command("list")
@handle_errors
def peers_list(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List the peers."""
    from django.utils.translation import gettext as _

    from fdx.core.actors import cli_actor
    from fdx.core.signing import grouped
    from fdx.exchange import selectors

    rows = [
        {
            "name": peer.name,
            "url": peer.url,
            "role": peer.role,
            "country": peer.country_id or "",
            "node_id": str(peer.node_id),
            "key_fingerprint": peer.key_fingerprint,
            "public_key": peer.public_key,
            "hosts": sorted(organisation.code for organisation in peer.organisations.all()),
            "relaying": peer.relaying,
            "suspended": peer.suspended,
            "suspension_reason": peer.suspension_reason,
        }
        for peer in selectors.list_peers(cli_actor())
    ]
    if as_json:
        print_json(rows)
        return
    table = Table(_("name"), _("role"), _("country"), _("address"), _("key fingerprint"), _("state"))
    for row in rows:
        state = _("suspended") if row["suspended"] else _("active")
        if row["relaying"]:
            state += ", " + _("relays")
        table.add_row(
            row["name"], row["role"], row["country"], row["url"], grouped(row["key_fingerprint"]), state
        )
    out.print(table)


@peers_app.command("suspend")
@handle_errors
def peers_suspend(name: str, reason: str = typer.Option(..., "--reason")) -> None:
    """Suspend exchange with a peer."""
    from django.utils.translation import gettext as _

    from fdx.core.actors import cli_actor
    from fdx.exchange import actions, selectors

    actor = cli_actor()
    peer = actions.suspend_peer(actor, selectors.get_peer(actor, name), reason=reason)
    out.print(_("suspended peer %(name)s") % {"name": peer.name}, highlight=False)


@peers_app.command("resume")
@handle_errors
def peers_resume(name: str, reason: str = typer.Option(..., "--reason")) -> None:
    """Resume exchange with a suspended peer."""
    from django.utils.translation import gettext as _

    from fdx.core.actors import cli_actor
    from fdx.exchange import actions, selectors

    actor = cli_actor()
    peer = actions.resume_peer(actor, selectors.get_peer(actor, name), reason=reason)
    out.print(_("resumed exchange with peer %(name)s") % {"name": peer.name}, highlight=False)
