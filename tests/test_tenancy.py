"""A network is reached at /n/<slug>/ and at its own host name; platform pages stay platform-wide."""

import httpx
import pytest
from asgi_lifespan import LifespanManager
from conftest import World, database_url

from federa.app import create_app
from federa.settings import Settings


@pytest.fixture
async def hosted_client(tmp_path):
    settings = Settings.from_env(env={"FEDERA_NETWORK_HOSTS": "alfa.example.org=rete-alfa"},
                                 database_url=database_url(), secret_key="h" * 40, var_dir=tmp_path,
                                 run_drainer=False)
    app = create_app(settings, own_database=False)
    async with LifespanManager(app) as manager, httpx.AsyncClient(
            transport=httpx.ASGITransport(app=manager.app), base_url="http://alfa.example.org") as c:
        yield c


async def test_network_on_its_own_host(hosted_client, world: World) -> None:
    home = await hosted_client.get("/")
    assert home.status_code == 200
    assert "Rete Alfa" in home.text and "Cooperativa Alfa Uno" in home.text
    coop = await hosted_client.get(f"/cooperatives/{world.coop.id}")
    assert coop.status_code == 200 and "Cooperativa Alfa Uno" in coop.text
    # Platform-wide pages keep their own paths on a network's host.
    signin = await hosted_client.get("/signin")
    assert signin.status_code == 200 and 'action="/signin' in signin.text
    # Another network is still reached by its path, and beta's cooperative is not alpha's.
    assert (await hosted_client.get("/n/rete-beta/")).status_code == 200
    assert (await hosted_client.get(f"/cooperatives/{world.beta_coop.id}")).status_code == 404


async def test_other_hosts_are_platform_pages(client, world: World) -> None:
    home = await client.get("/")
    assert "Rete Alfa" in home.text and "Rete Beta" in home.text
    assert (await client.get(f"/n/rete-alfa/cooperatives/{world.beta_coop.id}")).status_code == 404
    assert (await client.get(f"/n/rete-beta/cooperatives/{world.coop.id}")).status_code == 404
    assert (await client.get(f"/n/rete-beta/cooperatives/{world.dual_coop.id}")).status_code == 200
