"""The e-mails of working groups, delivered over a real SMTP server on loopback: a request reaches the
group's coordinators, the decision reaches the person, an invitation carries a link that works."""

from __future__ import annotations

from email.message import EmailMessage

import httpx
from conftest import World, post_form, sign_in
from groups_helpers import make_group, roles, standing

from federa.groups import invitations, services
from federa.groups.schemas import JoinIn
from federa.notifications.courier import Courier
from tests.notifications.outbox_harness import parts


def to(received: list[EmailMessage], email: str) -> list[EmailMessage]:
    return [m for m in received if email in str(m["To"])]


async def test_request_and_decision_are_mailed(world: World, courier: Courier, smtp_server) -> None:
    _url, received = smtp_server
    group = await make_group(world.alpha, name="Qualità nei servizi", coordinators=(world.coop_admin, world.dual))
    request = await services.join(await standing(world.alpha, world.member), group.id,
                                  JoinIn(message="Lavoro in un centro diurno."))
    assert await courier.drain() == 2
    [asked] = to(received, world.coop_admin.email)
    assert len(to(received, world.dual.email)) == 1
    assert "Socio" in str(asked["Subject"]) and "Qualità nei servizi" in str(asked["Subject"])
    text, html = parts(asked)
    assert "Lavoro in un centro diurno." in text and f"http://testserver/n/rete-alfa/groups/{group.id}#requests" in text
    assert f'href="http://testserver/n/rete-alfa/groups/{group.id}#requests"' in html
    await services.decide_request(await standing(world.alpha, world.coop_admin), group.id, request.id, "approve")
    assert await courier.drain() == 1
    [decided] = to(received, world.member.email)
    assert "Qualità nei servizi" in str(decided["Subject"])
    assert f"/n/rete-alfa/groups/{group.id}" in parts(decided)[0]


async def test_invitation_link_lets_the_person_in(world: World, courier: Courier, smtp_server,
                                                  client: httpx.AsyncClient) -> None:
    _url, received = smtp_server
    group = await make_group(world.alpha, name="Tavolo di direzione", coordinators=(world.coordinator,),
                             join_policy="invitation", visibility="hidden")
    await invitations.invite(await standing(world.alpha, world.coordinator), group.id, world.member.email)
    assert await courier.drain() == 1
    [message] = to(received, world.member.email)
    text, _html = parts(message)
    assert "Coordinatrice" in text and "Tavolo di direzione" in text
    link = next(line for line in text.splitlines() if "/groups/invitations/" in line).strip()
    path = link.removeprefix("http://testserver")
    await sign_in(client, world.member)
    assert (await client.get(path)).status_code == 200
    accepted = await post_form(client, path, {"action": "accept"}, token_from="/n/rete-alfa/groups")
    assert accepted.status_code == 303
    assert (await roles(group))[world.member.id] == "member"
    assert (await client.get(f"/n/rete-alfa/groups/{group.id}")).status_code == 200


async def test_named_coordinator_is_told(world: World, courier: Courier, smtp_server) -> None:
    _url, received = smtp_server
    group = await make_group(world.alpha, name="Minori", coordinators=(world.coop_admin,))
    await services.name_coordinator(await standing(world.alpha, world.coordinator), group.id, world.member.email)
    assert await courier.drain() == 1
    [message] = to(received, world.member.email)
    assert "Minori" in str(message["Subject"]) and "Coordinatrice" in parts(message)[0]
