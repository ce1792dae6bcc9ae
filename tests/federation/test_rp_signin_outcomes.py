"""What a verified identity leads to: the linked person signed in; an existing account linked only after its owner
confirms; an account created only when the network allows it, into the mapped cooperative; never a takeover."""

from __future__ import annotations

import pytest
from rp_helpers import SECRET_KEY, ForgeIdp, add_provider, english, idp, provider, serve, settings, sign_in_via

from federa.accounts.models import Affiliation, LoginFailure, Person, WebSession
from federa.federation.rp_models import ExternalIdentity, IdentityProvider
from tests.conftest import PASSWORD, World, make_cooperative, make_person, post_form

__all__ = ["english", "idp", "provider", "settings"]  # fixtures

CONFIRM = "/n/rete-alfa/signin/oidc/confirm"


async def test_network_signin_page_lists_its_enabled_providers(client, provider: IdentityProvider,
                                                               world: World, idp: ForgeIdp) -> None:
    await add_provider(world.alpha, idp.issuer, secret_key=SECRET_KEY, name="Spento", enabled=False)
    await add_provider(world.beta, idp.issuer, secret_key=SECRET_KEY, name="Di Beta")
    page = (await client.get("/n/rete-alfa/signin")).text
    assert f'href="/n/rete-alfa/signin/oidc/{provider.id}?next=/n/rete-alfa/"' in page
    assert "IdP Alfa" in page and "Spento" not in page and "Di Beta" not in page
    assert 'action="/signin?next=/n/rete-alfa/"' in page  # the password form lands in the network too


async def test_linked_identity_signs_in_and_lands_in_the_network(client, idp: ForgeIdp, provider: IdentityProvider,
                                                                 world: World) -> None:
    await ExternalIdentity.create(person=world.member, issuer=idp.issuer, subject="alice-1")
    location = (await client.get(f"/n/rete-alfa/signin/oidc/{provider.id}?next=/n/rete-alfa/events")).headers[
        "location"]
    response = await client.get(f"/n/rete-alfa/signin/oidc/{provider.id}/callback", params=idp.authorize(location))
    assert response.status_code == 303 and response.headers["location"] == "/n/rete-alfa/events"
    me = await client.get("/me")
    assert me.status_code == 200 and "member@example.org" in me.text
    assert (await ExternalIdentity.get(subject="alice-1")).last_used_at is not None


async def test_next_cannot_leave_the_site(client, idp: ForgeIdp, provider: IdentityProvider, world: World) -> None:
    await ExternalIdentity.create(person=world.member, issuer=idp.issuer, subject="alice-1")
    location = (await client.get(f"/n/rete-alfa/signin/oidc/{provider.id}?next=//evil.example.org")).headers[
        "location"]
    response = await client.get(f"/n/rete-alfa/signin/oidc/{provider.id}/callback", params=idp.authorize(location))
    assert response.headers["location"] == "/n/rete-alfa/"


async def test_disabled_person_is_refused(client, idp: ForgeIdp, provider: IdentityProvider, world: World) -> None:
    await ExternalIdentity.create(person=world.member, issuer=idp.issuer, subject="alice-1")
    await Person.filter(id=world.member.id).update(is_active=False)
    response = await sign_in_via(client, idp, provider)
    assert response.status_code == 403 and not await WebSession.exists()


async def test_verified_email_of_an_account_asks_its_owner_to_confirm(client, idp: ForgeIdp,
                                                                      provider: IdentityProvider,
                                                                      world: World) -> None:
    response = await sign_in_via(client, idp, provider, email="member@example.org")
    assert response.status_code == 303 and response.headers["location"] == CONFIRM
    assert not await ExternalIdentity.exists() and not await WebSession.exists()  # nothing silent
    page = await client.get(CONFIRM)
    assert page.status_code == 200 and "member@example.org" in page.text
    wrong = await post_form(client, CONFIRM, {"password": "not-the-password", "action": "link"}, token_from=CONFIRM)
    assert wrong.status_code == 422 and not await ExternalIdentity.exists()
    assert await LoginFailure.filter(email="member@example.org").count() == 1  # throttled like the sign-in
    right = await post_form(client, CONFIRM, {"password": PASSWORD, "action": "link"}, token_from=CONFIRM)
    assert right.status_code == 303 and right.headers["location"] == "/n/rete-alfa/"
    identity = await ExternalIdentity.get(issuer=idp.issuer, subject="alice-1")
    assert identity.person_id == world.member.id
    assert (await client.get(CONFIRM)).status_code == 404  # used up
    client.cookies.clear()
    assert (await sign_in_via(client, idp, provider)).status_code == 303  # next time, straight in


