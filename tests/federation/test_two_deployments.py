"""Two Federa deployments trust each other (issue 5, part 3): A and B, each a uvicorn process on loopback with
its own database. B is registered as an identity provider of a network on A (and A as a client at B), and a
person of B signs in to A's network; then the other way round, set up through B's own admin pages."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import asyncpg
import httpx
from conftest import BACKEND, PASSWORD, PG_URL, ROOT, World, database_url

from federa.accounts.models import Person
from federa.federation import secrets as sealed
from federa.federation.op_models import OAuthClient
from federa.federation.rp_models import ExternalIdentity, IdentityProvider
from federa.networks.reference import make_tax_code
from tests.federation.op_flow import fresh_keys, register
from tests.interop.pyoidc_harness import serve_provider

__all__ = ["fresh_keys"]
SECRET_A, SECRET_B = "a" * 40, "b" * 40
TRUST_LOOPBACK = {"FEDERA_OIDC_ALLOW_PRIVATE_HOSTS": "1"}
B_PERSON = "bea@deployment-b.example.org"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


async def _second_database(tmp_path: Path) -> str:
    """Deployment B's own database, made by the test: on the main test URL's server, or a second SQLite file."""
    if BACKEND != "postgres":
        return f"sqlite://{tmp_path}/deployment-b.sqlite3"
    base, name = PG_URL.rsplit("/", 1)
    url = f"{base}/{name}b"
    admin = await asyncpg.connect(f"{base}/postgres")
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}b" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}b"')
    finally:
        await admin.close()
    return url


def _federa(database: str, secret: str, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FEDERA_")}
    env |= {"FEDERA_DATABASE_URL": database, "FEDERA_SECRET_KEY": secret, "PYTHONPATH": f"{ROOT / 'platform'}:{ROOT}"}
    done = subprocess.run([sys.executable, "-m", "federa.cli", *args], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


async def _verify_emails(database: str) -> None:
    """Deployment B's accounts confirmed their address (as after the e-mailed link)."""
    if database.startswith("sqlite://"):
        import sqlite3

        with sqlite3.connect(database.removeprefix("sqlite://")) as conn:
            conn.execute("UPDATE person SET email_verified_at = created_at")
        return
    conn = await asyncpg.connect(database)
    try:
        await conn.execute("UPDATE person SET email_verified_at = created_at")
    finally:
        await conn.close()


class Browser:
    """One person's browser visiting both deployments (cookies kept per host name, as browsers do)."""

    def __init__(self) -> None:
        self.http = httpx.Client(follow_redirects=False, timeout=30)

    def csrf(self, url: str) -> str:
        match = _CSRF.search(self.http.get(url).text)
        assert match, url
        return match.group(1)

    def sign_in(self, base: str, email: str, next_url: str = "/") -> httpx.Response:
        token = self.csrf(base + "/signin")
        response = self.http.post(f"{base}/signin", params={"next": next_url},
                                  data={"email": email, "password": PASSWORD, "csrf_token": token})
        assert response.status_code == 303, response.text[:500]
        return response

    def post(self, url: str, data: dict[str, str]) -> httpx.Response:
        return self.http.post(url, data={**data, "csrf_token": self.csrf(url)})

    def sign_in_with(self, rp: str, slug: str, provider_id: int, op: str, email: str) -> httpx.Response:
        """The network's "sign in with" button at the RP, the provider's sign-in and consent, back to the RP."""
        response = self.http.get(f"{rp}/n/{slug}/signin/oidc/{provider_id}")
        assert response.status_code == 303 and response.headers["location"].startswith(op + "/oauth/authorize")
        response = self.http.get(response.headers["location"])
        assert response.status_code == 303 and response.headers["location"].startswith("/signin?next=")
        next_url = parse_qs(urlsplit(response.headers["location"]).query)["next"][0]
        self.sign_in(op, email, next_url)
        page = self.http.get(op + next_url)
        assert page.status_code == 200 and 'action="/oauth/consent"' in page.text, page.text[:500]
        form = page.text.split('action="/oauth/consent"', 1)[1].split("</form>", 1)[0]
        fields = dict(_HIDDEN.findall(form))  # the values carry no HTML entities here
        answer = self.http.post(op + "/oauth/consent", data={**fields, "decision": "allow"})
        assert answer.status_code == 302 and answer.headers["location"].startswith(f"{rp}/n/{slug}/signin/oidc/")
        back = self.http.get(answer.headers["location"])
        assert back.status_code == 303, back.text[:1000]
        return back

    def me(self, base: str) -> str:
        response = self.http.get(base + "/me")
        assert response.status_code == 200, response.status_code
        return response.text


