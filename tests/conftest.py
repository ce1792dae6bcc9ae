"""Shared fixtures: a real database (PostgreSQL or SQLite) built from the migrations, the app, personas."""

from __future__ import annotations

import asyncio
import contextlib
import gettext
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, replace
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from tortoise import Tortoise, connections

from federa import db
from federa.accounts.models import Affiliation, NetworkRole, Person
from federa.app import create_app
from federa.networks.models import Cooperative, CooperativeSector, Membership, Network
from federa.networks.reference import make_tax_code
from federa.notifications import outbox
from federa.notifications.courier import Courier
from federa.settings import Settings
from federa.tenancy import network_cache
from federa.web import i18n
from federa.web.security import hash_password

BACKEND = os.environ.get("FEDERA_TEST_BACKEND", "postgres")
PG_URL = os.environ.get("FEDERA_TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("FEDERA_TEST_REDIS_URL", "redis://127.0.0.1:6379/9")
PASSWORD = "correct-horse-battery"
PASSWORD_HASH = hash_password(PASSWORD)  # hashed once: argon2 is slow on purpose
TMP = Path(tempfile.mkdtemp(prefix="federa-test-"))


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def pytest_sessionstart(session: pytest.Session) -> None:
    """Required services missing → the run fails with a clear message (it never skips)."""
    from urllib.parse import urlsplit

    missing = []
    pg = urlsplit(PG_URL)
    if BACKEND == "postgres" and not _reachable(pg.hostname or "127.0.0.1", pg.port or 5432):
        missing.append(f"PostgreSQL at {pg.hostname}:{pg.port} (FEDERA_TEST_DATABASE_URL)")
    redis = urlsplit(REDIS_URL)
    if not _reachable(redis.hostname or "127.0.0.1", redis.port or 6379):
        missing.append(f"Redis at {redis.hostname}:{redis.port} (FEDERA_TEST_REDIS_URL)")
    if missing:
        pytest.exit("Required services are not running: " + "; ".join(missing), returncode=3)


def database_url() -> str:
    return PG_URL if BACKEND == "postgres" else f"sqlite://{TMP}/test.sqlite3"


async def _reset_postgres() -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_URL)
    try:
        await conn.execute("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;")
    finally:
        await conn.close()


@pytest.fixture(scope="session", autouse=True)
async def schema() -> AsyncIterator[str]:
    """The schema, built once per run from the migrations (so the migrations are tested too)."""
    url = database_url()
    if BACKEND == "postgres":
        await _reset_postgres()
    await db.migrate(url)
    await db.open_database(url)
    yield url
    await db.close_database()


def _tables() -> list[str]:
    return [model._meta.db_table for app in Tortoise.apps.values() for model in app.values()]


async def truncate_all() -> None:
    conn = connections.get("default")
    tables = _tables()
    if BACKEND == "postgres":
        await conn.execute_script(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE;")
    else:
        await conn.execute_script("PRAGMA foreign_keys=OFF;" + "".join(f"DELETE FROM {t};" for t in tables)
                                  + "DELETE FROM sqlite_sequence; PRAGMA foreign_keys=ON;")


@pytest.fixture(autouse=True)
async def clean(schema: str) -> AsyncIterator[None]:
    yield
    await truncate_all()
    network_cache.forget()
    outbox.set_dispatcher(outbox.ManualDispatcher())


@pytest.fixture
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    """Messages in English (the msgids), whatever the Italian catalog says: for tests that read a message."""
    monkeypatch.setattr(i18n, "translations", lambda locale: gettext.NullTranslations())


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings.from_env(env={}, database_url=database_url(), secret_key="t" * 40,
                             var_dir=tmp_path / "var", run_drainer=False, base_url="http://testserver")


def _state_per_request(application: Any) -> Any:
    """asgi-lifespan hands every request the same lifespan state dict; servers give each a copy (ASGI
    spec), so do the same here, or request.state (person, cached access) leaks between requests."""

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "lifespan" and "state" in scope:
            scope = {**scope, "state": dict(scope["state"])}
        await application(scope, receive, send)

    return app


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[Any]:
    application = create_app(settings, own_database=False)
    async with LifespanManager(_state_per_request(application)) as manager:
        yield manager.app


@pytest.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver",
                                 follow_redirects=False) as c:
        yield c


