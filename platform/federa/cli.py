"""The `federa` command: serve, migrate, demo, worker and admin tasks."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import Annotated, Any

import typer

from federa import db
from federa.federation import op_cli
from federa.settings import Settings

app = typer.Typer(help="Federa: networks of social cooperatives.", no_args_is_help=True)
tokens = typer.Typer(help="Personal access tokens.")
app.add_typer(tokens, name="tokens")
search = typer.Typer(help="The search index.")
app.add_typer(search, name="search")
app.add_typer(op_cli.keys, name="keys")
app.add_typer(op_cli.clients, name="oidc-clients")


def _run(work: Callable[[Settings], Awaitable[Any]], *, migrate_first: bool = False) -> Any:
    settings = Settings.from_env()

    async def main() -> Any:
        if migrate_first:
            await db.migrate(settings.database_url)
        await db.open_database(settings.database_url)
        try:
            return await work(settings)
        finally:
            await db.close_database()

    return asyncio.run(main())


@app.command()
def migrate() -> None:
    """Apply the pending database migrations."""
    settings = Settings.from_env()
    asyncio.run(db.migrate(settings.database_url))
    typer.echo("Database is up to date.")


class Scale(StrEnum):
    small = "small"
    large = "large"


@app.command()
def demo(scale: Annotated[Scale, typer.Option(help="large adds ~2,300 cooperatives and ~50,000 people")] =
         Scale.small, if_empty: Annotated[bool, typer.Option(help="Only when no network exists yet")] = False
         ) -> None:
    """Load the demo networks, cooperatives and accounts."""
    from federa import demo as demo_data

    async def work(settings: Settings) -> None:
        from federa.networks.models import Network

        if if_empty and await Network.exists():
            typer.echo("Demo data already loaded.")
        else:
            await demo_data.load(large=scale is Scale.large, echo=typer.echo)
        demo_data.print_accounts(typer.echo)

    _run(work, migrate_first=True)


@app.command()
def serve(host: str = "127.0.0.1", port: Annotated[int, typer.Option(envvar="PORT")] = 8000,
          workers: int = 1) -> None:
    """Serve the web platform with uvicorn."""
    import uvicorn

    uvicorn.run("federa.asgi:app", host=host, port=port, workers=workers, proxy_headers=True,
                log_level=os.environ.get("FEDERA_LOG_LEVEL", "info"))


@app.command()
def worker() -> None:
    """Run the arq worker (needs FEDERA_REDIS_URL)."""
    if not Settings.from_env().redis_url:
        typer.echo("Set FEDERA_REDIS_URL: without Redis the web process delivers messages itself.", err=True)
        raise typer.Exit(2)
    # exec, not a child process: as a container's PID 1 the worker itself must get SIGTERM to stop cleanly.
    os.execv(sys.executable, [sys.executable, "-m", "arq", "workers.main.WorkerSettings"])  # noqa: S606


@app.command()
def createadmin(email: str, name: str, password: Annotated[str, typer.Option(prompt=True, hide_input=True,
                                                                             confirmation_prompt=True)]) -> None:
    """Create a platform administrator (or promote an existing account)."""
    from federa.accounts.models import Person
    from federa.accounts.services import normalise_email
    from federa.web.security import hash_password

    async def work(settings: Settings) -> None:
        if len(password) < 10:
            typer.echo("The password needs at least 10 characters.", err=True)
            raise typer.Exit(2)
        person, created = await Person.get_or_create(
            email=normalise_email(email), defaults={"name": name, "password_hash": hash_password(password)})
        person.is_platform_admin = True
        await person.save()
        typer.echo(f"{'Created' if created else 'Promoted'} platform administrator {person.email}")

    _run(work)


@app.command("create-network")
def create_network(slug: str, name: str, kind: str = "association", admin_email: str = "") -> None:
    """Create a network and, optionally, name its first administrator."""
    from federa.accounts.models import Person
    from federa.errors import Invalid
    from federa.networks import services
    from federa.networks.schemas import NetworkIn
    from federa.web.forms import validate

    async def work(settings: Settings) -> None:
        actor = await Person.filter(is_platform_admin=True).first()
        try:
            data = validate(NetworkIn, {"slug": slug, "name": name, "kind": kind,
                                        **({"admin_email": admin_email} if admin_email else {})})
            network = await services.create_network(data, actor=actor)
        except Invalid as exc:
            typer.echo(f"Error: {exc}", err=True)
            raise typer.Exit(2) from exc
        typer.echo(f"Created /n/{network.slug}/")

    _run(work)


@tokens.command("create")
def tokens_create(email: Annotated[str, typer.Option()], name: Annotated[str, typer.Option()]) -> None:
    """Create a personal access token for a person and print it."""
    from federa.accounts.models import Person
    from federa.accounts.services import create_api_token, normalise_email

    async def work(settings: Settings) -> None:
        person = await Person.get_or_none(email=normalise_email(email))
        if person is None:
            typer.echo(f"No account with e-mail {email}", err=True)
            raise typer.Exit(2)
        _row, token = await create_api_token(person, name)
        typer.echo(token)

    _run(work)


@search.command("reindex")
def search_reindex(network: Annotated[str, typer.Option(help="Only this network's objects (its slug)")] = ""
                   ) -> None:
    """Rebuild the search index from the objects, in batches."""
    from federa.networks.models import Network
    from federa.search import index

    async def work(settings: Settings) -> None:
        found = await Network.get_or_none(slug=network) if network else None
        if network and found is None:
            typer.echo(f"No network {network!r}", err=True)
            raise typer.Exit(2)
        written = await index.reindex(found.id if found else None, echo=typer.echo)
        typer.echo(f"Indexed {written} entries.")

    _run(work)


@app.command()
def drain() -> None:
    """Deliver every queued message now, in this process."""
    from federa.notifications.courier import Courier

    async def work(settings: Settings) -> None:
        sent = await Courier.from_settings(settings).drain()
        typer.echo(f"Delivered {sent} message(s).")

    _run(work)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
