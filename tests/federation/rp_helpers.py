"""A provider on loopback whose answers the tests write (discovery, keys, token, userinfo), and flow helpers.

The RP certification checks need id_tokens no honest provider would issue (alg none, a wrong audience, a bad
signature...): this provider signs whatever the test asks, with real keys, over real HTTP on 127.0.0.1. The
positive flows also run against panva's certified oidc-provider (tests/interop/).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import gettext
import hashlib
import hmac
import json
import secrets
import socket
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import uvicorn
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.jwk import ECKey, KeySet, RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from federa.federation import secrets as sealed
from federa.federation.rp_models import IdentityProvider
from federa.settings import Settings
from federa.web import i18n
from tests.conftest import World, database_url

CLIENT_ID = "federa-test"
SECRET_KEY = "t" * 40  # the app's secret key in these tests
CLIENT_SECRET = "s3cret-of-the-client"
DROP = object()  # a claim or header value that removes the entry


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.asynccontextmanager
async def serve(app: Any, port: int | None = None) -> AsyncIterator[str]:
    """An ASGI app served by uvicorn on loopback, in this event loop; its base URL."""
    port = port or free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off",
                                           ws="none", http="h11", access_log=False))
    server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
    task = asyncio.create_task(server.serve())
    while not server.started:
        assert not task.done(), "the test provider did not start"
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


def rsa_key(kid: str) -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": kid, "use": "sig", "alg": "RS256"}, private=True)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class ForgeIdp:
    """The test's own provider. Change its attributes to make it misbehave."""

    def __init__(self) -> None:
        self.issuer = ""
        self.key: Any = rsa_key("k1")
        self.published: list[Any] = [self.key]
        self.sign_key: Any = None          # another key to sign with (a bad signature)
        self.header: dict[str, Any] = {}   # overrides of the id_token header
        self.claims: dict[str, Any] = {}   # overrides of the id_token claims
        self.userinfo: Any = None  # None: the id_token's claims
        self.userinfo_status = 200
        self.metadata: dict[str, Any] = {}   # overrides of the discovery document
        self.raw_discovery: bytes | None = None
        self.codes: dict[str, dict[str, Any]] = {}
        self.hits: Counter[str] = Counter()
        self.token_requests: list[dict[str, str]] = []
        self.app = Starlette(routes=[
            Route("/.well-known/openid-configuration", self._discovery),
            Route("/jwks", self._jwks),
            Route("/token", self._token, methods=["POST"]),
            Route("/userinfo", self._userinfo),
        ])

    def discovery(self) -> dict[str, Any]:
        base = self.issuer
        doc = {"issuer": base, "authorization_endpoint": f"{base}/authorize", "token_endpoint": f"{base}/token",
               "jwks_uri": f"{base}/jwks", "userinfo_endpoint": f"{base}/userinfo",
               "response_types_supported": ["code"], "code_challenge_methods_supported": ["S256"],
               "grant_types_supported": ["authorization_code"], "subject_types_supported": ["public"],
               "id_token_signing_alg_values_supported": ["RS256", "ES256"],
               "token_endpoint_auth_methods_supported": ["client_secret_basic"]}
        doc.update(self.metadata)
        return {k: v for k, v in doc.items() if v is not DROP}

    async def _discovery(self, request: Request) -> Response:
        self.hits["discovery"] += 1
        if self.raw_discovery is not None:
            return Response(self.raw_discovery, media_type="application/json")
        return JSONResponse(self.discovery())

    async def _jwks(self, request: Request) -> Response:
        self.hits["jwks"] += 1
        return JSONResponse(KeySet(self.published).as_dict(private=False))

    def authorize(self, location: str, sub: str = "alice-1", **claims: Any) -> dict[str, str]:
        """What the provider would do after the person signs in: a code for the request in `location`."""
        query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
        assert query["code_challenge_method"] == "S256" and query["response_type"] == "code"
        code = secrets.token_urlsafe(16)
        self.codes[code] = {"query": query, "sub": sub, "claims": claims, "used": False}
        return {"code": code, "state": query["state"], "iss": self.issuer}

    def id_token(self, nonce: str, sub: str, extra: dict[str, Any]) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {"iss": self.issuer, "sub": sub, "aud": CLIENT_ID, "exp": now + 300, "iat": now,
                                  "nonce": nonce, "email": f"{sub}@coop-alfa.example.org", "email_verified": True,
                                  "name": "Alice Rossi", **extra, **self.claims}
        claims = {k: v for k, v in claims.items() if v is not DROP}
        key = self.sign_key or self.key
        header = {"alg": "RS256", "kid": key.kid, **self.header}
        header = {k: v for k, v in header.items() if v is not DROP}
        signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
        if header["alg"] == "none":
            return signing_input + "."
        if header["alg"] == "HS256":  # the provider's public key used as the HMAC secret (joserfc refuses to)
            mac = hmac.new(self.key.as_pem(private=False), signing_input.encode(), hashlib.sha256).digest()
            return f"{signing_input}.{_b64(mac)}"
        return jwt.encode(header, claims, key, algorithms=[header["alg"]])

    async def _token(self, request: Request) -> Response:
        self.hits["token"] += 1
        form = {k: str(v) for k, v in (await request.form()).items()}
        self.token_requests.append(form)
        grant = self.codes.get(form.get("code", ""))
        if grant is None or grant["used"]:
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        grant["used"] = True
        expected = create_s256_code_challenge(form.get("code_verifier", ""))
        auth = request.headers.get("authorization", "")
        basic = "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if expected != grant["query"]["code_challenge"] or auth != basic \
                or form.get("redirect_uri") != grant["query"]["redirect_uri"]:
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        access_token = secrets.token_urlsafe(16)
        grant["access_token"] = access_token
        id_token = self.id_token(grant["query"]["nonce"], grant["sub"], grant["claims"])
        return JSONResponse({"access_token": access_token, "token_type": "Bearer", "expires_in": 300,
                             "id_token": id_token})

    async def _userinfo(self, request: Request) -> Response:
        self.hits["userinfo"] += 1
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        grant = next((g for g in self.codes.values() if g.get("access_token") == token), None)
        if grant is None:
            return JSONResponse({"error": "invalid_token"}, status_code=401)
        if self.userinfo is not None:
            return JSONResponse(self.userinfo, status_code=self.userinfo_status)
        return JSONResponse({"sub": grant["sub"], "email": f"{grant['sub']}@coop-alfa.example.org",
                             "email_verified": True, "name": "Alice Rossi", **grant["claims"]})