@pytest.fixture
async def new_client(app: Any):  # type: ignore[no-untyped-def]
    """More independent browsers (cookie jars) on the same app."""
    clients: list[httpx.AsyncClient] = []

    def make() -> httpx.AsyncClient:
        c = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
        clients.append(c)
        return c

    yield make
    for c in clients:
        await c.aclose()


# ----- factories -------------------------------------------------------------------------------------

_seq = iter(range(10_000, 10**9))


async def make_network(slug: str | None = None, **kw: Any) -> Network:
    n = next(_seq)
    return await Network.create(slug=slug or f"rete-{n}", name=kw.pop("name", f"Rete {n}"),
                                kind=kw.pop("kind", "consortium"), **kw)


async def make_person(email: str | None = None, **kw: Any) -> Person:
    n = next(_seq)
    kw.setdefault("password_hash", PASSWORD_HASH)
    kw.setdefault("name", f"Persona {n}")
    return await Person.create(email=(email or f"persona{n}@example.org").lower(), **kw)


async def make_cooperative(network: Network | None = None, *, status: str = "active",
                           sectors: tuple[str, ...] = ("minori",), **kw: Any) -> Cooperative:
    n = next(_seq)
    kw.setdefault("legal_name", f"Cooperativa Sociale Test {n}")
    kw.setdefault("province", "MI")
    coop = await Cooperative.create(tax_code=make_tax_code(n), **kw)
    for s in sectors:
        await CooperativeSector.create(cooperative=coop, sector=s)
    if network is not None:
        await Membership.create(network=network, cooperative=coop, status=status)
    return coop


async def affiliate(person: Person, coop: Cooperative, role: str = "member") -> Affiliation:
    return await Affiliation.create(person=person, cooperative=coop, role=role, status="active")


@dataclass
class World:
    """Two networks and a person for each standing (CONVENTIONS 9)."""

    alpha: Network
    beta: Network
    coop: Cooperative          # active member of alpha
    dual_coop: Cooperative     # active member of alpha and beta
    beta_coop: Cooperative     # active member of beta only
    platform_admin: Person
    network_admin: Person      # admin of alpha
    coordinator: Person        # coordinator of alpha
    coop_admin: Person         # admin of `coop`
    member: Person             # member of `coop`
    outsider: Person           # member of beta_coop: another network's person
    dual: Person               # member of dual_coop: in both networks
    stranger: Person           # an account with no network


@pytest.fixture
async def world() -> World:
    alpha = await make_network("rete-alfa", name="Rete Alfa")
    beta = await make_network("rete-beta", name="Rete Beta")
    coop = await make_cooperative(alpha, legal_name="Cooperativa Alfa Uno", sectors=("minori", "anziani"))
    dual_coop = await make_cooperative(alpha, legal_name="Cooperativa Doppia", province="FI")
    await Membership.create(network=beta, cooperative=dual_coop, status="active")
    beta_coop = await make_cooperative(beta, legal_name="Cooperativa Beta", province="TO")
    w = World(alpha=alpha, beta=beta, coop=coop, dual_coop=dual_coop, beta_coop=beta_coop,
              platform_admin=await make_person("root@example.org", is_platform_admin=True, name="Root"),
              network_admin=await make_person("netadmin@example.org", name="Net Admin"),
              coordinator=await make_person("coord@example.org", name="Coordinatrice"),
              coop_admin=await make_person("coopadmin@example.org", name="Coop Admin"),
              member=await make_person("member@example.org", name="Socio"),
              outsider=await make_person("outsider@example.org", name="Esterno"),
              dual=await make_person("dual@example.org", name="Doppio"),
              stranger=await make_person("stranger@example.org", name="Sconosciuto"))
    await NetworkRole.create(network=alpha, person=w.network_admin, role="admin")
    await NetworkRole.create(network=alpha, person=w.coordinator, role="coordinator")
    await affiliate(w.coop_admin, coop, "admin")
    await affiliate(w.member, coop)
    await affiliate(w.outsider, beta_coop)
    await affiliate(w.dual, dual_coop)
    return w


