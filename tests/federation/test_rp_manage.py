"""The network admin's provider pages: list (constant queries), edit (the secret kept), disable, delete,
and who may use them."""

from __future__ import annotations

from rp_helpers import CLIENT_SECRET, SECRET_KEY, ForgeIdp, add_provider, english, idp, provider, settings

from federa.audit.models import AuditEntry
from federa.federation import secrets as sealed
from federa.federation.rp_models import ExternalIdentity, IdentityProvider
from tests.conftest import World, post_form, sign_in
from tests.networks.querycount import count_queries

__all__ = ["english", "idp", "provider", "settings"]  # fixtures

BASE = "/n/rete-alfa/manage/identity-providers"


def _form(provider: IdentityProvider, **kw: str) -> dict[str, str]:
    return {"name": provider.name, "issuer": provider.issuer, "client_id": provider.client_id, "client_secret": "",
            "scopes": "openid email", "email_claim": "mail", "name_claim": "name", "cooperative_claim": "",
            "allowed_domains": "", "cooperative_domains": "", "default_cooperative_id": "", **kw}


async def test_list_page_query_count(client, idp: ForgeIdp, world: World) -> None:
    await sign_in(client, world.network_admin)
    await add_provider(world.alpha, idp.issuer, secret_key=SECRET_KEY, default_cooperative_id=world.coop.id)
    await client.get(BASE)  # the network is cached by the tenancy middleware from now on
    with count_queries() as one:
        assert (await client.get(BASE)).status_code == 200
    for n in range(4):
        await add_provider(world.alpha, idp.issuer, secret_key=SECRET_KEY, name=f"IdP {n}",
                           default_cooperative_id=world.dual_coop.id, auto_create=True)
    with count_queries() as five:
        page = await client.get(BASE)
    assert len(five) == len(one), five
    assert page.text.count("Created automatically") == 4 and "Cooperativa Doppia" in page.text


async def test_edit_keeps_the_secret_unless_a_new_one_is_given(client, idp: ForgeIdp, provider: IdentityProvider,
                                                               world: World) -> None:
    await sign_in(client, world.network_admin)
    page = await client.get(f"{BASE}/{provider.id}")
    assert page.status_code == 200 and CLIENT_SECRET not in page.text
    assert f"http://testserver/n/rete-alfa/signin/oidc/{provider.id}/callback" in page.text
    sealed_before = provider.client_secret_sealed
    response = await post_form(client, f"{BASE}/{provider.id}", _form(provider), token_from=f"{BASE}/{provider.id}")
    assert response.status_code == 303, response.text
    saved = await IdentityProvider.get(id=provider.id)
    assert saved.client_secret_sealed == sealed_before
    assert saved.email_claim == "mail" and saved.scopes == "openid email"
    await post_form(client, f"{BASE}/{provider.id}", _form(provider, client_secret="nuovo-segreto"),
                    token_from=f"{BASE}/{provider.id}")
    saved = await IdentityProvider.get(id=provider.id)
    assert sealed.unseal(SECRET_KEY, saved.client_secret_sealed) == "nuovo-segreto"
    assert await AuditEntry.filter(action="identity_provider.updated").count() == 2


async def test_edit_with_a_broken_provider_changes_nothing(client, idp: ForgeIdp, provider: IdentityProvider,
                                                           world: World) -> None:
    await sign_in(client, world.network_admin)
    idp.metadata = {"code_challenge_methods_supported": ["plain"]}
    response = await post_form(client, f"{BASE}/{provider.id}", _form(provider, name="Cambiato"),
                               token_from=f"{BASE}/{provider.id}")
    assert response.status_code == 422 and "PKCE" in response.text
    assert (await IdentityProvider.get(id=provider.id)).name == "IdP Alfa"


async def test_duplicate_name(client, idp: ForgeIdp, provider: IdentityProvider, world: World) -> None:
    await sign_in(client, world.network_admin)
    response = await post_form(client, f"{BASE}/new", _form(provider, client_secret="x"), token_from=f"{BASE}/new")
    assert response.status_code == 422 and 'id="e-name"' in response.text
    assert await IdentityProvider.all().count() == 1


async def test_disable_enable_delete(client, idp: ForgeIdp, provider: IdentityProvider, world: World) -> None:
    identity = await ExternalIdentity.create(person=world.member, issuer=idp.issuer, subject="a", provider=provider)
    await sign_in(client, world.network_admin)
    assert (await post_form(client, f"{BASE}/{provider.id}/disable", token_from=BASE)).status_code == 303
    assert "IdP Alfa" not in (await client.get("/n/rete-alfa/signin")).text
    assert (await post_form(client, f"{BASE}/{provider.id}/enable", token_from=BASE)).status_code == 303
    assert "IdP Alfa" in (await client.get("/n/rete-alfa/signin")).text
    assert (await post_form(client, f"{BASE}/{provider.id}/explode", token_from=BASE)).status_code == 404
    assert (await post_form(client, f"{BASE}/{provider.id}/delete", token_from=BASE)).status_code == 303
    assert await IdentityProvider.exists()  # not without the confirmation the button sends
    response = await post_form(client, f"{BASE}/{provider.id}/delete", {"confirm": "yes"}, token_from=BASE)
    assert response.status_code == 303
    assert not await IdentityProvider.exists()
    identity = await ExternalIdentity.get(id=identity.id)  # the identity stays, with its issuer
    assert identity.provider_id is None
    actions = set(await AuditEntry.filter(network_id=world.alpha.id).values_list("action", flat=True))
    assert {"identity_provider.disabled", "identity_provider.enabled", "identity_provider.deleted"} <= actions


async def test_only_admins(client, idp: ForgeIdp, provider: IdentityProvider, world: World) -> None:
    await sign_in(client, world.coordinator)
    assert (await client.get(BASE)).status_code == 403
    assert (await client.get(f"{BASE}/new")).status_code == 403
    response = await post_form(client, f"{BASE}/{provider.id}/delete", {"confirm": "yes"},
                               token_from="/n/rete-alfa/signin")
    assert response.status_code == 403 and await IdentityProvider.exists()


async def test_another_networks_provider_is_not_found(client, idp: ForgeIdp, world: World) -> None:
    beta = await add_provider(world.beta, idp.issuer, secret_key=SECRET_KEY)
    await sign_in(client, world.network_admin)
    assert (await client.get(f"{BASE}/{beta.id}")).status_code == 404
    response = await post_form(client, f"{BASE}/{beta.id}/delete", {"confirm": "yes"}, token_from=BASE)
    assert response.status_code == 404 and await IdentityProvider.exists(id=beta.id)
