"""The rules of working groups, through the services: who creates, joins, asks, is invited, leaves, is
removed; partner networks' people in a cross-network group; hidden groups; the last coordinator."""

from __future__ import annotations

import asyncio

import pytest
from conftest import World, make_person
from groups_helpers import make_group, partners, roles, standing, t

from federa.audit.models import AuditEntry
from federa.errors import Conflict, Invalid, NotAuthenticated, NotFound, PermissionDenied
from federa.groups import invitations, queries, services
from federa.groups.models import GroupInvitation, GroupJoinRequest, GroupMember, WorkingGroup
from federa.groups.schemas import GroupCreateIn, GroupIn, JoinIn
from federa.notifications.models import OutboxMessage


async def kinds_to(email: str) -> list[str]:
    return [m.kind for m in await OutboxMessage.filter(recipient=email).order_by("id")]


# ----- creating and editing ------------------------------------------------------------------------------

async def test_coordinator_creates_a_group_and_coordinates_it(world: World) -> None:
    access = await standing(world.alpha, world.coordinator)
    group = await services.create_group(access, GroupCreateIn(name="Qualità", purpose="**Insieme** <script>x</script>",
                                                              sector="anziani"))
    assert group.network_id == world.alpha.id
    assert "<strong>Insieme</strong>" in group.purpose_html and "<script>" not in group.purpose_html
    assert await roles(group) == {world.coordinator.id: "coordinator"}
    assert (await WorkingGroup.get(id=group.id)).member_count == 1
    assert await AuditEntry.exists(action="group.created", network_id=world.alpha.id, object_id=str(group.id))


async def test_named_coordinators_are_told(world: World) -> None:
    access = await standing(world.alpha, world.network_admin)
    group = await services.create_group(access, GroupCreateIn(
        name="Minori", coordinator_emails=["Member@Example.org", "dual@example.org"]))
    assert await roles(group) == {world.member.id: "coordinator", world.dual.id: "coordinator"}
    assert await kinds_to(world.member.email) == ["group_coordinator_named"]


@pytest.mark.parametrize(("email", "why"), [
    ("nobody@example.org", "Nobody has an account with %(email)s."),
    ("outsider@example.org", "%(email)s cannot join this group: they are not a member of the network.")])
async def test_coordinators_must_be_people_who_may_join(world: World, email: str, why: str) -> None:
    access = await standing(world.alpha, world.coordinator)
    with pytest.raises(Invalid) as caught:
        await services.create_group(access, GroupCreateIn(name="Minori", coordinator_emails=[email]))
    assert caught.value.fields["coordinator_emails"] == t(why, email=email)
    assert not await WorkingGroup.exists()


async def test_only_network_managers_create(world: World) -> None:
    for person in (world.member, world.coop_admin, world.outsider):
        with pytest.raises(PermissionDenied):
            await services.create_group(await standing(world.alpha, person), GroupCreateIn(name="Minori"))
    with pytest.raises(NotAuthenticated):
        await services.create_group(await standing(world.alpha, None), GroupCreateIn(name="Minori"))


async def test_group_coordinators_edit_members_do_not(world: World) -> None:
    group = await make_group(world.alpha, coordinators=(world.member,), members=(world.coop_admin,))
    edited = await services.update_group(await standing(world.alpha, world.member), group.id,
                                         GroupIn(name="Nuovo nome", join_policy="open"))
    assert (edited.name, edited.join_policy) == ("Nuovo nome", "open")
    with pytest.raises(PermissionDenied):
        await services.update_group(await standing(world.alpha, world.coop_admin), group.id, GroupIn(name="Non io"))


async def test_another_networks_group_is_not_found(world: World) -> None:
    beta_group = await make_group(world.beta, name="Beta")
    with pytest.raises(NotFound):
        await queries.access_group(world.alpha, beta_group.id)
    with pytest.raises(NotFound):
        await services.update_group(await standing(world.alpha, world.coordinator), beta_group.id,
                                    GroupIn(name="Altro"))
    assert (await WorkingGroup.get(id=beta_group.id)).name == "Beta"


# ----- joining ---------------------------------------------------------------------------------------------

