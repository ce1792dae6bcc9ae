"""Presence matrix: active members counted by province × sector, linked to the filtered directory."""

import httpx
from conftest import World, api_token, make_cooperative, sign_in

MATRIX = "/api/v1/networks/rete-alfa/matrix"


async def _cells(client: httpx.AsyncClient, headers: dict) -> dict[tuple[str, str], int]:
    response = await client.get(MATRIX, headers=headers)
    assert response.status_code == 200, response.text
    return {(c["province"], c["sector"]): c["count"] for c in response.json()}


async def test_counts_active_members_only(client: httpx.AsyncClient, world: World) -> None:
    await make_cooperative(world.alpha, province="MI", sectors=("minori", "disabili"))
    await make_cooperative(world.alpha, province="MI", sectors=("minori",), is_public=False)
    await make_cooperative(world.alpha, province="MI", sectors=("minori",), status="suspended")
    await make_cooperative(world.alpha, province="RM", sectors=("anziani",), status="requested")
    await make_cooperative(world.beta, province="MI", sectors=("minori",))  # another network
    cells = await _cells(client, await api_token(world.coordinator))
    # world: Alfa Uno (MI: minori, anziani), Doppia (FI: minori)
    assert cells == {("MI", "minori"): 3, ("MI", "anziani"): 1, ("MI", "disabili"): 1, ("FI", "minori"): 1}
    beta = await client.get("/api/v1/networks/rete-beta/matrix", headers=await api_token(world.platform_admin))
    assert {(c["province"], c["sector"]): c["count"] for c in beta.json()} == {
        ("FI", "minori"): 1, ("TO", "minori"): 1, ("MI", "minori"): 1}


async def test_matrix_page_links_to_the_filtered_directory(client: httpx.AsyncClient, world: World) -> None:
    await make_cooperative(world.alpha, province="MI", sectors=("minori",))
    await sign_in(client, world.coordinator)
    page = await client.get("/n/rete-alfa/directory/matrix")
    assert page.status_code == 200
    link = "/n/rete-alfa/directory?province=MI&amp;sector=minori&amp;status=active"
    assert f'href="{link}"' in page.text
    assert ">2</a>" in page.text  # two active members in Milano work with children
    assert "Torino" not in page.text  # only beta has members there
    filtered = await client.get(link.replace("&amp;", "&"))
    assert filtered.text.count('href="/n/rete-alfa/cooperatives/') == 2


async def test_matrix_access(client: httpx.AsyncClient, world: World) -> None:
    assert (await client.get(MATRIX)).status_code == 401
    assert (await client.get(MATRIX, headers=await api_token(world.member))).status_code == 403
    assert (await client.get(MATRIX, headers=await api_token(world.outsider))).status_code == 403
    assert (await client.get(MATRIX, headers=await api_token(world.network_admin))).status_code == 200
    unknown = await client.get("/api/v1/networks/nessuna/matrix", headers=await api_token(world.coordinator))
    assert unknown.status_code == 404
    await sign_in(client, world.member)
    assert (await client.get("/n/rete-alfa/directory/matrix")).status_code == 403
