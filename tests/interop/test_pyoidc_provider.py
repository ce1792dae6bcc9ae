"""Federa's OpenID provider with pyoidc (PyPI `oic`, written elsewhere) as the relying party, over real HTTP:
discovery, code + PKCE with sign-in and consent, the id_token checked by pyoidc, userinfo, refresh, and the
refusals (code reused, unregistered redirect_uri, PKCE missing, wrong client secret)."""

from __future__ import annotations

from pathlib import Path

import pytest
from oic import rndstr
from oic.oauth2.message import ErrorResponse
from oic.oic import Client
from oic.oic.message import AccessTokenResponse, AuthorizationResponse, OpenIDSchema, RegistrationResponse
from oic.utils.authn.client import CLIENT_AUTHN_METHOD

from tests.federation.op_flow import CALLBACK, App, fresh_keys, register
from tests.interop.pyoidc_harness import Browser, redirect_params, redirect_query, serve_provider

__all__ = ["fresh_keys"]


@pytest.fixture
async def provider(tmp_path: Path):  # type: ignore[no-untyped-def]
    async with serve_provider(tmp_path) as url:
        yield url


def relying_party(issuer: str, app: App, secret: str | None = None) -> Client:
    rp = Client(client_authn_method=CLIENT_AUTHN_METHOD)
    rp.provider_config(issuer)
    rp.store_registration_info(RegistrationResponse(client_id=app.client_id, client_secret=secret or app.secret,
                                                    redirect_uris=[CALLBACK]))
    return rp


def auth_url(rp: Client, *, pkce: bool = True, **extra: str) -> tuple[str, str, str | None]:
    state, nonce = rndstr(), rndstr()
    args = {"client_id": rp.client_id, "response_type": "code", "scope": ["openid", "profile", "email"],
            "nonce": nonce, "redirect_uri": CALLBACK, "state": state, **extra}
    verifier = None
    if pkce:
        challenge, verifier = rp.add_code_challenge()
        args.update(challenge)
    return rp.construct_AuthorizationRequest(request_args=args).request(rp.authorization_endpoint), state, verifier


def signed_in(provider: str, email: str) -> Browser:
    browser = Browser(provider)
    browser.sign_in(email)
    return browser


def code_flow(rp: Client, browser: Browser) -> tuple[str, str, str]:
    url, state, verifier = auth_url(rp)
    answer = rp.parse_response(AuthorizationResponse, info=redirect_query(browser.authorize(url)), sformat="urlencoded")
    assert answer["state"] == state
    return answer["code"], state, verifier or ""


def exchange(rp: Client, code: str, state: str, verifier: str, how: str = "client_secret_basic"):  # type: ignore[no-untyped-def]
    return rp.do_access_token_request(state=state, request_args={
        "code": code, "redirect_uri": CALLBACK, "code_verifier": verifier}, authn_method=how)


async def test_whole_flow_userinfo_and_refresh(provider, world):
    app = await register(world.alpha, scopes=("openid", "profile", "email", "networks"))
    rp = relying_party(provider, app)
    assert rp.provider_info["issuer"] == provider
    browser = signed_in(provider, world.member.email)
    code, state, verifier = code_flow(rp, browser)
    tokens = exchange(rp, code, state, verifier)
    assert isinstance(tokens, AccessTokenResponse), tokens
    id_token = tokens["id_token"]  # pyoidc checked its signature (JWKS), iss, aud, nonce and at_hash
    assert id_token["iss"] == provider and id_token["aud"] == [app.client_id] and id_token["auth_time"]
    for method in ("GET", "POST"):
        info = rp.do_user_info_request(state=state, method=method)
        assert isinstance(info, OpenIDSchema), info
        assert info["sub"] == id_token["sub"] and info["email"] == "member@example.org" and info["name"] == "Socio"
    refreshed = rp.do_access_token_refresh(state=state, authn_method="client_secret_basic")
    assert isinstance(refreshed, AccessTokenResponse), refreshed
    assert refreshed["access_token"] != tokens["access_token"]
    assert rp.do_user_info_request(state=state, method="GET")["sub"] == id_token["sub"]
    browser.close()


async def test_client_secret_post(provider, world):
    app = await register(world.alpha)
    rp = relying_party(provider, app)
    browser = signed_in(provider, world.member.email)
    code, state, verifier = code_flow(rp, browser)
    assert isinstance(exchange(rp, code, state, verifier, how="client_secret_post"), AccessTokenResponse)
    browser.close()


async def test_code_reused_is_invalid_grant(provider, world):
    app = await register(world.alpha)
    rp = relying_party(provider, app)
    browser = signed_in(provider, world.member.email)
    code, state, verifier = code_flow(rp, browser)
    assert isinstance(exchange(rp, code, state, verifier), AccessTokenResponse)
    again = exchange(rp, code, state, verifier)
    assert isinstance(again, ErrorResponse) and again["error"] == "invalid_grant"
    browser.close()


async def test_unregistered_redirect_uri_is_refused_without_redirecting(provider, world):
    app = await register(world.alpha)
    rp = relying_party(provider, app)
    browser = signed_in(provider, world.member.email)
    url, _state, _verifier = auth_url(rp, redirect_uri="https://evil.example.org/callback")
    response = browser.authorize(url)
    assert response.status_code == 400 and "location" not in response.headers
    browser.close()


async def test_pkce_missing_is_refused(provider, world):
    app = await register(world.alpha)
    rp = relying_party(provider, app)
    browser = signed_in(provider, world.member.email)
    url, state, _verifier = auth_url(rp, pkce=False)
    answer = redirect_params(browser.authorize(url))
    assert answer["error"] == "invalid_request" and answer["state"] == state and "code" not in answer
    browser.close()


async def test_wrong_client_secret_is_refused(provider, world):
    app = await register(world.alpha)
    browser = signed_in(provider, world.member.email)
    good = relying_party(provider, app)
    code, state, verifier = code_flow(good, browser)
    bad = relying_party(provider, app, secret="wrong-secret")
    bad.grant = good.grant  # the same state and code, presented with the wrong secret
    answer = exchange(bad, code, state, verifier)
    assert isinstance(answer, ErrorResponse) and answer["error"] == "invalid_client"
    assert isinstance(exchange(good, code, state, verifier), AccessTokenResponse)
    browser.close()
