"""Review findings on answers that were 500s or wrong routes (each failed before its fix)."""

from __future__ import annotations

import httpx
import pytest
from asgi_lifespan import LifespanManager
from conftest import World, database_url, post_form, sign_in
from starlette.routing import Route

from federa.app import create_app
from federa.settings import Settings

TOO_BIG = "99999999999"  # past a 32-bit id column: PostgreSQL refused it and the page answered 500


async def test_oversized_ids_in_page_addresses_are_404(client: httpx.AsyncClient, world: World) -> None:
    assert (await client.get(f"/n/rete-alfa/cooperatives/{TOO_BIG}")).status_code == 404  # anonymous
    await sign_in(client, world.platform_admin)
    for path in (f"/cooperatives/{TOO_BIG}", f"/n/rete-alfa/memberships/{TOO_BIG}",
                 f"/n/rete-alfa/directory/import/{TOO_BIG}", "/cooperatives/2147483648/people"):
        assert (await client.get(path)).status_code == 404, path
    revoke = await post_form(client, f"/me/tokens/{TOO_BIG}/revoke", token_from="/me")
    assert revoke.status_code == 404


async def test_every_32_bit_id_still_routes(client: httpx.AsyncClient, world: World) -> None:
    route = Route("/x/{n:int}", lambda request: None)
    for text, value in (("0", 0), ("7", 7), ("007", 7), ("999999999", 999999999), ("1999999999", 1999999999),
                        ("2147483647", 2**31 - 1), ("02147483647", 2**31 - 1), (str(world.coop.id), world.coop.id)):
        _match, scope = route.matches({"type": "http", "path": f"/x/{text}", "method": "GET"})
        assert scope.get("path_params") == {"n": value}, text
    for text in ("2147483648", "2147483650", "2147483700", "2148000000", "3000000000", "9999999999", TOO_BIG):
        _match, scope = route.matches({"type": "http", "path": f"/x/{text}", "method": "GET"})
        assert "path_params" not in scope, text


@pytest.fixture
async def hosted(tmp_path):  # type: ignore[no-untyped-def]
    settings = Settings.from_env(env={"FEDERA_NETWORK_HOSTS": "alfa.example.org=rete-alfa"},
                                 database_url=database_url(), secret_key="h" * 40, var_dir=tmp_path,
                                 run_drainer=False)
    app = create_app(settings, own_database=False)
    async with LifespanManager(app) as manager, httpx.AsyncClient(
            transport=httpx.ASGITransport(app=manager.app), base_url="http://alfa.example.org") as c:
        yield c


async def test_network_host_serves_its_memberships_and_the_language_switch(hosted, world: World) -> None:
    """'/me' is a platform page, '/memberships' is the network's; the language form posts to /language."""
    await sign_in(hosted, world.coordinator)
    assert (await hosted.get("/memberships")).status_code == 200
    assert (await hosted.get("/me")).status_code == 200
    switched = await post_form(hosted, "/language", {"locale": "en", "next": "/"}, token_from="/me")
    assert switched.status_code == 303
