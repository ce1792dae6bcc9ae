"""Review findings on tenant isolation, permissions, leaks and notifications (each failed before its fix)."""

from __future__ import annotations

import httpx
from conftest import World, api_token, make_person, post_form, sign_in

from federa.accounts import affiliations
from federa.accounts.models import Affiliation
from federa.audit.models import AuditEntry
from federa.networks.models import Cooperative, Membership
from federa.notifications.models import OutboxMessage

PRIVATE = ("tax_code", "email", "phone", "address")


async def _give_contacts(coop: Cooperative) -> None:
    await Cooperative.filter(id=coop.id).update(email="info@coop.example.org", phone="02 1234",
                                                address="Via Roma 1")


async def test_public_api_hides_what_the_public_page_hides(client: httpx.AsyncClient, world: World) -> None:
    """The public page shows no tax code or contacts to visitors: neither may the API."""
    await _give_contacts(world.coop)
    one = (await client.get(f"/api/v1/networks/rete-alfa/cooperatives/{world.coop.id}")).json()
    listed = (await client.get("/api/v1/networks/rete-alfa/cooperatives")).json()["items"]
    for shown in (one, *listed):
        assert not any(shown[key] for key in PRIVATE), shown
    # Another network's people are visitors too.
    outsider = await api_token(world.outsider)
    one = (await client.get(f"/api/v1/networks/rete-alfa/cooperatives/{world.coop.id}", headers=outsider)).json()
    assert one["tax_code"] is None and one["email"] == ""


async def test_coordinators_and_the_cooperatives_people_still_see_it(client: httpx.AsyncClient,
                                                                      world: World) -> None:
    await _give_contacts(world.coop)
    url = f"/api/v1/networks/rete-alfa/cooperatives/{world.coop.id}"
    for person in (world.coordinator, world.member):
        shown = (await client.get(url, headers=await api_token(person))).json()
        assert shown["tax_code"] == world.coop.tax_code and shown["email"] == "info@coop.example.org"
    listed = (await client.get("/api/v1/networks/rete-alfa/cooperatives",
                               headers=await api_token(world.coordinator))).json()["items"]
    assert all(item["tax_code"] for item in listed)


async def test_join_request_is_not_mailed_to_a_disabled_admin(client: httpx.AsyncClient, world: World) -> None:
    gone = await make_person("gone@example.org", is_active=False)
    await Affiliation.create(person=gone, cooperative=world.coop, role="admin", status="active")
    await affiliations.request_to_join(world.coop.id, person=world.stranger)
    told = await OutboxMessage.filter(kind="join_requested").values_list("recipient", flat=True)
    assert told == [world.coop_admin.email]


async def test_network_invitation_dies_when_the_membership_ends(client: httpx.AsyncClient, world: World) -> None:
    """A coordinator hands a member cooperative to an admin; once it leaves, the network has no say."""
    await sign_in(client, world.coordinator)
    page = f"/n/rete-alfa/cooperatives/{world.coop.id}"
    sent = await post_form(client, f"{page}/invite-admin", {"email": "newadmin@example.org"}, token_from=page)
    assert sent.status_code == 303
    message = await OutboxMessage.get(kind="invitation", recipient="newadmin@example.org")
    token = message.context["path"].rsplit("/", 1)[1]
    await Membership.filter(network=world.alpha, cooperative=world.coop).update(status="ended")
    newcomer = await make_person("newadmin@example.org")
    accepted = await _accept(client, newcomer, token)
    assert accepted.status_code == 404
    assert not await Affiliation.exists(person=newcomer, cooperative=world.coop)


async def test_invitation_dies_with_its_inviters_admin_rights(client: httpx.AsyncClient, world: World) -> None:
    invitation = await affiliations.invite(world.coop.id, "later@example.org", "admin", actor=world.coop_admin)
    message = await OutboxMessage.get(kind="invitation", recipient="later@example.org")
    token = message.context["path"].rsplit("/", 1)[1]
    assert invitation.invited_by_id == world.coop_admin.id
    await Affiliation.filter(person=world.coop_admin, cooperative=world.coop).update(role="member")
    newcomer = await make_person("later@example.org")
    assert (await _accept(client, newcomer, token)).status_code == 404
    assert not await Affiliation.exists(person=newcomer, cooperative=world.coop)


async def test_invitation_still_works_while_the_inviter_may_invite(client: httpx.AsyncClient,
                                                                   world: World) -> None:
    await affiliations.invite(world.coop.id, "fine@example.org", "member", actor=world.coop_admin)
    message = await OutboxMessage.get(kind="invitation", recipient="fine@example.org")
    newcomer = await make_person("fine@example.org")
    assert (await _accept(client, newcomer, message.context["path"].rsplit("/", 1)[1])).status_code == 303
    assert await Affiliation.exists(person=newcomer, cooperative=world.coop, status="active")


async def _accept(client: httpx.AsyncClient, person, token: str) -> httpx.Response:  # type: ignore[no-untyped-def]
    await sign_in(client, person)
    path = f"/invitations/{token}"
    return await post_form(client, path, token_from="/me")


async def test_coordinator_cannot_edit_through_another_networks_address(client: httpx.AsyncClient,
                                                                        world: World) -> None:
    """dual_coop is in alpha and beta: alpha's coordinator edits it as alpha, never in beta's name."""
    headers = await api_token(world.coordinator)
    through_beta = await client.patch(f"/api/v1/networks/rete-beta/cooperatives/{world.dual_coop.id}",
                                      json={"city": "Prato"}, headers=headers)
    assert through_beta.status_code == 403
    assert (await Cooperative.get(id=world.dual_coop.id)).city == ""
    assert not await AuditEntry.filter(action="cooperative.updated", network_id=world.beta.id).exists()
    through_alpha = await client.patch(f"/api/v1/networks/rete-alfa/cooperatives/{world.dual_coop.id}",
                                       json={"city": "Prato"}, headers=headers)
    assert through_alpha.status_code == 200 and through_alpha.json()["city"] == "Prato"
    # Its own administrators answer to no network: any address will do.
    await Affiliation.create(person=world.outsider, cooperative=world.dual_coop, role="admin")
    own = await client.patch(f"/api/v1/networks/rete-beta/cooperatives/{world.dual_coop.id}",
                             json={"city": "Pistoia"}, headers=await api_token(world.outsider))
    assert own.status_code == 200