async def test_confirmation_can_be_declined(client, idp: ForgeIdp, provider: IdentityProvider, world: World) -> None:
    await sign_in_via(client, idp, provider, email="member@example.org")
    response = await post_form(client, CONFIRM, {"action": "cancel"}, token_from=CONFIRM)
    assert response.status_code == 303 and not await ExternalIdentity.exists()
    assert (await client.get(CONFIRM)).status_code == 404


async def test_account_without_password_cannot_confirm(client, idp: ForgeIdp, provider: IdentityProvider,
                                                       world: World) -> None:
    await make_person("nopass@example.org", password_hash=None)
    await sign_in_via(client, idp, provider, email="nopass@example.org")
    page = await client.get(CONFIRM)
    assert "has no password" in page.text and 'name="password"' not in page.text
    response = await post_form(client, CONFIRM, {"password": "anything", "action": "link"}, token_from=CONFIRM)
    assert response.status_code == 422 and not await ExternalIdentity.exists()


async def test_unverified_email_of_an_account_is_refused(client, idp: ForgeIdp, provider: IdentityProvider,
                                                         world: World) -> None:
    response = await sign_in_via(client, idp, provider, email="member@example.org", email_verified=False)
    assert response.status_code == 403 and "exists already" in response.text
    assert not await ExternalIdentity.exists() and not await WebSession.exists()


async def test_two_providers_same_email_no_takeover(client, idp: ForgeIdp, provider: IdentityProvider,
                                                    world: World) -> None:
    """ASVS 6.8.1: two providers assert the same e-mail with different subjects; the first identity's account
    is never handed to the second one."""
    provider.auto_create, provider.default_cooperative_id = True, world.coop.id
    await provider.save()
    assert (await sign_in_via(client, idp, provider, sub="a-1", email="shared@coop-alfa.example.org")).status_code \
        == 303
    first = await Person.get(email="shared@coop-alfa.example.org")
    sessions = await WebSession.all().count()
    other = ForgeIdp()
    async with serve(other.app) as url:
        other.issuer = url
        second = await add_provider(world.alpha, url, secret_key=SECRET_KEY, name="Altro", auto_create=True,
                                    default_cooperative_id=world.coop.id)
        client.cookies.clear()
        response = await sign_in_via(client, other, second, sub="a-1", email="shared@coop-alfa.example.org")
    assert response.status_code == 303 and response.headers["location"] == CONFIRM  # the owner must confirm
    assert await ExternalIdentity.filter(person_id=first.id).count() == 1
    assert await Person.filter(email="shared@coop-alfa.example.org").count() == 1
    assert await WebSession.all().count() == sessions


async def test_no_account_and_no_automatic_creation(client, idp: ForgeIdp, provider: IdentityProvider) -> None:
    before = await Person.all().count()
    response = await sign_in_via(client, idp, provider)
    assert response.status_code == 403 and "No Federa account is linked" in response.text
    assert await Person.all().count() == before and not await ExternalIdentity.exists()


