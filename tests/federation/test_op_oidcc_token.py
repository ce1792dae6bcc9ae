"""OIDF basic OP plan, the token endpoint: oidcc-codereuse, oidcc-codereuse-30seconds, oidcc-refresh-token;
plus RFC 9700: PKCE verifier checks, no password grant, rotating refresh tokens with replay detection."""

from __future__ import annotations

import asyncio
import base64
from datetime import UTC, datetime, timedelta

import pytest
from conftest import sign_in

from federa.federation.op_models import AuthorizationCode, OAuthToken
from tests.federation.op_flow import Pkce, code_for, exchange, fresh_keys, register, token_request, tokens_for

__all__ = ["fresh_keys"]


async def _userinfo(client, access_token: str) -> int:  # type: ignore[no-untyped-def]
    return (await client.get("/oauth/userinfo", headers={"Authorization": f"Bearer {access_token}"})).status_code


async def test_code_reuse_is_invalid_grant_and_revokes_its_tokens(client, world):
    app = await register(world.alpha)
    await sign_in(client, world.member)
    pkce = Pkce()
    code, _params = await code_for(client, app, pkce)
    first = (await exchange(client, app, code, pkce)).json()
    assert await _userinfo(client, first["access_token"]) == 200
    again = await exchange(client, app, code, pkce)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    assert await _userinfo(client, first["access_token"]) == 401
    refresh = await token_request(client, app, {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]})
    assert refresh.json()["error"] == "invalid_grant"


async def test_code_reuse_after_a_pause(client, world):
    app = await register(world.alpha)
    await sign_in(client, world.member)
    pkce = Pkce()
    code, _params = await code_for(client, app, pkce)
    assert (await exchange(client, app, code, pkce)).status_code == 200
    await asyncio.sleep(1)
    assert (await exchange(client, app, code, pkce)).json()["error"] == "invalid_grant"


async def test_concurrent_exchanges_of_one_code_give_one_token(client, world):
    app = await register(world.alpha)
    await sign_in(client, world.member)
    pkce = Pkce()
    code, _params = await code_for(client, app, pkce)
    answers = await asyncio.gather(*(exchange(client, app, code, pkce) for _ in range(5)))
    assert sorted(a.status_code for a in answers) == [200, 400, 400, 400, 400]
    assert await OAuthToken.filter(revoked_at=None).count() <= 1


async def test_expired_code(client, world):
    app = await register(world.alpha)
    await sign_in(client, world.member)
    pkce = Pkce()
    code, _params = await code_for(client, app, pkce)
    row = await AuthorizationCode.get()
    assert row.expires_at - row.created_at <= timedelta(seconds=60)
    await AuthorizationCode.all().update(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    assert (await exchange(client, app, code, pkce)).json()["error"] == "invalid_grant"


async def test_code_is_bound_to_client_redirect_uri_and_verifier(client, world):
    app, other = await register(world.alpha), await register(world.alpha, name="Altro")
    await sign_in(client, world.member)
    pkce = Pkce()
    code, _params = await code_for(client, app, pkce)
    assert (await exchange(client, other, code, pkce)).json()["error"] == "invalid_grant"
    wrong_uri = await exchange(client, app, code, pkce, redirect_uri="https://app.example.org/other")
    assert wrong_uri.json()["error"] == "invalid_grant"
    assert (await exchange(client, app, code, Pkce())).json()["error"] == "invalid_grant"
    missing = await exchange(client, app, code, None)
    assert missing.json()["error"] == "invalid_request"
    assert (await exchange(client, app, code, pkce)).status_code == 200


@pytest.mark.parametrize("grant_type", ["password", "client_credentials", "implicit", ""])
async def test_other_grant_types_are_refused(client, world, grant_type):
    app = await register(world.alpha)
    response = await token_request(client, app, {"grant_type": grant_type, "username": world.member.email,
                                                 "password": "correct-horse-battery"})
    assert response.status_code == 400
    assert response.json()["error"] in ("unsupported_grant_type", "invalid_request")


async def test_refresh_rotates_and_a_replay_revokes_the_family(client, world):
    app = await register(world.alpha)
    await sign_in(client, world.member)
    first = await tokens_for(client, app)
    second = await token_request(client, app, {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]})
    assert second.status_code == 200, second.text
    body = second.json()
    assert body["refresh_token"] != first["refresh_token"] and body["access_token"] != first["access_token"]
    assert body["scope"] == "openid profile email"
    assert await _userinfo(client, body["access_token"]) == 200
    replay = await token_request(client, app, {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]})
    assert replay.json()["error"] == "invalid_grant"
    assert await _userinfo(client, body["access_token"]) == 401
    after = await token_request(client, app, {"grant_type": "refresh_token", "refresh_token": body["refresh_token"]})
    assert after.json()["error"] == "invalid_grant"


async def test_refresh_with_narrower_scope_and_wrong_client(client, world):
    app, other = await register(world.alpha), await register(world.alpha, name="Altro")
    await sign_in(client, world.member)
    first = await tokens_for(client, app)
    again = {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}
    stolen = await token_request(client, other, again)
    assert stolen.json()["error"] == "invalid_grant"
    wider = await token_request(client, app, {"grant_type": "refresh_token", "refresh_token": first["refresh_token"],
                                              "scope": "openid networks"})
    assert wider.json()["error"] == "invalid_scope"
    narrower = await token_request(client, app, {"grant_type": "refresh_token", "scope": "openid",
                                                 "refresh_token": first["refresh_token"]}, how="post")
    assert narrower.status_code == 200 and narrower.json()["scope"] == "openid"


async def test_refresh_token_has_an_absolute_lifetime(client, world):
    app = await register(world.alpha)
    await sign_in(client, world.member)
    first = await tokens_for(client, app)
    await OAuthToken.all().update(refresh_expires_at=datetime.now(UTC) - timedelta(seconds=1))
    again = {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}
    assert (await token_request(client, app, again)).json()["error"] == "invalid_grant"


async def test_malformed_client_authentication(client, world):
    app = await register(world.alpha)
    for header in ("Basic " + base64.b64encode(b"\xff\xfe:x").decode(), "Basic ???", "Basic", "Bearer x"):
        response = await client.post("/oauth/token", data={"grant_type": "authorization_code", "code": "x"},
                                     headers={"Authorization": header})
        assert response.status_code in (400, 401) and response.json()["error"] in ("invalid_client", "invalid_grant")
    unknown = await client.post("/oauth/token", data={"grant_type": "refresh_token", "refresh_token": "x"},
                                auth=("fc_nobody", app.secret))
    assert unknown.status_code == 401 and unknown.json()["error"] == "invalid_client"


async def test_token_endpoint_accepts_cross_site_posts_without_csrf(client, world):
    app = await register(world.alpha)
    response = await client.post("/oauth/token", data={"grant_type": "authorization_code", "code": "x"},
                                 auth=(app.client_id, app.secret), headers={"Origin": "https://app.example.org",
                                                                            "Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 400 and response.json()["error"] == "invalid_grant"
