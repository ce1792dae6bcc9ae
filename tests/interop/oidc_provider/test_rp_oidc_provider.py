"""Federa's relying party against panva's npm `oidc-provider` (OpenID Certified), run on loopback by these tests.

The provider is configured here (tests/interop/oidc_provider/provider.mjs reads the JSON this module writes):
a confidential client for Federa, PKCE required, development interactions (any login; the login becomes the
subject) driven by an httpx "browser". Key rotation restarts it with a new key set. Forged tokens go through
a man-in-the-middle proxy on the token endpoint that tampers with what the real provider issued; the claim-by-claim
checks with validly signed bad tokens are in tests/federation/test_rp_oidcc_*.py (a provider the tests control).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import html
import json
import re
import shutil
import subprocess
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
import pytest
from joserfc.jwk import KeySet, RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from federa.accounts.models import Person, WebSession
from federa.audit.models import AuditEntry
from federa.federation.rp_models import ExternalIdentity, IdentityProvider
from federa.settings import Settings
from tests.conftest import World, database_url, post_form
from tests.federation.rp_helpers import SECRET_KEY, add_provider, free_port, query_of, serve

HERE = Path(__file__).resolve().parent
CLIENT_ID, CLIENT_SECRET = "federa", "federa-interop-secret"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings.from_env(env={}, database_url=database_url(), secret_key=SECRET_KEY, var_dir=tmp_path / "var",
                             run_drainer=False, base_url="http://testserver", oidc_allow_private_hosts=True)


def _install() -> None:
    """node_modules is not committed: install the pinned package from the registry the first time."""
    if not (HERE / "node_modules" / "oidc-provider").exists():
        npm = shutil.which("npm")
        assert npm, "npm is required for the interop tests"
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=HERE, check=True, timeout=300,
                       capture_output=True)


def _keys(kid: str) -> dict[str, Any]:
    key = RSAKey.generate_key(2048, parameters={"kid": kid, "use": "sig", "alg": "RS256"}, private=True)
    return KeySet([key]).as_dict(private=True)


class OidcProvider:
    """The node process; `restart(kid)` brings it back on the same port with a new signing key."""

    def __init__(self, tmp: Path) -> None:
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.tmp = tmp
        self.process: subprocess.Popen | None = None
        self.redirect_uris: list[str] = []

    async def start(self, kid: str = "key-1") -> None:
        config = {"issuer": self.issuer, "port": self.port, "jwks": _keys(kid), "clients": [{
            "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "redirect_uris": self.redirect_uris,
            "grant_types": ["authorization_code"], "response_types": ["code"],
            "token_endpoint_auth_method": "client_secret_basic"}]}
        path = self.tmp / f"provider-{kid}.json"
        path.write_text(json.dumps(config))
        log = (self.tmp / f"provider-{kid}.log").open("w")
        node = shutil.which("node")
        assert node, "node is required for the interop tests"
        self.process = subprocess.Popen([node, "provider.mjs", str(path)], cwd=HERE, stdout=log,
                                        stderr=subprocess.STDOUT)
        async with httpx.AsyncClient() as client:
            for _ in range(200):
                assert self.process.poll() is None, (self.tmp / f"provider-{kid}.log").read_text()
                with contextlib.suppress(httpx.TransportError):
                    if (await client.get(self.issuer + "/.well-known/openid-configuration")).status_code == 200:
                        return
                await asyncio.sleep(0.05)
        raise AssertionError("oidc-provider did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    async def restart(self, kid: str) -> None:
        self.stop()
        await self.start(kid)


@pytest.fixture
async def op(tmp_path: Path, world: World) -> AsyncIterator[OidcProvider]:
    _install()
    provider = OidcProvider(tmp_path)
    provider.redirect_uris = [f"http://testserver/n/rete-alfa/signin/oidc/{n}/callback" for n in range(1, 4)]
    await provider.start()
    try:
        yield provider
    finally:
        provider.stop()


@pytest.fixture
async def idp(op: OidcProvider, world: World) -> IdentityProvider:
    """Alpha's provider row (ids restart at 1 per test on both backends: its redirect URI is registered)."""
    row = await add_provider(world.alpha, op.issuer, secret_key=SECRET_KEY, name="Panva", client_id=CLIENT_ID,
                             client_secret=CLIENT_SECRET, auto_create=True, default_cooperative_id=world.coop.id)
    assert row.id in (1, 2, 3)
    return row


