"""The membership workflow: request, decisions with history and messages, conflicts, concurrency."""

import asyncio

import httpx
import pytest
from conftest import World, affiliate, api_token, make_cooperative, post_form, sign_in

from federa.errors import Conflict, NotFound, PermissionDenied
from federa.networks import memberships
from federa.networks.access import access_in
from federa.networks.models import Cooperative, Membership, MembershipChange
from federa.notifications.models import OutboxMessage

API = "/api/v1/networks/rete-alfa/memberships"


async def _newcomer(world: World) -> Cooperative:
    """A cooperative in no network yet, administered by the world's coop admin."""
    coop = await make_cooperative(None, legal_name="Nuova Arrivata")
    await affiliate(world.coop_admin, coop, "admin")
    return coop


async def _recipients(kind: str) -> list[str]:
    return sorted(await OutboxMessage.filter(kind=kind).values_list("recipient", flat=True))


async def _decide(client: httpx.AsyncClient, headers: dict, membership_id: int, action: str,
                  note: str = "") -> httpx.Response:
    return await client.post(f"{API}/{membership_id}/decision", json={"action": action, "note": note},
                             headers=headers)


async def test_request_by_form_tells_the_coordinators(client: httpx.AsyncClient, world: World) -> None:
    coop = await _newcomer(world)
    await sign_in(client, world.coop_admin)
    path = f"/cooperatives/{coop.id}/memberships"
    page = await client.get(path)
    assert page.status_code == 200 and 'value="rete-alfa"' in page.text
    response = await post_form(client, path, {"network": "rete-alfa"}, token_from=path)
    assert response.status_code == 303
    membership = await Membership.get(cooperative=coop, network=world.alpha)
    assert membership.status == "requested"
    change = await MembershipChange.get(membership=membership)
    assert (change.from_status, change.to_status, change.actor_id) == (None, "requested", world.coop_admin.id)
    assert await _recipients("membership_requested") == ["coord@example.org", "netadmin@example.org"]
    message = await OutboxMessage.get(kind="membership_requested", recipient="coord@example.org")
    assert message.network_id == world.alpha.id and message.context["cooperative"] == "Nuova Arrivata"
    # asking again changes nothing and tells nobody twice
    await post_form(client, path, {"network": "rete-alfa"}, token_from=path)
    assert await Membership.filter(cooperative=coop).count() == 1
    assert len(await _recipients("membership_requested")) == 2


async def test_request_by_api(client: httpx.AsyncClient, world: World) -> None:
    coop = await _newcomer(world)
    assert (await client.post(API, json={"cooperative_id": coop.id})).status_code == 401
    denied = await client.post(API, json={"cooperative_id": coop.id}, headers=await api_token(world.member))
    assert denied.status_code == 403
    response = await client.post(API, json={"cooperative_id": coop.id}, headers=await api_token(world.coop_admin))
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "requested" and response.json()["cooperative_name"] == "Nuova Arrivata"
    assert await _recipients("membership_requested") == ["coord@example.org", "netadmin@example.org"]
    unknown = await client.post(API, json={"cooperative_id": 99999}, headers=await api_token(world.platform_admin))
    assert unknown.status_code == 404


async def test_transitions_keep_history_and_tell_the_cooperative(client: httpx.AsyncClient, world: World) -> None:
    coop = await _newcomer(world)
    membership = await memberships.request_membership(world.alpha, coop.id, actor=world.coop_admin)
    headers = await api_token(world.coordinator)
    for action, status in [("approve", "active"), ("suspend", "suspended"), ("reactivate", "active"),
                           ("end", "ended")]:
        response = await _decide(client, headers, membership.id, action, note=f"nota {action}")
        assert response.status_code == 200, response.text
        assert response.json()["status"] == status
    history = await MembershipChange.filter(membership=membership).order_by("id").values_list(
        "from_status", "to_status", "actor_id", "note")
    coordinator = world.coordinator.id
    assert history == [
        (None, "requested", world.coop_admin.id, ""),
        ("requested", "active", coordinator, "nota approve"),
        ("active", "suspended", coordinator, "nota suspend"),
        ("suspended", "active", coordinator, "nota reactivate"),
        ("active", "ended", coordinator, "nota end"),
    ]
    row = await Membership.get(id=membership.id)
    assert row.started_at is not None and row.ended_at is not None
    decisions = await OutboxMessage.filter(kind="membership_decision").order_by("id")
    assert [m.context["status"] for m in decisions] == ["active", "suspended", "active", "ended"]
    assert {m.recipient for m in decisions} == {"coopadmin@example.org"}
    # an ended membership can be asked for again, then refused
    again = await memberships.request_membership(world.alpha, coop.id, actor=world.coop_admin)
    assert again.id == membership.id and again.status == "requested"
    assert (await _decide(client, headers, membership.id, "refuse")).json()["status"] == "refused"


