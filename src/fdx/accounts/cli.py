"""``fdx users …``, ``fdx orgs …`` and ``fdx node …``: the operator's people and node administration."""

from __future__ import annotations

import sys

import typer
from rich.table import Table

from fdx.core.cli_support import err, handle_errors, out, print_json

users_app = typer.Typer(help="Create users, give roles and API tokens.", no_args_is_help=True)
orgs_app = typer.Typer(help="Create and list organisations.", no_args_is_help=True)

ROLE_HELP = "data_entry, reviewer, analyst, viewer, org_admin or node_admin (repeat for several)"


@users_app.command("create")
@handle_errors
def users_create(
    username: str,
    org: str = typer.Option(..., "--org", help="Organisation code."),
    role: list[str] = typer.Option([], "--role", help=ROLE_HELP),
    email: str = typer.Option("", "--email"),
    first_name: str = typer.Option("", "--first-name"),
    last_name: str = typer.Option("", "--last-name"),
    position: str = typer.Option("", "--position"),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from standard input."
    ),
    keep_password: bool = typer.Option(
        False,
        "--keep-password",
        help="The user need not change this password at first sign-in (service accounts, test set-ups).",
    ),
) -> None:
    """Create a user; prints the generated password once unless --password-stdin is given. The user changes
    the password at first sign-in unless --keep-password is given."""
    from fdx.accounts import actions
    from fdx.accounts.models import Organisation
    from fdx.core.actors import cli_actor

    organisation = Organisation.objects.get(code=org)
    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else None
    user, generated = actions.create_user(
        cli_actor(),
        username=username,
        organisation=organisation,
        roles=role,
        password=password,
        must_change_password=not keep_password,
        email=email,
        first_name=first_name,
        last_name=last_name,
        position=position,
    )
    out.print(
        f"created user [bold]{user.username}[/bold] in {organisation.code}, roles: {', '.join(role) or '-'}"
    )
    if generated:
        out.print(f"password (shown once): [bold]{generated}[/bold]")


@users_app.command("token")
@handle_errors
def users_token(
    username: str,
    days: int = typer.Option(None, "--days", help="Lifetime in days (default: FDX_TOKEN_LIFETIME_DAYS)."),
    name: str = typer.Option("cli", "--name", help="A name to tell the token apart."),
) -> None:
    """Create an API token for a user and print it (only this once)."""
    from fdx.accounts import actions
    from fdx.accounts.models import User
    from fdx.core.actors import cli_actor

    user = User.objects.get(username=username)
    token, secret = actions.create_api_token(cli_actor(), user, name=name, days=days)
    typer.echo(secret)
    err.print(f"token {token.prefix}… for {username}, expires {token.expires_at:%Y-%m-%d %H:%M} UTC")


@users_app.command("revoke-token")
@handle_errors
def users_revoke_token(
    prefix: str = typer.Argument(..., help="The token's first characters, as `fdx users list-tokens` shows."),
    reason: str = typer.Option("", "--reason"),
) -> None:
    """Revoke an API token."""
    from fdx.accounts import actions
    from fdx.accounts.models import ApiToken
    from fdx.core.actors import cli_actor

    matches = list(ApiToken.objects.filter(prefix__startswith=prefix, revoked_at__isnull=True)[:2])
    if len(matches) != 1:
        raise ApiToken.DoesNotExist(
            f"{len(matches) or 'no'} active tokens start with {prefix!r}; give more characters"
        )
    actions.revoke_api_token(cli_actor(), matches[0], reason=reason)
    out.print(f"revoked {matches[0]}")


@users_app.command("list-tokens")
@handle_errors
def users_list_tokens(username: str = typer.Argument(None)) -> None:
    """List API tokens (of one user, or all)."""
    from fdx.accounts.models import ApiToken

    tokens = ApiToken.objects.select_related("user").order_by("-created_at")
    if username:
        tokens = tokens.filter(user__username=username)
    table = Table("prefix", "user", "name", "created", "expires", "state")
    for token in tokens:
        state = "revoked" if token.revoked_at else ("usable" if token.is_usable else "expired")
        table.add_row(
            token.prefix,
            token.user.username,
            token.name,
            f"{token.created_at:%Y-%m-%d}",
            f"{token.expires_at:%Y-%m-%d}",
            state,
        )
    out.print(table)


@users_app.command("roles")
@handle_errors
def users_roles(
    username: str,
    role: list[str] = typer.Option([], "--role", help=ROLE_HELP),
    reason: str = typer.Option("", "--reason"),
) -> None:
    """Replace a user's roles."""
    from fdx.accounts import actions
    from fdx.accounts.models import User
    from fdx.core.actors import cli_actor

    user = actions.set_user_roles(cli_actor(), User.objects.get(username=username), role, reason=reason)
    out.print(f"{user.username}: {', '.join(sorted(actions.user_roles(user))) or '-'}")


