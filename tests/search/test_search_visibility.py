"""Search shows only what a person may see: no title, snippet or facet count of anything else.

Each case indexes one object whose title and text hold a word found nowhere else, then asks the JSON API
as every persona: those who may see the object get it; for everybody else the word appears nowhere in
the answer and every count is zero.
"""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
from conftest import World, affiliate, api_token, make_person
from search.search_helpers import event, group, library_item, thread

from federa.events.models import EventCooperative
from federa.networks.models import Membership, Partnership
from federa.search import index

PERSONAS = ("anonymous", "stranger", "outsider", "member", "coop_admin", "dual", "coordinator", "network_admin",
            "platform_admin")
SECRET = "zafferano"


async def partners(world: World) -> None:
    await Partnership.create(network=world.alpha, partner=world.beta, status="active", decided_at=datetime.now(UTC))


async def who_finds(world: World, client: httpx.AsyncClient, slug: str = "rete-alfa") -> set[str]:
    """The personas whose search in `slug` returns the secret; the others must learn nothing of it."""
    finders = set()
    for name in PERSONAS:
        person = getattr(world, name, None)
        headers = await api_token(person) if person is not None else {}
        response = await client.get(f"/api/v1/networks/{slug}/search", params={"q": SECRET}, headers=headers)
        assert response.status_code == 200, response.text
        data = response.json()
        if data["items"]:
            assert SECRET in (data["items"][0]["title"] + data["items"][0]["snippet_html"]).lower()
            finders.add(name)
            continue
        assert SECRET not in response.text.lower().replace(f'"q":"{SECRET}"', ""), name
        assert data["total"] == 0 and not any(data["facets"].values()), (name, data)
        assert not data["similar"]
    return finders


MANAGERS = {"coordinator", "network_admin", "platform_admin"}
ALPHA_MEMBERS = {"member", "coop_admin", "dual"} | MANAGERS
EVERYONE = set(PERSONAS)


@pytest.mark.parametrize(("visibility", "expected"), [
    ("network", ALPHA_MEMBERS),
    ("public", EVERYONE),
])
async def test_library_items_follow_their_audience(world: World, client: httpx.AsyncClient, visibility: str,
                                                   expected: set[str]) -> None:
    await library_item(world.alpha, f"Manuale {SECRET}", f"Testo sul {SECRET}.", visibility=visibility)
    assert await who_finds(world, client) == expected
    # never through another network's search (beta has no partnership with alpha)
    assert await who_finds(world, client, "rete-beta") == set()


async def test_partner_networks_see_what_is_shared_with_them(world: World, client: httpx.AsyncClient) -> None:
    await library_item(world.alpha, f"Modello {SECRET}", "Condiviso.", visibility="partners")
    await library_item(world.alpha, f"Interno {SECRET}", "Solo rete.", visibility="network")
    assert await who_finds(world, client) == ALPHA_MEMBERS
    assert await who_finds(world, client, "rete-beta") == set()
    await partners(world)
    # beta's people find the shared item through alpha's search and through their own network's
    assert await who_finds(world, client) == ALPHA_MEMBERS | {"outsider"}
    assert await who_finds(world, client, "rete-beta") == {"outsider", "dual", "platform_admin"}
    outsider = await api_token(world.outsider)
    data = (await client.get("/api/v1/networks/rete-beta/search", params={"q": SECRET}, headers=outsider)).json()
    assert [i["title"] for i in data["items"]] == [f"Modello {SECRET}"]  # the network-only one stays home
    assert data["items"][0]["own_network"] is False and data["items"][0]["network"] == "rete-alfa"
    assert data["facets"]["network"] == [{"value": "partners", "count": 1}]


async def test_group_items_are_for_the_group(world: World, client: httpx.AsyncClient) -> None:
    g = await group(world.alpha, "Gruppo anziani", members=(world.member,))
    await library_item(world.alpha, f"Verbale {SECRET}", "Riunione.", visibility="group", group=g)
    # as library/queries.may_see: not even the network's coordinators, unless they are in the group
    assert await who_finds(world, client) == {"member"}


