"""Facets (kind, sector, network, date) count what the person may see; choosing one narrows the results
and keeps the other values of the same facet on offer; pages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from conftest import World, api_token, sign_in
from search.search_helpers import event, group, library_item

from federa.networks.access import access_in
from federa.networks.models import Partnership
from federa.search import index, queries
from federa.search.schemas import SearchQuery

NOW = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)


async def seed(world: World) -> None:
    await Partnership.create(network=world.beta, partner=world.alpha, status="active", decided_at=NOW)
    await library_item(world.alpha, "Inclusione lavorativa", sectors=",inserimento_lavorativo,minori,")
    await library_item(world.alpha, "Inclusione scolastica", sectors=",minori,")
    await library_item(world.alpha, "Inclusione riservata", visibility="group")  # nobody's group: unseen
    await library_item(world.beta, "Inclusione nei partner", visibility="partners", sectors=",anziani,")
    await library_item(world.beta, "Inclusione solo beta", visibility="network", sectors=",anziani,")
    await group(world.alpha, "Gruppo inclusione", sector="minori")
    await event(world.alpha, "Corso sull'inclusione", sectors=",minori,", starts_at=NOW + timedelta(days=20))


def counts(facet: list[tuple[str, int]]) -> dict[str, int]:
    return dict(facet)


async def test_facet_counts_and_filters(world: World) -> None:
    await seed(world)
    access = await access_in(world.alpha, world.member)
    everything = await queries.search(access, SearchQuery(q="inclusione"))
    assert everything.total == 5
    assert counts(everything.facets["kind"]) == {"library_item": 3, "group": 1, "event": 1}
    assert counts(everything.facets["network"]) == {"own": 4, "partners": 1}
    assert counts(everything.facets["sector"]) == {"minori": 4, "inserimento_lavorativo": 1, "anziani": 1}

    articles = await queries.search(access, SearchQuery(q="inclusione", kind="library_item"))
    assert articles.total == 3 and {h.kind for h in articles.hits} == {"library_item"}
    # the kind facet still offers the other kinds; the others count within the chosen kind
    assert counts(articles.facets["kind"]) == {"library_item": 3, "group": 1, "event": 1}
    assert counts(articles.facets["sector"]) == {"minori": 2, "inserimento_lavorativo": 1, "anziani": 1}

    partners = await queries.search(access, SearchQuery(q="inclusione", network="partners"))
    assert [h.title for h in partners.hits] == ["Inclusione nei partner"]
    assert partners.hits[0].url == f"/n/rete-beta/library/{partners.hits[0].object_id}"

    minori = await queries.search(access, SearchQuery(q="inclusione", sector="minori", kind="group"))
    assert [h.title for h in minori.hits] == ["Gruppo inclusione"]


async def test_date_buckets(world: World) -> None:
    for title, when in [("Verbale inclusione giugno", NOW - timedelta(days=3)),
                        ("Verbale inclusione febbraio", NOW - timedelta(days=120)),
                        ("Verbale inclusione vecchio", NOW - timedelta(days=400)),
                        ("Evento inclusione futuro", NOW + timedelta(days=3))]:
        item = await library_item(world.alpha, title, refresh=False)
        item.created_at = when
        await item.save()
        await index.refresh("library_item", item.id)
    access = await access_in(world.alpha, world.member)
    results = await queries.search(access, SearchQuery(q="inclusione"), now=NOW)
    assert counts(results.facets["date"]) == {"month": 1, "year": 1, "older": 1, "upcoming": 1}
    year = await queries.search(access, SearchQuery(q="inclusione", date="year"), now=NOW)
    assert [h.title for h in year.hits] == ["Verbale inclusione febbraio"]


async def test_pages(world: World, client: httpx.AsyncClient) -> None:
    for i in range(25):
        await library_item(world.alpha, f"Scheda progetto {i:02d}", "Progetto territoriale.")
    headers = await api_token(world.member)
    first = (await client.get("/api/v1/networks/rete-alfa/search", params={"q": "progetto"}, headers=headers)).json()
    second = (await client.get("/api/v1/networks/rete-alfa/search", params={"q": "progetto", "page": 2},
                               headers=headers)).json()
    assert first["total"] == second["total"] == 25
    assert len(first["items"]) == 20 and len(second["items"]) == 5
    assert not {i["id"] for i in first["items"]} & {i["id"] for i in second["items"]}
    beyond = (await client.get("/api/v1/networks/rete-alfa/search", params={"q": "progetto", "page": 9},
                               headers=headers)).json()
    assert beyond["items"] == [] and beyond["total"] == 25
    await sign_in(client, world.member)
    page = await client.get("/n/rete-alfa/search", params={"q": "progetto", "page": 2})
    assert page.status_code == 200 and ("Page 2 of 2" in page.text or "Pagina 2 di 2" in page.text)
    assert 'rel="prev"' in page.text


async def test_the_page_shows_facets_as_links(world: World, client: httpx.AsyncClient) -> None:
    await seed(world)
    await sign_in(client, world.member)
    page = await client.get("/n/rete-alfa/search", params={"q": "inclusione", "kind": "library_item"})
    assert page.status_code == 200
    assert 'aria-current="true"' in page.text  # the chosen kind, with a link that removes it
    assert "/n/rete-alfa/search?q=inclusione&amp;kind=group" in page.text
    assert "Inclusione solo beta" not in page.text and "Inclusione riservata" not in page.text


async def test_a_very_common_word_is_counted_up_to_a_bound(world: World, client: httpx.AsyncClient,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(queries, "MATCH_CAP", 5)
    monkeypatch.setattr(queries, "RANKED", 3)
    for i in range(8):
        await library_item(world.alpha, f"Verbale {i}", "Riunione dei soci sulla cooperativa.")
    await library_item(world.alpha, "Cooperativa: il manuale", "Testo.")
    access = await access_in(world.alpha, world.member)
    results = await queries.search(access, SearchQuery(q="cooperativa"))
    assert results.capped and results.total == 6
    assert results.hits[0].title == "Cooperativa: il manuale"  # a title match is always a candidate
    headers = await api_token(world.member)
    data = (await client.get("/api/v1/networks/rete-alfa/search", params={"q": "cooperativa"},
                             headers=headers)).json()
    assert data["more"] is True and data["total"] == 6
    await sign_in(client, world.member)
    page = await client.get("/n/rete-alfa/search", params={"q": "cooperativa"})
    assert "At least 6 results" in page.text or "Almeno 6 risultati" in page.text