@users_app.command("reset-password")
@handle_errors
def users_reset_password(username: str, reason: str = typer.Option("", "--reason")) -> None:
    """Give a user a new generated password (printed once)."""
    from fdx.accounts import actions
    from fdx.accounts.models import User
    from fdx.core.actors import cli_actor

    password = actions.reset_password(cli_actor(), User.objects.get(username=username), reason=reason)
    out.print(f"new password for {username} (shown once): [bold]{password}[/bold]")


@users_app.command("reset-two-factor")
@handle_errors
def users_reset_two_factor(
    username: str, reason: str = typer.Option(..., "--reason", help="Why (audited), e.g. 'lost phone'.")
) -> None:
    """Remove a user's authenticator and recovery codes; they enrol again at their next sign-in."""
    from fdx.accounts import actions
    from fdx.accounts.models import User
    from fdx.core.actors import cli_actor

    actions.reset_two_factor(cli_actor(), User.objects.get(username=username), reason=reason)
    out.print(f"two-factor sign-in reset for {username}; they set it up again at their next sign-in")


@users_app.command("deactivate")
@handle_errors
def users_deactivate(username: str, reason: str = typer.Option(..., "--reason")) -> None:
    """Stop a user from signing in (records are kept; their tokens stop working)."""
    from fdx.accounts import actions
    from fdx.accounts.models import User
    from fdx.core.actors import cli_actor

    actions.update_user(cli_actor(), User.objects.get(username=username), is_active=False, reason=reason)
    out.print(f"deactivated {username}")


