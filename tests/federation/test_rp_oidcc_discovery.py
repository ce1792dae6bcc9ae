"""OpenID Foundation RP config checks (rp-discovery-*) and bad input: the admin's provider form checks the
issuer's discovery document and keys when saving; a bad one gives a field error and nothing is saved."""

from __future__ import annotations

import json
from typing import Any

import pytest
from rp_helpers import CLIENT_SECRET, DROP, SECRET_KEY, ForgeIdp, english, free_port, idp, settings

from federa.audit.models import AuditEntry
from federa.federation import secrets as sealed
from federa.federation.rp_models import IdentityProvider
from tests.conftest import World, post_form, sign_in

__all__ = ["english", "idp", "settings"]  # fixtures

NEW = "/n/rete-alfa/manage/identity-providers/new"


def form(issuer: str, **kw: Any) -> dict[str, Any]:
    return {"name": "Google Workspace della rete", "issuer": issuer, "client_id": "federa-test",
            "client_secret": CLIENT_SECRET, "scopes": "openid email profile", "email_claim": "email",
            "name_claim": "name", "cooperative_claim": "", "allowed_domains": "", "cooperative_domains": "",
            "default_cooperative_id": "", **kw}


async def _save(client, world: World, data: dict[str, Any]):  # type: ignore[no-untyped-def]
    await sign_in(client, world.network_admin)
    return await post_form(client, NEW, data, token_from=NEW)


async def test_rp_discovery_openid_configuration(client, idp: ForgeIdp, world: World) -> None:
    response = await _save(client, world, form(idp.issuer, auto_create="on", allowed_domains="coop-alfa.example.org",
                                               default_cooperative_id=str(world.coop.id)))
    assert response.status_code == 303, response.text
    provider = await IdentityProvider.get(network_id=world.alpha.id)
    assert response.headers["location"] == f"/n/rete-alfa/manage/identity-providers/{provider.id}"
    assert provider.metadata["token_endpoint"] == idp.issuer + "/token" and provider.metadata_fetched_at
    assert provider.jwks["keys"][0]["kid"] == "k1" and provider.jwks_fetched_at
    assert provider.auto_create and provider.allowed_domains == ["coop-alfa.example.org"]
    assert provider.default_cooperative_id == world.coop.id
    # the secret is encrypted at rest with a key derived from the app's secret key
    assert CLIENT_SECRET not in provider.client_secret_sealed
    assert sealed.unseal(SECRET_KEY, provider.client_secret_sealed) == CLIENT_SECRET
    assert sealed.unseal("another-key" * 4, provider.client_secret_sealed) is None
    assert await AuditEntry.exists(action="identity_provider.created", network_id=world.alpha.id)


BAD_DOCUMENTS = [
    # rp-discovery-issuer-not-matching-config
    ("issuer_mismatch", {"issuer": "https://other.example.org"}, "names another issuer"),
    ("no_code_flow", {"response_types_supported": ["id_token"]}, "authorization code flow"),
    ("no_pkce", {"code_challenge_methods_supported": DROP}, "PKCE"),
    ("plain_pkce_only", {"code_challenge_methods_supported": ["plain"]}, "PKCE"),
    ("no_authorization_endpoint", {"authorization_endpoint": DROP}, "authorization_endpoint"),
    ("no_token_endpoint", {"token_endpoint": DROP}, "token_endpoint"),
    ("no_jwks_uri", {"jwks_uri": DROP}, "jwks_uri"),
    ("endpoint_not_a_string", {"token_endpoint": ["x"]}, "token_endpoint"),
    ("endpoint_ftp", {"token_endpoint": "ftp://example.org/token"}, "https"),
    ("no_code_grant", {"grant_types_supported": ["implicit"]}, "authorization code grant"),
    ("hmac_only", {"id_token_signing_alg_values_supported": ["HS256", "none"]}, "algorithms"),
]


@pytest.mark.parametrize(("name", "change", "message"), BAD_DOCUMENTS, ids=[b[0] for b in BAD_DOCUMENTS])
async def test_bad_discovery_document(client, idp: ForgeIdp, world: World, name: str, change: dict,
                                      message: str) -> None:
    idp.metadata = change
    response = await _save(client, world, form(idp.issuer))
    assert response.status_code == 422
    assert 'id="e-issuer"' in response.text and message in response.text
    assert CLIENT_SECRET not in response.text  # the secret is not sent back in the form
    assert not await IdentityProvider.exists()


@pytest.mark.parametrize(("name", "body", "message"), [
    ("not_json", b"<html>hello</html>", "not JSON"),
    ("json_array", b"[1, 2]", "status 200"),
    ("empty", b"", "not JSON"),
    ("oversized", json.dumps({"issuer": "x", "pad": "a" * 300_000}).encode(), "larger than"),
])
async def test_malformed_discovery_document(client, idp: ForgeIdp, world: World, name: str, body: bytes,
                                            message: str) -> None:
    idp.raw_discovery = body
    response = await _save(client, world, form(idp.issuer))
    assert response.status_code == 422 and message in response.text
    assert not await IdentityProvider.exists()


async def test_rp_discovery_jwks_uri_keys(client, idp: ForgeIdp, world: World) -> None:
    idp.published = []
    response = await _save(client, world, form(idp.issuer))
    assert response.status_code == 422 and "no signing keys" in response.text
    assert not await IdentityProvider.exists()


async def test_unreachable_provider(client, world: World) -> None:
    response = await _save(client, world, form(f"http://127.0.0.1:{free_port()}"))
    assert response.status_code == 422 and "could not be reached" in response.text
    assert not await IdentityProvider.exists()


async def test_unresolvable_host(client, world: World) -> None:
    response = await _save(client, world, form("https://idp.invalid"))
    assert response.status_code == 422 and "could not be resolved" in response.text


@pytest.mark.parametrize(("field", "value", "message"), [
    ("issuer", "ftp://idp.example.org", "https address"),
    ("issuer", "https://idp.example.org/?tenant=1", "https address"),
    ("scopes", "email profile", "openid included"),
    ("allowed_domains", "not a domain!", "Not an e-mail domain"),
    ("cooperative_domains", "coop-alfa.example.org 123", "domain = tax code"),
    ("cooperative_domains", "coop-alfa.example.org = 99999999999", "No cooperative of the network"),
    ("default_cooperative_id", "999999", "Choose a cooperative of the network"),
    ("name", "", "required"),
    ("email_claim", "e mail", "claim name"),
])
async def test_form_field_errors(client, idp: ForgeIdp, world: World, field: str, value: str, message: str) -> None:
    response = await _save(client, world, {**form(idp.issuer), field: value})
    assert response.status_code == 422 and message in response.text, response.text
    assert f'id="e-{field}"' in response.text
    assert not await IdentityProvider.exists()
    assert idp.hits["discovery"] == 0  # checked before anything is fetched


async def test_default_cooperative_of_another_network_refused(client, idp: ForgeIdp, world: World) -> None:
    response = await _save(client, world, form(idp.issuer, default_cooperative_id=str(world.beta_coop.id)))
    assert response.status_code == 422 and not await IdentityProvider.exists()