async def drive(url: str, browser: httpx.AsyncClient, login: str = "maria") -> tuple[str, list[str]]:
    """Go through the provider's pages as a person would; the URL it sends back to Federa, and the pages seen."""
    seen: list[str] = []
    for _ in range(12):
        if url.startswith("http://testserver/"):
            return url, seen
        response = await browser.get(url)
        if response.status_code in (302, 303):
            url = urljoin(url, response.headers["location"])
            continue
        seen.append("login" if 'name="login"' in response.text else "consent")
        action = html.unescape(re.search(r'<form[^>]*action="([^"]+)"', response.text)[1])  # type: ignore[index]
        fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', response.text))
        if 'name="login"' in response.text:
            fields |= {"login": login, "password": "any"}
        response = await browser.post(urljoin(url, action), data=fields)
        assert response.status_code in (302, 303), response.text
        url = urljoin(url, response.headers["location"])
    raise AssertionError(f"the provider never sent the browser back: {url}")


async def sign_in(client: httpx.AsyncClient, browser: httpx.AsyncClient, row: IdentityProvider,
                  login: str = "maria") -> tuple[httpx.Response, list[str]]:
    start = await client.get(f"/n/rete-alfa/signin/oidc/{row.id}")
    assert start.status_code == 303
    back, seen = await drive(start.headers["location"], browser, login)
    parts = urlsplit(back)
    return await client.get(f"{parts.path}?{parts.query}"), seen


async def test_sign_in_creates_the_person_and_lands_in_the_network(client, op: OidcProvider,
                                                                   idp: IdentityProvider) -> None:
    async with httpx.AsyncClient() as browser:
        response, seen = await sign_in(client, browser, idp)
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/n/rete-alfa/" and seen == ["login", "consent"]
    identity = await ExternalIdentity.get(issuer=op.issuer, subject="maria").select_related("person")
    assert identity.person.email == "maria@coop-alfa.example.org" and identity.person.name == "Persona maria"
    assert (await client.get("/me")).status_code == 200


async def test_sign_out_then_in_again(client, op: OidcProvider, idp: IdentityProvider) -> None:
    """Signing out ends the Federa session; signing in again reuses the provider's own session (no login form)."""
    async with httpx.AsyncClient() as browser:
        assert (await sign_in(client, browser, idp))[0].status_code == 303
        response = await post_form(client, "/signout", token_from="/me")
        assert response.status_code == 303
        assert (await client.get("/me")).status_code == 303  # signed out
        assert not await WebSession.exists()
        response, seen = await sign_in(client, browser, idp)
    assert response.status_code == 303 and seen == []
    assert await Person.filter(email="maria@coop-alfa.example.org").count() == 1
    assert (await client.get("/me")).status_code == 200


async def test_sign_out_at_the_provider_too(client, op: OidcProvider, idp: IdentityProvider) -> None:
    """RP-initiated logout: Federa ends its session and sends the browser to the provider's end_session_endpoint
    with the id_token as hint; after confirming there, signing in again needs the login form again."""
    async with httpx.AsyncClient() as browser:
        assert (await sign_in(client, browser, idp))[0].status_code == 303
        page = await client.get("/n/rete-alfa/signin")
        assert f'action="/n/rete-alfa/signin/oidc/{idp.id}/signout"' in page.text
        response = await post_form(client, f"/n/rete-alfa/signin/oidc/{idp.id}/signout", {"confirm": "yes"},
                                   token_from="/n/rete-alfa/signin")
        assert response.status_code == 303 and not await WebSession.exists()
        end = response.headers["location"]
        assert end.startswith(op.issuer + "/session/end?") and query_of(end)["client_id"] == CLIENT_ID
        confirm = await browser.get(end)
        action = html.unescape(re.search(r'<form id="op.logoutForm"[^>]*action="([^"]+)"', confirm.text)[1])  # type: ignore[index]
        fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', confirm.text))
        done = await browser.post(urljoin(end, action), data={**fields, "logout": "yes"})
        assert done.status_code in (302, 303)
        assert (await client.get("/me")).status_code == 303
        response, seen = await sign_in(client, browser, idp)
    assert response.status_code == 303 and seen[0] == "login"


async def test_key_rotation(client, new_client, op: OidcProvider, idp: IdentityProvider) -> None:
    async with httpx.AsyncClient() as browser:
        assert (await sign_in(client, browser, idp))[0].status_code == 303
    await op.restart("key-2")
    other = new_client()
    async with httpx.AsyncClient() as browser:
        response, _seen = await sign_in(other, browser, idp, login="luca")
    assert response.status_code == 303, response.text
    row = await IdentityProvider.get(id=idp.id)
    assert [k["kid"] for k in row.jwks["keys"]] == ["key-2"]


async def test_wrong_client_secret(client, op: OidcProvider, idp: IdentityProvider, world: World) -> None:
    wrong = await add_provider(world.alpha, op.issuer, secret_key=SECRET_KEY, name="Sbagliato", client_id=CLIENT_ID,
                               client_secret="not-the-secret", auto_create=True, default_cooperative_id=world.coop.id)
    async with httpx.AsyncClient() as browser:
        response, _seen = await sign_in(client, browser, wrong)
    assert response.status_code == 400 and "invalid_client" in response.text
    assert not await ExternalIdentity.exists()