async def test_invalid_transition_is_a_conflict(client: httpx.AsyncClient, world: World) -> None:
    membership = await Membership.get(network=world.alpha, cooperative=world.coop)  # active
    headers = await api_token(world.coordinator)
    for action in ("approve", "refuse", "reactivate"):
        response = await _decide(client, headers, membership.id, action)
        assert response.status_code == 409, action
    bad = await _decide(client, headers, membership.id, "explode")
    assert bad.status_code == 422 and "action" in bad.json()["errors"]
    assert not await MembershipChange.exists(membership=membership)
    assert not await OutboxMessage.exists(kind="membership_decision")
    # HTML: an error message, nothing changed
    await sign_in(client, world.coordinator)
    path = f"/n/rete-alfa/memberships/{membership.id}"
    response = await post_form(client, f"{path}/approve", token_from=path)
    assert response.status_code == 303
    page = await client.get(response.headers["location"])
    assert "flash-error" in page.text
    assert (await Membership.get(id=membership.id)).status == "active"


async def test_html_decision(client: httpx.AsyncClient, world: World) -> None:
    coop = await _newcomer(world)
    membership = await memberships.request_membership(world.alpha, coop.id, actor=world.coop_admin)
    await sign_in(client, world.coordinator)
    listing = await client.get("/n/rete-alfa/memberships?status=requested")
    assert "Nuova Arrivata" in listing.text
    path = f"/n/rete-alfa/memberships/{membership.id}"
    response = await post_form(client, f"{path}/approve", {"note": "benvenuti"}, token_from=path)
    assert response.status_code == 303
    assert (await Membership.get(id=membership.id)).status == "active"
    page = await client.get(path)
    assert "flash-success" in page.text and "benvenuti" in page.text
    assert await _recipients("membership_decision") == ["coopadmin@example.org"]


async def test_other_networks_membership_is_not_found(client: httpx.AsyncClient, world: World) -> None:
    beta_membership = await Membership.get(network=world.beta, cooperative=world.beta_coop)
    response = await _decide(client, await api_token(world.coordinator), beta_membership.id, "suspend")
    assert response.status_code == 404
    await sign_in(client, world.coordinator)
    assert (await client.get(f"/n/rete-alfa/memberships/{beta_membership.id}")).status_code == 404
    post = await post_form(client, f"/n/rete-alfa/memberships/{beta_membership.id}/suspend",
                           token_from="/n/rete-alfa/memberships")
    assert post.status_code == 404
    assert (await Membership.get(id=beta_membership.id)).status == "active"


async def test_only_coordinators_decide(client: httpx.AsyncClient, world: World) -> None:
    membership = await Membership.get(network=world.alpha, cooperative=world.coop)
    for person in (world.coop_admin, world.member, world.outsider):
        response = await _decide(client, await api_token(person), membership.id, "suspend")
        assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        await memberships.decide(await access_in(world.alpha, world.dual), membership.id, "suspend")
    assert (await Membership.get(id=membership.id)).status == "active"
    listing = await client.get(API, headers=await api_token(world.member))
    assert listing.status_code == 403


async def test_fifty_parallel_approvals_by_service(world: World) -> None:
    coop = await _newcomer(world)
    membership = await memberships.request_membership(world.alpha, coop.id, actor=world.coop_admin)
    access = await access_in(world.alpha, world.coordinator)
    results = await asyncio.gather(*(memberships.decide(access, membership.id, "approve") for _ in range(50)),
                                   return_exceptions=True)
    assert sum(isinstance(r, Membership) for r in results) == 1
    assert sum(isinstance(r, Conflict) for r in results) == 49
    assert await MembershipChange.filter(membership=membership, to_status="active").count() == 1
    assert await OutboxMessage.filter(kind="membership_decision").count() == 1


async def test_fifty_parallel_approvals_by_api(client: httpx.AsyncClient, world: World) -> None:
    coop = await _newcomer(world)
    membership = await memberships.request_membership(world.alpha, coop.id, actor=world.coop_admin)
    headers = await api_token(world.coordinator)
    responses = await asyncio.gather(*(_decide(client, headers, membership.id, "approve") for _ in range(50)))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] + [409] * 49
    assert await MembershipChange.filter(membership=membership, to_status="active").count() == 1


async def test_fifty_parallel_join_requests(client: httpx.AsyncClient, world: World) -> None:
    coop = await _newcomer(world)
    results = await asyncio.gather(*(memberships.request_membership(world.alpha, coop.id, actor=world.coop_admin)
                                     for _ in range(50)), return_exceptions=True)
    assert all(isinstance(r, Membership) for r in results), [r for r in results if not isinstance(r, Membership)]
    assert len({r.id for r in results}) == 1
    assert await Membership.filter(cooperative=coop).count() == 1
    assert await MembershipChange.filter(membership_id=results[0].id).count() == 1
    assert len(await _recipients("membership_requested")) == 2
    other = await _newcomer(world)
    headers = await api_token(world.coop_admin)
    responses = await asyncio.gather(*(client.post(API, json={"cooperative_id": other.id}, headers=headers)
                                       for _ in range(50)))
    assert {r.status_code for r in responses} == {201}
    assert await Membership.filter(cooperative=other).count() == 1


async def test_request_needs_the_cooperatives_admin(world: World) -> None:
    coop = await _newcomer(world)
    with pytest.raises(PermissionDenied):
        await memberships.request_membership(world.alpha, coop.id, actor=world.coordinator)
    with pytest.raises(NotFound):
        await memberships.request_membership(world.alpha, 424242, actor=world.platform_admin)
    assert not await Membership.exists(cooperative=coop)
