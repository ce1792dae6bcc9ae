"""The working groups JSON API: create, read, edit, members, join or ask, decide, invite and answer, leave,
remove, roles; hidden and foreign groups answer 404; bad input names the field and changes nothing."""

from __future__ import annotations

import httpx
from conftest import World, api_token
from groups_helpers import make_group, partners, roles

from federa.groups.models import GroupInvitation, GroupJoinRequest, GroupMember, WorkingGroup

A = "/api/v1/networks/rete-alfa/groups"
B = "/api/v1/networks/rete-beta/groups"


async def test_create_read_edit(client: httpx.AsyncClient, world: World) -> None:
    coordinator = await api_token(world.coordinator)
    created = await client.post(A, headers=coordinator, json={
        "name": "Minori e famiglie", "purpose": "Un **gruppo** <img src=x onerror=alert(1)>", "sector": "minori",
        "join_policy": "open", "open_to_partners": True, "coordinator_emails": ["member@example.org"]})
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["my_role"] is None and body["member_count"] == 1 and body["open_to_partners"] is True
    assert "<strong>gruppo</strong>" in body["purpose_html"] and "<img" not in body["purpose_html"]
    member = await api_token(world.member)
    got = await client.get(f"{A}/{body['id']}", headers=member)
    assert got.status_code == 200 and got.json()["my_role"] == "coordinator"
    edited = await client.put(f"{A}/{body['id']}", headers=member, json={"name": "Minori", "visibility": "hidden"})
    assert edited.status_code == 200 and edited.json()["visibility"] == "hidden"
    assert (await client.get(A, headers=member)).json()[0]["name"] == "Minori"


async def test_bad_input_names_the_field(client: httpx.AsyncClient, world: World) -> None:
    coordinator = await api_token(world.coordinator)
    for body, field in (({"name": "ab"}, "name"), ({"name": "Minori", "sector": "astronomia"}, "sector"),
                        ({"name": "Minori", "join_policy": "maybe"}, "join_policy"),
                        ({"name": "Minori", "open_to_partners": "yes"}, "open_to_partners"),
                        ({"name": "Minori", "coordinator_emails": ["nobody@example.org"]}, "coordinator_emails"),
                        ({"name": "Minori", "owner": 1}, "owner")):
        response = await client.post(A, headers=coordinator, json=body)
        assert response.status_code == 422, (body, response.text)
        assert field in response.json()["errors"], (body, response.json())
    assert not await WorkingGroup.exists()
    assert (await client.post(A, json={"name": "Minori"})).status_code == 401
    assert (await client.post(A, headers=await api_token(world.member), json={"name": "Minori"})).status_code == 403


async def test_hidden_and_foreign_groups_are_not_found(client: httpx.AsyncClient, world: World) -> None:
    hidden = await make_group(world.alpha, visibility="hidden", coordinators=(world.coop_admin,))
    beta_group = await make_group(world.beta, name="Di Beta")
    member = await api_token(world.member)
    for path in (f"{A}/{hidden.id}", f"{A}/{hidden.id}/members", f"{A}/{beta_group.id}", f"{B}/{hidden.id}"):
        assert (await client.get(path, headers=member)).status_code == 404, path
    assert (await client.post(f"{A}/{hidden.id}/join", headers=member, json={})).status_code == 404
    assert (await client.get(A, headers=member)).json() == []
    coordinator = await api_token(world.coordinator)
    assert (await client.put(f"{A}/{beta_group.id}", headers=coordinator, json={"name": "Presa"})).status_code == 404
    assert (await WorkingGroup.get(id=beta_group.id)).name == "Di Beta"


