"""JSON API for working groups: the list, a group, its members, joining and leaving, requests, invitations.

Every operation needs a token: groups are for the people of a network (and of its partners). A hidden
group, or one of another network, answers 404. Editing a group is a PUT of the whole GroupIn.
"""

from __future__ import annotations

from starlette.requests import Request

from federa.accounts.models import Person
from federa.groups import invitations, queries, services
from federa.groups.models import GroupInvitation, GroupJoinRequest, GroupMember, WorkingGroup
from federa.groups.schemas import (
    AnswerIn,
    ArchiveIn,
    DecisionIn,
    GroupCreateIn,
    GroupIn,
    GroupOut,
    GroupQuery,
    InvitationOut,
    InviteIn,
    JoinIn,
    JoinOut,
    JoinRequestOut,
    MemberOut,
    MemberPage,
    MembersQuery,
    MyGroupOut,
    RoleIn,
)
from federa.web.api import ApiRoute
from federa.web.pages import access_of


def group_out(group: WorkingGroup, role: str | None) -> GroupOut:
    return GroupOut(id=group.id, name=group.name, purpose=group.purpose, purpose_html=group.purpose_html,
                    sector=group.sector, join_policy=group.join_policy,  # type: ignore[arg-type]
                    visibility=group.visibility, open_to_partners=group.open_to_partners,  # type: ignore[arg-type]
                    member_count=group.member_count, archived=group.archived_at is not None,
                    created_at=group.created_at, my_role=role)  # type: ignore[arg-type]


def member_out(row: GroupMember, name: str, cooperatives: list[str]) -> MemberOut:
    return MemberOut(id=row.id, person_id=row.person_id, name=name, role=row.role,  # type: ignore[arg-type]
                     joined_at=row.joined_at, cooperatives=cooperatives)


def request_out(row: GroupJoinRequest, name: str | None = None) -> JoinRequestOut:
    return JoinRequestOut(id=row.id, person_id=row.person_id, person_name=name, message=row.message,
                          status=row.status, created_at=row.created_at,  # type: ignore[arg-type]
                          decided_at=row.decided_at)


def invitation_out(row: GroupInvitation) -> InvitationOut:
    return InvitationOut(id=row.id, email=row.email, person_id=row.person_id, status=row.status,  # type: ignore[arg-type]
                         created_at=row.created_at, expires_at=row.expires_at)


def _group_id(request: Request) -> int:
    return int(request.path_params["group_id"])


async def _member(member: GroupMember) -> MemberOut:
    coops = await queries.cooperatives_of([member.person_id])
    person = await Person.get(id=member.person_id)
    return member_out(member, person.name, coops.get(member.person_id, []))


# ----- groups ------------------------------------------------------------------------------------------

async def list_groups(request: Request, query: GroupQuery) -> list[GroupOut]:
    """The groups the caller may see: theirs first, then by name."""
    access = await access_of(request)
    rows = await queries.list_groups(access, sector=query.sector, q=query.q, archived=query.archived)
    return [group_out(r.group, r.role) for r in rows]


async def create_group(request: Request, body: GroupCreateIn) -> GroupOut:
    access = await access_of(request)
    group = await services.create_group(access, body)
    return group_out(group, await queries.group_standing(group, access.person))


async def get_group(request: Request) -> GroupOut:
    viewer = await queries.visible_group(await access_of(request), _group_id(request))
    return group_out(viewer.group, viewer.role)


async def update_group(request: Request, body: GroupIn) -> GroupOut:
    access = await access_of(request)
    group = await services.update_group(access, _group_id(request), body)
    return group_out(group, await queries.group_standing(group, access.person))


async def archive_group(request: Request, body: ArchiveIn) -> GroupOut:
    access = await access_of(request)
    access.require_manage()
    group = await services.archive_group(access, _group_id(request), archived=body.archived)
    return group_out(group, await queries.group_standing(group, access.person))


# ----- members -----------------------------------------------------------------------------------------

async def list_members(request: Request, query: MembersQuery) -> MemberPage:
    """Coordinators first, then by name, with their cooperatives."""
    viewer = await queries.visible_group(await access_of(request), _group_id(request))
    rows = await queries.members(viewer.group, role=query.role or None, offset=(query.page - 1) * query.per_page,
                                 limit=query.per_page)
    total = viewer.group.member_count if not query.role else await queries.count_members(viewer.group, query.role)
    return MemberPage(items=[MemberOut(id=r.id, person_id=r.person_id, name=r.name, role=r.role,  # type: ignore[arg-type]
                                       joined_at=r.joined_at, cooperatives=r.cooperatives) for r in rows],
                      total=total,
                      page=query.page, per_page=query.per_page)


async def join(request: Request, body: JoinIn) -> JoinOut:
    """Join an open group, or ask to join one 'on request' (the coordinators decide)."""
    access = await access_of(request)
    done = await services.join(access, _group_id(request), body)
    if isinstance(done, GroupJoinRequest):
        return JoinOut(outcome="requested", request=request_out(done, access.person.name if access.person else None))
    return JoinOut(outcome="joined", member=await _member(done))


async def leave(request: Request) -> None:
    """Leave the group (its last coordinator names another one first: 409)."""
    access = await access_of(request)
    await queries.visible_group(access, _group_id(request))
    await services.leave(access, _group_id(request))


async def remove_member(request: Request) -> None:
    await services.remove_member(await access_of(request), _group_id(request), request.path_params["member_id"])


async def change_role(request: Request, body: RoleIn) -> MemberOut:
    access = await access_of(request)
    member = await services.set_role(access, _group_id(request), request.path_params["member_id"], body.role)
    return await _member(member)


