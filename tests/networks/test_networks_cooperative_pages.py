"""A cooperative's own pages: profile and services, invitations, requests to join, its people."""

from datetime import UTC, datetime, timedelta

import httpx
from conftest import World, affiliate, api_token, make_person, post_form, sign_in

from federa.accounts.models import Affiliation, Invitation
from federa.networks.models import Cooperative, CooperativeService
from federa.notifications.models import OutboxMessage


def _profile(world: World, **extra: object) -> dict:
    return {"legal_name": "Cooperativa Alfa Uno Rinnovata", "coop_type": "A", "province": "MB",
            "sectors": ["minori", "disabili"], "city": "Monza", "website": "https://alfa.example.org",
            "description": "Servizi educativi", "is_public": "on", "email": "info@alfa.example.org", **extra}


async def test_admin_edits_profile_and_services_by_form(client: httpx.AsyncClient, world: World) -> None:
    path = f"/cooperatives/{world.coop.id}"
    await sign_in(client, world.coop_admin)
    form = {**_profile(world), "service_0_name": "Asilo nido", "service_0_audience": "Bambini 0-3",
            "service_0_access": "Iscrizione a settembre", "service_1_name": "Doposcuola",
            "service_2_name": "", "service_2_audience": "", "service_2_access": ""}
    response = await post_form(client, path, form, token_from=path)
    assert response.status_code == 303, response.text
    coop = await Cooperative.get(id=world.coop.id)
    assert (coop.legal_name, coop.province, coop.city, coop.email) == (
        "Cooperativa Alfa Uno Rinnovata", "MB", "Monza", "info@alfa.example.org")
    services = await CooperativeService.filter(cooperative=coop).values_list("name", "audience", "access")
    assert services == [("Asilo nido", "Bambini 0-3", "Iscrizione a settembre"), ("Doposcuola", "", "")]
    page = await client.get(path)
    assert 'value="Asilo nido"' in page.text and 'name="service_2_name"' in page.text
    public = await client.get(f"/n/rete-alfa/cooperatives/{coop.id}")
    assert "Asilo nido" in public.text and "Iscrizione a settembre" in public.text


async def test_profile_errors_are_shown_and_nothing_is_saved(client: httpx.AsyncClient, world: World) -> None:
    path = f"/cooperatives/{world.coop.id}"
    await sign_in(client, world.coop_admin)
    for extra, field in [({"province": "ZZ"}, "province"), ({"email": "nope@"}, "email"),
                         ({"legal_name": "x" * 201}, "legal_name"), ({"sectors": ["astronautica"]}, "sectors"),
                         ({"service_0_audience": "chi ha un nome vuoto"}, "services")]:
        response = await post_form(client, path, _profile(world, **extra), token_from=path)
        assert response.status_code == 422, extra
        assert 'class="field-error"' in response.text
        if field != "services":
            assert f'id="e-{field}"' in response.text
    assert (await Cooperative.get(id=world.coop.id)).legal_name == "Cooperativa Alfa Uno"
    assert not await CooperativeService.exists()


