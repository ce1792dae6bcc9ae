"""Network roles (admins name coordinators and admins) and platform administration of networks."""

import httpx
import pytest
from conftest import World, api_token, make_person, post_form, sign_in

from federa.accounts.models import NetworkRole
from federa.audit.models import AuditEntry
from federa.errors import Invalid
from federa.networks import services
from federa.networks.access import access_in
from federa.networks.models import Network

PEOPLE = "/n/rete-alfa/manage/people"


async def test_admin_grants_roles_by_email(client: httpx.AsyncClient, world: World) -> None:
    await sign_in(client, world.network_admin)
    response = await post_form(client, PEOPLE, {"email": "Stranger@Example.org", "role": "coordinator"},
                               token_from=PEOPLE)
    assert response.status_code == 303
    assert await NetworkRole.exists(network=world.alpha, person=world.stranger, role="coordinator")
    assert await AuditEntry.exists(action="network.role_granted", network_id=world.alpha.id)
    await post_form(client, PEOPLE, {"email": "member@example.org", "role": "admin"}, token_from=PEOPLE)
    assert await NetworkRole.exists(network=world.alpha, person=world.member, role="admin")
    # the new coordinator can now run the directory
    assert (await client.get("/api/v1/networks/rete-alfa/matrix",
                             headers=await api_token(world.stranger))).status_code == 200
    page = await client.get(PEOPLE)
    assert "stranger@example.org" in page.text


async def test_grant_errors_are_shown_beside_the_field(client: httpx.AsyncClient, world: World) -> None:
    await sign_in(client, world.network_admin)
    for data, field in [({"email": "nobody@example.org", "role": "coordinator"}, "email"),
                        ({"email": "not-an-email", "role": "coordinator"}, "email"),
                        ({"email": "stranger@example.org", "role": "emperor"}, "role")]:
        response = await post_form(client, PEOPLE, data, token_from=PEOPLE)
        assert response.status_code == 422, data
        assert f'id="e-{field}"' in response.text
    assert await NetworkRole.filter(network=world.alpha).count() == 2
    with pytest.raises(Invalid):
        await services.grant_role(await access_in(world.alpha, world.network_admin), "stranger@example.org",
                                  "emperor")


async def test_only_admins_manage_roles(client: httpx.AsyncClient, world: World) -> None:
    await sign_in(client, world.coordinator)
    assert (await client.get(PEOPLE)).status_code == 403
    response = await post_form(client, PEOPLE, {"email": "stranger@example.org", "role": "admin"},
                               token_from="/n/rete-alfa/directory")
    assert response.status_code == 403
    role = await NetworkRole.get(network=world.alpha, role="admin")
    removal = await post_form(client, f"{PEOPLE}/{role.id}/remove", token_from="/n/rete-alfa/directory")
    assert removal.status_code == 403
    assert await NetworkRole.filter(network=world.alpha).count() == 2


async def test_the_last_admin_stays(client: httpx.AsyncClient, world: World) -> None:
    await sign_in(client, world.network_admin)
    only = await NetworkRole.get(network=world.alpha, role="admin")
    response = await post_form(client, f"{PEOPLE}/{only.id}/remove", token_from=PEOPLE)
    assert response.status_code == 303
    assert "flash-error" in (await client.get(PEOPLE)).text
    assert await NetworkRole.exists(id=only.id)
    # with a second admin, one can go
    second = await make_person("second@example.org")
    await NetworkRole.create(network=world.alpha, person=second, role="admin")
    await post_form(client, f"{PEOPLE}/{only.id}/remove", token_from=PEOPLE)
    assert not await NetworkRole.exists(id=only.id)
    assert await AuditEntry.exists(action="network.role_revoked", network_id=world.alpha.id)
    # coordinators can be removed freely; another network's role is not found
    coordinator = await NetworkRole.get(network=world.alpha, role="coordinator")
    access = await access_in(world.alpha, second)
    await services.revoke_role(access, coordinator.id)
    beta_role = await NetworkRole.create(network=world.beta, person=world.outsider, role="admin")
    removal = await post_form(client, f"/n/rete-alfa/manage/people/{beta_role.id}/remove", token_from=PEOPLE)
    assert removal.status_code in (403, 404)  # the signed-in person is no longer an admin of alpha
    from federa.errors import NotFound

    with pytest.raises(NotFound):
        await services.revoke_role(access, beta_role.id)
    assert await NetworkRole.exists(id=beta_role.id)


