"""A relying party driven by hand over the ASGI app: registers a client, walks the code flow, reads tokens."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest

from federa.federation import op_keys, op_services
from federa.federation.op_schemas import ClientIn
from federa.networks.access import Access
from federa.networks.models import Network
from federa.web.forms import validate

CALLBACK = "https://app.example.org/callback"
AFTER_LOGOUT = "https://app.example.org/bye"
ISSUER = "http://testserver"
_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


@dataclass
class App:
    """A registered client and its one-time secret."""

    client_id: str
    secret: str
    pk: int
    redirect_uri: str = CALLBACK


@dataclass
class Pkce:
    verifier: str = field(default_factory=lambda: secrets.token_urlsafe(48))

    @property
    def challenge(self) -> str:
        digest = hashlib.sha256(self.verifier.encode()).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


async def register(network: Network | None = None, *, scopes: tuple[str, ...] = ("openid", "profile", "email"),
                   redirect_uris: tuple[str, ...] = (CALLBACK,), post_logout: tuple[str, ...] = (AFTER_LOGOUT,),
                   name: str = "Piattaforma formazione") -> App:
    data = validate(ClientIn, {"name": name, "redirect_uris": list(redirect_uris),
                               "post_logout_redirect_uris": list(post_logout), "scopes": list(scopes)})
    access = Access(person=None, network=network) if network is not None else None
    client, secret = await op_services.register_client(access, data, actor=None, operator=True)
    return App(client.client_id, secret, client.id, redirect_uris[0])


def auth_params(app: App, pkce: Pkce | None, **extra: str) -> dict[str, str]:
    params = {"response_type": "code", "client_id": app.client_id, "redirect_uri": app.redirect_uri,
              "scope": "openid profile email", "state": secrets.token_urlsafe(8), "nonce": secrets.token_urlsafe(8)}
    if pkce is not None:
        params |= {"code_challenge": pkce.challenge, "code_challenge_method": "S256"}
    params.update(extra)
    return {k: v for k, v in params.items() if v != ""}


def query_of(response: httpx.Response) -> dict[str, str]:
    """The parameters of a redirect back to the client."""
    assert response.status_code in (302, 303), (response.status_code, response.text[:500])
    location = response.headers["location"]
    assert location.startswith(CALLBACK) or location.startswith(AFTER_LOGOUT), location
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


async def consent(http: httpx.AsyncClient, page: httpx.Response, decision: str = "allow") -> httpx.Response:
    """Submit the consent form of a consent page."""
    assert page.status_code == 200 and 'action="/oauth/consent"' in page.text, page.text[:500]
    import html

    form = page.text.split('action="/oauth/consent"', 1)[1].split("</form>", 1)[0]
    fields = [(k, html.unescape(v)) for k, v in _HIDDEN.findall(form)]
    return await http.post("/oauth/consent", content=urlencode([*fields, ("decision", decision)]),
                           headers={"content-type": "application/x-www-form-urlencoded"})


async def code_for(http: httpx.AsyncClient, app: App, pkce: Pkce, **extra: str) -> tuple[str, dict[str, str]]:
    """Walk authorize (and the consent page, if shown) for a signed-in browser; the code and the answer."""
    params = auth_params(app, pkce, **extra)
    response = await http.get("/oauth/authorize", params=params)
    if response.status_code == 200:
        response = await consent(http, response)
    answer = query_of(response)
    assert answer.get("state") == params["state"], answer
    return answer["code"], params


async def exchange(http: httpx.AsyncClient, app: App, code: str, pkce: Pkce | None, *, how: str = "basic",
                   secret: str | None = None, **extra: str) -> httpx.Response:
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": app.redirect_uri, **extra}
    if pkce is not None:
        data["code_verifier"] = pkce.verifier
    return await token_request(http, app, data, how=how, secret=secret)


async def token_request(http: httpx.AsyncClient, app: App, data: dict[str, Any], *, how: str = "basic",
                        secret: str | None = None) -> httpx.Response:
    secret = app.secret if secret is None else secret
    if how == "basic":
        return await http.post("/oauth/token", data=data, auth=(app.client_id, secret))
    return await http.post("/oauth/token", data={**data, "client_id": app.client_id, "client_secret": secret})


async def tokens_for(http: httpx.AsyncClient, app: App, **extra: str) -> dict[str, Any]:
    pkce = Pkce()
    code, _params = await code_for(http, app, pkce, **extra)
    response = await exchange(http, app, code, pkce)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


@pytest.fixture(autouse=True)
def fresh_keys() -> Iterator[None]:
    """Each test's database starts without keys: forget the signing key cached by an earlier test."""
    op_keys.cache.forget()
    yield
    op_keys.cache.forget()