async def test_code_replayed(client, new_client, op: OidcProvider, idp: IdentityProvider) -> None:
    async with httpx.AsyncClient() as browser:
        start = await client.get(f"/n/rete-alfa/signin/oidc/{idp.id}")
        back, _seen = await drive(start.headers["location"], browser)
        parts = urlsplit(back)
        assert (await client.get(f"{parts.path}?{parts.query}")).status_code == 303
        code = query_of(back)["code"]
        other = new_client()
        fresh = await other.get(f"/n/rete-alfa/signin/oidc/{idp.id}")
        back2, _seen = await drive(fresh.headers["location"], browser)
        response = await other.get(parts.path, params={**query_of(back2), "code": code})
    assert response.status_code == 400 and "invalid_grant" in response.text
    entry = await AuditEntry.filter(action="identity.sign_in_refused").first()
    assert entry is not None and entry.data["reason"] == "token_error"
    assert await ExternalIdentity.all().count() == 1


async def test_tampered_state(client, op: OidcProvider, idp: IdentityProvider) -> None:
    async with httpx.AsyncClient() as browser:
        start = await client.get(f"/n/rete-alfa/signin/oidc/{idp.id}")
        back, _seen = await drive(start.headers["location"], browser)
    back = re.sub(r"state=([^&]+)", lambda m: f"state={m[1][::-1]}", back)
    parts = urlsplit(back)
    response = await client.get(f"{parts.path}?{parts.query}")
    assert response.status_code == 400 and not await ExternalIdentity.exists()


# ----- a man in the middle on the token endpoint: the real provider's tokens, tampered with -------------------

def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _claims(change: dict[str, Any]) -> Callable[[str, dict], str]:
    def tamper(token: str, jwks: dict) -> str:
        header, payload, signature = token.split(".")
        claims = {**json.loads(_unb64(payload)), **change}
        return f"{header}.{_b64(json.dumps(claims).encode())}.{signature}"
    return tamper


def _alg_none(token: str, jwks: dict) -> str:
    _header, payload, _signature = token.split(".")
    return f"{_b64(json.dumps({'alg': 'none'}).encode())}.{payload}."


def _hs256_public_key(token: str, jwks: dict) -> str:
    _header, payload, _signature = token.split(".")
    public = RSAKey.import_key(jwks["keys"][0]).as_pem(private=False)
    signing_input = f"{_b64(json.dumps({'alg': 'HS256', 'kid': 'key-1'}).encode())}.{payload}"
    return f"{signing_input}.{_b64(hmac.new(public, signing_input.encode(), hashlib.sha256).digest())}"


def _resigned(token: str, jwks: dict) -> str:
    from joserfc import jwt

    claims = json.loads(_unb64(token.split(".")[1]))
    forged = RSAKey.generate_key(2048, parameters={"kid": "key-1"}, private=True)
    return jwt.encode({"alg": "RS256", "kid": "key-1"}, claims, forged)


@pytest.mark.parametrize(("name", "tamper", "reason"), [
    ("wrong_iss", _claims({"iss": "https://evil.example.org"}), "bad_signature"),
    ("wrong_aud", _claims({"aud": "someone-else"}), "bad_signature"),
    ("wrong_nonce", _claims({"nonce": "forged"}), "bad_signature"),
    ("expired", _claims({"exp": 1_000_000_000}), "bad_signature"),
    ("alg_none", _alg_none, "alg_not_allowed"),
    ("hs256_with_public_key", _hs256_public_key, "alg_not_allowed"),
    ("bad_signature", _resigned, "bad_signature"),
])
async def test_tampered_id_token_refused(client, op: OidcProvider, idp: IdentityProvider, name: str,
                                         tamper: Callable[[str, dict], str], reason: str) -> None:
    async def token(request: Request) -> Response:
        async with httpx.AsyncClient() as upstream:
            answer = await upstream.post(op.issuer + "/token", content=await request.body(),
                                         headers={k: v for k, v in request.headers.items() if k != "host"})
        body = answer.json()
        if "id_token" in body:
            body["id_token"] = tamper(body["id_token"], idp.jwks)
        return JSONResponse(body, status_code=answer.status_code)

    async with serve(Starlette(routes=[Route("/token", token, methods=["POST"])])) as proxy:
        await IdentityProvider.filter(id=idp.id).update(metadata={**idp.metadata, "token_endpoint": proxy + "/token"})
        async with httpx.AsyncClient() as browser:
            response, _seen = await sign_in(client, browser, idp)
    assert response.status_code == 400, response.text
    entry = await AuditEntry.filter(action="identity.sign_in_refused").first()
    assert entry is not None and entry.data["reason"] == reason
    assert not await ExternalIdentity.exists() and not await Person.filter(email__startswith="maria").exists()
    assert not await WebSession.exists()