@users_app.command("list")
@handle_errors
def users_list(
    org: str = typer.Option(None, "--org"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """List users with their organisation and roles."""
    from fdx.accounts.models import User

    users = User.objects.select_related("organisation").prefetch_related("groups").order_by("username")
    if org:
        users = users.filter(organisation__code=org)
    rows = [
        {
            "username": u.username,
            "organisation": u.organisation.code,
            "roles": sorted(g.name for g in u.groups.all()),
            "active": u.is_active,
        }
        for u in users
    ]
    if as_json:
        print_json(rows)
        return
    table = Table("username", "organisation", "roles", "active")
    for row in rows:
        table.add_row(
            row["username"], row["organisation"], ", ".join(row["roles"]), "yes" if row["active"] else "no"
        )
    out.print(table)


@orgs_app.command("create")
@handle_errors
def orgs_create(
    code: str,
    name_en: str = typer.Option(..., "--name-en"),
    name_ru: str = typer.Option(..., "--name-ru"),
    country: str = typer.Option(..., "--country", help="ISO 3166-1 alpha-2 code, e.g. KZ"),
    org_type: str = typer.Option(
        ...,
        "--type",
        help="forensic_laboratory, police, customs, drug_control_agency, "
        "prosecutor, court, health, ministry, regional_centre or international",
    ),
    name_local: str = typer.Option("", "--name-local"),
) -> None:
    """Create an organisation."""
    from fdx.accounts import actions
    from fdx.core.actors import cli_actor
    from fdx.geo.models import Country

    organisation = actions.create_organisation(
        cli_actor(),
        code=code,
        name_en=name_en,
        name_ru=name_ru,
        name_local=name_local,
        country=Country.objects.get(code=country.upper()),
        org_type=org_type,
    )
    out.print(f"created organisation [bold]{organisation.code}[/bold] ({organisation.name_en})")


@orgs_app.command("list")
@handle_errors
def orgs_list(as_json: bool = typer.Option(False, "--json")) -> None:
    """List organisations."""
    from fdx.accounts.models import Organisation

    rows = [
        {
            "code": o.code,
            "name_en": o.name_en,
            "name_ru": o.name_ru,
            "country": o.country_id,
            "type": o.org_type,
            "active": o.is_active,
        }
        for o in Organisation.objects.order_by("code")
    ]
    if as_json:
        print_json(rows)
        return
    table = Table("code", "country", "type", "name", "active")
    for row in rows:
        table.add_row(
            row["code"], row["country"], row["type"], row["name_en"], "yes" if row["active"] else "no"
        )
    out.print(table)


@orgs_app.command("group")
@handle_errors
def orgs_group(
    code: str,
    name_en: str = typer.Option(..., "--name-en"),
    name_ru: str = typer.Option(..., "--name-ru"),
    member: list[str] = typer.Option([], "--member", help="Organisation code (repeat for each member)."),
    description: str = typer.Option("", "--description"),
) -> None:
    """Create a sharing group of organisations (records can then be shared with exactly these)."""
    from fdx.accounts import actions
    from fdx.accounts.models import Organisation
    from fdx.core.actors import cli_actor

    members = [Organisation.objects.get(code=m) for m in member]
    group = actions.create_sharing_group(
        cli_actor(),
        code=code,
        name_en=name_en,
        name_ru=name_ru,
        description=description,
        organisations=members,
    )
    out.print(f"created sharing group [bold]{group.code}[/bold] with {len(members)} members")


# The node


node_app = typer.Typer(
    help="This node: its identity and signing key, and its domain events.", no_args_is_help=True
)


@node_app.command("show")
@handle_errors
def node_show(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """The node's identifier, name, country, role and key fingerprint (to compare with peers out of band)."""
    from fdx.accounts import node
    from fdx.core import node as core_node
    from fdx.core.actors import cli_actor

    described = node.describe_node(cli_actor())
    if as_json:
        print_json({**vars(described), "key_file": str(described.key_file)})
        return
    out.print(f"node        {described.node_id}")
    out.print(f"name        {described.name}")
    out.print(f"country     {described.country}")
    out.print(f"role        {described.role}")
    if not described.fingerprint:
        err.print("[red]no signing key yet:[/red] run `fdx setup`")
        raise typer.Exit(1)
    out.print(f"fingerprint {core_node.grouped(described.fingerprint)}", soft_wrap=True)
    out.print(f"key created {described.key_created_at:%Y-%m-%d %H:%M} UTC, file {described.key_file}")
    if described.retired_keys:
        out.print(f"{described.retired_keys} earlier key(s) kept for verifying what they signed")
    if not described.key_file_matches:
        err.print(
            "[red]the key file is missing or does not hold this key:[/red] restore it from its backup, "
            "or replace the key with `fdx node rotate-key`"
        )
        raise typer.Exit(1)


@node_app.command("rotate-key")
@handle_errors
def node_rotate_key(
    reason: str = typer.Option(..., "--reason", help="Why: lost, exposed, due …"),
    yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation."),
) -> None:
    """Replace the node's signing key; the old public key is kept for verifying what it signed."""
    from fdx.accounts import node
    from fdx.core import node as core_node
    from fdx.core.actors import cli_actor

    if not yes:
        typer.confirm("Peers must then check the new fingerprint out of band. Replace the key?", abort=True)
    key = node.rotate_node_key(cli_actor(), reason=reason)
    out.print(f"new key, fingerprint {core_node.grouped(key.fingerprint)}", soft_wrap=True)
    out.print("Tell every peer this fingerprint by another channel before it trusts what this node sends.")


@node_app.command("events")
@handle_errors
def node_events(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Domain event deliveries by state, and the last ones given up."""
    from fdx.accounts import node
    from fdx.core.actors import cli_actor

    status = node.delivery_status(cli_actor())
    if as_json:
        print_json(
            {
                "counts": status.counts,
                "more": status.more,
                "failed": [
                    {
                        "event": d.event_id,
                        "code": d.event.code,
                        "subscriber": d.subscriber,
                        "error": d.last_error,
                    }
                    for d in status.failed
                ],
            }
        )
        return
    more = set(status.more)  # a state counted up to the bound, and more: "10,000+"
    out.print(", ".join(f"{state}: {n:,}{'+' * (state in more)}" for state, n in status.counts.items()))
    for delivery in status.failed:
        last_line = (delivery.last_error.strip().splitlines() or [""])[-1]
        out.print(
            f"given up: #{delivery.event_id} {delivery.event.code} → {delivery.subscriber}: {last_line}"
        )


def _failed_json(delivery) -> dict:
    return {
        "event": delivery.event_id,
        "code": delivery.event.code,
        "subscriber": delivery.subscriber,
        "attempts": delivery.attempts,
        "error": delivery.last_error,
    }


@node_app.command("deliver")
@handle_errors
def node_deliver() -> None:
    """Deliver every domain event that is due now (what `fdx worker` does in the background)."""
    from fdx.core.events import deliver_due

    counts = deliver_due()
    out.print(", ".join(f"{state}: {number:,}" for state, number in counts.items()) or "nothing was due")


@node_app.command("retry-deliveries")
@handle_errors
def node_retry_deliveries(reason: str = typer.Option(..., "--reason")) -> None:
    """Give the deliveries that were given up a fresh start (after their subscriber was mended)."""
    from fdx.accounts import node
    from fdx.core.actors import cli_actor

    out.print(f"{node.retry_failed_deliveries(cli_actor(), reason=reason):,} deliveries will be retried")