async def test_admin_edits_by_api(client: httpx.AsyncClient, world: World) -> None:
    url = f"/api/v1/networks/rete-alfa/cooperatives/{world.coop.id}"
    headers = await api_token(world.coop_admin)
    body = {"city": "Lodi", "services": [{"name": "Centro diurno", "audience": "Anziani"}], "sectors": ["anziani"]}
    response = await client.patch(url, json=body, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["city"] == "Lodi" and response.json()["sectors"] == ["anziani"]
    assert response.json()["services"] == [{"name": "Centro diurno", "audience": "Anziani", "access": ""}]
    assert response.json()["legal_name"] == "Cooperativa Alfa Uno"  # untouched
    # null leaves a field as it is, bad values name their field
    assert (await client.patch(url, json={"legal_name": None}, headers=headers)).status_code == 200
    bad = await client.patch(url, json={"province": "ZZ", "email": "x@", "tax_code": "00000000018"},
                             headers=headers)
    assert bad.status_code == 422 and set(bad.json()["errors"]) == {"province", "email", "tax_code"}
    assert (await Cooperative.get(id=world.coop.id)).city == "Lodi"


async def test_members_and_others_cannot_edit(client: httpx.AsyncClient, world: World) -> None:
    url = f"/api/v1/networks/rete-alfa/cooperatives/{world.coop.id}"
    assert (await client.patch(url, json={"city": "X"})).status_code == 401
    assert (await client.patch(url, json={"city": "X"}, headers=await api_token(world.member))).status_code == 403
    assert (await client.patch(url, json={"city": "X"}, headers=await api_token(world.outsider))).status_code == 403
    beta = f"/api/v1/networks/rete-beta/cooperatives/{world.coop.id}"
    assert (await client.patch(beta, json={"city": "X"}, headers=await api_token(world.coop_admin))).status_code \
        == 404
    path = f"/cooperatives/{world.coop.id}"
    await sign_in(client, world.member)
    page = await client.get(path)
    assert page.status_code == 200 and 'name="legal_name"' not in page.text
    assert (await post_form(client, path, _profile(world), token_from=path)).status_code == 403
    assert (await client.get(f"{path}/people")).status_code == 404
    assert (await client.get(f"{path}/memberships")).status_code == 404
    outsider = await make_person("other@example.org")
    await sign_in(client, outsider)
    assert (await client.get(path)).status_code == 404
    assert (await Cooperative.get(id=world.coop.id)).city == ""


async def _invitation_token(email: str) -> str:
    message = await OutboxMessage.get(kind="invitation", recipient=email)
    return message.context["path"].rsplit("/", 1)[1]


async def test_invitation_flow(client: httpx.AsyncClient, new_client, world: World) -> None:
    people = f"/cooperatives/{world.coop.id}/people"
    await sign_in(client, world.coop_admin)
    response = await post_form(client, people, {"email": "Stranger@Example.org", "role": "member"},
                               token_from=people)
    assert response.status_code == 303
    invitation = await Invitation.get(cooperative=world.coop)
    assert (invitation.email, invitation.role, invitation.invited_by_id) == (
        "stranger@example.org", "member", world.coop_admin.id)
    token = await _invitation_token("stranger@example.org")
    # someone else's account cannot use it
    wrong = new_client()
    await sign_in(wrong, world.outsider)
    assert (await post_form(wrong, f"/invitations/{token}", token_from=f"/invitations/{token}")).status_code == 403
    # the invited account can
    invited = new_client()
    await sign_in(invited, world.stranger)
    accepted = await post_form(invited, f"/invitations/{token}", token_from=f"/invitations/{token}")
    assert accepted.status_code == 303
    affiliation = await Affiliation.get(cooperative=world.coop, person=world.stranger)
    assert (affiliation.role, affiliation.status) == ("member", "active")
    # used: gone
    assert (await invited.get(f"/invitations/{token}")).status_code == 404
    assert (await post_form(invited, f"/invitations/{token}", token_from="/me")).status_code == 404
    # invalid e-mail, or someone already in: message beside the field
    for email in ("not-an-email", "member@example.org"):
        bad = await post_form(client, people, {"email": email, "role": "member"}, token_from=people)
        assert bad.status_code == 422 and 'id="e-email"' in bad.text
    assert await Invitation.all().count() == 1


async def test_expired_invitation_is_not_found(client: httpx.AsyncClient, world: World) -> None:
    people = f"/cooperatives/{world.coop.id}/people"
    await sign_in(client, world.coop_admin)
    await post_form(client, people, {"email": "stranger@example.org", "role": "admin"}, token_from=people)
    token = await _invitation_token("stranger@example.org")
    await Invitation.all().update(expires_at=datetime.now(UTC) - timedelta(minutes=1))
    await sign_in(client, world.stranger)
    assert (await client.get(f"/invitations/{token}")).status_code == 404
    assert (await post_form(client, f"/invitations/{token}", token_from="/me")).status_code == 404
    assert (await client.get("/invitations/not-a-token")).status_code == 404
    assert not await Affiliation.exists(person=world.stranger)


async def test_only_the_cooperatives_admins_invite(client: httpx.AsyncClient, world: World) -> None:
    people = f"/cooperatives/{world.coop.id}/people"
    await sign_in(client, world.coordinator)  # may edit the profile, not the people
    assert (await client.get(people)).status_code == 404
    response = await post_form(client, people, {"email": "x@example.org", "role": "admin"}, token_from="/me")
    assert response.status_code == 404
    assert not await Invitation.exists()


async def test_request_to_join_then_decide(client: httpx.AsyncClient, new_client, world: World) -> None:
    newcomer, other = await make_person("newcomer@example.org"), await make_person("other@example.org")
    for person in (newcomer, other):
        browser = new_client()
        await sign_in(browser, person)
        page = f"/n/rete-alfa/cooperatives/{world.coop.id}"
        response = await post_form(browser, f"/cooperatives/{world.coop.id}/join", token_from=page)
        assert response.status_code == 303
    requests = await Affiliation.filter(cooperative=world.coop, status="requested").count()
    assert requests == 2
    told = await OutboxMessage.filter(kind="join_requested").values_list("recipient", flat=True)
    assert told == ["coopadmin@example.org", "coopadmin@example.org"]
    people = f"/cooperatives/{world.coop.id}/people"
    await sign_in(client, world.coop_admin)
    first = await Affiliation.get(person=newcomer)
    second = await Affiliation.get(person=other)
    assert (await post_form(client, f"{people}/{first.id}/approve", token_from=people)).status_code == 303
    assert (await post_form(client, f"{people}/{second.id}/refuse", token_from=people)).status_code == 303
    assert (await Affiliation.get(id=first.id)).status == "active"
    assert not await Affiliation.exists(id=second.id)
    decisions = await OutboxMessage.filter(kind="join_decision").order_by("id")
    assert [(m.recipient, m.context["approved"]) for m in decisions] == [
        ("newcomer@example.org", True), ("other@example.org", False)]
    # deciding twice: not found, nothing sent
    again = await post_form(client, f"{people}/{first.id}/approve", token_from=people)
    assert again.status_code == 404
    assert await OutboxMessage.filter(kind="join_decision").count() == 2


async def test_remove_people_but_not_the_last_admin(client: httpx.AsyncClient, world: World) -> None:
    people = f"/cooperatives/{world.coop.id}/people"
    await sign_in(client, world.coop_admin)
    member = await Affiliation.get(cooperative=world.coop, person=world.member)
    assert (await post_form(client, f"{people}/{member.id}/remove", token_from=people)).status_code == 303
    assert not await Affiliation.exists(id=member.id)
    admin = await Affiliation.get(cooperative=world.coop, person=world.coop_admin)
    response = await post_form(client, f"{people}/{admin.id}/remove", token_from=people)
    assert response.status_code == 303
    assert "flash-error" in (await client.get(people)).text
    assert await Affiliation.exists(id=admin.id)
    # another cooperative's affiliation through this cooperative's URL: not found
    foreign = await Affiliation.get(cooperative=world.beta_coop)
    assert (await post_form(client, f"{people}/{foreign.id}/remove", token_from=people)).status_code == 404
    assert (await post_form(client, f"{people}/{member.id}/explode", token_from=people)).status_code == 404
    # with a second admin the first may leave
    second = await make_person("second@example.org")
    await affiliate(second, world.coop, "admin")
    assert (await post_form(client, f"{people}/{admin.id}/remove", token_from=people)).status_code == 303
    assert not await Affiliation.exists(id=admin.id)


async def test_coordinator_invites_a_cooperatives_admin(client: httpx.AsyncClient, world: World) -> None:
    page = f"/n/rete-alfa/cooperatives/{world.coop.id}"
    await sign_in(client, world.coordinator)
    response = await post_form(client, f"{page}/invite-admin", {"email": "stranger@example.org"}, token_from=page)
    assert response.status_code == 303
    invitation = await Invitation.get(cooperative=world.coop)
    assert (invitation.role, invitation.network_id) == ("admin", world.alpha.id)
    message = await OutboxMessage.get(kind="invitation")
    assert message.recipient == "stranger@example.org" and message.network_id == world.alpha.id
    # another network's cooperative: not found; a member of the network: not allowed
    beta = f"/n/rete-alfa/cooperatives/{world.beta_coop.id}/invite-admin"
    assert (await post_form(client, beta, {"email": "x@example.org"}, token_from=page)).status_code == 404
    await sign_in(client, world.member)
    denied = await post_form(client, f"{page}/invite-admin", {"email": "x@example.org"}, token_from=page)
    assert denied.status_code == 403
    assert await Invitation.all().count() == 1


async def test_coordinator_cannot_take_over_a_cooperative_that_only_asked_to_join(
        client: httpx.AsyncClient, world: World) -> None:
    """A beta cooperative asking to join alpha is not alpha's: its coordinator cannot name its admin."""
    from federa.networks.models import Membership

    await Membership.create(network=world.alpha, cooperative=world.beta_coop, status="requested")
    page = f"/n/rete-alfa/cooperatives/{world.coop.id}"
    await sign_in(client, world.coordinator)
    target = f"/n/rete-alfa/cooperatives/{world.beta_coop.id}/invite-admin"
    response = await post_form(client, target, {"email": "coord@example.org"}, token_from=page)
    assert response.status_code == 404
    assert not await Invitation.exists(cooperative=world.beta_coop)


async def test_nul_characters_in_forms_are_dropped(client: httpx.AsyncClient, world: World) -> None:
    """PostgreSQL cannot store NUL: a form carrying one is cleaned, not a server error."""
    await sign_in(client, world.coop_admin)
    page = f"/cooperatives/{world.coop.id}"
    response = await post_form(client, page, _profile(world, description="Servizi\x00 educativi"), token_from=page)
    assert response.status_code == 303
    assert (await Cooperative.get(id=world.coop.id)).description == "Servizi educativi"
