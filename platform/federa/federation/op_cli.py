"""Command-line tasks of the provider: `federa keys rotate`, `federa oidc-clients create`."""

from __future__ import annotations

from typing import Annotated

import typer

from federa.settings import Settings

keys = typer.Typer(help="The OpenID provider's signing keys.")
clients = typer.Typer(help="Applications that sign people in with Federa (OpenID Connect).")


@keys.command("rotate")
def keys_rotate() -> None:
    """Add a new active signing key; the previous ones stay in the JWKS for a week."""
    from federa.cli import _run
    from federa.federation import op_keys

    async def work(settings: Settings) -> None:
        row = await op_keys.rotate(settings.secret_key)
        typer.echo(f"New signing key {row.kid}")

    _run(work)


@clients.command("create")
def clients_create(name: Annotated[str, typer.Option()],
                   redirect_uri: Annotated[list[str], typer.Option("--redirect-uri")],
                   network: Annotated[str, typer.Option(help="slug; omit for a platform-wide client")] = "",
                   scope: Annotated[list[str] | None, typer.Option("--scope")] = None,
                   post_logout_redirect_uri: Annotated[list[str] | None, typer.Option()] = None) -> None:
    """Register an application and print its client id and secret (shown only now)."""
    from federa.cli import _run
    from federa.errors import Invalid
    from federa.federation import op_services
    from federa.federation.op_schemas import ClientIn
    from federa.networks.access import Access
    from federa.networks.models import Network
    from federa.web.forms import validate

    async def work(settings: Settings) -> None:
        access = None
        if network:
            found = await Network.get_or_none(slug=network)
            if found is None:
                typer.echo(f"Error: no network {network!r}", err=True)
                raise typer.Exit(2)
            access = Access(person=None, network=found)
        try:
            data = validate(ClientIn, {"name": name, "redirect_uris": redirect_uri,
                                       "post_logout_redirect_uris": post_logout_redirect_uri or [],
                                       "scopes": scope or ["openid", "profile", "email"]})
            client, secret = await op_services.register_client(access, data, actor=None, operator=True)
        except Invalid as exc:
            typer.echo(f"Error: {exc}", err=True)
            raise typer.Exit(2) from exc
        typer.echo(f"client_id: {client.client_id}")
        typer.echo(f"client_secret: {secret}")
        typer.echo(f"issuer: {settings.base_url}")

    _run(work)
