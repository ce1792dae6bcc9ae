"""Italian full-text search on both databases: stems, accents, phrases, hostile input, ranking, snippets."""

from __future__ import annotations

import httpx
import pytest
from conftest import World, sign_in
from search.search_helpers import library_item

from federa import db
from federa.networks.access import access_in
from federa.search import engine_postgres, queries
from federa.search.schemas import SearchQuery


async def titles(world: World, q: str, person=None, **filters: str) -> list[str]:  # type: ignore[no-untyped-def]
    access = await access_in(world.alpha, person or world.member)
    results = await queries.search(access, SearchQuery(q=q, **filters))
    return [h.title for h in results.hits]


async def test_a_word_finds_its_other_forms(world: World) -> None:
    await library_item(world.alpha, "Inserimento dei lavoratori svantaggiati", "Percorsi per persone fragili.")
    await library_item(world.alpha, "Bilancio sociale", "Come scriverlo.")
    assert await titles(world, "lavoratore") == ["Inserimento dei lavoratori svantaggiati"]
    assert await titles(world, "LAVORATRICI") == ["Inserimento dei lavoratori svantaggiati"]
    assert await titles(world, "lavagna") == []
    assert await titles(world, "inserimenti") == ["Inserimento dei lavoratori svantaggiati"]


async def test_accents_do_not_matter(world: World) -> None:
    await library_item(world.alpha, "Servizi nella città metropolitana", "Mappa dei servizi.")
    assert await titles(world, "citta") == ["Servizi nella città metropolitana"]
    assert await titles(world, "città") == ["Servizi nella città metropolitana"]


async def test_a_quoted_phrase_needs_its_words_together(world: World) -> None:
    await library_item(world.alpha, "Guida al bilancio sociale", "Il bilancio sociale spiegato.")
    await library_item(world.alpha, "Bilancio e relazione", "Un bilancio con una relazione sociale.")
    assert await titles(world, '"bilancio sociale"') == ["Guida al bilancio sociale"]
    assert sorted(await titles(world, "bilancio sociale")) == ["Bilancio e relazione", "Guida al bilancio sociale"]
    assert await titles(world, "bilancio -guida") == ["Bilancio e relazione"]
    assert sorted(await titles(world, "guida or relazione")) == ["Bilancio e relazione", "Guida al bilancio sociale"]


@pytest.mark.parametrize("q", ['"', '""', "NEAR(a b)", "title_stem:bilancio", "bilancio*", "a AND OR NOT",
                               "^bilancio", "(bilancio", "bilancio)", "' OR 1=1 --", "\\", "-", "- -bilancio",
                               "{title_stem body_stem}: x", "bilancio NOT", "il la di"])
async def test_search_syntax_typed_in_is_harmless(world: World, q: str) -> None:
    await library_item(world.alpha, "Bilancio sociale", "Testo.")
    found = await titles(world, q)
    assert found in ([], ["Bilancio sociale"])


async def test_a_match_in_the_title_ranks_above_one_in_the_text(world: World) -> None:
    await library_item(world.alpha, "Appunti vari", "Qualche riga sull'accoglienza delle famiglie e altro ancora.")
    await library_item(world.alpha, "Accoglienza delle famiglie", "Un testo breve.")
    await library_item(world.alpha, "Altro documento", "Nulla di pertinente.")
    assert await titles(world, "accoglienza") == ["Accoglienza delle famiglie", "Appunti vari"]


async def test_snippets_mark_the_words_and_escape_everything_else(world: World) -> None:
    await library_item(world.alpha, "<script>alert('titolo')</script> Formazione",
                       "Prima <b>parte</b> & <img src=x onerror=alert(1)> poi la formazione degli operatori.")
    access = await access_in(world.alpha, world.member)
    [hit] = (await queries.search(access, SearchQuery(q="formazione"))).hits
    snippet = str(hit.snippet)
    assert "<mark>formazione</mark>" in snippet
    assert "<img" not in snippet and "<b>" not in snippet and "onerror=alert(1)>" not in snippet
    assert snippet.replace("<mark>", "").replace("</mark>", "").count("<") == 0


