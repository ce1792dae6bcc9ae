"""The library list (filters, orders, paging, query count), the JSON list, and useful marks: one per
person per item, even when the same click arrives many times at once."""

from __future__ import annotations

import asyncio
import re

import httpx
from conftest import World, affiliate, api_token, make_person, post_form, sign_in
from library_helpers import (
    english,  # noqa: F401 - autouse: messages in English
    make_item,
)

from federa.library import feedback
from federa.library.models import LibraryItem, UsefulMark
from federa.networks.access import access_in
from federa.networks.models import Partnership
from tests.networks.querycount import count_queries

LIB = "/n/rete-alfa/library"
API = "/api/v1/networks/rete-alfa/library"


def titles(html: str) -> list[str]:
    return re.findall(r'<h2 class="card-title"><a href="[^"]+">([^<]+)</a>', html)


async def test_filters_and_orders(client: httpx.AsyncClient, world: World) -> None:
    await make_item(world.alpha, "Anziani a casa", sectors=",anziani,", tags=",domiciliare,", useful_count=1)
    await make_item(world.alpha, "Minori e scuola", sectors=",minori,", tags=",scuola,dsa,", useful_count=5)
    await make_item(world.alpha, "Guide in English", language="en", kind="document", useful_count=3)
    await sign_in(client, world.member)
    assert titles((await client.get(LIB)).text) == ["Guide in English", "Minori e scuola", "Anziani a casa"]
    assert titles((await client.get(LIB + "?order=useful")).text) == [
        "Minori e scuola", "Guide in English", "Anziani a casa"]
    assert titles((await client.get(LIB + "?sector=minori")).text) == ["Minori e scuola"]
    assert titles((await client.get(LIB + "?tag=DSA")).text) == ["Minori e scuola"]
    assert titles((await client.get(LIB + "?language=en")).text) == ["Guide in English"]
    assert titles((await client.get(LIB + "?kind=article&q=casa")).text) == ["Anziani a casa"]
    assert (await client.get(LIB + "?order=nonsense")).status_code == 422
    headers = await api_token(world.member)
    body = (await client.get(API, params={"order": "useful", "per_page": 2}, headers=headers)).json()
    assert [i["title"] for i in body["items"]] == ["Minori e scuola", "Guide in English"]
    assert (body["total"], body["page"]) == (3, 1)
    assert body["items"][0]["tags"] == ["scuola", "dsa"]


async def test_list_query_count_does_not_grow_with_items(client: httpx.AsyncClient, world: World) -> None:
    await Partnership.create(network=world.alpha, partner=world.beta, status="active")
    for n in range(25):
        await make_item(world.alpha if n % 2 else world.beta, f"Voce {n:02d}", visibility="partners",
                        author=world.member, cooperative=world.coop if n % 2 else world.beta_coop)
    await sign_in(client, world.member)
    await client.get(LIB)
    with count_queries() as statements:
        first = await client.get(LIB)
    assert len(titles(first.text)) == 20
    assert len(statements) <= 8, statements  # no query per card (network and cooperative come joined)
    with count_queries() as statements:
        api = await client.get(API, headers=await api_token(world.member))
    assert len(api.json()["items"]) == 20 and len(statements) <= 10, statements
    second = await client.get(LIB + "?page=2")
    assert len(titles(second.text)) == 5 and 'rel="prev"' in second.text


async def test_useful_marks_are_unique_under_concurrency(world: World) -> None:
    item = await make_item(world.alpha, "Utile", author=world.member)
    access = await access_in(world.alpha, world.coop_admin)
    await asyncio.gather(*(feedback.mark_useful(access, item.id) for _ in range(20)))
    assert await UsefulMark.filter(item_id=item.id).count() == 1
    assert (await LibraryItem.get(id=item.id)).useful_count == 1
    others = [await make_person(name=f"Persona {n}") for n in range(8)]
    for person in others:
        await affiliate(person, world.coop)
    accesses = [await access_in(world.alpha, p) for p in others]
    await asyncio.gather(*(feedback.mark_useful(a, item.id) for a in accesses for _ in range(3)))
    assert (await LibraryItem.get(id=item.id)).useful_count == 9 == await UsefulMark.filter(item_id=item.id).count()
    await asyncio.gather(*(feedback.unmark_useful(access, item.id) for _ in range(10)))
    assert (await LibraryItem.get(id=item.id)).useful_count == 8 == await UsefulMark.filter(item_id=item.id).count()


async def test_useful_button_and_api(client: httpx.AsyncClient, world: World) -> None:
    item = await make_item(world.alpha, "Utile", author=world.member)
    await sign_in(client, world.coop_admin)
    page = f"{LIB}/{item.id}"
    assert (await post_form(client, page + "/useful", {"action": "mark"}, token_from=page)).status_code == 303
    shown = (await client.get(page)).text
    assert 'aria-pressed="true"' in shown and "1 person found it useful" in shown
    headers = await api_token(world.coop_admin)
    again = await client.put(f"{API}/{item.id}/useful", headers=headers)
    assert again.json() == {"item_id": item.id, "marked": True, "useful_count": 1}
    back = await client.delete(f"{API}/{item.id}/useful", headers=headers)
    assert back.json() == {"item_id": item.id, "marked": False, "useful_count": 0}
    stranger = await api_token(world.stranger)
    public = await make_item(world.alpha, "Pubblica", visibility="public")
    assert (await client.put(f"{API}/{public.id}/useful", headers=stranger)).status_code == 403
