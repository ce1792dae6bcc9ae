"""OpenID Foundation RP checks on the userinfo answer: rp-userinfo-bad-sub-claim, rp-scope-userinfo-claims."""

from __future__ import annotations

import pytest
from rp_helpers import DROP, ForgeIdp, english, idp, provider, settings, sign_in_via

from federa.accounts.models import Person
from federa.audit.models import AuditEntry
from federa.federation.rp_models import ExternalIdentity, IdentityProvider
from tests.conftest import World

__all__ = ["english", "idp", "provider", "settings"]  # fixtures


@pytest.fixture
async def auto(provider: IdentityProvider, world: World) -> IdentityProvider:
    provider.auto_create, provider.default_cooperative_id = True, world.coop.id
    await provider.save()
    return provider


async def test_rp_userinfo_bad_sub_claim(client, idp: ForgeIdp, auto: IdentityProvider) -> None:
    idp.userinfo = {"sub": "someone-else", "email": "someone@coop-alfa.example.org", "email_verified": True}
    response = await sign_in_via(client, idp, auto)
    assert response.status_code == 400 and "could not be verified" in response.text
    entry = await AuditEntry.filter(action="identity.sign_in_refused").first()
    assert entry is not None and entry.data["reason"] == "userinfo_sub_mismatch"
    assert not await ExternalIdentity.exists() and not await Person.filter(email__startswith="someone").exists()


async def test_rp_scope_userinfo_claims(client, idp: ForgeIdp, auto: IdentityProvider) -> None:
    """The id_token carries only sub (as oidc-provider does by default): e-mail and name come from userinfo."""
    idp.claims = {"email": DROP, "email_verified": DROP, "name": DROP}
    idp.userinfo = {"sub": "alice-1", "email": "Alice.Rossi@Coop-Alfa.example.org", "email_verified": True,
                    "name": "Alice Rossi"}
    assert (await sign_in_via(client, idp, auto)).status_code == 303
    person = await Person.get(email="alice.rossi@coop-alfa.example.org")
    assert person.name == "Alice Rossi"


async def test_id_token_claims_win_over_userinfo(client, idp: ForgeIdp, auto: IdentityProvider) -> None:
    idp.userinfo = {"sub": "alice-1", "email": "other@coop-alfa.example.org", "email_verified": True}
    assert (await sign_in_via(client, idp, auto)).status_code == 303
    assert await Person.exists(email="alice-1@coop-alfa.example.org")


@pytest.mark.parametrize(("status", "body"), [(401, {"error": "invalid_token"}), (200, [1, 2])])
async def test_userinfo_unusable(client, idp: ForgeIdp, auto: IdentityProvider, status: int, body: object) -> None:
    idp.userinfo, idp.userinfo_status = body, status
    response = await sign_in_via(client, idp, auto)
    assert response.status_code == 400 and "did not give your profile" in response.text
    assert not await ExternalIdentity.exists()