def ec_key(kid: str) -> ECKey:
    return ECKey.generate_key("P-256", parameters={"kid": kid, "use": "sig", "alg": "ES256"}, private=True)


async def add_provider(network: Any, issuer: str, *, secret_key: str, **kw: Any) -> IdentityProvider:
    """A provider row as the admin form would save it (discovery and keys fetched for real)."""
    async with httpx.AsyncClient() as client:
        metadata = (await client.get(issuer.rstrip("/") + "/.well-known/openid-configuration")).json()
        jwks = (await client.get(metadata["jwks_uri"])).json()
    kw.setdefault("name", "IdP Alfa")
    kw.setdefault("client_id", CLIENT_ID)
    secret = kw.pop("client_secret", CLIENT_SECRET)
    now = datetime.now(UTC)
    return await IdentityProvider.create(network=network, issuer=issuer, metadata=metadata, jwks=jwks,
                                         metadata_fetched_at=now, jwks_fetched_at=now,
                                         client_secret_sealed=sealed.seal(secret_key, secret), **kw)


def query_of(location: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


async def begin(client: httpx.AsyncClient, provider: IdentityProvider, slug: str = "rete-alfa") -> str:
    """Start signing in with the provider; the authorization URL Federa redirects to."""
    response = await client.get(f"/n/{slug}/signin/oidc/{provider.id}")
    assert response.status_code == 303, response.text
    return response.headers["location"]


async def finish(client: httpx.AsyncClient, provider: IdentityProvider, params: dict[str, str],
                 slug: str = "rete-alfa") -> httpx.Response:
    return await client.get(f"/n/{slug}/signin/oidc/{provider.id}/callback", params=params)


async def sign_in_via(client: httpx.AsyncClient, idp: ForgeIdp, provider: IdentityProvider,
                      sub: str = "alice-1", tweak: Callable[[dict[str, str]], None] | None = None,
                      **claims: Any) -> httpx.Response:
    """The whole flow with the test provider: start, the provider's code, the callback."""
    params = idp.authorize(await begin(client, provider), sub, **claims)
    if tweak:
        tweak(params)
    return await finish(client, provider, params)


# ----- fixtures (test modules import them and list them in __all__) -------------------------------------------

@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    """Messages in English (the msgids), whatever the Italian catalog says and whoever is signed in."""
    monkeypatch.setattr(i18n, "translations", lambda locale: gettext.NullTranslations())


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """The app's settings, with providers on loopback allowed (the test-only setting)."""
    return Settings.from_env(env={}, database_url=database_url(), secret_key=SECRET_KEY, var_dir=tmp_path / "var",
                             run_drainer=False, base_url="http://testserver", oidc_allow_private_hosts=True)


@pytest.fixture
async def idp() -> AsyncIterator[ForgeIdp]:
    forge = ForgeIdp()
    async with serve(forge.app) as url:
        forge.issuer = url
        yield forge


@pytest.fixture
async def provider(world: World, idp: ForgeIdp) -> IdentityProvider:
    """Alpha's provider, pointing at the test's provider; no automatic accounts."""
    return await add_provider(world.alpha, idp.issuer, secret_key=SECRET_KEY)