async def test_request_decision_members_and_roles(client: httpx.AsyncClient, world: World) -> None:
    group = await make_group(world.alpha, coordinators=(world.coop_admin,))
    member, coop_admin = await api_token(world.member), await api_token(world.coop_admin)
    asked = await client.post(f"{A}/{group.id}/join", headers=member, json={"message": "Ciao"})
    assert asked.status_code == 200 and asked.json()["outcome"] == "requested"
    assert (await client.get(f"{A}/{group.id}/requests", headers=member)).status_code == 403
    [pending] = (await client.get(f"{A}/{group.id}/requests", headers=coop_admin)).json()
    assert pending["person_name"] == "Socio" and pending["message"] == "Ciao"
    bad = await client.post(f"{A}/{group.id}/requests/{pending['id']}/decision", headers=coop_admin,
                            json={"action": "maybe"})
    assert bad.status_code == 422 and "action" in bad.json()["errors"]
    decided = await client.post(f"{A}/{group.id}/requests/{pending['id']}/decision", headers=coop_admin,
                                json={"action": "approve"})
    assert decided.status_code == 200 and decided.json()["status"] == "approved"
    page = (await client.get(f"{A}/{group.id}/members", headers=member)).json()
    assert page["total"] == 2
    assert [(m["name"], m["role"], m["cooperatives"]) for m in page["items"]] == [
        ("Coop Admin", "coordinator", ["Cooperativa Alfa Uno"]), ("Socio", "member", ["Cooperativa Alfa Uno"])]
    member_id = page["items"][1]["id"]
    coordinator_id = page["items"][0]["id"]
    assert (await client.post(f"{A}/{group.id}/leave", headers=coop_admin)).status_code == 409
    assert (await client.patch(f"{A}/{group.id}/members/{member_id}", headers=member,
                               json={"role": "coordinator"})).status_code == 403
    made = await client.patch(f"{A}/{group.id}/members/{member_id}", headers=coop_admin, json={"role": "coordinator"})
    assert made.status_code == 200 and made.json()["role"] == "coordinator"
    assert (await client.delete(f"{A}/{group.id}/members/{coordinator_id}", headers=member)).status_code == 204
    assert await roles(group) == {world.member.id: "coordinator"}


async def test_invitations_and_partners(client: httpx.AsyncClient, world: World) -> None:
    await partners(world.alpha, world.beta)
    group = await make_group(world.alpha, coordinators=(world.coordinator,), join_policy="invitation",
                             open_to_partners=True)
    coordinator, outsider = await api_token(world.coordinator), await api_token(world.outsider)
    assert (await client.post(f"{A}/{group.id}/join", headers=outsider, json={})).status_code == 403
    bad = await client.post(f"{A}/{group.id}/invitations", headers=coordinator, json={"email": "nope"})
    assert bad.status_code == 422 and "email" in bad.json()["errors"]
    sent = await client.post(f"{A}/{group.id}/invitations", headers=coordinator, json={"email": world.outsider.email})
    assert sent.status_code == 201 and "token" not in sent.text
    assert [i["email"] for i in (await client.get(f"{A}/{group.id}/invitations", headers=coordinator)).json()] == [
        world.outsider.email]
    assert (await client.post(f"{A}/{group.id}/invitation", headers=await api_token(world.member),
                              json={"action": "accept"})).status_code == 404
    answered = await client.post(f"{A}/{group.id}/invitation", headers=outsider, json={"action": "accept"})
    assert answered.status_code == 200 and answered.json()["status"] == "accepted"
    assert await GroupMember.exists(group_id=group.id, person_id=world.outsider.id)
    mine = (await client.get("/api/v1/me/groups", headers=outsider)).json()
    assert [(g["network"], g["group"]["id"], g["role"]) for g in mine] == [("rete-alfa", group.id, "member")]
    again = await client.post(f"{A}/{group.id}/invitations", headers=coordinator, json={"email": "x@example.org"})
    revoked = await client.post(f"{A}/{group.id}/invitations/{again.json()['id']}/revoke", headers=coordinator)
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    assert await GroupInvitation.filter(status="pending").count() == 0
    assert not await GroupJoinRequest.exists()


async def test_archive(client: httpx.AsyncClient, world: World) -> None:
    group = await make_group(world.alpha, coordinators=(world.member,), join_policy="open")
    assert (await client.post(f"{A}/{group.id}/archive", headers=await api_token(world.member),
                              json={"archived": True})).status_code == 403
    done = await client.post(f"{A}/{group.id}/archive", headers=await api_token(world.coordinator),
                             json={"archived": True})
    assert done.status_code == 200 and done.json()["archived"] is True
    assert (await client.post(f"{A}/{group.id}/join", headers=await api_token(world.dual), json={})).status_code == 403