@pytest.mark.parametrize(("setup", "claims", "expected_coop"), [
    ("default", {}, "coop"),
    ("domain", {}, "dual_coop"),
    ("claim", {"coop_code": "DUAL"}, "dual_coop"),
    ("claim", {"coop_code": "BETA"}, "coop"),  # a cooperative of another network: the default one
])
async def test_automatic_account_in_the_mapped_cooperative(client, idp: ForgeIdp, provider: IdentityProvider,
                                                           world: World, setup: str, claims: dict,
                                                           expected_coop: str) -> None:
    codes = {"DUAL": world.dual_coop.tax_code, "BETA": world.beta_coop.tax_code}
    provider.auto_create, provider.default_cooperative_id = True, world.coop.id
    provider.allowed_domains = ["coop-alfa.example.org"]
    if setup == "domain":
        provider.cooperative_domains = {"coop-alfa.example.org": world.dual_coop.id}
    if setup == "claim":
        provider.cooperative_claim = "coop_code"
        claims = {"coop_code": codes[claims["coop_code"]]}
    await provider.save()
    response = await sign_in_via(client, idp, provider, **claims)
    assert response.status_code == 303 and response.headers["location"] == "/n/rete-alfa/"
    person = await Person.get(email="alice-1@coop-alfa.example.org")
    assert person.password_hash is None and person.email_verified_at is not None and person.name == "Alice Rossi"
    affiliation = await Affiliation.get(person_id=person.id)
    assert affiliation.cooperative_id == getattr(world, expected_coop).id and affiliation.status == "active"
    networks = await client.get("/me/networks")
    assert "Rete Alfa" in networks.text  # lands in the network, as its member


@pytest.mark.parametrize(("change", "claims", "message"), [
    ({"allowed_domains": ["altra.example.org"]}, {}, "not created automatically"),
    ({}, {"email_verified": False}, "did not confirm an e-mail"),
    ({}, {"email": None}, "did not confirm an e-mail"),
    ({"default_cooperative_id": None}, {}, "which cooperative"),
])
async def test_automatic_account_refused(client, idp: ForgeIdp, provider: IdentityProvider, world: World,
                                         change: dict, claims: dict, message: str) -> None:
    provider.auto_create, provider.default_cooperative_id = True, world.coop.id
    for key, value in change.items():
        setattr(provider, key, value)
    await provider.save()
    before = await Person.all().count()
    idp.userinfo = {"sub": "alice-1", **{k: v for k, v in claims.items() if k != "email"}}
    response = await sign_in_via(client, idp, provider, **claims)
    assert response.status_code == 403 and message in response.text
    assert await Person.all().count() == before and not await ExternalIdentity.exists()
    assert not await Affiliation.filter(person__email="alice-1@coop-alfa.example.org").exists()


async def test_default_cooperative_left_the_network(client, idp: ForgeIdp, provider: IdentityProvider,
                                                    world: World) -> None:
    gone = await make_cooperative(None)
    provider.auto_create, provider.default_cooperative_id = True, gone.id
    await provider.save()
    response = await sign_in_via(client, idp, provider)
    assert response.status_code == 403 and not await ExternalIdentity.exists()


async def test_sign_out_there_too(client, idp: ForgeIdp, provider: IdentityProvider, world: World) -> None:
    """The sign-in page offers to sign out of Federa and of the provider used; a bare POST does nothing."""
    await ExternalIdentity.create(person=world.member, issuer=idp.issuer, subject="alice-1")
    assert (await sign_in_via(client, idp, provider)).status_code == 303
    page = await client.get("/n/rete-alfa/signin")
    assert f"/n/rete-alfa/signin/oidc/{provider.id}/signout" in page.text
    path = f"/n/rete-alfa/signin/oidc/{provider.id}/signout"
    assert (await post_form(client, path, token_from="/n/rete-alfa/signin")).status_code == 303
    assert await WebSession.exists()
    response = await post_form(client, path, {"confirm": "yes"}, token_from="/n/rete-alfa/signin")
    assert response.status_code == 303 and response.headers["location"] == "/n/rete-alfa/"  # no end_session here
    assert not await WebSession.exists()
    idp.metadata = {"end_session_endpoint": idp.issuer + "/logout"}
    provider.metadata = idp.discovery()
    await provider.save()
    assert (await sign_in_via(client, idp, provider)).status_code == 303
    response = await post_form(client, path, {"confirm": "yes"}, token_from="/n/rete-alfa/signin")
    location = response.headers["location"]
    assert location.startswith(idp.issuer + "/logout?id_token_hint=ey") and "client_id=federa-test" in location