async def test_events_as_may_see_decides(world: World, client: httpx.AsyncClient) -> None:
    draft = await event(world.alpha, f"Corso {SECRET}", "Bozza.", status="draft")
    assert await who_finds(world, client) == MANAGERS
    draft.status = "published"
    await draft.save()
    await index.refresh("event", draft.id)
    assert await who_finds(world, client) == ALPHA_MEMBERS
    draft.audience = "public"
    await draft.save()
    await index.refresh("event", draft.id)
    assert await who_finds(world, client) == EVERYONE
    draft.status = "cancelled"
    await draft.save()
    await index.refresh("event", draft.id)
    assert await who_finds(world, client) == MANAGERS


async def test_events_for_chosen_cooperatives(world: World, client: httpx.AsyncClient) -> None:
    e = await event(world.alpha, f"Corso {SECRET}", "Per una cooperativa.", audience="cooperatives")
    await EventCooperative.create(event=e, cooperative=world.dual_coop)
    await index.refresh("event", e.id)
    assert await who_finds(world, client) == {"dual"} | MANAGERS


async def test_events_open_to_partners(world: World, client: httpx.AsyncClient) -> None:
    await event(world.alpha, f"Corso {SECRET}", "Aperto ai partner.", audience="partners")
    assert await who_finds(world, client) == ALPHA_MEMBERS
    await partners(world)
    assert await who_finds(world, client) == ALPHA_MEMBERS | {"outsider"}


async def test_listed_and_hidden_groups(world: World, client: httpx.AsyncClient) -> None:
    listed = await group(world.alpha, f"Gruppo {SECRET} aperto", "Tutti lo vedono.")
    assert await who_finds(world, client) == ALPHA_MEMBERS
    listed.visibility = "hidden"
    await listed.save()
    await index.refresh("group", listed.id)
    assert await who_finds(world, client) == MANAGERS
    await group(world.alpha, f"Gruppo {SECRET} riservato", "Solo i membri.", visibility="hidden",
                members=(world.coop_admin,))
    assert await who_finds(world, client) == {"coop_admin"} | MANAGERS


@pytest.mark.parametrize("visibility", ["hidden", "listed"])
async def test_discussions_are_for_the_group(world: World, client: httpx.AsyncClient, visibility: str) -> None:
    g = await group(world.alpha, "Gruppo", visibility=visibility, members=(world.coop_admin,))
    await thread(g, "Riunione di marzo", f"Parliamo dello {SECRET}.", "Risposta.")
    # even in a listed group, the discussions are for its members (and the network's managers)
    assert await who_finds(world, client) == {"coop_admin"} | MANAGERS


async def test_discussions_are_found_by_their_posts(world: World, client: httpx.AsyncClient) -> None:
    g = await group(world.alpha, "Gruppo", members=(world.member,))
    await thread(g, "Riunione di marzo", f"Parliamo dello {SECRET}.", "Risposta.")
    member = await api_token(world.member)
    data = (await client.get("/api/v1/networks/rete-alfa/search", params={"q": SECRET}, headers=member)).json()
    assert [i["title"] for i in data["items"]] == ["Riunione di marzo"]
    assert f"<mark>{SECRET}</mark>" in data["items"][0]["snippet_html"]


async def test_cooperatives_as_their_pages_are_seen(world: World, client: httpx.AsyncClient) -> None:
    world.coop.legal_name = f"Cooperativa {SECRET}"
    await world.coop.save()
    await index.refresh("cooperative", world.coop.id)
    assert await who_finds(world, client) == EVERYONE
    assert await who_finds(world, client, "rete-beta") == set()  # not a member of beta
    world.coop.is_public = False
    await world.coop.save()
    await index.refresh("cooperative", world.coop.id)
    assert await who_finds(world, client) == {"member", "coop_admin"} | MANAGERS


async def test_a_requested_membership_is_not_public(world: World, client: httpx.AsyncClient) -> None:
    newcomer = await make_person("nuovo@example.org")
    coop = world.beta_coop
    coop.legal_name = f"Cooperativa {SECRET}"
    await coop.save()
    await affiliate(newcomer, coop)
    await Membership.create(network=world.alpha, cooperative=coop, status="requested")
    await index.refresh("cooperative", coop.id)
    assert await who_finds(world, client) == {"outsider"} | MANAGERS
    assert await who_finds(world, client, "rete-beta") >= {"anonymous", "stranger"}