async def test_the_page_escapes_titles_and_snippets(world: World, client: httpx.AsyncClient) -> None:
    await library_item(world.alpha, "<script>alert('x')</script> Formazione", "<script>bad()</script> formazione")
    await sign_in(client, world.member)
    response = await client.get("/n/rete-alfa/search", params={"q": "formazione"})
    assert response.status_code == 200
    assert "<script>alert" not in response.text and "<script>bad" not in response.text
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Formazione" in response.text
    assert "<mark>formazione</mark>" in response.text


async def test_an_empty_query_explains_itself(world: World, client: httpx.AsyncClient) -> None:
    response = await client.get("/n/rete-alfa/search")
    assert response.status_code == 200
    assert "Type what you are looking for" in response.text or "Scrivi cosa stai cercando" in response.text
    api = await client.get("/api/v1/networks/rete-alfa/search")
    assert api.status_code == 200 and api.json()["items"] == [] and api.json()["total"] == 0


async def test_a_query_too_long_is_refused_with_a_message(world: World, client: httpx.AsyncClient) -> None:
    await library_item(world.alpha, "Bilancio sociale", "Testo.", visibility="public")
    response = await client.get("/n/rete-alfa/search", params={"q": "bilancio " * 30})
    assert response.status_code == 422
    assert "Use at most 200 characters" in response.text or "Usa al massimo 200 caratteri" in response.text
    assert "Bilancio sociale" not in response.text
    api = await client.get("/api/v1/networks/rete-alfa/search", params={"q": "bilancio " * 30})
    assert api.status_code == 422 and "q" in api.json()["errors"]
    bad_facet = await client.get("/api/v1/networks/rete-alfa/search", params={"q": "x", "kind": "people"})
    assert bad_facet.status_code == 422 and "kind" in bad_facet.json()["errors"]


async def test_a_negated_phrase_keeps_entries_with_its_words_apart(world: World) -> None:
    await library_item(world.alpha, "Accoglienza e inserimento", "Un inserimento nel contesto lavorativo.")
    await library_item(world.alpha, "Accoglienza al lavoro", "Percorsi di inserimento lavorativo.")
    await library_item(world.alpha, "Accoglienza notturna", "Posti letto.")
    assert sorted(await titles(world, 'accoglienza -"inserimento lavorativo"')) == [
        "Accoglienza e inserimento", "Accoglienza notturna"]
    assert await titles(world, '"inserimento lavorativo" -notturna') == ["Accoglienza al lavoro"]
    assert await titles(world, '"inserimento lavorativo" -percorsi') == []


@pytest.mark.parametrize(("q", "phrase"), [('"bilancio sociale"', True), ("socio-sanitario", True),
                                           ("dell'utenza", True), ("bilancio sociale", False),
                                           ("accoglienza -bando", False), ("cooperativa", False)])
def test_which_words_may_make_a_phrase(q: str, phrase: bool) -> None:
    assert engine_postgres.phrased(q) is phrase


async def test_a_phrase_is_sought_among_a_bounded_number_of_candidates(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(queries, "PHRASE_CANDIDATES", 4)
    for i in range(6):  # all the words, apart: candidates that are not matches
        await library_item(world.alpha, f"Verbale {i}", "Inserimento di un socio, bilancio lavorativo annuale.")
    for i in range(2):
        await library_item(world.alpha, f"Percorso {i}", "Un inserimento lavorativo riuscito.")
    access = await access_in(world.alpha, world.member)
    results = await queries.search(access, SearchQuery(q='"inserimento lavorativo"'))
    assert all(h.title.startswith("Percorso") for h in results.hits)  # never a hit without the phrase
    assert results.total == len(results.hits) and not results.similar
    if db.dialect() == "postgres":  # the bound: 4 of the 8 candidates were checked, so "at least"
        assert results.capped and results.total <= 2
    else:  # FTS5 keeps positions in its index: a phrase costs no more than words there
        assert not results.capped and results.total == 2
    monkeypatch.setattr(queries, "PHRASE_CANDIDATES", 20)  # fewer candidates than the bound: exact
    results = await queries.search(access, SearchQuery(q='"inserimento lavorativo"'))
    assert not results.capped and sorted(h.title for h in results.hits) == ["Percorso 0", "Percorso 1"]
