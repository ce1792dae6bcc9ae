"""OpenID Foundation RP checks on the authorization answer: state, RFC 9207 iss, codes replayed, mix-up,
the provider's errors. Nothing is created and no one is signed in when a check fails."""

from __future__ import annotations

import base64
import json

from rp_helpers import (
    SECRET_KEY,
    ForgeIdp,
    add_provider,
    begin,
    english,
    finish,
    idp,
    provider,
    query_of,
    settings,
    sign_in_via,
)

from federa.accounts.models import Person, WebSession
from federa.audit.models import AuditEntry
from federa.federation.rp_flow import SESSION_KEY
from federa.federation.rp_models import ExternalIdentity, IdentityProvider
from tests.conftest import World, make_person

__all__ = ["english", "idp", "provider", "settings"]  # fixtures


async def _reason() -> str:
    entry = await AuditEntry.filter(action="identity.sign_in_refused").order_by("-id").first()
    assert entry is not None
    return str(entry.data["reason"])


async def _linked_member(world: World, idp: ForgeIdp) -> Person:
    person = await make_person("alice@coop-alfa.example.org")
    await ExternalIdentity.create(person=person, issuer=idp.issuer, subject="alice-1")
    return person


async def test_rp_response_type_code(client, idp: ForgeIdp, provider: IdentityProvider, world: World) -> None:
    """The request: code flow, PKCE S256, state and nonce, the per-provider redirect URI, the scopes."""
    location = await begin(client, provider)
    assert location.startswith(idp.issuer + "/authorize?")
    params = query_of(location)
    assert params["response_type"] == "code" and params["code_challenge_method"] == "S256"
    assert params["client_id"] == "federa-test" and len(params["state"]) >= 32 and len(params["nonce"]) >= 32
    assert params["redirect_uri"] == f"http://testserver/n/rete-alfa/signin/oidc/{provider.id}/callback"
    assert params["scope"] == "openid email profile"
    await _linked_member(world, idp)
    response = await finish(client, provider, idp.authorize(location))
    assert response.status_code == 303 and response.headers["location"] == "/n/rete-alfa/"
    assert idp.token_requests[-1]["code_verifier"]


async def test_state_tampered(client, idp: ForgeIdp, provider: IdentityProvider, world: World) -> None:
    await _linked_member(world, idp)
    response = await sign_in_via(client, idp, provider, tweak=lambda p: p.update(state=p["state"] + "x"))
    assert response.status_code == 400 and "expired or was not started in this browser" in response.text
    assert await _reason() == "state"
    assert idp.hits["token"] == 0 and not await WebSession.exists()


async def test_state_missing(client, idp: ForgeIdp, provider: IdentityProvider) -> None:
    response = await finish(client, provider, {"code": "abc"})
    assert response.status_code == 400 and idp.hits["token"] == 0


async def test_state_from_another_browser(client, new_client, idp: ForgeIdp, provider: IdentityProvider,
                                          world: World) -> None:
    """An attacker's own answer planted in a victim's browser (login CSRF) finds no flow there."""
    await _linked_member(world, idp)
    params = idp.authorize(await begin(client, provider))
    victim = new_client()
    response = await finish(victim, provider, params)
    assert response.status_code == 400 and idp.hits["token"] == 0


async def test_callback_replayed(client, idp: ForgeIdp, provider: IdentityProvider, world: World) -> None:
    """The same answer twice: the state was used up by the first, and the code too."""
    await _linked_member(world, idp)
    location = await begin(client, provider)
    params = idp.authorize(location)
    assert (await finish(client, provider, params)).status_code == 303
    sessions = await WebSession.all().count()
    response = await finish(client, provider, params)
    assert response.status_code == 400 and await _reason() == "state"
    assert await WebSession.all().count() == sessions


async def test_code_replayed_with_a_new_state(client, idp: ForgeIdp, provider: IdentityProvider,
                                              world: World) -> None:
    """A code used once, presented again in a fresh flow: the provider refuses it, Federa shows why."""
    await _linked_member(world, idp)
    params = idp.authorize(await begin(client, provider))
    assert (await finish(client, provider, params)).status_code == 303
    client.cookies.clear()
    fresh = idp.authorize(await begin(client, provider))
    response = await finish(client, provider, {**fresh, "code": params["code"]})
    assert response.status_code == 400 and "invalid_grant" in response.text
    assert await _reason() == "token_error" and not await WebSession.exists(id__gt=1)


