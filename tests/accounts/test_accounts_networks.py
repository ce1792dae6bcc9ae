"""The network switcher: one sign-in, every network the person belongs to."""

import re

from conftest import World, sign_in


def _links(html: str) -> set[str]:
    return set(re.findall(r'<a href="/n/([a-z0-9-]+)/"', html.split("<main", 1)[1]))


async def test_switcher_lists_networks_by_role_and_by_cooperative(client, new_client, world: World) -> None:
    await sign_in(client, world.dual)
    page = await client.get("/me/networks")
    assert page.status_code == 200
    assert _links(page.text) == {"rete-alfa", "rete-beta"}
    assert "Cooperativa Doppia" in page.text

    coordinator = new_client()
    await sign_in(coordinator, world.coordinator)
    assert _links((await coordinator.get("/me/networks")).text) == {"rete-alfa"}

    outsider = new_client()
    await sign_in(outsider, world.outsider)
    assert _links((await outsider.get("/me/networks")).text) == {"rete-beta"}

    stranger = new_client()
    await sign_in(stranger, world.stranger)
    assert _links((await stranger.get("/me/networks")).text) == set()


async def test_switcher_needs_sign_in(client) -> None:
    response = await client.get("/me/networks")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/signin?next=")
