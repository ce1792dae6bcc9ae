"""Fetches from providers are safe from SSRF (ASVS 1.3.6, 15.3.2; security.md row 18): ≥30 URLs aimed at
loopback, private, link-local and metadata addresses, spelled every way, make 0 connections to a loopback
canary; redirects never leave the origin; answers are capped in size and time; https only in production."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from rp_helpers import english, serve
from starlette.applications import Starlette
from starlette.responses import JSONResponse, RedirectResponse, StreamingResponse
from starlette.routing import Route

from federa.federation import discovery
from federa.federation.discovery import FetchError, FetchPolicy, get_json_object

__all__ = ["english"]  # fixtures

STRICT = FetchPolicy(allow_http=True, allow_private=False)   # dev: http allowed, private addresses not
TESTS = FetchPolicy(allow_http=True, allow_private=True)     # the test-only setting
PRODUCTION = FetchPolicy(allow_http=False, allow_private=False)


@pytest.fixture
async def canary() -> AsyncIterator[tuple[int, list[int]]]:
    """A TCP listener on 127.0.0.1 that counts every connection made to it."""
    hits: list[int] = []

    async def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        hits.append(1)
        writer.close()

    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    yield port, hits
    server.close()
    await server.wait_closed()


def bypasses(port: int) -> list[str]:
    hosts = ["127.0.0.1", "127.1", "127.0.0.2", "2130706433", "0x7f000001", "0177.0.0.1", "0x7f.0.0.1",
             "017700000001", "localhost", "LOCALHOST", "localhost.", "[::1]", "[::ffff:127.0.0.1]",
             "[::ffff:7f00:1]", "[0:0:0:0:0:ffff:127.0.0.1]", "0.0.0.0", "0", "[::]", "169.254.169.254",
             "[fd00:ec2::254]", "10.0.0.1", "172.16.0.1", "192.168.1.1", "100.64.0.1", "[fc00::1]", "[fe80::1]",
             "224.0.0.1", "255.255.255.255", "198.18.0.1", "[::ffff:169.254.169.254]", "127.0.0.1.", "0177.1"]
    urls = [f"http://{host}:{port}/.well-known/openid-configuration" for host in hosts]
    urls += [f"http://user:pass@127.0.0.1:{port}/", f"http://127.0.0.1:{port}#@example.org/",
             f"http://example.org@127.0.0.1:{port}/"]
    return urls


async def test_private_addresses_are_never_contacted(canary: tuple[int, list[int]]) -> None:
    port, hits = canary
    urls = bypasses(port)
    assert len(urls) >= 30
    for url in urls:
        with pytest.raises(FetchError):
            await get_json_object(STRICT, url)
    assert hits == []
    with pytest.raises(FetchError):  # the canary itself answers nothing usable...
        await get_json_object(TESTS, f"http://127.0.0.1:{port}/")
    assert hits == [1]  # ...and is reachable: the refusals above were the policy's


async def test_https_only_in_production(canary: tuple[int, list[int]]) -> None:
    port, hits = canary
    with pytest.raises(FetchError, match="Only https"):
        await get_json_object(PRODUCTION, f"http://example.org:{port}/")
    with pytest.raises(FetchError, match="local or private"):
        await get_json_object(PRODUCTION, f"https://127.0.0.1:{port}/")
    assert hits == []


async def test_discovery_endpoints_must_be_https_in_production() -> None:
    doc = {"issuer": "https://idp.example.org", "authorization_endpoint": "https://idp.example.org/a",
           "token_endpoint": "http://idp.example.org/t", "jwks_uri": "https://idp.example.org/k",
           "response_types_supported": ["code"], "code_challenge_methods_supported": ["S256"]}
    with pytest.raises(FetchError, match="token_endpoint"):
        discovery.check_metadata("https://idp.example.org", doc, PRODUCTION)
    discovery.check_metadata("https://idp.example.org", doc, STRICT)


async def test_redirects_stay_in_the_origin(canary: tuple[int, list[int]]) -> None:
    port, hits = canary

    async def moved(request):  # type: ignore[no-untyped-def]
        return RedirectResponse(str(request.query_params["to"]), status_code=302)

    async def here(request):  # type: ignore[no-untyped-def]
        return JSONResponse({"ok": True})

    app = Starlette(routes=[Route("/moved", moved), Route("/here", here)])
    async with serve(app) as base:
        assert await get_json_object(TESTS, f"{base}/moved?to=/here") == {"ok": True}
        for target in (f"http://localhost:{port}/", f"http://127.0.0.1:{port}/", "http://169.254.169.254/"):
            with pytest.raises(FetchError, match="another host"):
                await get_json_object(TESTS, f"{base}/moved?to={target}")
        with pytest.raises(FetchError, match="too many"):
            await get_json_object(TESTS, f"{base}/moved?to=/moved%3Fto%3D/moved%253Fto%253D/moved")
    assert hits == []


async def test_answers_are_capped_without_content_length() -> None:
    async def endless(request):  # type: ignore[no-untyped-def]
        async def chunks():  # type: ignore[no-untyped-def]
            yield b'{"pad": "'
            while True:
                yield b"a" * 65536
                await asyncio.sleep(0)

        return StreamingResponse(chunks(), media_type="application/json")

    async with serve(Starlette(routes=[Route("/big", endless)])) as base:
        with pytest.raises(FetchError, match="larger than 256 KB"):
            await get_json_object(TESTS, f"{base}/big")


async def test_slow_provider_times_out(monkeypatch: pytest.MonkeyPatch) -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(5)
        writer.close()

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    monkeypatch.setattr(discovery, "TIMEOUT", discovery.httpx.Timeout(0.3))
    try:
        with pytest.raises(FetchError, match="did not answer in time"):
            await get_json_object(TESTS, f"http://127.0.0.1:{port}/")
    finally:
        server.close()


def test_the_loopback_setting_is_refused_in_production() -> None:
    from federa.settings import Settings, SettingsError

    env = {"FEDERA_ENV": "production", "FEDERA_SECRET_KEY": "x" * 40, "FEDERA_DATABASE_URL": "postgres://db/f",
           "FEDERA_OIDC_ALLOW_PRIVATE_HOSTS": "1"}
    with pytest.raises(SettingsError):
        Settings.from_env(env)
    assert FetchPolicy.from_settings(Settings.from_env({**env, "FEDERA_OIDC_ALLOW_PRIVATE_HOSTS": ""})) == PRODUCTION