# ----- browser-like helpers --------------------------------------------------------------------------

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


async def csrf_token(client: httpx.AsyncClient, path: str = "/signin") -> str:
    response = await client.get(path)
    match = _CSRF.search(response.text)
    assert match, f"no CSRF field on {path}"
    return match.group(1)


async def post_form(client: httpx.AsyncClient, path: str, data: dict[str, Any] | None = None, *,
                    token_from: str = "/signin", files: Any = None) -> httpx.Response:
    token = await csrf_token(client, token_from)
    return await client.post(path, data={**(data or {}), "csrf_token": token}, files=files)


async def sign_in(client: httpx.AsyncClient, person: Person, password: str = PASSWORD) -> None:
    response = await post_form(client, "/signin", {"email": person.email, "password": password})
    assert response.status_code == 303, response.text


async def api_token(person: Person) -> dict[str, str]:
    from federa.accounts.services import create_api_token

    _row, token = await create_api_token(person, "test")
    return {"Authorization": f"Bearer {token}"}


# ----- real mail and queue: an aiosmtpd server on loopback, a courier sending to it, this run's Redis db ---

@pytest.fixture
def smtp_server() -> Iterator[tuple[str, list[EmailMessage]]]:
    """(smtp url, messages received) of an SMTP server on loopback for this test."""
    from tests.notifications.outbox_harness import smtp_server as run_smtp_server

    with run_smtp_server() as server:
        yield server


@pytest.fixture
def courier(settings: Settings, smtp_server: tuple[str, list[EmailMessage]]) -> Courier:
    return Courier.from_settings(replace(settings, smtp_url=smtp_server[0]))


@pytest.fixture
async def queue() -> AsyncIterator[Any]:
    """An arq client on this run's own Redis database, empty before and after each test."""
    from arq.connections import RedisSettings, create_pool

    pool = await create_pool(RedisSettings.from_dsn(REDIS_URL))
    await pool.flushdb()
    yield pool
    await pool.flushdb()
    await pool.aclose()


# ----- the app served by uvicorn on loopback, on the test database ----------------------------------------

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _wait_until_up(url: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 30
    async with httpx.AsyncClient() as client:
        while time.monotonic() < deadline:
            assert server.poll() is None, f"the server stopped:\n{log.read_text()}"
            try:
                if (await client.get(url + "/livez")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError(f"the server did not start:\n{log.read_text()}")


@contextlib.asynccontextmanager
async def serve_app(tmp_path: Path, *uvicorn_args: str) -> AsyncIterator[str]:
    """One uvicorn process serving the app on the test database (as deployed); its base URL.
    The end of its log is printed when it stops, so pytest shows it for a failing test."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("FEDERA_")}
    env |= {"FEDERA_DATABASE_URL": database_url(), "FEDERA_SECRET_KEY": "s" * 40,
            "FEDERA_VAR_DIR": str(tmp_path / "var"), "PYTHONPATH": f"{ROOT / 'platform'}:{ROOT}"}
    log = tmp_path / "server.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "federa.asgi:app", "--host", "127.0.0.1", "--port", str(port),
             "--log-level", "warning", "--no-access-log", *uvicorn_args],
            env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        await _wait_until_up(url, server, log)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)
        print("server log (end):\n" + "\n".join(log.read_text().splitlines()[-60:]))