async def test_rfc9207_iss_mismatch(client, idp: ForgeIdp, provider: IdentityProvider, world: World) -> None:
    await _linked_member(world, idp)
    response = await sign_in_via(client, idp, provider, tweak=lambda p: p.update(iss="https://evil.example.org"))
    assert response.status_code == 400 and await _reason() == "iss_mismatch" and idp.hits["token"] == 0


async def test_rfc9207_iss_required_when_announced(client, idp: ForgeIdp, provider: IdentityProvider,
                                                   world: World) -> None:
    provider.metadata = {**provider.metadata, "authorization_response_iss_parameter_supported": True}
    await provider.save()
    await _linked_member(world, idp)
    response = await sign_in_via(client, idp, provider, tweak=lambda p: p.pop("iss"))
    assert response.status_code == 400 and await _reason() == "iss_mismatch"
    client.cookies.clear()
    assert (await sign_in_via(client, idp, provider)).status_code == 303


async def test_mix_up_answer_for_another_provider(client, idp: ForgeIdp, provider: IdentityProvider,
                                                  world: World) -> None:
    """A flow started with one provider cannot be finished at another provider's callback."""
    other = await add_provider(world.alpha, idp.issuer, secret_key=SECRET_KEY, name="IdP Due")
    await _linked_member(world, idp)
    params = idp.authorize(await begin(client, provider))
    response = await finish(client, other, params)
    assert response.status_code == 400 and await _reason() == "state" and idp.hits["token"] == 0


async def test_another_networks_provider_is_not_found(client, idp: ForgeIdp, world: World) -> None:
    beta_provider = await add_provider(world.beta, idp.issuer, secret_key=SECRET_KEY)
    assert (await client.get(f"/n/rete-alfa/signin/oidc/{beta_provider.id}")).status_code == 404
    assert (await client.get(f"/n/rete-alfa/signin/oidc/{beta_provider.id}/callback")).status_code == 404


async def test_provider_error_access_denied(client, idp: ForgeIdp, provider: IdentityProvider) -> None:
    location = await begin(client, provider)
    state = idp.authorize(location)["state"]
    response = await finish(client, provider, {"error": "access_denied", "state": state})
    assert response.status_code == 400 and "cancelled" in response.text
    assert await _reason() == "access_denied"


async def test_flow_state_is_kept_in_the_session_only(client, idp: ForgeIdp, provider: IdentityProvider) -> None:
    """Several tabs may sign in at once, but the (signed) session cookie keeps only the last few flows."""
    locations = [await begin(client, provider) for _ in range(5)]
    payload = client.cookies["federa_session"].split(".")[0]
    session = json.loads(base64.b64decode(payload + "=" * (-len(payload) % 4)))
    states = [idp.authorize(location)["state"] for location in locations]
    assert sorted(session[SESSION_KEY]) == sorted(states[-3:])
    assert not await ExternalIdentity.exists()


async def test_disabled_provider_cannot_be_used(client, idp: ForgeIdp, provider: IdentityProvider) -> None:
    location = await begin(client, provider)
    await IdentityProvider.filter(id=provider.id).update(enabled=False)
    assert (await client.get(f"/n/rete-alfa/signin/oidc/{provider.id}")).status_code == 404
    assert (await finish(client, provider, idp.authorize(location))).status_code == 404


async def test_rp_token_endpoint_client_secret_basic(client, idp: ForgeIdp, provider: IdentityProvider,
                                                     world: World) -> None:
    """The client authenticates with HTTP Basic (the test provider refuses anything else), the secret never in
    the form; with a provider that only takes client_secret_post, in the form."""
    await _linked_member(world, idp)
    assert (await sign_in_via(client, idp, provider)).status_code == 303
    assert "client_secret" not in idp.token_requests[-1] and "code_verifier" in idp.token_requests[-1]
    provider.metadata = {**provider.metadata, "token_endpoint_auth_methods_supported": ["client_secret_post"]}
    await provider.save()
    client.cookies.clear()
    response = await sign_in_via(client, idp, provider)
    assert response.status_code == 400  # the test provider wants Basic: the attempt shows what was sent
    assert idp.token_requests[-1]["client_secret"] == "s3cret-of-the-client"
    assert idp.token_requests[-1]["client_id"] == "federa-test"
