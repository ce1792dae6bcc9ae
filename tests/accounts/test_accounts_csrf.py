"""CSRF: every state-changing browser route refuses a request without the session's token."""

from __future__ import annotations

import pytest
from accounts_helpers import fill_path, snapshot, walk_routes
from conftest import World, csrf_token, post_form, sign_in

from federa.app import create_app
from federa.settings import Settings
from federa.web.middleware import CSRF_EXEMPT, CSRF_EXEMPT_EXACT


def _post_routes(settings: Settings) -> list[str]:
    """Every non-API route that accepts POST, with its parameters filled in (new routes included)."""
    app = create_app(settings, own_database=False)
    return sorted({fill_path(path) for path, route in walk_routes(app.routes)
                   if "POST" in (route.methods or set()) and not path.startswith(CSRF_EXEMPT)
                   and path not in CSRF_EXEMPT_EXACT})


def test_only_the_openid_protocol_endpoints_skip_the_token() -> None:
    """Other servers POST to these (client credentials or a bearer token, no session); the consent and the
    logout confirmation forms behind them carry the token like every other form."""
    assert {"/oauth/token", "/oauth/userinfo", "/oauth/authorize", "/oauth/logout"} == CSRF_EXEMPT_EXACT


async def test_the_route_list_is_complete(settings: Settings) -> None:
    paths = _post_routes(settings)
    for expected in ("/signin", "/signout", "/me/password", "/me/tokens/1/revoke", "/language",
                     "/invitations/dummy-token-0123456789", "/n/rete-alfa/memberships/1/approve",
                     "/admin/networks"):
        assert expected in paths
    assert not any(path.startswith("/api/") for path in paths)


async def test_every_form_route_refuses_a_post_without_the_token(client, settings: Settings,
                                                                 world: World) -> None:
    await sign_in(client, world.platform_admin)
    real_token = await csrf_token(client, "/me")
    before = await snapshot()
    refused = {}
    body = {"name": "Changed", "locale": "en", "email": "x@example.org", "slug": "nuova", "role": "admin"}
    for path in _post_routes(settings):
        missing = await client.post(path, data=body)
        wrong = await client.post(path, data={**body, "csrf_token": "A" * len(real_token)})
        multipart = await client.post(path, data=body, files={"file": ("a.csv", b"x,y\n", "text/csv")})
        refused[path] = (missing.status_code, wrong.status_code, multipart.status_code)
    assert {path: codes for path, codes in refused.items() if codes != (403, 403, 403)} == {}
    assert await snapshot() == before
    assert (await client.get("/me")).status_code == 200  # still signed in: the refusals ended nothing


async def test_a_cross_site_post_is_refused_even_with_the_token(client, world: World) -> None:
    await sign_in(client, world.member)
    token = await csrf_token(client, "/me")
    for headers in ({"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "cross-site"}):
        response = await client.post("/language", data={"locale": "en", "csrf_token": token}, headers=headers)
        assert response.status_code == 403, headers
    same = await client.post("/language", data={"locale": "en", "csrf_token": token},
                             headers={"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"})
    assert same.status_code == 303


async def test_the_token_works_as_a_field_or_a_header(client, world: World) -> None:
    await sign_in(client, world.member)
    token = await csrf_token(client, "/me")
    assert (await client.post("/language", data={"locale": "en", "csrf_token": token})).status_code == 303
    header = await client.post("/language", data={"locale": "it"}, headers={"X-CSRF-Token": token})
    assert header.status_code == 303


async def test_a_token_split_across_body_chunks_is_found(client, world: World) -> None:
    await sign_in(client, world.member)
    token = await csrf_token(client, "/me")
    body = f"locale=en&next=%2Fme&csrf_token={token}".encode()

    async def chunks():  # type: ignore[no-untyped-def]
        for start in range(0, len(body), 7):
            yield body[start:start + 7]

    response = await client.post("/language", content=chunks(),
                                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 303
    assert response.headers["location"] == "/me"


@pytest.mark.parametrize("path", ["/signin", "/signup", "/account/forgot"])
async def test_anonymous_forms_need_the_token_too(client, world: World, path: str) -> None:
    # Login CSRF: a fresh visitor's session gets a token the attacker cannot know.
    response = await client.post(path, data={"email": world.member.email, "password": "x"})
    assert response.status_code == 403
    assert "federa_session" in response.headers.get("set-cookie", "")
    ok = await post_form(client, "/signin", {"email": world.member.email, "password": "wrong-password"})
    assert ok.status_code == 422
