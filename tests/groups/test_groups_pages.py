"""The group pages: the list (mine first, filters), the group page, the forms (422 with field messages and
nothing written), the buttons, the members page, the invitation link, My groups, and their query counts."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import httpx
from conftest import World, affiliate, make_person, post_form, sign_in
from groups_helpers import make_group, roles, shown, t

from federa.events.models import Event, EventSession
from federa.groups.models import GroupInvitation, GroupJoinRequest, GroupMember, WorkingGroup
from federa.notifications.models import OutboxMessage
from tests.networks.querycount import count_queries

BASE = "/n/rete-alfa/groups"


def names(html: str) -> list[str]:
    return re.findall(r'<h3 class="card-title"><a href="[^"]+">([^<]+)</a>', html)


async def test_list_mine_first_filters_and_hidden(client: httpx.AsyncClient, world: World) -> None:
    await make_group(world.alpha, name="Anziani", sector="anziani")
    await make_group(world.alpha, name="Minori", sector="minori", members=(world.member,))
    await make_group(world.alpha, name="Segreto", visibility="hidden")
    await make_group(world.beta, name="Di Beta")
    assert (await client.get(BASE)).headers["location"] == f"/signin?next={BASE}"
    await sign_in(client, world.member)
    page = await client.get(BASE)
    assert page.status_code == 200
    assert names(page.text) == ["Minori", "Anziani"]
    assert t("New working group") not in shown(page)
    assert names((await client.get(BASE + "?sector=anziani")).text) == ["Anziani"]
    assert names((await client.get(BASE + "?q=MIN")).text) == ["Minori"]
    await sign_in(client, world.coordinator)
    page = await client.get(BASE)
    assert names(page.text) == ["Anziani", "Minori", "Segreto"] and "Di Beta" not in page.text
    assert f'href="{BASE}/new"' in page.text


async def test_create_through_the_form(client: httpx.AsyncClient, world: World) -> None:
    await sign_in(client, world.coordinator)
    assert (await client.get(BASE + "/new")).status_code == 200
    bad = await post_form(client, BASE + "/new", {"name": "x", "sector": "astronomia", "join_policy": "maybe",
                                                  "coordinator_emails": "nobody@example.org"}, token_from=BASE)
    assert bad.status_code == 422
    text = shown(bad)
    assert t("Use at least %(n)s characters.", n=3) in text and t("Choose one of the options.") in text
    assert 'aria-invalid="true"' in bad.text and not await WorkingGroup.exists()
    unknown = await post_form(client, BASE + "/new", {"name": "Minori", "coordinator_emails": "nobody@example.org"},
                              token_from=BASE)
    assert unknown.status_code == 422 and "nobody@example.org" in shown(unknown)
    assert not await WorkingGroup.exists()
    done = await post_form(client, BASE + "/new", {
        "name": "Minori e famiglie", "purpose": "Un *gruppo*", "sector": "minori", "join_policy": "open",
        "visibility": "listed", "open_to_partners": "1", "coordinator_emails": "member@example.org, dual@example.org"},
        token_from=BASE)
    assert done.status_code == 303
    group = await WorkingGroup.get(name="Minori e famiglie")
    assert done.headers["location"] == f"{BASE}/{group.id}"
    assert group.open_to_partners and group.join_policy == "open" and "<em>gruppo</em>" in group.purpose_html
    assert await roles(group) == {world.member.id: "coordinator", world.dual.id: "coordinator"}


async def test_edit_form(client: httpx.AsyncClient, world: World) -> None:
    group = await make_group(world.alpha, name="Minori", coordinators=(world.member,))
    await sign_in(client, world.coop_admin)
    assert (await client.get(f"{BASE}/{group.id}/edit")).status_code == 403
    await sign_in(client, world.member)
    form = await client.get(f"{BASE}/{group.id}/edit")
    assert form.status_code == 200 and 'value="Minori"' in form.text
    bad = await post_form(client, f"{BASE}/{group.id}/edit", {"name": "", "visibility": "secret"}, token_from=BASE)
    assert bad.status_code == 422 and t("Use at least %(n)s characters.", n=3) in shown(bad)
    assert t("Choose one of the options.") in shown(bad)
    assert (await WorkingGroup.get(id=group.id)).name == "Minori"
    ok = await post_form(client, f"{BASE}/{group.id}/edit", {"name": "Minori e scuola", "join_policy": "request",
                                                             "visibility": "hidden"}, token_from=BASE)
    assert ok.status_code == 303
    assert (await WorkingGroup.get(id=group.id)).visibility == "hidden"


async def _upcoming_event(world: World, group: WorkingGroup, title: str, **kw: object) -> Event:
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=5)
    event = await Event.create(network=world.alpha, title=title, capacity=10, status=kw.pop("status", "published"),
                               venue="Via Roma 1", starts_at=start, group=group, **kw)
    await EventSession.create(event=event, starts_at=start, ends_at=start + timedelta(hours=2), hours=2)
    return event


async def test_group_page_shows_purpose_members_events_and_join(client: httpx.AsyncClient, world: World) -> None:
    group = await make_group(world.alpha, name="Minori", coordinators=(world.coop_admin,), members=(world.dual,),
                             join_policy="open", purpose_html="<p>Il <strong>nostro</strong> scopo</p>")
    await _upcoming_event(world, group, "Incontro del gruppo")
    await _upcoming_event(world, group, "Bozza del gruppo", status="draft")
    await sign_in(client, world.member)
    page = await client.get(f"{BASE}/{group.id}")
    text = shown(page)
    assert page.status_code == 200
    assert "<strong>nostro</strong>" in page.text
    assert "Coop Admin" in text and "Cooperativa Alfa Uno" in text and "Cooperativa Doppia" in text
    assert "Incontro del gruppo" in text and "Bozza del gruppo" not in text
    assert f"/n/rete-alfa/library?group={group.id}" in page.text
    assert t("Join the group") in text and t("Manage the group") not in text
    joined = await post_form(client, f"{BASE}/{group.id}/join", token_from=BASE)
    assert joined.status_code == 303
    assert (await roles(group))[world.member.id] == "member"
    page = shown(await client.get(f"{BASE}/{group.id}"))
    assert t("You are a member of this group.") in page


async def test_hidden_group_page_is_not_found(client: httpx.AsyncClient, world: World) -> None:
    group = await make_group(world.alpha, name="Segreto", visibility="hidden", coordinators=(world.coop_admin,))
    await sign_in(client, world.member)
    for path in ("", "/members", "/edit"):
        assert (await client.get(f"{BASE}/{group.id}{path}")).status_code == 404
    assert (await post_form(client, f"{BASE}/{group.id}/join", token_from=BASE)).status_code == 404
    await sign_in(client, world.coop_admin)
    assert (await client.get(f"{BASE}/{group.id}")).status_code == 200


async def test_request_form_and_decision(client: httpx.AsyncClient, world: World, new_client) -> None:
    group = await make_group(world.alpha, name="Minori", coordinators=(world.coop_admin,))
    await sign_in(client, world.member)
    too_long = await post_form(client, f"{BASE}/{group.id}/join", {"message": "x" * 1001}, token_from=BASE)
    assert too_long.status_code == 422 and t("Use at most %(n)s characters.", n=1000) in shown(too_long)
    assert not await GroupJoinRequest.exists()
    asked = await post_form(client, f"{BASE}/{group.id}/join", {"message": "Vorrei partecipare"}, token_from=BASE)
    assert asked.status_code == 303
    assert t("Withdraw my request") in shown(await client.get(f"{BASE}/{group.id}"))
    coordinator = new_client()
    await sign_in(coordinator, world.coop_admin)
    page = shown(await coordinator.get(f"{BASE}/{group.id}"))
    assert "Vorrei partecipare" in page and t("Approve") in page
    request = await GroupJoinRequest.get(person_id=world.member.id)
    bad = await post_form(coordinator, f"{BASE}/{group.id}/requests/{request.id}/decide", {"action": "maybe"},
                          token_from=BASE)
    assert bad.status_code == 422 and t("Choose one of the options.") in shown(bad)
    ok = await post_form(coordinator, f"{BASE}/{group.id}/requests/{request.id}/decide", {"action": "approve"},
                         token_from=BASE)
    assert ok.status_code == 303
    assert (await roles(group))[world.member.id] == "member"


async def test_invite_form_and_the_link(client: httpx.AsyncClient, world: World, new_client) -> None:
    group = await make_group(world.alpha, name="Minori", coordinators=(world.coop_admin,), join_policy="invitation")
    await sign_in(client, world.coop_admin)
    bad = await post_form(client, f"{BASE}/{group.id}/invitations", {"invite_email": "not-an-address"}, token_from=BASE)
    assert bad.status_code == 422 and t("Enter a valid e-mail address.") in shown(bad)
    assert 'id="e-invite_email"' in bad.text and not await GroupInvitation.exists()
    outsider = await post_form(client, f"{BASE}/{group.id}/invitations", {"invite_email": world.outsider.email},
                               token_from=BASE)
    assert outsider.status_code == 422 and not await GroupInvitation.exists()
    sent = await post_form(client, f"{BASE}/{group.id}/invitations", {"invite_email": world.member.email},
                           token_from=BASE)
    assert sent.status_code == 303
    message = await OutboxMessage.get(kind="group_invitation")
    link = message.context["path"]
    anonymous = new_client()
    assert (await anonymous.get(link)).status_code == 200
    assert (await anonymous.get(BASE + "/invitations/not-a-token")).status_code == 404
    assert (await anonymous.get(link.replace("rete-alfa", "rete-beta"))).status_code == 404
    invited = new_client()
    await sign_in(invited, world.member)
    page = shown(await invited.get(link))
    assert t("Accept the invitation") in page
    mine = shown(await invited.get("/account/groups"))
    assert "Minori" in mine and t("Accept") in mine
    accepted = await post_form(invited, link, {"action": "accept"}, token_from=BASE)
    assert accepted.status_code == 303 and accepted.headers["location"] == f"{BASE}/{group.id}"
    assert (await roles(group))[world.member.id] == "member"
    assert (await invited.get(link)).status_code == 404


async def test_members_page_roles_and_removal(client: httpx.AsyncClient, world: World) -> None:
    group = await make_group(world.alpha, name="Minori", coordinators=(world.coop_admin,), members=(world.member,))
    member = await GroupMember.get(group_id=group.id, person_id=world.member.id)
    coordinator_row = await GroupMember.get(group_id=group.id, person_id=world.coop_admin.id)
    await sign_in(client, world.member)
    page = await client.get(f"{BASE}/{group.id}/members")
    assert page.status_code == 200 and t("Make a coordinator") not in shown(page)
    assert (await post_form(client, f"{BASE}/{group.id}/members/{coordinator_row.id}/remove",
                            token_from=BASE)).status_code == 403
    await sign_in(client, world.coop_admin)
    last = await post_form(client, f"{BASE}/{group.id}/leave", token_from=BASE)
    assert last.status_code == 303
    assert t("The group needs a coordinator: name another one first.") in shown(
        await client.get(f"{BASE}/{group.id}"))
    bad = await post_form(client, f"{BASE}/{group.id}/members/{member.id}/role", {"role": "boss"}, token_from=BASE)
    assert bad.status_code == 422
    made = await post_form(client, f"{BASE}/{group.id}/members/{member.id}/role", {"role": "coordinator"},
                           token_from=BASE)
    assert made.status_code == 303
    assert (await roles(group))[world.member.id] == "coordinator"
    removed = await post_form(client, f"{BASE}/{group.id}/members/{member.id}/remove", token_from=BASE)
    assert removed.status_code == 303
    assert world.member.id not in await roles(group)


async def test_my_groups_across_networks(client: httpx.AsyncClient, world: World) -> None:
    await make_group(world.alpha, name="Di Alfa", members=(world.dual,))
    await make_group(world.beta, name="Di Beta", coordinators=(world.dual,))
    await make_group(world.beta, name="Altro", members=(world.outsider,))
    await sign_in(client, world.dual)
    page = shown(await client.get("/account/groups"))
    assert "Di Alfa" in page and "Di Beta" in page and "Altro" not in page
    assert (await client.get("/account/groups")).status_code == 200


async def _count(client: httpx.AsyncClient, path: str) -> int:
    with count_queries() as statements:
        assert (await client.get(path)).status_code == 200
    return len(statements)


async def test_group_page_and_list_query_counts(client: httpx.AsyncClient, world: World) -> None:
    group = await make_group(world.alpha, name="Minori", coordinators=(world.coop_admin,), join_policy="open")
    await _upcoming_event(world, group, "Primo incontro")
    await sign_in(client, world.coop_admin)
    await _count(client, BASE)  # the first page after signing in also records the session's use
    few = {path: await _count(client, path) for path in (BASE, f"{BASE}/{group.id}", f"{BASE}/{group.id}/members",
                                                         "/account/groups")}
    for n in range(30):
        person = await make_person(name=f"Persona {n:02d}")
        await affiliate(person, world.coop if n % 2 else world.dual_coop)
        await GroupMember.create(network=world.alpha, group=group, person=person,
                                 role="coordinator" if n % 10 == 0 else "member")
        await GroupJoinRequest.create(network=world.alpha, group=group, person=person)
        other = await make_group(world.alpha, name=f"Gruppo {n:02d}", members=(world.coop_admin,))
        await _upcoming_event(world, group if n % 3 else other, f"Evento {n}")
    many = {path: await _count(client, path) for path in few}
    assert few == many, (few, many)
    assert many[f"{BASE}/{group.id}"] <= 14, many
    assert many[BASE] <= 6, many
