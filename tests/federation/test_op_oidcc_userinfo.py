"""OIDF basic OP plan: oidcc-userinfo-get, oidcc-userinfo-post-header, oidcc-userinfo-post-body,
oidcc-scope-profile, oidcc-scope-email; plus Federa's `networks` scope."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from conftest import sign_in

from federa.accounts.models import Person
from federa.federation.op_models import OAuthToken
from tests.federation.op_flow import fresh_keys, register, tokens_for

__all__ = ["fresh_keys"]


async def test_userinfo_get_post_header_and_post_body(client, world):
    app = await register(world.alpha)
    await sign_in(client, world.member)
    token = (await tokens_for(client, app))["access_token"]
    bearer = {"Authorization": f"Bearer {token}"}
    answers = [await client.get("/oauth/userinfo", headers=bearer),
               await client.post("/oauth/userinfo", headers=bearer),
               await client.post("/oauth/userinfo", data={"access_token": token},
                                 headers={"Origin": "https://app.example.org"})]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert answers[0].json() == answers[1].json() == answers[2].json()
    assert answers[0].headers["cache-control"] == "no-store"


async def test_scope_profile_and_email(client, world):
    app = await register(world.alpha)
    await Person.filter(id=world.member.id).update(email_verified_at=datetime.now(UTC))
    await sign_in(client, world.member)
    claims = (await client.get("/oauth/userinfo", headers={
        "Authorization": "Bearer " + (await tokens_for(client, app))["access_token"]})).json()
    assert claims["name"] == "Socio" and claims["locale"] == "it"
    assert claims["email"] == "member@example.org" and claims["email_verified"] is True
    only_openid = (await tokens_for(client, app, scope="openid"))["access_token"]
    claims = (await client.get("/oauth/userinfo", headers={"Authorization": f"Bearer {only_openid}"})).json()
    assert set(claims) == {"sub"}


async def test_scope_networks_lists_networks_cooperatives_and_roles(client, world):
    app = await register(world.alpha, scopes=("openid", "networks"))
    await sign_in(client, world.coop_admin)
    token = (await tokens_for(client, app, scope="openid networks profile"))["access_token"]
    claims = (await client.get("/oauth/userinfo", headers={"Authorization": f"Bearer {token}"})).json()
    assert "name" not in claims  # profile is not among the client's scopes: dropped, not granted
    assert claims["networks"] == [{"slug": "rete-alfa", "name": "Rete Alfa", "roles": [],
                                   "cooperatives": [{"name": "Cooperativa Alfa Uno", "role": "admin"}]}]


async def test_networks_claim_of_a_network_admin_in_two_networks(client, world):
    app = await register(world.alpha, scopes=("openid", "networks"))
    await sign_in(client, world.dual)
    token = (await tokens_for(client, app, scope="openid networks"))["access_token"]
    claims = (await client.get("/oauth/userinfo", headers={"Authorization": f"Bearer {token}"})).json()
    assert [n["slug"] for n in claims["networks"]] == ["rete-alfa", "rete-beta"]


async def test_bad_expired_and_revoked_tokens(client, world):
    app = await register(world.alpha)
    await sign_in(client, world.member)
    token = (await tokens_for(client, app))["access_token"]
    for header in ("Bearer nope", "Basic abc", "", "Bearer " + "x" * 5000):
        response = await client.get("/oauth/userinfo", headers={"Authorization": header} if header else {})
        assert response.status_code == 401 and response.json() == {"error": "invalid_token"}
        assert response.headers["www-authenticate"].startswith("Bearer")
    await OAuthToken.all().update(access_expires_at=datetime.now(UTC) - timedelta(seconds=1))
    assert (await client.get("/oauth/userinfo", headers={"Authorization": f"Bearer {token}"})).status_code == 401
    await OAuthToken.all().update(access_expires_at=datetime.now(UTC) + timedelta(hours=1))
    await Person.filter(id=world.member.id).update(is_active=False)
    assert (await client.get("/oauth/userinfo", headers={"Authorization": f"Bearer {token}"})).status_code == 401
