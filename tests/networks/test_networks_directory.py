"""The directory: search, filters, pagination, visibility per audience, and a bounded query count."""

import httpx
from conftest import World, api_token, make_cooperative, sign_in
from querycount import count_queries

from federa.networks.models import Membership

API = "/api/v1/networks/rete-alfa/cooperatives"
PAGE = "/n/rete-alfa/directory"


async def _names(client: httpx.AsyncClient, headers: dict | None = None, **params: object) -> list[str]:
    response = await client.get(API, params=params, headers=headers or {})
    assert response.status_code == 200, response.text
    return [c["legal_name"] for c in response.json()["items"]]


async def test_search_by_name_city_and_tax_code(client: httpx.AsyncClient, world: World) -> None:
    city = await make_cooperative(world.alpha, legal_name="Il Girasole", city="Sesto San Giovanni")
    headers = await api_token(world.coordinator)
    assert await _names(client, headers, q="alfa uno") == ["Cooperativa Alfa Uno"]
    assert await _names(client, headers, q="sesto") == ["Il Girasole"]
    assert await _names(client, headers, q=city.tax_code) == ["Il Girasole"]
    assert await _names(client, headers, q=world.beta_coop.tax_code) == []  # beta's never shows here
    assert await _names(client, headers, q="nessuna corrispondenza") == []


async def test_filters(client: httpx.AsyncClient, world: World) -> None:
    await make_cooperative(world.alpha, legal_name="Tipo B Lavoro", coop_type="B", province="MB",
                           sectors=("inserimento_lavorativo",))
    await make_cooperative(world.alpha, legal_name="Sospesa", status="suspended", province="MB")
    headers = await api_token(world.coordinator)
    assert await _names(client, headers, province="FI") == ["Cooperativa Doppia"]
    assert await _names(client, headers, province="mb") == ["Sospesa", "Tipo B Lavoro"]
    assert await _names(client, headers, sector="anziani") == ["Cooperativa Alfa Uno"]
    assert await _names(client, headers, coop_type="B") == ["Tipo B Lavoro"]
    assert await _names(client, headers, status="suspended") == ["Sospesa"]
    assert await _names(client, headers, province="MB", sector="inserimento_lavorativo") == ["Tipo B Lavoro"]
    bad = await client.get(API, params={"coop_type": "Z"}, headers=headers)
    assert bad.status_code == 422
    assert "coop_type" in bad.json()["errors"]


async def test_html_directory_search_and_filters(client: httpx.AsyncClient, world: World) -> None:
    await make_cooperative(world.alpha, legal_name="Tipo B Lavoro", coop_type="B")
    await sign_in(client, world.coordinator)
    page = await client.get(PAGE, params={"q": "doppia"})
    assert page.status_code == 200
    assert "Cooperativa Doppia" in page.text and "Cooperativa Alfa Uno" not in page.text
    page = await client.get(PAGE, params={"coop_type": "B"})
    assert "Tipo B Lavoro" in page.text and "Cooperativa Doppia" not in page.text
    page = await client.get(PAGE)
    assert "Cooperativa Beta" not in page.text
    assert page.text.count('href="/n/rete-alfa/cooperatives/') == 3


async def test_pagination_and_totals(client: httpx.AsyncClient, world: World) -> None:
    for n in range(118):  # 120 in alpha with the two of the world
        await make_cooperative(world.alpha, legal_name=f"Coop {n:03d}")
    headers = await api_token(world.coordinator)
    second = (await client.get(API, params={"page": 2, "per_page": 50}, headers=headers)).json()
    assert second["total"] == 120 and second["page"] == 2 and len(second["items"]) == 50
    assert second["items"][0]["legal_name"] == "Coop 050"
    third = (await client.get(API, params={"page": 3, "per_page": 50}, headers=headers)).json()
    assert len(third["items"]) == 20
    await sign_in(client, world.coordinator)
    page = await client.get(PAGE, params={"page": 2})
    assert "page=3" in page.text and "page=1" in page.text and "page=4" not in page.text
    assert "Coop 050" in page.text and "Coop 049" not in page.text and "Coop 100" not in page.text
    assert 'rel="next"' in page.text and 'rel="prev"' in page.text


async def test_public_lists_only_active_public_members(client: httpx.AsyncClient, world: World) -> None:
    await make_cooperative(world.alpha, legal_name="Nascosta", is_public=False)
    await make_cooperative(world.alpha, legal_name="In Attesa", status="requested")
    await make_cooperative(world.alpha, legal_name="Sospesa", status="suspended")
    # active in beta, suspended in alpha: alpha must not list it
    both = await make_cooperative(world.beta, legal_name="Sospesa Qui Attiva Li")
    await Membership.create(network=world.alpha, cooperative=both, status="suspended")
    visible = ["Cooperativa Alfa Uno", "Cooperativa Doppia"]
    assert await _names(client) == visible
    assert await _names(client, await api_token(world.member)) == visible
    assert await _names(client, await api_token(world.outsider)) == visible
    page = await client.get("/n/rete-alfa/")
    for name in ("Nascosta", "In Attesa", "Sospesa", "Cooperativa Beta"):
        assert name not in page.text
    assert all(name in page.text for name in visible)
    # the coordinator sees every member, whatever its status
    everyone = await _names(client, await api_token(world.coordinator))
    assert len(everyone) == 6 and "Cooperativa Beta" not in everyone
    # the dual cooperative is in both networks' lists
    beta = await client.get("/api/v1/networks/rete-beta/cooperatives")
    assert [c["legal_name"] for c in beta.json()["items"]] == ["Cooperativa Beta", "Cooperativa Doppia",
                                                               "Sospesa Qui Attiva Li"]


async def test_anonymous_sees_no_private_fields_of_hidden_coops(client: httpx.AsyncClient, world: World) -> None:
    hidden = await make_cooperative(world.alpha, legal_name="Nascosta", is_public=False)
    assert (await client.get(f"{API}/{hidden.id}")).status_code == 404
    assert (await client.get(f"/n/rete-alfa/cooperatives/{hidden.id}")).status_code == 404
    assert (await client.get(f"{API}/{world.beta_coop.id}")).status_code == 404
    coordinator = await api_token(world.coordinator)
    assert (await client.get(f"{API}/{hidden.id}", headers=coordinator)).status_code == 200
    assert (await client.get(f"{API}/{world.beta_coop.id}", headers=coordinator)).status_code == 404


async def _count(client: httpx.AsyncClient, path: str, per_page: int, headers: dict | None = None) -> int:
    # warm up: the network cache and the token's last-use stamp cost a query on first use only
    await client.get(path, params={"per_page": per_page}, headers=headers or {})
    with count_queries() as statements:
        response = await client.get(path, params={"per_page": per_page}, headers=headers or {})
    assert response.status_code == 200, response.text
    return len(statements)


async def test_query_count_does_not_grow_with_page_size(client: httpx.AsyncClient, world: World) -> None:
    for n in range(60):
        await make_cooperative(world.alpha, legal_name=f"Coop {n:03d}", sectors=("minori", "anziani"))
    headers = await api_token(world.coordinator)
    small, large = await _count(client, API, 10, headers), await _count(client, API, 50, headers)
    assert small == large
    assert large <= 10, large
    anonymous = await _count(client, API, 10), await _count(client, API, 50)
    assert anonymous[0] == anonymous[1] <= 8
    await sign_in(client, world.coordinator)
    small, large = await _count(client, PAGE, 10), await _count(client, PAGE, 50)
    assert small == large <= 10, (small, large)
