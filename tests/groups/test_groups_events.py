"""An event organised by a working group: chosen in the coordinator's event form and in the API (a group of
this network only), listed on the group's page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from conftest import World, api_token, post_form, sign_in
from groups_helpers import make_group, shown

from federa.events.models import Event

SOON = (datetime.now(UTC) + timedelta(days=12)).replace(microsecond=0)


def body(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"title": "Incontro del gruppo", "venue": "Via Roma 1", "capacity": 20,
                            "sessions": [{"starts_at": SOON.isoformat(),
                                          "ends_at": (SOON + timedelta(hours=2)).isoformat()}]}
    return data | overrides


async def test_api_event_of_a_group(client: httpx.AsyncClient, world: World) -> None:
    group = await make_group(world.alpha, name="Minori", coordinators=(world.member,))
    foreign = await make_group(world.beta, name="Di Beta")
    coordinator = await api_token(world.coordinator)
    refused = await client.post("/api/v1/networks/rete-alfa/events", headers=coordinator,
                                json=body(group_id=foreign.id))
    assert refused.status_code == 422 and "group_id" in refused.json()["errors"]
    assert not await Event.exists()
    created = await client.post("/api/v1/networks/rete-alfa/events", headers=coordinator, json=body(group_id=group.id))
    assert created.status_code == 201 and created.json()["group_id"] == group.id
    event_id = created.json()["id"]
    assert (await client.post(f"/api/v1/networks/rete-alfa/events/{event_id}/publish",
                              headers=coordinator)).status_code == 200
    await sign_in(client, world.member)
    assert "Incontro del gruppo" in shown(await client.get(f"/n/rete-alfa/groups/{group.id}"))


async def test_event_form_offers_the_networks_groups(client: httpx.AsyncClient, world: World) -> None:
    group = await make_group(world.alpha, name="Minori e famiglie")
    await make_group(world.beta, name="Di Beta")
    await sign_in(client, world.coordinator)
    form = await client.get("/n/rete-alfa/events/new")
    assert "Minori e famiglie" in form.text and "Di Beta" not in form.text
    day = SOON.date().isoformat()
    response = await post_form(client, "/n/rete-alfa/events/new", {
        "title": "Incontro del gruppo", "sessions.0.date": day, "sessions.0.starts_at": "09:30",
        "sessions.0.ends_at": "12:00", "venue": "Via Roma 1", "capacity": "20", "audience": "network",
        "group_id": str(group.id)}, token_from="/n/rete-alfa/events")
    assert response.status_code == 303, response.text
    assert (await Event.get(title="Incontro del gruppo")).group_id == group.id
    bad = await post_form(client, "/n/rete-alfa/events/new", {
        "title": "Altro incontro", "sessions.0.date": day, "sessions.0.starts_at": "09:30",
        "sessions.0.ends_at": "12:00", "venue": "Via Roma 1", "capacity": "20", "audience": "network",
        "group_id": "999999"}, token_from="/n/rete-alfa/events")
    assert bad.status_code == 422 and 'id="e-group_id"' in bad.text
    assert not await Event.exists(title="Altro incontro")
