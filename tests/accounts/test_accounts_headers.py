"""Security headers on every kind of response, production-only HSTS, settings guards, body size limit."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from conftest import World, csrf_token, database_url, sign_in
from starlette.routing import Route

from federa.app import create_app
from federa.settings import Settings, SettingsError


@pytest.fixture
async def raw_app(settings: Settings) -> AsyncIterator[Any]:
    """The app with one more route that fails, to see the last-resort error page."""
    application = create_app(settings, own_database=False)

    async def boom(request: Any) -> None:
        raise RuntimeError("internal-detail-xyz")

    application.router.routes.insert(0, Route("/boom-for-test", boom))
    async with LifespanManager(application):
        yield application


def _browser(app: Any, **kw: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
                             base_url="http://testserver", **kw)


def assert_secure(response: httpx.Response) -> None:
    headers = response.headers
    what = f"{response.request.method} {response.request.url.path} → {response.status_code}"
    assert "frame-ancestors 'none'" in headers.get("content-security-policy", ""), what
    assert "object-src 'none'" in headers["content-security-policy"], what
    assert headers.get("x-content-type-options") == "nosniff", what
    assert headers.get("referrer-policy") == "same-origin", what


async def _every_kind(client: httpx.AsyncClient) -> list[httpx.Response]:
    big = b"x" * (2 * 1024 * 1024 + 1)
    return [
        await client.get("/"),                                   # HTML page
        await client.get("/signin"),                             # page with a form
        await client.get("/me"),                                 # redirect (or personal page)
        await client.get("/api/v1/networks"),                    # JSON
        await client.get("/api/v1/me"),                          # JSON 401
        await client.get("/api/v1/openapi.json"),                # JSON document
        await client.get("/no/such/page"),                       # 404 page
        await client.get("/api/v1/no/such"),                     # 404 JSON
        await client.get("/signout"),                            # 405
        await client.post("/language", data={"locale": "en"}),   # 403 CSRF refusal
        await client.post("/signin", content=big,                # 413
                          headers={"Content-Type": "application/x-www-form-urlencoded"}),
        await client.get("/static/federa.css"),                  # static file
        await client.get("/livez"),                              # health
        await client.get("/boom-for-test"),                      # 500
    ]


async def test_every_kind_of_response_carries_the_headers(raw_app: Any, world: World) -> None:
    async with _browser(raw_app) as client:
        responses = await _every_kind(client)
        assert [r.status_code for r in responses] == [200, 200, 303, 200, 401, 200, 404, 404, 405, 403, 413,
                                                      200, 200, 500]
        for response in responses:
            assert_secure(response)
            assert "strict-transport-security" not in response.headers
        assert responses[-1].headers["content-type"].startswith("text/html")
        assert "internal-detail-xyz" not in responses[-1].text  # no details of the failure leak out
        assert "Traceback" not in responses[-1].text


async def test_signed_in_pages_are_not_cached(raw_app: Any, world: World) -> None:
    async with _browser(raw_app) as client:
        anonymous = await client.get("/")
        assert "no-store" not in anonymous.headers.get("cache-control", "")
        await sign_in(client, world.member)
        for response in await _every_kind(client):
            assert_secure(response)
        for path in ("/", "/me", "/n/rete-alfa/"):
            page = await client.get(path)
            assert page.status_code == 200
            assert page.headers["cache-control"] == "no-store", path


async def test_hsts_and_secure_cookie_only_in_production(settings: Settings) -> None:
    production = dataclasses.replace(settings, environment="production")
    application = create_app(production, own_database=False)
    async with LifespanManager(application) as manager, _browser(manager.app) as client:
        for path in ("/", "/signin", "/livez", "/api/v1/networks", "/no/such/page"):
            response = await client.get(path)
            assert_secure(response)
            assert response.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
        cookie = (await client.get("/signin")).headers["set-cookie"].lower()
        assert "secure" in [part.strip() for part in cookie.split(";")]
        assert "dev/mail" not in (await client.get("/")).text


@pytest.mark.parametrize("secret", ["", "change-me", "CHANGEME", "secret", "dev", "x" * 31])
def test_production_refuses_a_placeholder_or_short_secret(secret: str) -> None:
    env = {"FEDERA_ENV": "production", "FEDERA_DATABASE_URL": database_url(), "FEDERA_SECRET_KEY": secret}
    with pytest.raises(SettingsError):
        Settings.from_env(env=env)


def test_production_accepts_a_real_secret_and_needs_a_database() -> None:
    secret = "k3Jq9-vX2pLm8NwRt5Yb7Zc1Ad4Ef6Gh0"
    settings = Settings.from_env(env={"FEDERA_ENV": "production", "FEDERA_DATABASE_URL": "postgres://db/x",
                                      "FEDERA_SECRET_KEY": secret})
    assert settings.production and settings.secret_key == secret
    with pytest.raises(SettingsError):
        Settings.from_env(env={"FEDERA_ENV": "production", "FEDERA_SECRET_KEY": secret})


async def test_a_body_over_the_limit_is_413(settings: Settings, world: World) -> None:
    small = dataclasses.replace(settings, max_body_size=4096)
    application = create_app(small, own_database=False)
    async with LifespanManager(application) as manager, _browser(manager.app) as client:
        await sign_in(client, world.member)
        token = await csrf_token(client, "/me")
        fits = await client.post("/me", data={"csrf_token": token, "name": "x" * 100, "locale": "it"})
        assert fits.status_code == 303
        declared = await client.post("/me", data={"csrf_token": token, "name": "x" * 5000, "locale": "it"})
        assert declared.status_code == 413
        assert_secure(declared)

        body = f"csrf_token={token}&locale=it&name={'y' * 5000}".encode()

        async def streamed():  # type: ignore[no-untyped-def]
            for start in range(0, len(body), 1000):
                yield body[start:start + 1000]

        chunked = await client.post("/me", content=streamed(),
                                    headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert chunked.status_code == 413
        assert_secure(chunked)
    from federa.accounts.models import Person

    assert (await Person.get(id=world.member.id)).name == "x" * 100


async def test_the_default_limit_is_the_settings_one(client, settings: Settings) -> None:
    token = await csrf_token(client)
    over = await client.post("/signin", data={"csrf_token": token, "email": "a" * settings.max_body_size})
    assert over.status_code == 413