async def test_members_join_an_open_group_once(world: World) -> None:
    group = await make_group(world.alpha, coordinators=(world.coordinator,), join_policy="open")
    access = await standing(world.alpha, world.member)
    await services.join(access, group.id, JoinIn())
    assert (await WorkingGroup.get(id=group.id)).member_count == 2
    assert await queries.group_standing(group, world.member) == "member"
    with pytest.raises(Conflict):
        await services.join(access, group.id, JoinIn())
    assert (await WorkingGroup.get(id=group.id)).member_count == 2


async def test_request_is_decided_and_the_person_told(world: World) -> None:
    group = await make_group(world.alpha, coordinators=(world.coop_admin,), join_policy="request")
    member = await standing(world.alpha, world.member)
    request = await services.join(member, group.id, JoinIn(message="Lavoro con i minori."))
    assert isinstance(request, GroupJoinRequest) and request.status == "pending"
    assert await queries.group_standing(group, world.member) is None
    assert await kinds_to(world.coop_admin.email) == ["group_join_requested"]
    with pytest.raises(Conflict):
        await services.join(member, group.id, JoinIn())
    with pytest.raises(PermissionDenied):  # another member of the network is not a coordinator of the group
        await services.decide_request(await standing(world.alpha, world.dual), group.id, request.id, "approve")
    coordinator = await standing(world.alpha, world.coop_admin)
    decided = await services.decide_request(coordinator, group.id, request.id, "approve")
    assert decided.status == "approved" and decided.decided_by_id == world.coop_admin.id
    assert await queries.group_standing(group, world.member) == "member"
    assert await kinds_to(world.member.email) == ["group_request_decided"]
    with pytest.raises(Conflict):
        await services.decide_request(coordinator, group.id, request.id, "refuse")


async def test_refused_request_leaves_the_person_out(world: World) -> None:
    group = await make_group(world.alpha, coordinators=(world.coordinator,))
    request = await services.join(await standing(world.alpha, world.member), group.id, JoinIn())
    await services.decide_request(await standing(world.alpha, world.coordinator), group.id, request.id, "refuse")
    assert await queries.group_standing(group, world.member) is None
    message = await OutboxMessage.get(recipient=world.member.email)
    assert message.context["approved"] is False


async def test_withdrawn_request(world: World) -> None:
    group = await make_group(world.alpha, coordinators=(world.coordinator,))
    access = await standing(world.alpha, world.member)
    await services.join(access, group.id, JoinIn())
    assert (await services.withdraw_request(access, group.id)).status == "withdrawn"
    with pytest.raises(Conflict):
        await services.withdraw_request(access, group.id)


async def test_invitation_only_group_refuses_requests(world: World) -> None:
    group = await make_group(world.alpha, coordinators=(world.coordinator,), join_policy="invitation")
    with pytest.raises(PermissionDenied):
        await services.join(await standing(world.alpha, world.member), group.id, JoinIn())
    assert not await GroupJoinRequest.exists()


async def test_outsiders_and_archived_groups(world: World) -> None:
    group = await make_group(world.alpha, coordinators=(world.coordinator,), join_policy="open")
    with pytest.raises(NotFound):  # a listed group is not even seen by another network's people
        await services.join(await standing(world.alpha, world.outsider), group.id, JoinIn())
    with pytest.raises(NotFound):
        await services.join(await standing(world.alpha, world.stranger), group.id, JoinIn())
    await services.archive_group(await standing(world.alpha, world.coordinator), group.id, archived=True)
    with pytest.raises(PermissionDenied):
        await services.join(await standing(world.alpha, world.member), group.id, JoinIn())


# ----- partner networks: a cross-network group -------------------------------------------------------------

async def test_partner_members_join_a_cross_network_group(world: World) -> None:
    group = await make_group(world.alpha, coordinators=(world.coordinator,), join_policy="open",
                             open_to_partners=True)
    outsider = await standing(world.alpha, world.outsider)
    with pytest.raises(NotFound):  # no partnership yet
        await services.join(outsider, group.id, JoinIn())
    await partners(world.beta, world.alpha)  # beta proposed, alpha accepted: either side counts
    await services.join(await standing(world.alpha, world.outsider), group.id, JoinIn())
    assert await queries.group_standing(group, world.outsider) == "member"
    listed = await queries.list_groups(await standing(world.alpha, world.outsider))
    assert [r.group.id for r in listed] == [group.id]


