"""The endpoints other servers call (token, userinfo, keys, discovery) skip the browser middleware:
no session cookie or CSRF seed, but the security headers and the body limit still apply."""

from __future__ import annotations

from conftest import sign_in

from federa.federation.op_models import OAuthToken
from tests.federation.op_flow import fresh_keys, register, token_request, tokens_for

__all__ = ["fresh_keys"]


async def test_machine_answers_keep_security_headers_and_set_no_cookie(client, world):
    app = await register(world.alpha)
    anonymous = [await client.get("/oauth/jwks"), await client.get("/.well-known/openid-configuration")]
    assert not client.cookies  # no session (and CSRF seed) made for a machine
    await sign_in(client, world.member)
    tokens = await tokens_for(client, app)
    answers = [*anonymous,
               await client.get("/oauth/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"}),
               await token_request(client, app, {"grant_type": "refresh_token",
                                                 "refresh_token": tokens["refresh_token"]})]
    assert [a.status_code for a in answers] == [200, 200, 200, 200]
    for answer in answers:
        assert answer.headers["x-frame-options"] == "DENY"
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert "default-src 'self'" in answer.headers["content-security-policy"]
        assert "set-cookie" not in answer.headers


async def test_a_browser_session_alone_is_not_a_bearer(client, world):
    await register(world.alpha)
    await sign_in(client, world.member)
    answer = await client.get("/oauth/userinfo")
    assert answer.status_code == 401 and answer.json() == {"error": "invalid_token"}


async def test_token_endpoint_keeps_the_body_limit(client, world, settings):
    app = await register(world.alpha)
    answer = await token_request(client, app, {"grant_type": "refresh_token",
                                               "refresh_token": "x" * (settings.max_body_size + 1)})
    assert answer.status_code == 413
    assert answer.headers["x-frame-options"] == "DENY"
    assert await OAuthToken.all().count() == 0


async def test_a_method_the_endpoint_does_not_take_gets_the_full_stacks_page(client):
    answer = await client.get("/oauth/token")
    assert answer.status_code == 405
    assert answer.headers["x-frame-options"] == "DENY"
    assert "text/html" in answer.headers["content-type"]
