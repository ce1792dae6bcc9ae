"""The index stays true through the real services, is rebuilt by `federa search reindex`, and the search
page costs a fixed number of queries."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from conftest import BACKEND, ROOT, World, database_url, sign_in
from networks.querycount import count_queries
from search.search_helpers import group, library_item, thread

from federa.events import services as events
from federa.events.schemas import EventIn
from federa.networks import cooperatives, memberships
from federa.networks.access import access_in
from federa.networks.schemas import CooperativeIn, CooperativePatch
from federa.search import index, queries
from federa.search.models import SearchEntry
from federa.search.schemas import SearchQuery
from federa.web.forms import validate

SOON = datetime.now(UTC).replace(microsecond=0) + timedelta(days=10)


async def found(world: World, q: str, person=None, network=None) -> list[str]:  # type: ignore[no-untyped-def]
    access = await access_in(network or world.alpha, person)
    return [h.title for h in (await queries.search(access, SearchQuery(q=q))).hits]


def event_in(**overrides: object) -> EventIn:
    data = {"title": "Laboratorio di cucina solidale", "description": "Ricette **condivise** tra cooperative",
            "venue": "Via Tolmezzo 3, Milano", "capacity": 50, "sectors": ["minori"],
            "sessions": [{"starts_at": SOON.isoformat(), "ends_at": (SOON + timedelta(hours=3)).isoformat()}]}
    return validate(EventIn, {**data, **overrides})


async def test_events_through_their_services(world: World) -> None:
    access = await access_in(world.alpha, world.coordinator)
    draft = await events.create_event(access, event_in())
    assert await found(world, "ricetta", world.coordinator) == ["Laboratorio di cucina solidale"]
    assert await found(world, "ricetta", world.member) == []
    await events.publish_event(access, draft.id)
    assert await found(world, "ricetta", world.member) == ["Laboratorio di cucina solidale"]
    assert await found(world, "ricetta", None) == []
    await events.update_event(access, draft.id, event_in(title="Laboratorio di sartoria", audience="public"))
    assert await found(world, "cucina") == []
    assert await found(world, "sartoria", None) == ["Laboratorio di sartoria"]
    await events.cancel_event(access, draft.id)
    assert await found(world, "sartoria", None) == []
    assert await found(world, "sartoria", world.member) == []
    assert await found(world, "sartoria", world.coordinator) == ["Laboratorio di sartoria"]


async def test_cooperatives_through_their_services(world: World) -> None:
    access = await access_in(world.alpha, world.coordinator)
    coop = await cooperatives.add_to_network(access, validate(CooperativeIn, {
        "legal_name": "Cooperativa Girasole", "coop_type": "A", "tax_code": "01234567897", "province": "MI",
        "description": "Doposcuola e centri estivi.", "sectors": ["minori"]}))
    assert await found(world, "doposcuola") == ["Cooperativa Girasole"]
    await cooperatives.update(coop.id, validate(CooperativePatch, {"is_public": False}), actor=world.coordinator,
                              network=world.alpha)
    assert await found(world, "doposcuola") == []
    assert await found(world, "doposcuola", world.coordinator) == ["Cooperativa Girasole"]
    await cooperatives.update(coop.id, validate(CooperativePatch, {"is_public": True, "description": "Ludoteca."}),
                              actor=world.coordinator, network=world.alpha)
    assert await found(world, "doposcuola") == []
    assert await found(world, "ludoteca") == ["Cooperativa Girasole"]
    membership = await world.alpha.memberships.filter(cooperative_id=coop.id).first()
    assert membership is not None
    await memberships.decide(access, membership.id, "suspend")
    assert await found(world, "ludoteca") == []
    assert await found(world, "ludoteca", world.coordinator) == ["Cooperativa Girasole"]
    await memberships.decide(access, membership.id, "reactivate")
    assert await found(world, "ludoteca") == ["Cooperativa Girasole"]


async def test_a_deleted_object_leaves_the_index(world: World) -> None:
    item = await library_item(world.alpha, "Guida alla coprogettazione", visibility="public")
    assert await found(world, "coprogettazione") == ["Guida alla coprogettazione"]
    await item.delete()
    await index.forget("library_item", item.id)
    assert await found(world, "coprogettazione") == []
    assert not await SearchEntry.exists(kind="library_item", object_id=item.id)


async def test_refreshing_an_object_gone_removes_its_entries(world: World) -> None:
    g = await group(world.alpha, "Gruppo agricoltura sociale", members=(world.member,))
    th = await thread(g, "Orti urbani", "Semina di primavera.")
    await th.delete()
    await index.refresh("thread", th.id)  # a caller that refreshes after deleting: the entry goes too
    assert await found(world, "semina", world.member) == []


async def test_concurrent_refreshes_of_one_object_all_succeed(world: World) -> None:
    g = await group(world.alpha, "Gruppo", members=(world.member,))
    th = await thread(g, "Turni estivi", "Chi copre agosto?")
    await asyncio.gather(*(index.refresh("thread", th.id) for _ in range(8)))
    assert await SearchEntry.filter(kind="thread", object_id=th.id).count() == 1


async def test_reindex_rebuilds_everything(world: World) -> None:
    await library_item(world.alpha, "Carta dei servizi", visibility="public", refresh=False)
    await library_item(world.beta, "Carta etica", visibility="public", refresh=False)
    assert await found(world, "carta") == []
    assert await index.reindex(world.alpha.id) >= 1
    assert await found(world, "carta") == ["Carta dei servizi"]
    assert await found(world, "carta", network=world.beta) == []
    await index.reindex()
    assert await found(world, "carta", network=world.beta) == ["Carta etica"]
    # the cooperatives of the world, one entry per network they belong to (dual_coop: two)
    assert await SearchEntry.filter(kind="cooperative", object_id=world.dual_coop.id).count() == 2


async def test_the_reindex_command(world: World, tmp_path: Path) -> None:
    await library_item(world.alpha, "Regolamento interno", visibility="public", refresh=False)
    env = {k: v for k, v in os.environ.items() if not k.startswith("FEDERA_")}
    env |= {"FEDERA_DATABASE_URL": database_url(), "FEDERA_SECRET_KEY": "s" * 40,
            "FEDERA_VAR_DIR": str(tmp_path), "PYTHONPATH": f"{ROOT / 'platform'}:{ROOT}"}
    if BACKEND == "sqlite":
        await asyncio.sleep(0)  # the command opens the same file: it waits for no lock of ours
    done = subprocess.run([sys.executable, "-m", "federa.cli", "search", "reindex", "--network", "rete-alfa"],
                          env=env, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "Indexed" in done.stdout
    assert await found(world, "regolamento") == ["Regolamento interno"]
    missing = subprocess.run([sys.executable, "-m", "federa.cli", "search", "reindex", "--network", "nessuna"],
                             env=env, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert missing.returncode == 2


async def test_the_search_page_costs_a_fixed_number_of_queries(world: World, client: httpx.AsyncClient) -> None:
    g = await group(world.alpha, "Gruppo formazione", members=(world.member,))
    for i in range(30):
        await library_item(world.alpha, f"Scheda formazione {i}", "Formazione continua.", sectors=",minori,")
        await thread(g, f"Formazione turno {i}", "Formazione sul campo.")
    await sign_in(client, world.member)
    await client.get("/n/rete-alfa/search", params={"q": "formazione"})  # warm the caches of the first request
    with count_queries() as statements:
        response = await client.get("/n/rete-alfa/search", params={"q": "formazione", "page": 2})
    assert response.status_code == 200 and "Scheda formazione" in response.text
    # the person (session), access_in, the viewer's standing, facet counts, the page of results
    assert len(statements) <= 5, "\n".join(statements)
