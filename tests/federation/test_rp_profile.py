"""Linked identities on the profile: link one while signed in, list them, unlink (never the last way in)."""

from __future__ import annotations

from rp_helpers import SECRET_KEY, ForgeIdp, add_provider, english, finish, idp, provider, settings

from federa.accounts.models import WebSession
from federa.audit.models import AuditEntry
from federa.federation.rp_models import ExternalIdentity, IdentityProvider
from tests.conftest import World, make_person, post_form, sign_in
from tests.networks.querycount import count_queries

__all__ = ["english", "idp", "provider", "settings"]  # fixtures


async def _link(client, idp: ForgeIdp, provider: IdentityProvider, sub: str = "alice-1"):  # type: ignore[no-untyped-def]
    response = await post_form(client, f"/n/rete-alfa/signin/oidc/{provider.id}/link", token_from="/me/identities")
    assert response.status_code == 303, response.text
    return await finish(client, provider, idp.authorize(response.headers["location"], sub))


async def test_link_from_the_profile(client, idp: ForgeIdp, provider: IdentityProvider, world: World) -> None:
    await sign_in(client, world.member)
    page = await client.get("/me/identities")
    assert f'action="/n/rete-alfa/signin/oidc/{provider.id}/link"' in page.text and "No account is linked" in page.text
    response = await _link(client, idp, provider)
    assert response.status_code == 303 and response.headers["location"] == "/me/identities"
    identity = await ExternalIdentity.get(issuer=idp.issuer, subject="alice-1")
    assert identity.person_id == world.member.id and identity.provider_id == provider.id
    assert await AuditEntry.exists(action="identity.linked", actor_id=world.member.id)
    page = await client.get("/me/identities")
    assert "IdP Alfa (Rete Alfa)" in page.text and f"/me/identities/{identity.id}/unlink" in page.text
    assert "/me/identities" in (await client.get("/me")).text


async def test_link_of_an_identity_owned_by_someone_else(client, idp: ForgeIdp, provider: IdentityProvider,
                                                         world: World) -> None:
    await ExternalIdentity.create(person=world.coop_admin, issuer=idp.issuer, subject="alice-1")
    await sign_in(client, world.member)
    response = await _link(client, idp, provider)
    assert response.status_code == 409 and "another Federa account" in response.text
    assert await ExternalIdentity.filter(subject="alice-1").values_list("person_id", flat=True) == [
        world.coop_admin.id]


async def test_link_finished_by_another_person_is_refused(client, new_client, idp: ForgeIdp,
                                                          provider: IdentityProvider, world: World) -> None:
    """A link flow started by one person cannot attach the identity to whoever is signed in at the end."""
    await sign_in(client, world.member)
    response = await post_form(client, f"/n/rete-alfa/signin/oidc/{provider.id}/link", token_from="/me/identities")
    params = idp.authorize(response.headers["location"])
    await post_form(client, "/signout", token_from="/me/identities")
    await sign_in(client, world.coop_admin)
    assert (await finish(client, provider, params)).status_code == 400  # the flow ended with the old session
    assert not await ExternalIdentity.exists()


async def test_only_members_may_link(client, idp: ForgeIdp, provider: IdentityProvider, world: World) -> None:
    await sign_in(client, world.outsider)
    response = await post_form(client, f"/n/rete-alfa/signin/oidc/{provider.id}/link", token_from="/me/identities")
    assert response.status_code == 403
    assert "IdP Alfa" not in (await client.get("/me/identities")).text


async def test_unlink(client, idp: ForgeIdp, provider: IdentityProvider, world: World) -> None:
    identity = await ExternalIdentity.create(person=world.member, issuer=idp.issuer, subject="alice-1")
    await sign_in(client, world.member)
    response = await post_form(client, f"/me/identities/{identity.id}/unlink", token_from="/me/identities")
    assert response.status_code == 303 and not await ExternalIdentity.exists()
    assert await AuditEntry.exists(action="identity.unlinked", actor_id=world.member.id)


async def test_unlink_someone_elses_identity_is_not_found(client, idp: ForgeIdp, world: World) -> None:
    identity = await ExternalIdentity.create(person=world.coop_admin, issuer=idp.issuer, subject="alice-1")
    await sign_in(client, world.member)
    response = await post_form(client, f"/me/identities/{identity.id}/unlink", token_from="/me/identities")
    assert response.status_code == 404 and await ExternalIdentity.exists(id=identity.id)


async def test_the_last_way_to_sign_in_stays(client, idp: ForgeIdp, provider: IdentityProvider,
                                             world: World) -> None:
    """Someone without a password and one identity cannot unlink it; with a second identity they can."""
    person = await make_person("solo@coop-alfa.example.org", password_hash=None)
    identity = await ExternalIdentity.create(person=person, issuer=idp.issuer, subject="alice-1")
    response = await client.get(f"/n/rete-alfa/signin/oidc/{provider.id}")
    assert (await finish(client, provider, idp.authorize(response.headers["location"]))).status_code == 303
    page = await client.get("/me/identities")
    assert "Your only way to sign in" in page.text
    response = await post_form(client, f"/me/identities/{identity.id}/unlink", token_from="/me/identities")
    assert response.status_code == 303 and await ExternalIdentity.exists(id=identity.id)
    assert "only way to sign in" in (await client.get("/me/identities")).text
    other = await add_provider(world.alpha, idp.issuer, secret_key=SECRET_KEY, name="Secondo")
    await ExternalIdentity.create(person=person, issuer=idp.issuer, subject="alice-2", provider=other)
    response = await post_form(client, f"/me/identities/{identity.id}/unlink", token_from="/me/identities")
    assert not await ExternalIdentity.exists(id=identity.id)
    assert await WebSession.filter(person_id=person.id).exists()


async def test_identities_page_query_count(client, idp: ForgeIdp, provider: IdentityProvider, world: World) -> None:
    await sign_in(client, world.dual)
    await ExternalIdentity.create(person=world.dual, issuer=idp.issuer, subject="d-0", provider=provider)
    with count_queries() as one:
        assert (await client.get("/me/identities")).status_code == 200
    for n in range(1, 5):
        other = await add_provider(world.beta if n % 2 else world.alpha, idp.issuer, secret_key=SECRET_KEY,
                                   name=f"IdP {n}")
        await ExternalIdentity.create(person=world.dual, issuer=idp.issuer, subject=f"d-{n}", provider=other)
    with count_queries() as five:
        page = await client.get("/me/identities")
    assert len(five) == len(one), five
    assert page.text.count("/unlink") == 5 and "IdP 1 (Rete Beta)" in page.text