# ----- requests and invitations ------------------------------------------------------------------------

async def list_requests(request: Request) -> list[JoinRequestOut]:
    """Requests waiting for a decision (the group's coordinators)."""
    viewer = await services.managed_group(await access_of(request), _group_id(request))
    return [request_out(r, r.person.name) for r in await queries.pending_requests(viewer.group)]


async def decide_request(request: Request, body: DecisionIn) -> JoinRequestOut:
    access = await access_of(request)
    row = await services.decide_request(access, _group_id(request), request.path_params["request_id"], body.action)
    return request_out(row)


async def list_invitations(request: Request) -> list[InvitationOut]:
    """Invitations not answered yet (the group's coordinators)."""
    viewer = await services.managed_group(await access_of(request), _group_id(request))
    return [invitation_out(i) for i in await queries.pending_invitations(viewer.group)]


async def invite(request: Request, body: InviteIn) -> InvitationOut:
    """Invite someone by e-mail: they get a link to accept or decline."""
    return invitation_out(await invitations.invite(await access_of(request), _group_id(request), body.email))


async def revoke_invitation(request: Request) -> InvitationOut:
    access = await access_of(request)
    return invitation_out(await invitations.revoke(access, _group_id(request), request.path_params["invitation_id"]))


async def answer_invitation(request: Request, body: AnswerIn) -> InvitationOut:
    """Accept or decline the caller's own invitation to the group."""
    access = await access_of(request)
    group = await queries.access_group(access.network, _group_id(request))
    invitation = await invitations.for_person(access, group)
    return invitation_out(await invitations.answer(access, invitation, accept=body.action == "accept"))


async def my_groups(request: Request) -> list[MyGroupOut]:
    """The caller's groups in every network."""
    rows = await queries.my_groups(request.state.person)
    return [MyGroupOut(network=r.network.slug, network_name=r.network.name, role=r.role,  # type: ignore[arg-type]
                       group=group_out(r.group, r.role)) for r in rows]


N = "/networks/{slug}/groups"
G = N + "/{group_id:int}"
T = "groups"
routes = [
    ApiRoute(N, list_groups, method="GET", name="api_groups", tag=T, summary="Working groups the caller may see",
             query=GroupQuery, response=list[GroupOut], auth=True),
    ApiRoute(N, create_group, method="POST", name="api_group_create", tag=T,
             summary="Create a working group (network coordinators)", body=GroupCreateIn, response=GroupOut,
             status=201, auth=True),
    ApiRoute(G, get_group, method="GET", name="api_group", tag=T, summary="One working group", response=GroupOut,
             auth=True),
    ApiRoute(G, update_group, method="PUT", name="api_group_update", tag=T,
             summary="Replace a group's details (its coordinators)", body=GroupIn, response=GroupOut, auth=True),
    ApiRoute(G + "/archive", archive_group, method="POST", name="api_group_archive", tag=T,
             summary="Archive a group or bring it back (network coordinators)", body=ArchiveIn, response=GroupOut,
             auth=True),
    ApiRoute(G + "/members", list_members, method="GET", name="api_group_members", tag=T,
             summary="Members with their cooperatives, coordinators first", query=MembersQuery,
             response=MemberPage, auth=True),
    ApiRoute(G + "/join", join, method="POST", name="api_group_join", tag=T,
             summary="Join an open group, or ask to join one on request", body=JoinIn, response=JoinOut,
             auth=True),
    ApiRoute(G + "/leave", leave, method="POST", name="api_group_leave", tag=T, summary="Leave the group",
             status=204, auth=True),
    ApiRoute(G + "/members/{member_id:int}", remove_member, method="DELETE", name="api_group_member_remove", tag=T,
             summary="Remove a member (the group's coordinators)", status=204, auth=True),
    ApiRoute(G + "/members/{member_id:int}", change_role, method="PATCH", name="api_group_member_role", tag=T,
             summary="Make a member coordinator, or a coordinator member", body=RoleIn, response=MemberOut,
             auth=True),
    ApiRoute(G + "/requests", list_requests, method="GET", name="api_group_requests", tag=T,
             summary="Requests to join waiting for a decision", response=list[JoinRequestOut], auth=True),
    ApiRoute(G + "/requests/{request_id:int}/decision", decide_request, method="POST",
             name="api_group_request_decide", tag=T, summary="Approve or refuse a request (the person is told)",
             body=DecisionIn, response=JoinRequestOut, auth=True),
    ApiRoute(G + "/invitations", list_invitations, method="GET", name="api_group_invitations", tag=T,
             summary="Invitations not answered yet", response=list[InvitationOut], auth=True),
    ApiRoute(G + "/invitations", invite, method="POST", name="api_group_invite", tag=T,
             summary="Invite someone by e-mail", body=InviteIn, response=InvitationOut, status=201, auth=True),
    ApiRoute(G + "/invitations/{invitation_id:int}/revoke", revoke_invitation, method="POST",
             name="api_group_invitation_revoke", tag=T, summary="Withdraw an invitation", response=InvitationOut,
             auth=True),
    ApiRoute(G + "/invitation", answer_invitation, method="POST", name="api_group_invitation_answer", tag=T,
             summary="Accept or decline your invitation to the group", body=AnswerIn, response=InvitationOut,
             auth=True),
    ApiRoute("/me/groups", my_groups, method="GET", name="api_my_groups", tag="me",
             summary="My working groups in every network", response=list[MyGroupOut], auth=True),
]