async def test_two_admins_removing_each_other_leave_one(world: World) -> None:
    import asyncio

    second = await make_person("second@example.org")
    role_b = await NetworkRole.create(network=world.alpha, person=second, role="admin")
    role_a = await NetworkRole.get(network=world.alpha, person=world.network_admin, role="admin")
    a, b = await access_in(world.alpha, world.network_admin), await access_in(world.alpha, second)
    await asyncio.gather(services.revoke_role(a, role_b.id), services.revoke_role(b, role_a.id),
                         return_exceptions=True)
    assert await NetworkRole.filter(network=world.alpha, role="admin").count() == 1


# ----- platform administration ------------------------------------------------------------------

ADMIN = "/admin/networks"
NEW = {"name": "Rete Gamma", "slug": "rete-gamma", "kind": "association", "region": "Toscana",
       "admin_email": "stranger@example.org"}


async def test_platform_admin_creates_a_network(client: httpx.AsyncClient, world: World) -> None:
    await sign_in(client, world.platform_admin)
    assert (await client.get(ADMIN)).status_code == 200
    response = await post_form(client, ADMIN, NEW, token_from=ADMIN)
    assert response.status_code == 303, response.text
    network = await Network.get(slug="rete-gamma")
    assert network.region == "Toscana"
    assert await NetworkRole.exists(network=network, person=world.stranger, role="admin")
    assert await AuditEntry.exists(action="network.created", network_id=network.id)
    assert (await client.get("/n/rete-gamma/")).status_code == 200
    # without a first admin is fine too
    response = await post_form(client, ADMIN, {**NEW, "slug": "rete-delta", "admin_email": ""}, token_from=ADMIN)
    assert response.status_code == 303
    assert not await NetworkRole.exists(network__slug="rete-delta")


@pytest.mark.parametrize(("data", "field"), [
    ({"slug": "rete-alfa"}, "slug"),
    ({"slug": "Rete Gamma!"}, "slug"),
    ({"admin_email": "nobody@example.org"}, "admin_email"),
    ({"admin_email": "nobody@"}, "admin_email"),
    ({"kind": "empire"}, "kind"),
    ({"name": ""}, "name"),
])
async def test_network_form_errors(client: httpx.AsyncClient, world: World, data: dict, field: str) -> None:
    await sign_in(client, world.platform_admin)
    response = await post_form(client, ADMIN, {**NEW, **data}, token_from=ADMIN)
    assert response.status_code == 422
    assert f'id="e-{field}"' in response.text
    assert await Network.all().count() == 2


async def test_only_platform_admins_create_networks(client: httpx.AsyncClient, world: World) -> None:
    assert (await client.get(ADMIN)).status_code == 303  # sign in first
    await sign_in(client, world.network_admin)
    assert (await client.get(ADMIN)).status_code == 403
    assert (await post_form(client, ADMIN, NEW, token_from="/me")).status_code == 403
    api = "/api/v1/networks"
    body = {k: v for k, v in NEW.items()}
    assert (await client.post(api, json=body)).status_code == 401
    assert (await client.post(api, json=body, headers=await api_token(world.network_admin))).status_code == 403
    assert await Network.all().count() == 2


async def test_create_network_by_api(client: httpx.AsyncClient, world: World) -> None:
    headers = await api_token(world.platform_admin)
    response = await client.post("/api/v1/networks", json=NEW, headers=headers)
    assert response.status_code == 201, response.text
    assert response.json()["slug"] == "rete-gamma"
    assert await NetworkRole.exists(network__slug="rete-gamma", person=world.stranger, role="admin")
    duplicate = await client.post("/api/v1/networks", json={**NEW, "name": "Altra"}, headers=headers)
    assert duplicate.status_code == 422 and list(duplicate.json()["errors"]) == ["slug"]
    listed = await client.get("/api/v1/networks")
    assert [n["slug"] for n in listed.json()] == ["rete-alfa", "rete-beta", "rete-gamma"]