async def _b_trusts_a_on_the_pages(browser: Browser, a: str, b: str) -> tuple[int, int]:
    """B's admin creates a network with a cooperative and adds A as its provider: (provider id, coop id)."""
    created = browser.post(f"{b}/admin/networks", {"name": "Rete B", "slug": "rete-b", "kind": "consortium"})
    assert created.status_code == 303, created.text[:500]
    coop = browser.post(f"{b}/n/rete-b/directory/new", {"legal_name": "Cooperativa di B", "coop_type": "A",
                                                        "tax_code": make_tax_code(4242), "province": "FI"})
    assert coop.status_code == 303, coop.text[:500]
    coop_id = int(coop.headers["location"].rstrip("/").rsplit("/", 1)[1])
    app = await register(None, name="Federa B", redirect_uris=("https://placeholder.example.org/cb",))
    saved = browser.post(f"{b}/n/rete-b/manage/identity-providers/new", {
        "name": "Federa A", "issuer": a, "client_id": app.client_id, "client_secret": app.secret,
        "scopes": "openid email profile", "email_claim": "email", "name_claim": "name", "auto_create": "on",
        "default_cooperative_id": str(coop_id)})
    assert saved.status_code == 303, saved.text[:2000]
    provider_id = int(saved.headers["location"].rstrip("/").rsplit("/", 1)[1])
    # A's platform admin registers B's exact callback (shown on B's provider page).
    await OAuthClient.filter(client_id=app.client_id).update(
        redirect_uris=[f"{b}/n/rete-b/signin/oidc/{provider_id}/callback"])
    return provider_id, coop_id


async def test_two_deployments_trust_each_other(tmp_path: Path, world: World) -> None:
    b_database = await _second_database(tmp_path)
    _federa(b_database, SECRET_B, "migrate")
    _federa(b_database, SECRET_B, "createadmin", B_PERSON, "Bea di B", "--password", PASSWORD)
    await _verify_emails(b_database)
    await Person.filter(id=world.member.id).update(email_verified_at=world.member.created_at)
    async with serve_provider(tmp_path, database=b_database, secret=SECRET_B, host="127.0.0.2",
                              env_extra=TRUST_LOOPBACK) as b, \
            serve_provider(tmp_path, database=database_url(), secret=SECRET_A, env_extra=TRUST_LOOPBACK) as a:
        # 1. B is an identity provider of alpha on A; A is B's client.
        async with httpx.AsyncClient() as http:
            metadata = (await http.get(b + "/.well-known/openid-configuration")).json()
            jwks = (await http.get(metadata["jwks_uri"])).json()
        assert metadata["issuer"] == b
        provider = await IdentityProvider.create(
            network=world.alpha, name="Federa B", issuer=b, client_id="pending", metadata=metadata, jwks=jwks,
            scopes="openid email profile", auto_create=True, default_cooperative_id=world.coop.id,
            metadata_fetched_at=datetime.now(UTC), jwks_fetched_at=datetime.now(UTC))
        callback = f"{a}/n/rete-alfa/signin/oidc/{provider.id}/callback"
        out = _federa(b_database, SECRET_B, "oidc-clients", "create", "--name", "Federa A", "--redirect-uri", callback)
        values = dict(line.split(": ", 1) for line in out.splitlines())
        await IdentityProvider.filter(id=provider.id).update(
            client_id=values["client_id"], client_secret_sealed=sealed.seal(SECRET_A, values["client_secret"]))

        bea = Browser()
        landed = bea.sign_in_with(a, "rete-alfa", provider.id, b, B_PERSON)
        assert urljoin(a, landed.headers["location"]).startswith(a + "/n/rete-alfa")
        assert B_PERSON in bea.me(a)
        person = await Person.get(email=B_PERSON)
        identity = await ExternalIdentity.get(person_id=person.id)
        assert identity.issuer == b and identity.subject != str(person.id)

        # 2. The other way round, set up on B's own pages by B's administrator (Bea, signed in at B above).
        provider_id, _coop_id = await _b_trusts_a_on_the_pages(bea, a, b)
        member = Browser()
        landed = member.sign_in_with(b, "rete-b", provider_id, a, world.member.email)
        assert urljoin(b, landed.headers["location"]).startswith(b + "/n/rete-b")
        assert world.member.email in member.me(b)
        for browser in (bea, member):
            browser.http.close()