async def test_partner_members_do_not_join_a_group_of_the_network_only(world: World) -> None:
    await partners(world.alpha, world.beta)
    group = await make_group(world.alpha, coordinators=(world.coordinator,), join_policy="open")
    with pytest.raises(NotFound):
        await services.join(await standing(world.alpha, world.outsider), group.id, JoinIn())
    assert await queries.list_groups(await standing(world.alpha, world.outsider)) == []


async def test_partner_members_can_be_named_and_invited_only_in_cross_network_groups(world: World) -> None:
    await partners(world.alpha, world.beta)
    closed = await make_group(world.alpha, coordinators=(world.coordinator,))
    coordinator = await standing(world.alpha, world.coordinator)
    with pytest.raises(Invalid):
        await invitations.invite(coordinator, closed.id, world.outsider.email)
    cross = await make_group(world.alpha, coordinators=(world.coordinator,), open_to_partners=True)
    invitation = await invitations.invite(coordinator, cross.id, world.outsider.email)
    await invitations.answer(await standing(world.alpha, world.outsider), invitation, accept=True)
    assert await queries.group_standing(cross, world.outsider) == "member"


# ----- hidden groups ---------------------------------------------------------------------------------------

async def test_hidden_groups_are_seen_by_members_and_managers_only(world: World) -> None:
    hidden = await make_group(world.alpha, coordinators=(world.coop_admin,), visibility="hidden", join_policy="open")
    listed = await make_group(world.alpha, name="Visibile", coordinators=(world.coop_admin,))
    for person in (world.member, world.dual):
        with pytest.raises(NotFound):
            await queries.visible_group(await standing(world.alpha, person), hidden.id)
        with pytest.raises(NotFound):
            await services.join(await standing(world.alpha, person), hidden.id, JoinIn())
        assert [r.group.id for r in await queries.list_groups(await standing(world.alpha, person))] == [listed.id]
    with pytest.raises(NotAuthenticated):
        await queries.visible_group(await standing(world.alpha, None), hidden.id)
    for person in (world.coop_admin, world.coordinator, world.network_admin, world.platform_admin):
        assert (await queries.visible_group(await standing(world.alpha, person), hidden.id)).group.id == hidden.id


# ----- invitations -----------------------------------------------------------------------------------------

async def test_invited_by_email_before_having_an_account(world: World) -> None:
    group = await make_group(world.alpha, coordinators=(world.coordinator,), join_policy="invitation")
    invitation = await invitations.invite(await standing(world.alpha, world.coordinator), group.id,
                                          "New.Person@example.org")
    assert invitation.email == "new.person@example.org" and invitation.person_id is None
    [message] = await OutboxMessage.filter(kind="group_invitation")
    token = message.context["path"].rsplit("/", 1)[1]
    assert invitation.token_hash != token and len(token) > 30
    person = await make_person("new.person@example.org")
    from conftest import affiliate

    await affiliate(person, world.coop)
    found = await invitations.by_token(world.alpha, token)
    with pytest.raises(NotFound):  # the token belongs to alpha
        await invitations.by_token(world.beta, token)
    with pytest.raises(PermissionDenied):  # sent to another address
        await invitations.answer(await standing(world.alpha, world.member), found, accept=True)
    await invitations.answer(await standing(world.alpha, person), found, accept=True)
    assert await queries.group_standing(group, person) == "member"
    with pytest.raises(NotFound):  # used
        await invitations.by_token(world.alpha, token)


