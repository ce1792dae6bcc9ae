"""OIDF basic OP plan, the authorization endpoint: oidcc-response-type-missing,
oidcc-ensure-redirect-uri-in-authorization-request, oidcc-ensure-registered-redirect-uri,
oidcc-ensure-request-without-nonce-succeeds-for-code-flow, oidcc-prompt-none-not-logged-in,
oidcc-prompt-none-logged-in, oidcc-prompt-login, oidcc-max-age-1, oidcc-max-age-10000,
oidcc-ensure-post-request-succeeds, oidcc-unsigned-request-object-supported-correctly-or-rejected-as-unsupported,
oidcc-request-uri-unsigned-supported-correctly-or-rejected-as-unsupported,
oidcc-ensure-request-with-unknown-parameter-succeeds; plus PKCE (RFC 9700) and no implicit flow."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import sign_in

from federa.accounts.models import WebSession
from federa.federation.op_models import AuthorizationCode, Consent
from tests.federation.op_flow import CALLBACK, Pkce, auth_params, code_for, consent, fresh_keys, query_of, register

__all__ = ["fresh_keys"]


def _no_redirect_page(response) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 400, response.text[:300]
    assert "location" not in response.headers
    assert "text/html" in response.headers["content-type"]


async def test_response_type_missing_is_an_error_for_the_client(client, world):
    app = await register(world.alpha)
    await sign_in(client, world.member)
    params = auth_params(app, Pkce(), response_type="")
    answer = query_of(await client.get("/oauth/authorize", params=params))
    assert answer["error"] == "unsupported_response_type" and answer["state"] == params["state"]
    assert "code" not in answer and not await AuthorizationCode.exists()


@pytest.mark.parametrize("response_type", ["token", "id_token", "code id_token", "code token"])
async def test_no_implicit_or_hybrid_flow(client, world, response_type):
    app = await register(world.alpha)
    await sign_in(client, world.member)
    params = auth_params(app, Pkce(), response_type=response_type)
    answer = query_of(await client.get("/oauth/authorize", params=params))
    assert answer["error"] in ("unsupported_response_type", "unauthorized_client")
    assert "access_token" not in answer and "id_token" not in answer


async def test_redirect_uri_is_required(client, world):
    app = await register(world.alpha)
    await sign_in(client, world.member)
    _no_redirect_page(await client.get("/oauth/authorize", params=auth_params(app, Pkce(), redirect_uri="")))


@pytest.mark.parametrize("uri", [CALLBACK + "/", CALLBACK + "?x=1", CALLBACK + "#f", CALLBACK.upper(),
                                 CALLBACK.replace("https", "http"), "https://evil.example.org/callback",
                                 CALLBACK[:-1], "https://app.example.org.evil.example/callback"])
async def test_unregistered_redirect_uri_never_redirects(client, world, uri):
    app = await register(world.alpha)
    await sign_in(client, world.member)
    _no_redirect_page(await client.get("/oauth/authorize", params=auth_params(app, Pkce(), redirect_uri=uri)))
    # Even signed out, and even with prompt=none.
    _no_redirect_page(await client.get("/oauth/authorize", params=auth_params(app, Pkce(), redirect_uri=uri,
                                                                            prompt="none")))


async def test_unknown_client_shows_a_page(client, world):
    app = await register(world.alpha)
    app.client_id = "fc_unknown"
    _no_redirect_page(await client.get("/oauth/authorize", params=auth_params(app, Pkce())))


async def test_pkce_is_required_and_only_s256(client, world):
    app = await register(world.alpha)
    await sign_in(client, world.member)
    answer = query_of(await client.get("/oauth/authorize", params=auth_params(app, None)))
    assert answer["error"] == "invalid_request" and "code_challenge" in answer["error_description"]
    pkce = Pkce()
    plain = auth_params(app, pkce, code_challenge=pkce.verifier, code_challenge_method="plain")
    assert query_of(await client.get("/oauth/authorize", params=plain))["error"] == "invalid_request"
    no_method = auth_params(app, pkce, code_challenge_method="")
    assert query_of(await client.get("/oauth/authorize", params=no_method))["error"] == "invalid_request"
    assert not await AuthorizationCode.exists()


async def test_request_without_nonce_succeeds(client, world):
    app = await register(world.alpha)
    await sign_in(client, world.member)
    code, _params = await code_for(client, app, Pkce(), nonce="")
    assert (await AuthorizationCode.get()).nonce is None and code


async def test_unknown_parameters_are_ignored(client, world):
    app = await register(world.alpha)
    await sign_in(client, world.member)
    code, _params = await code_for(client, app, Pkce(), extra_param="bar", ui_locales="it", login_hint="x@y.z")
    assert code


async def test_signed_out_person_signs_in_then_comes_back(client, world):
    app = await register(world.alpha)
    params = auth_params(app, Pkce())
    response = await client.get("/oauth/authorize", params=params)
    assert response.status_code == 303 and response.headers["location"].startswith("/signin?next=")
    next_url = parse_qs(urlsplit(response.headers["location"]).query)["next"][0]
    await sign_in(client, world.member)
    page = await client.get(next_url)
    answer = query_of(await consent(client, page))
    assert answer["state"] == params["state"] and answer["code"] and answer["iss"] == "http://testserver"


async def test_consent_is_asked_once_and_remembered(client, world):
    app = await register(world.alpha)
    await sign_in(client, world.member)
    first = await client.get("/oauth/authorize", params=auth_params(app, Pkce()))
    assert first.status_code == 200 and "Piattaforma formazione" in first.text
    await consent(client, first)
    again = await client.get("/oauth/authorize", params=auth_params(app, Pkce()))
    assert query_of(again)["code"]
    # A new scope asks again.
    more = await client.get("/oauth/authorize", params=auth_params(app, Pkce(), scope="openid profile email networks"))
    assert more.status_code in (200, 302)


async def test_consent_refused_answers_access_denied(client, world):
    app = await register(world.alpha)
    await sign_in(client, world.member)
    page = await client.get("/oauth/authorize", params=auth_params(app, Pkce()))
    answer = query_of(await consent(client, page, decision="deny"))
    assert answer["error"] == "access_denied" and not await Consent.exists() and not await AuthorizationCode.exists()


async def test_consent_form_needs_its_csrf_token(client, world):
    app = await register(world.alpha)
    await sign_in(client, world.member)
    response = await client.post("/oauth/consent", data={**auth_params(app, Pkce()), "decision": "allow"})
    assert response.status_code == 403 and not await Consent.exists()


async def test_prompt_none_not_logged_in(client, world):
    app = await register(world.alpha)
    params = auth_params(app, Pkce(), prompt="none")
    answer = query_of(await client.get("/oauth/authorize", params=params))
    assert answer["error"] == "login_required" and answer["state"] == params["state"]


async def test_prompt_none_not_logged_in_without_openid_scope(client, world):
    app = await register(world.alpha)
    answer = query_of(await client.get("/oauth/authorize", params=auth_params(app, Pkce(), prompt="none",
                                                                            scope="profile")))
    assert answer["error"] == "login_required"


async def test_prompt_none_logged_in(client, world):
    app = await register(world.alpha)
    await sign_in(client, world.member)
    answer = query_of(await client.get("/oauth/authorize", params=auth_params(app, Pkce(), prompt="none")))
    assert answer["error"] == "consent_required"
    await code_for(client, app, Pkce())
    assert query_of(await client.get("/oauth/authorize", params=auth_params(app, Pkce(), prompt="none")))["code"]


async def _back_from_signin(client, response, person):  # type: ignore[no-untyped-def]
    assert response.status_code == 303 and response.headers["location"].startswith("/signin?next="), response.text[:300]
    next_url = parse_qs(urlsplit(response.headers["location"]).query)["next"][0]
    await sign_in(client, person)
    return await client.get(next_url)


async def test_prompt_login_asks_to_sign_in_again(client, world):
    app = await register(world.alpha)
    await sign_in(client, world.member)
    await code_for(client, app, Pkce())
    await WebSession.all().update(created_at=datetime.now(UTC) - timedelta(minutes=5))
    response = await client.get("/oauth/authorize", params=auth_params(app, Pkce(), prompt="login"))
    answer = query_of(await _back_from_signin(client, response, world.member))
    row = await AuthorizationCode.all().order_by("-id").first()
    assert answer["code"] and row is not None and datetime.now(UTC) - row.auth_time < timedelta(minutes=1)


async def test_max_age_1(client, world):
    app = await register(world.alpha)
    await sign_in(client, world.member)
    await code_for(client, app, Pkce())
    await asyncio.sleep(1.2)
    response = await client.get("/oauth/authorize", params=auth_params(app, Pkce(), max_age="1"))
    assert query_of(await _back_from_signin(client, response, world.member))["code"]
    none = await client.get("/oauth/authorize", params=auth_params(app, Pkce(), max_age="0", prompt="none"))
    assert query_of(none)["error"] == "login_required"


async def test_max_age_10000_keeps_the_session(client, world):
    app = await register(world.alpha)
    await sign_in(client, world.member)
    await code_for(client, app, Pkce())
    assert query_of(await client.get("/oauth/authorize", params=auth_params(app, Pkce(), max_age="10000")))["code"]


async def test_post_request_succeeds(client, world):
    app = await register(world.alpha)
    await sign_in(client, world.member)
    await code_for(client, app, Pkce())
    params = auth_params(app, Pkce())
    answer = query_of(await client.post("/oauth/authorize", data=params))
    assert answer["code"] and answer["state"] == params["state"]


@pytest.mark.parametrize(("param", "error"), [("request", "request_not_supported"),
                                              ("request_uri", "request_uri_not_supported")])
async def test_request_objects_are_rejected_as_unsupported(client, world, param, error):
    app = await register(world.alpha)
    await sign_in(client, world.member)
    value = "eyJhbGciOiJub25lIn0.e30." if param == "request" else "https://app.example.org/req.jwt"
    answer = query_of(await client.get("/oauth/authorize", params=auth_params(app, Pkce(), **{param: value})))
    assert answer["error"] == error
