"""The app starts, serves its public pages and reports its health."""

from conftest import World


async def test_public_pages(client, world: World) -> None:
    for path in ("/", "/signin", "/signup", "/n/rete-alfa/", "/livez", "/readyz", "/api/v1/networks"):
        response = await client.get(path)
        assert response.status_code == 200, path
    page = await client.get("/n/rete-alfa/")
    assert "Cooperativa Alfa Uno" in page.text
    assert "Cooperativa Beta" not in page.text


async def test_unknown_network_is_404(client) -> None:
    assert (await client.get("/n/nessuna/")).status_code == 404
    assert (await client.get("/api/v1/networks/nessuna")).status_code == 404
