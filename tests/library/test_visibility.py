"""Who sees which item: group / network / partners / public × every persona, in the item page, the list
(own network and a partner's) and the API; hidden items answer 404, like missing ones."""

from __future__ import annotations

import re

import httpx
import pytest
from conftest import World, affiliate, api_token, make_cooperative, make_network, make_person, sign_in
from library_helpers import (
    english,  # noqa: F401 - autouse: messages in English
    make_item,
)

from federa.groups.models import GroupMember, WorkingGroup
from federa.networks.models import Partnership

VISIBILITIES = ("group", "network", "partners", "public")
# persona → the visibilities of alpha's items they may see, when beta is alpha's active partner
SEES = {
    "anonymous": {"public"},
    "stranger": {"public"},
    "gamma_member": {"public"},
    "outsider": {"partners", "public"},
    "member": {"group", "network", "partners", "public"},
    "ex_group_member": {"network", "partners", "public"},
    "coordinator": {"network", "partners", "public"},
    "coop_admin": {"network", "partners", "public"},
    "dual": {"network", "partners", "public"},
    "platform_admin": {"network", "partners", "public"},
}


def titles(html: str) -> set[str]:
    return set(re.findall(r'<h2 class="card-title"><a href="[^"]+">([^<]+)</a>', html))


@pytest.fixture
async def library(world: World) -> dict:
    group = await WorkingGroup.create(network=world.alpha, name="Tavolo minori", member_count=1)
    await GroupMember.create(network=world.alpha, group=group, person=world.member, role="member")
    ex = await make_person(name="Ex membro")
    await affiliate(ex, world.coop)
    left = await GroupMember.create(network=world.alpha, group=group, person=ex)
    await left.delete()  # left the group: membership rows go
    gamma = await make_network("rete-gamma", name="Rete Gamma")
    gamma_member = await make_person(name="Di Gamma")
    await affiliate(gamma_member, await make_cooperative(gamma))
    await Partnership.create(network=world.alpha, partner=world.beta, status="active")
    items = {v: await make_item(world.alpha, f"Voce {v}", visibility=v, author=world.member,
                                cooperative=world.coop, group=group if v == "group" else None)
             for v in VISIBILITIES}
    people = {"stranger": world.stranger, "gamma_member": gamma_member, "outsider": world.outsider,
              "member": world.member, "ex_group_member": ex, "coordinator": world.coordinator,
              "coop_admin": world.coop_admin, "dual": world.dual, "platform_admin": world.platform_admin}
    return {"items": items, "people": people}


@pytest.mark.parametrize("persona", list(SEES))
async def test_item_pages_and_list(client: httpx.AsyncClient, library: dict, persona: str) -> None:
    headers = {}
    if persona != "anonymous":
        await sign_in(client, library["people"][persona])
        headers = await api_token(library["people"][persona])
    for visibility, item in library["items"].items():
        response = await client.get(f"/n/rete-alfa/library/{item.id}")
        expected = 200 if visibility in SEES[persona] else 404
        assert response.status_code == expected, (persona, visibility)
        api = await client.get(f"/api/v1/networks/rete-alfa/library/{item.id}", headers=headers)
        assert api.status_code == expected, (persona, visibility)
    listed = titles((await client.get("/n/rete-alfa/library")).text)
    assert listed == {f"Voce {v}" for v in SEES[persona]}


@pytest.mark.parametrize("persona", ["outsider", "member", "dual", "anonymous"])
async def test_partner_library_shows_what_was_shared(client: httpx.AsyncClient, world: World, library: dict,
                                                     persona: str) -> None:
    """Beta's library lists alpha's partners/public items for beta's members, labelled with alpha."""
    await make_item(world.beta, "Di Beta", visibility="network")
    if persona != "anonymous":
        await sign_in(client, library["people"][persona])
    page = await client.get("/n/rete-beta/library")
    beta_member = persona in ("outsider", "dual")
    expected = {"Voce public"} | ({"Voce partners", "Di Beta"} if beta_member else set())
    assert titles(page.text) == expected
    assert "Shared by Rete Alfa" in page.text
    # the shared item links to its own network's page
    assert f'href="/n/rete-alfa/library/{library["items"]["public"].id}"' in page.text


async def test_without_partnership_partners_items_stay_home(client: httpx.AsyncClient, world: World,
                                                            library: dict) -> None:
    await Partnership.filter(network=world.alpha).update(status="ended")
    await sign_in(client, world.outsider)
    assert (await client.get(f"/n/rete-alfa/library/{library['items']['partners'].id}")).status_code == 404
    assert titles((await client.get("/n/rete-beta/library")).text) == set()  # not a partner: nothing shared


async def test_another_networks_item_is_404_through_this_network(client: httpx.AsyncClient, world: World,
                                                                 library: dict) -> None:
    public = library["items"]["public"]
    assert (await client.get(f"/n/rete-beta/library/{public.id}")).status_code == 404
    headers = await api_token(world.dual)
    api = await client.get(f"/api/v1/networks/rete-beta/library/{public.id}", headers=headers)
    assert api.status_code == 404


async def test_group_item_needs_a_group_the_author_belongs_to(client: httpx.AsyncClient, world: World,
                                                               library: dict) -> None:
    headers = await api_token(world.coop_admin)
    body = {"title": "Per il gruppo", "body": "testo", "visibility": "group"}
    response = await client.post("/api/v1/networks/rete-alfa/library/articles", json=body, headers=headers)
    assert response.status_code == 422 and "group_id" in response.json()["errors"]
    group = await WorkingGroup.get()
    response = await client.post("/api/v1/networks/rete-alfa/library/articles", json={**body, "group_id": group.id},
                                 headers=headers)
    assert response.status_code == 422 and "group_id" in response.json()["errors"]
    member_headers = await api_token(world.member)
    response = await client.post("/api/v1/networks/rete-alfa/library/articles", json={**body, "group_id": group.id},
                                 headers=member_headers)
    assert response.status_code == 201, response.text