async def test_declined_and_revoked_invitations(world: World) -> None:
    group = await make_group(world.alpha, coordinators=(world.coordinator,), join_policy="invitation")
    coordinator = await standing(world.alpha, world.coordinator)
    first = await invitations.invite(coordinator, group.id, world.member.email)
    with pytest.raises(Invalid):  # invited already
        await invitations.invite(coordinator, group.id, world.member.email)
    mine = await invitations.for_person(await standing(world.alpha, world.member), group)
    assert mine.id == first.id
    assert (await invitations.answer(await standing(world.alpha, world.member), mine, accept=False)).status == \
        "declined"
    assert await queries.group_standing(group, world.member) is None
    second = await invitations.invite(coordinator, group.id, world.coop_admin.email)
    assert (await invitations.revoke(coordinator, group.id, second.id)).status == "revoked"
    with pytest.raises(NotFound):
        await invitations.for_person(await standing(world.alpha, world.coop_admin), group)
    with pytest.raises(PermissionDenied):  # members do not invite
        await invitations.invite(await standing(world.alpha, world.coop_admin), group.id, "x@example.org")


async def test_invite_a_member_already_in(world: World) -> None:
    group = await make_group(world.alpha, coordinators=(world.coordinator,), members=(world.member,))
    with pytest.raises(Invalid):
        await invitations.invite(await standing(world.alpha, world.coordinator), group.id, world.member.email)
    assert not await GroupInvitation.exists()


# ----- leaving, removing, roles: never without a coordinator ---------------------------------------------------

async def test_the_last_coordinator_cannot_leave(world: World) -> None:
    group = await make_group(world.alpha, coordinators=(world.coop_admin,), members=(world.member,))
    coop_admin = await standing(world.alpha, world.coop_admin)
    with pytest.raises(Conflict):
        await services.leave(coop_admin, group.id)
    member_row = await GroupMember.get(group_id=group.id, person_id=world.coop_admin.id)
    with pytest.raises(Conflict):
        await services.set_role(coop_admin, group.id, member_row.id, "member")
    with pytest.raises(Conflict):  # a network coordinator cannot remove the last one either
        await services.remove_member(await standing(world.alpha, world.coordinator), group.id, member_row.id)
    other = await GroupMember.get(group_id=group.id, person_id=world.member.id)
    await services.set_role(coop_admin, group.id, other.id, "coordinator")
    await services.leave(coop_admin, group.id)
    assert await roles(group) == {world.member.id: "coordinator"}
    assert (await WorkingGroup.get(id=group.id)).member_count == 1


async def test_members_leave_and_coordinators_remove(world: World) -> None:
    group = await make_group(world.alpha, coordinators=(world.coop_admin,), members=(world.member, world.dual))
    await services.leave(await standing(world.alpha, world.member), group.id)
    dual = await GroupMember.get(group_id=group.id, person_id=world.dual.id)
    with pytest.raises(PermissionDenied):
        await services.remove_member(await standing(world.alpha, world.dual), group.id, dual.id)
    await services.remove_member(await standing(world.alpha, world.coop_admin), group.id, dual.id)
    assert await roles(group) == {world.coop_admin.id: "coordinator"}
    assert (await WorkingGroup.get(id=group.id)).member_count == 1
    with pytest.raises(NotFound):
        await services.leave(await standing(world.alpha, world.member), group.id)


async def test_two_coordinators_stepping_down_at_once_leave_one(world: World) -> None:
    group = await make_group(world.alpha, coordinators=(world.coop_admin, world.member))
    rows = {m.person_id: m.id for m in await GroupMember.filter(group_id=group.id)}
    results = await asyncio.gather(
        services.set_role(await standing(world.alpha, world.coop_admin), group.id, rows[world.coop_admin.id], "member"),
        services.set_role(await standing(world.alpha, world.member), group.id, rows[world.member.id], "member"),
        return_exceptions=True)
    assert sum(isinstance(r, Conflict) for r in results) == 1, results
    assert list((await roles(group)).values()).count("coordinator") == 1


async def test_network_coordinator_names_a_coordinator(world: World) -> None:
    group = await make_group(world.alpha, coordinators=(world.coop_admin,))
    coordinator = await standing(world.alpha, world.coordinator)
    await services.name_coordinator(coordinator, group.id, world.member.email)
    assert (await roles(group))[world.member.id] == "coordinator"
    with pytest.raises(Invalid):
        await services.name_coordinator(coordinator, group.id, world.outsider.email)
    with pytest.raises(PermissionDenied):
        await services.name_coordinator(await standing(world.alpha, world.coop_admin), group.id, world.dual.email)
