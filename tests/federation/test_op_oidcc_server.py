"""OIDF basic OP plan: oidcc-server, oidcc-idtoken-signature, oidcc-ensure-request-with-valid-pkce-succeeds,
oidcc-server-client-secret-post, oidcc-discovery-endpoint-verification (config plan)."""

from __future__ import annotations

import base64
import hashlib
import time

from conftest import sign_in
from joserfc import jwt
from joserfc.jwk import KeySet

from federa.federation.op_models import AuthorizationCode, OAuthToken
from tests.federation.op_flow import ISSUER, Pkce, code_for, exchange, fresh_keys, register, tokens_for

__all__ = ["fresh_keys"]


async def _verify(client, token: str):  # type: ignore[no-untyped-def]
    keys = KeySet.import_key_set((await client.get("/oauth/jwks")).json())
    return jwt.decode(token, keys, algorithms=["RS256"])


async def test_discovery_endpoint_verification(client):
    doc = (await client.get("/.well-known/openid-configuration")).json()
    assert doc["issuer"] == ISSUER
    for key in ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri", "end_session_endpoint"):
        assert doc[key].startswith(ISSUER + "/oauth/")
    assert "openid" in doc["scopes_supported"] and doc["response_types_supported"] == ["code"]
    assert doc["id_token_signing_alg_values_supported"] == ["RS256"]
    assert doc["code_challenge_methods_supported"] == ["S256"]
    assert doc["subject_types_supported"] == ["public"]
    assert "password" not in doc["grant_types_supported"] and "implicit" not in doc["grant_types_supported"]
    keys = (await client.get(doc["jwks_uri"].removeprefix(ISSUER))).json()["keys"]
    assert keys and all(k["kty"] == "RSA" and "d" not in k and k["kid"] for k in keys)


async def test_server_code_flow_with_pkce(client, world):
    app = await register(world.alpha)
    await sign_in(client, world.member)
    pkce = Pkce()
    code, params = await code_for(client, app, pkce)
    response = await exchange(client, app, code, pkce)
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["token_type"] == "Bearer" and body["refresh_token"] and body["expires_in"] == 3600
    token = await _verify(client, body["id_token"])
    claims = token.claims
    assert token.header["alg"] == "RS256" and token.header["kid"]
    assert claims["iss"] == ISSUER and claims["aud"] == app.client_id and claims["nonce"] == params["nonce"]
    assert claims["sub"] and claims["sub"] != str(world.member.id)
    assert claims["iat"] <= time.time() < claims["exp"] and claims["auth_time"] <= claims["iat"]
    digest = hashlib.sha256(body["access_token"].encode()).digest()
    assert claims["at_hash"] == base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode()
    # Only hashes are stored.
    row = await OAuthToken.get(person_id=world.member.id)
    assert body["access_token"] not in (row.access_hash, row.refresh_hash)
    assert not await AuthorizationCode.filter(code_hash=code).exists()


async def test_subject_is_stable_across_clients(client, world):
    first, second = await register(world.alpha), await register(None, name="Archivio")
    await sign_in(client, world.member)
    subs = []
    for app in (first, second, first):
        body = await tokens_for(client, app)
        subs.append((await _verify(client, body["id_token"])).claims["sub"])
    assert len(set(subs)) == 1


async def test_client_secret_post(client, world):
    app = await register(world.alpha)
    await sign_in(client, world.member)
    pkce = Pkce()
    code, _params = await code_for(client, app, pkce)
    response = await exchange(client, app, code, pkce, how="post")
    assert response.status_code == 200, response.text
    assert response.json()["id_token"]


async def test_wrong_client_secret_is_refused(client, world):
    app = await register(world.alpha)
    await sign_in(client, world.member)
    pkce = Pkce()
    code, _params = await code_for(client, app, pkce)
    for how in ("basic", "post"):
        response = await exchange(client, app, code, pkce, how=how, secret="not-the-secret")
        assert response.json()["error"] == "invalid_client"
        assert response.status_code == 401  # RFC 6749 5.2: 401 for a failed client authentication
    # The code was not spent by the refused attempts.
    assert (await exchange(client, app, code, pkce)).status_code == 200
