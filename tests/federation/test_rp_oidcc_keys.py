"""OpenID Foundation RP checks on the provider's keys: kid absent (one key, several keys), key rotation."""

from __future__ import annotations

import pytest
from rp_helpers import DROP, ForgeIdp, english, idp, provider, rsa_key, settings, sign_in_via

from federa.audit.models import AuditEntry
from federa.federation.rp_models import ExternalIdentity, IdentityProvider
from tests.conftest import World

__all__ = ["english", "idp", "provider", "settings"]  # fixtures


@pytest.fixture
async def auto(provider: IdentityProvider, world: World) -> IdentityProvider:
    provider.auto_create = True
    provider.default_cooperative_id = world.coop.id
    await provider.save()
    return provider


async def test_rp_id_token_kid_absent_single_jwks(client, idp: ForgeIdp, auto: IdentityProvider) -> None:
    idp.header = {"kid": DROP}
    assert (await sign_in_via(client, idp, auto)).status_code == 303


async def test_rp_id_token_kid_absent_multiple_jwks(client, idp: ForgeIdp, provider: IdentityProvider,
                                                    world: World) -> None:
    """Without a kid, each of the provider's keys of the right type is tried: one of them must verify."""
    other = rsa_key("k0")
    idp.published = [other, idp.key]
    provider.jwks = {"keys": [other.as_dict(private=False), idp.key.as_dict(private=False)]}
    provider.auto_create, provider.default_cooperative_id = True, world.coop.id
    await provider.save()
    idp.header = {"kid": DROP}
    assert (await sign_in_via(client, idp, provider)).status_code == 303
    idp.sign_key = rsa_key("k9")  # signed by a key the provider never published
    response = await sign_in_via(client, idp, provider, sub="bob-2")
    assert response.status_code == 400
    assert not await ExternalIdentity.exists(subject="bob-2")


async def test_rp_key_rotation_op_sign_key(client, idp: ForgeIdp, auto: IdentityProvider) -> None:
    """The provider rotates its key: the unknown kid makes Federa fetch the key set again, once."""
    assert (await sign_in_via(client, idp, auto)).status_code == 303
    jwks_fetches = idp.hits["jwks"]
    idp.key = rsa_key("k2")
    idp.published = [idp.key]
    client.cookies.clear()
    assert (await sign_in_via(client, idp, auto)).status_code == 303
    assert idp.hits["jwks"] == jwks_fetches + 1
    stored = await IdentityProvider.get(id=auto.id)
    assert [k["kid"] for k in stored.jwks["keys"]] == ["k2"] and stored.jwks_fetched_at is not None
    client.cookies.clear()
    assert (await sign_in_via(client, idp, auto)).status_code == 303
    assert idp.hits["jwks"] == jwks_fetches + 1  # cached now


async def test_rp_key_rotation_unknown_kid_after_refetch(client, idp: ForgeIdp, auto: IdentityProvider) -> None:
    """A kid the provider does not publish even after a fresh fetch: refused, one fetch only."""
    idp.sign_key = rsa_key("k-forged")
    before = idp.hits["jwks"]
    response = await sign_in_via(client, idp, auto)
    assert response.status_code == 400
    assert idp.hits["jwks"] == before + 1
    entry = await AuditEntry.filter(action="identity.sign_in_refused").first()
    assert entry is not None and entry.data["reason"] == "unknown_kid"
    assert not await ExternalIdentity.exists()
