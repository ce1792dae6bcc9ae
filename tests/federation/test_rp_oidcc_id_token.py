"""OpenID Foundation RP certification (oidcc-client-basic/-config, full plan where noted): the id_token checks.

Each test is named after the conformance module it ports. The test's own provider (rp_helpers.ForgeIdp) signs
what the test asks for; Federa must sign the person in only for a valid token, and create nothing otherwise.
"""

from __future__ import annotations

import time

import pytest
from rp_helpers import DROP, ForgeIdp, ec_key, english, idp, provider, rsa_key, settings, sign_in_via

from federa.accounts.models import Person, WebSession
from federa.audit.models import AuditEntry
from federa.federation.rp_models import ExternalIdentity, IdentityProvider
from tests.conftest import World

__all__ = ["english", "idp", "provider", "settings"]  # fixtures


async def _nothing_created(before: int) -> None:
    assert await Person.all().count() == before
    assert not await ExternalIdentity.exists()
    assert not await WebSession.exists()


async def _refused(response, reason: str, before: int) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 400, response.text
    assert "could not be verified" in response.text
    entry = await AuditEntry.filter(action="identity.sign_in_refused").order_by("-id").first()
    assert entry is not None and entry.data["reason"] == reason
    await _nothing_created(before)


class Now:
    """A time relative to when the test runs (parameters are built at collection, minutes earlier)."""

    def __init__(self, offset: int = 0) -> None:
        self.offset = offset

    def __add__(self, seconds: int) -> Now:
        return Now(self.offset + seconds)

    def __sub__(self, seconds: int) -> Now:
        return Now(self.offset - seconds)


NOW = Now()


@pytest.fixture
async def auto(provider: IdentityProvider, world: World) -> IdentityProvider:
    """Accounts created automatically into alpha's first cooperative: a valid token creates a person."""
    provider.auto_create = True
    provider.default_cooperative_id = world.coop.id
    await provider.save()
    return provider


async def test_rp_id_token_sig_rs256(client, idp: ForgeIdp, auto: IdentityProvider, world: World) -> None:
    response = await sign_in_via(client, idp, auto)
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/n/rete-alfa/"
    identity = await ExternalIdentity.get(issuer=idp.issuer, subject="alice-1").select_related("person")
    assert identity.person.email == "alice-1@coop-alfa.example.org" and identity.person.password_hash is None
    assert (await client.get("/me")).status_code == 200


async def test_rp_id_token_sig_es256(client, idp: ForgeIdp, auto: IdentityProvider) -> None:
    idp.key = ec_key("ec1")
    idp.published = [idp.key]
    idp.header = {"alg": "ES256"}
    response = await sign_in_via(client, idp, auto)
    assert response.status_code == 303, response.text


async def test_rp_id_token_sig_none(client, idp: ForgeIdp, auto: IdentityProvider) -> None:
    before = await Person.all().count()
    idp.header = {"alg": "none"}
    await _refused(await sign_in_via(client, idp, auto), "alg_not_allowed", before)


async def test_rp_id_token_sig_hs256_with_public_key(client, idp: ForgeIdp, auto: IdentityProvider) -> None:
    before = await Person.all().count()
    idp.header = {"alg": "HS256"}
    await _refused(await sign_in_via(client, idp, auto), "alg_not_allowed", before)


async def test_rp_id_token_bad_sig_rs256(client, idp: ForgeIdp, auto: IdentityProvider) -> None:
    before = await Person.all().count()
    idp.sign_key = rsa_key("k1")  # same kid as the published key, another private key
    await _refused(await sign_in_via(client, idp, auto), "bad_signature", before)


@pytest.mark.parametrize(("claims", "reason"), [
    ({"iss": "https://evil.example.org"}, "wrong_issuer"),              # rp-id_token-issuer-mismatch
    ({"aud": "another-client"}, "wrong_audience"),                     # rp-id_token-aud
    ({"aud": DROP}, "wrong_audience"),                                 # full plan: missing aud
    ({"aud": ["federa-test", "other"]}, "wrong_azp"),                  # several audiences, no azp
    ({"aud": ["federa-test", "other"], "azp": "other"}, "wrong_azp"),
    ({"sub": DROP}, "missing_sub"),                                    # rp-id_token-sub
    ({"iat": DROP}, "missing_iat"),                                    # rp-id_token-iat
    ({"iat": NOW + 3600}, "bad_iat"),                                  # issued in the future
    ({"iat": NOW - 3600, "exp": NOW + 600}, "bad_iat"),                # an old token replayed
    ({"exp": NOW - 300}, "expired"),
    ({"exp": DROP}, "missing_exp"),
    ({"nonce": "not-the-nonce"}, "wrong_nonce"),                       # rp-nonce-invalid
    ({"nonce": DROP}, "wrong_nonce"),
    ({"at_hash": "AAAAAAAAAAAAAAAAAAAAAA"}, "wrong_at_hash"),          # full plan: at_hash
], ids=lambda v: v if isinstance(v, str) else None)
async def test_rp_id_token_claims(client, idp: ForgeIdp, auto: IdentityProvider, claims: dict, reason: str) -> None:
    before = await Person.all().count()
    idp.claims = {k: int(time.time()) + v.offset if isinstance(v, Now) else v for k, v in claims.items()}
    await _refused(await sign_in_via(client, idp, auto), reason, before)


async def test_rp_id_token_azp_with_several_audiences_accepted(client, idp: ForgeIdp, auto: IdentityProvider) -> None:
    idp.claims = {"aud": ["federa-test", "other"], "azp": "federa-test"}
    assert (await sign_in_via(client, idp, auto)).status_code == 303


async def test_rp_id_token_malformed(client, idp: ForgeIdp, auto: IdentityProvider) -> None:
    before = await Person.all().count()
    original = idp.id_token
    idp.id_token = lambda *a: "not.a-token"  # type: ignore[method-assign]
    try:
        await _refused(await sign_in_via(client, idp, auto), "malformed", before)
    finally:
        idp.id_token = original  # type: ignore[method-assign]
