"""``fdx exchange …``: the peers, synchronisation, bundles, and publications of reference data."""

from __future__ import annotations

import typer
from rich.table import Table

from fdx.core.cli_support import handle_errors, out, print_json

exchange_app = typer.Typer(
    help="Exchange with other nodes: peers, synchronisation, bundles for air-gapped peers.",
    no_args_is_help=True,
)
peers_app = typer.Typer(help="Register, list, suspend and resume peer nodes.", no_args_is_help=True)
exchange_app.add_typer(peers_app, name="peers")


@peers_app.command("add")
@handle_errors
def peers_add(
    name: str,
    url: str = typer.Option(
        "",
        "--url",
        help="The peer's address, e.g. https://fdx.example.uz; none for a node known only by its key (its "
        "records come relayed through the hub).",
    ),
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


@peers_app.command("set-token")
@handle_errors
def peers_set_token(
    name: str,
    token_file: typer.FileText = typer.Option(
        "-", "--token-file", help="Read the token from this file (default: standard input)."
    ),
) -> None:
    """Record the token the peer's administrator gave for calling the peer (read from a file or stdin, so
    that it stays out of the shell's history)."""
    from django.utils.translation import gettext as _

    from fdx.core.actors import cli_actor
    from fdx.exchange import actions, selectors

    actor = cli_actor()
    peer = actions.set_outgoing_token(actor, selectors.get_peer(actor, name), token=token_file.read())
    out.print(_("recorded the token for calling peer %(name)s") % {"name": peer.name}, highlight=False)


@exchange_app.command("sync")
@handle_errors
def sync(
    peer_name: str = typer.Option("", "--peer", help="Only this peer (default: every active peer)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Pull from and push to the peers now (the worker does it every minute by itself)."""
    from django.utils.translation import gettext as _

    from fdx.core.actors import cli_actor
    from fdx.exchange import actions, selectors

    actor = cli_actor()
    if peer_name:
        peers = [selectors.get_peer(actor, peer_name)]
    else:
        peers = [p for p in selectors.list_peers(actor) if not p.suspended and p.url and p.outgoing_token]
    results = [actions.sync_peer(actor, peer) for peer in peers]
    if as_json:
        print_json([r.as_dict() for r in results])
    else:
        for r in results:
            line = (
                _(
                    "%(peer)s: pulled %(pulled)d (applied %(applied)d, unchanged %(unchanged)d, "
                    "refused %(refused)d), "
                    "pushed %(pushed)d (refused %(push_refused)d)"
                )
                % r.as_dict()
            )
            out.print(line, highlight=False)
            for refusal in r.refusals:
                out.print("  " + refusal, highlight=False)
            if r.error:
                out.print("  " + r.error, style="red", highlight=False)
    if any(r.error for r in results):
        raise typer.Exit(1)


@exchange_app.command("queue")
@handle_errors
def queue(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Each peer's queue and sync status: pending, refused by the peer, last success, lag, last error."""
    from django.utils.translation import gettext as _

    from fdx.core.actors import cli_actor
    from fdx.exchange import selectors

    rows = [status.as_dict() for status in selectors.sync_statuses(cli_actor())]
    if as_json:
        print_json(rows)
        return
    table = Table(_("peer"), _("pending"), _("refused"), _("last success"), _("lag"), _("last error"))
    for row in rows:
        table.add_row(
            row["peer"],
            str(row["pending"]),
            str(row["refused"]),
            row["last_success_at"] or "—",
            row["lag"] or "—",
            (row["last_error"] or "")[:80],
        )
    out.print(table)


@exchange_app.command("export")
@handle_errors
def export(
    peer_name: str = typer.Option(..., "--peer", help="The peer the bundle is for."),
    output: str = typer.Option(..., "-o", "--output", help="The bundle file to write."),
    since: int = typer.Option(
        None, "--since", help="Entries after this cursor (default: after what the peer acknowledged)."
    ),
) -> None:
    """Write a signed bundle of the peer's queue, to carry to an air-gapped peer."""
    from pathlib import Path

    from django.utils.translation import gettext as _

    from fdx.core.actors import cli_actor
    from fdx.exchange import actions, selectors

    actor = cli_actor()
    peer = selectors.get_peer(actor, peer_name)
    path = Path(output)
    if path.exists():
        raise typer.BadParameter(_("%(path)s exists already; name a new file") % {"path": path})
    partial = path.with_name(path.name + ".partial")
    with partial.open("wb") as handle:
        result = actions.export_bundle(actor, peer, handle, since=since)
    partial.replace(path)
    out.print(
        _("wrote %(records)d records for %(peer)s to %(path)s (entries %(after)d to %(through)d)")
        % {
            "records": result.records,
            "peer": peer.name,
            "path": path,
            "after": result.after + 1,
            "through": result.through,
        },
        highlight=False,
    )


@exchange_app.command("import")
@handle_errors
def import_(
    path: str = typer.Argument(..., help="The bundle file."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Check a bundle and apply it (all of it, or nothing when it is refused)."""
    from pathlib import Path

    from django.utils.translation import gettext as _

    from fdx.core.actors import cli_actor
    from fdx.exchange import actions, bundles

    try:
        result = actions.import_bundle(cli_actor(), Path(path))
    except bundles.BundleError as exc:
        out.print(
            _("refused (%(code)s): %(reason)s") % {"code": exc.code, "reason": exc},
            style="red",
            highlight=False,
        )
        raise typer.Exit(1) from None
    if as_json:
        print_json(result.__dict__)
        return
    out.print(
        _(
            "%(peer)s: %(records)d records, applied %(applied)d, unchanged %(unchanged)d, "
            "refused %(refused)d; "
            "through entry %(through)d"
        )
        % result.__dict__,
        highlight=False,
    )
    for refusal in result.refusals:
        out.print("  " + refusal, highlight=False)


@exchange_app.command("requeue")
@handle_errors
def requeue(
    peer_name: str = typer.Option("", "--peer", help="Only this peer (default: every active peer)."),
) -> None:
    """Compare what each peer may hold with what it holds, for every case, and queue the difference (after a
    backup was restored, say; registering or resuming a peer does it by itself in the background)."""
    from django.utils.translation import gettext as _

    from fdx.core.actors import cli_actor
    from fdx.exchange import actions, selectors

    actor = cli_actor()
    peers = [selectors.get_peer(actor, peer_name)] if peer_name else None
    queued = actions.requeue(actor, peers)
    out.print(_("queued %(count)d entries") % {"count": queued}, highlight=False)


# Reference data: publications and subscriptions

publications_app = typer.Typer(
    help="Reference data this node publishes (its substances, a spectral library) and who subscribes.",
    no_args_is_help=True,
)
exchange_app.add_typer(publications_app, name="publications")


@publications_app.command("list")
@handle_errors
def publications_list(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """This node's publications, with their subscribers, and the peers' publications this node takes."""
    from django.utils.translation import gettext as _

    from fdx.core.actors import cli_actor
    from fdx.exchange import publications, selectors

    actor = cli_actor()
    rows = [
        {
            **publications.describe(publication),
            "active": publication.active,
            "records": selectors.publication_size(publication),
            "subscribers": sorted(s.peer.name for s in publication.subscriptions.all()),
        }
        for publication in selectors.list_publications(actor)
    ]
    followed = [
        {"peer": f.peer.name, "id": str(f.publication_id), "code": f.code, "kind": f.kind}
        for f in selectors.followed_publications(actor)
    ]
    if as_json:
        print_json({"published": rows, "followed": followed})
        return
    table = Table(_("code"), _("kind"), _("level"), _("records"), _("subscribers"), _("published"))
    for row in rows:
        table.add_row(
            row["code"],
            row["kind"],
            row["distribution_level"],
            str(row["records"]),
            ", ".join(row["subscribers"]) or "—",
            _("yes") if row["active"] else _("no"),
        )
    out.print(table)
    for row in followed:
        out.print(_("taken from %(peer)s: %(code)s (%(id)s)") % row, highlight=False)


@publications_app.command("add")
@handle_errors
def publications_add(
    code: str,
    name_en: str = typer.Option(..., "--name-en"),
    name_ru: str = typer.Option("", "--name-ru"),
    kind: str = typer.Option(..., "--kind", help="substances, spectral_library or legal_lists"),
    library: str = typer.Option(
        "", "--library", help="The spectral library's identifier (kind spectral_library)."
    ),
    jurisdiction: str = typer.Option(
        "", "--jurisdiction", help="Code of the jurisdiction whose lists are published (kind legal_lists)."
    ),
    organisation: str = typer.Option(..., "--organisation", help="Code of the publishing organisation."),
    level: str = typer.Option(
        "regional",
        "--level",
        help="sharing_group, regional or international (substances, lists; a library keeps its own).",
    ),
    group: str = typer.Option("", "--group", help="Code of the sharing group (level sharing_group)."),
    description: str = typer.Option("", "--description"),
) -> None:
    """Publish reference data to the peers that subscribe to it."""
    from django.utils.translation import gettext as _

    from fdx.accounts.models import Organisation, SharingGroup
    from fdx.core.actors import cli_actor
    from fdx.exchange import actions
    from fdx.legal.models import Jurisdiction
    from fdx.spectra.models import SpectralLibrary

    publication = actions.create_publication(
        cli_actor(),
        code=code,
        name_en=name_en,
        name_ru=name_ru,
        description=description,
        kind=kind,
        spectral_library=SpectralLibrary.objects.get(global_id=library) if library else None,
        jurisdiction=Jurisdiction.objects.get(pk=jurisdiction) if jurisdiction else None,
        owner_organisation=Organisation.objects.get(code=organisation),
        distribution_level=level,
        sharing_group=SharingGroup.objects.get(code=group) if group else None,
    )
    out.print(_("published %(code)s (%(id)s)") % {"code": publication.code, "id": publication.global_id})


@publications_app.command("withdraw")
@handle_errors
def publications_withdraw(code: str) -> None:
    """Stop publishing: what the subscribers hold of it is withdrawn from them."""
    _set_active(code, False)


@publications_app.command("publish")
@handle_errors
def publications_publish(code: str) -> None:
    """Publish a withdrawn publication again."""
    _set_active(code, True)


def _set_active(code: str, active: bool) -> None:
    from django.utils.translation import gettext as _

    from fdx.core.actors import cli_actor
    from fdx.exchange import actions, selectors

    actor = cli_actor()
    actions.update_publication(actor, selectors.get_publication(actor, code), active=active)
    out.print(
        _("%(code)s is published") % {"code": code} if active else _("%(code)s is withdrawn") % {"code": code}
    )


@publications_app.command("subscribe")
@handle_errors
def publications_subscribe(code: str, peer_name: str = typer.Option(..., "--peer")) -> None:
    """Subscribe a peer (one reached by bundle files) to a publication."""
    _subscriber(code, peer_name, add=True)


@publications_app.command("unsubscribe")
@handle_errors
def publications_unsubscribe(code: str, peer_name: str = typer.Option(..., "--peer")) -> None:
    """End a peer's subscription: what it holds of the publication is withdrawn."""
    _subscriber(code, peer_name, add=False)


def _subscriber(code: str, peer_name: str, *, add: bool) -> None:
    from django.utils.translation import gettext as _

    from fdx.core.actors import cli_actor
    from fdx.exchange import actions, selectors
    from fdx.exchange.choices import SubscriptionOrigin

    actor = cli_actor()
    publication = selectors.get_publication(actor, code)
    peer = selectors.get_peer(actor, peer_name)
    origin = SubscriptionOrigin.ADMINISTRATOR
    if add:
        actions.add_subscriber(actor, publication, peer, origin=origin)
        out.print(_("%(peer)s subscribes to %(code)s") % {"peer": peer.name, "code": code}, highlight=False)
    else:
        actions.remove_subscriber(actor, publication, peer, origin=origin)
        out.print(
            _("%(peer)s no longer subscribes to %(code)s") % {"peer": peer.name, "code": code},
            highlight=False,
        )


@exchange_app.command("catalogue")
@handle_errors
def catalogue(
    peer_name: str = typer.Option(..., "--peer"),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Ask a peer which publications it offers this node."""
    from django.utils.translation import gettext as _

    from fdx.core.actors import cli_actor
    from fdx.exchange import selectors, transport

    peer = selectors.get_peer(cli_actor(), peer_name)
    entries = _asking(lambda: transport.catalogue(peer))
    if as_json:
        print_json(entries)
        return
    table = Table(_("identifier"), _("code"), _("kind"), _("level"), _("subscribed"))
    for entry in entries:
        table.add_row(
            str(entry.get("id")),
            str(entry.get("code")),
            str(entry.get("kind")),
            str(entry.get("distribution_level")),
            _("yes") if entry.get("subscribed") else _("no"),
        )
    out.print(table)


@exchange_app.command("follow")
@handle_errors
def follow(publication_id: str, peer_name: str = typer.Option(..., "--peer")) -> None:
    """Subscribe to a peer's publication (``fdx exchange catalogue`` lists them)."""
    from django.utils.translation import gettext as _

    from fdx.core.actors import cli_actor
    from fdx.exchange import actions, selectors

    actor = cli_actor()
    peer = selectors.get_peer(actor, peer_name)
    followed = _asking(lambda: actions.follow(actor, peer, publication_id))
    out.print(
        _("subscribed to %(code)s of %(peer)s") % {"code": followed.code, "peer": peer.name}, highlight=False
    )


@exchange_app.command("unfollow")
@handle_errors
def unfollow(publication_id: str, peer_name: str = typer.Option(..., "--peer")) -> None:
    """End this node's subscription to a peer's publication (the peer withdraws what it sent)."""
    from django.utils.translation import gettext as _

    from fdx.core.actors import cli_actor
    from fdx.exchange import actions, selectors

    actor = cli_actor()
    peer = selectors.get_peer(actor, peer_name)
    _asking(lambda: actions.unfollow(actor, peer, publication_id))
    out.print(_("the subscription has ended"), highlight=False)


def _asking(call):
    """Call a peer; a peer that cannot be reached or refuses is one red line and exit status 1."""
    from django.utils.translation import pgettext

    from fdx.core.cli_support import err
    from fdx.exchange import transport

    try:
        return call()
    except transport.SyncError as exc:
        err.print(f"[red]{pgettext('command line', 'error:')}[/red] {exc}", markup=True, highlight=False)
        raise typer.Exit(1) from None
