# ruff: noqa: E501 - a table: one route per line reads (and diffs) best
"""Isolation matrix entries for working groups (see tests/isolation_matrix.py for the columns and hooks).

The seeded group is listed, 'on request', coordinated by the organiser (alpha: the network admin) with the
attendee (alpha: the member) in it, a request waiting from someone else and an invitation to an address.
Groups are for signed-in people of the network: a visitor is sent to sign in, the outsider gets 404 (alpha
and beta are not partners). Probes run in path order, so some depend on the ones before:
- /archive is probed with action=restore (a no-op on an active group) so the group stays open;
- /join: the member is in already (a message, 303); the coop admin and dual send a request (303);
- /leave: the member leaves (303); the organiser, the only coordinator, is refused with a message (303);
- /members/{member_id}/remove: managers remove the member (303); /role without a role is 422;
- /withdraw: whoever sent a request in /join takes it back (303), the others have none (404);
- empty forms (new, edit, invite, name a coordinator, decide) are 422 for managers and write nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from isolation_matrix import E, Entry

from federa.accounts.models import Person
from federa.groups.models import GroupInvitation, GroupJoinRequest, GroupMember, WorkingGroup

OBJECT_PARAMS = ("group_id", "member_id", "request_id", "invitation_id")


async def seed(network: Any, organiser: Any, member: Any) -> dict[str, Any]:
    """A listed group on request: the organiser coordinates it, the member is in, a request and an invitation wait."""
    group = await WorkingGroup.create(network=network, name=f"Gruppo {network.name}", join_policy="request",
                                      member_count=2, created_by=organiser)
    await GroupMember.create(network=network, group=group, person=organiser, role="coordinator")
    row = await GroupMember.create(network=network, group=group, person=member, role="member")
    asking = await Person.create(email=f"richiesta-{network.slug}@example.org", name="Richiedente")
    request = await GroupJoinRequest.create(network=network, group=group, person=asking)
    invitation = await GroupInvitation.create(network=network, group=group, email=f"invito-{network.slug}@example.org",
                                              token_hash=f"{network.id:064d}", invited_by=organiser,
                                              expires_at=datetime.now(UTC) + timedelta(days=7))
    return {"group_id": group.id, "member_id": row.id, "request_id": request.id, "invitation_id": invitation.id}


def beta_rows(beta_id: int) -> list[Any]:
    """Queries over this part's rows of beta (compared before and after each write)."""
    return [
        WorkingGroup.filter(network_id=beta_id).order_by("id").values(),
        GroupMember.filter(network_id=beta_id).order_by("id").values(),
        GroupJoinRequest.filter(network_id=beta_id).order_by("id").values(),
        GroupInvitation.filter(network_id=beta_id).order_by("id").values(),
    ]


RESTORE = {"action": "restore"}

# Column order:      anon out mem cadm crd nadm dual padm
ENTRIES: dict[tuple[str, str], Entry] = {
    ("GET", "/account/groups"): E("in 200 200 200 200 200 200 200"),
    ("GET", "/api/v1/me/groups"): E("401 200 200 200 200 200 200 200"),
    ("GET", "/api/v1/networks/{slug}/groups"): E("401 200 200 200 200 200 200 200", reverse="401 200 200 200 200 200 200 200"),
    ("POST", "/api/v1/networks/{slug}/groups"): E("401 403 403 403 201 201 403 201", reverse="401 403 403 403 403 403 403 201", data={"name": "Gruppo nuovo"}, touches_beta=("platform_admin",)),
    ("GET", "/api/v1/networks/{slug}/groups/{group_id:int}"): E("401 404 200 200 200 200 200 200", cross="401 404 404 404 404 404 404 404", reverse="401 404 404 404 404 404 404 404"),
    ("PUT", "/api/v1/networks/{slug}/groups/{group_id:int}"): E("401 404 403 403 200 200 403 200", cross="401 404 404 404 404 404 404 404", reverse="401 404 404 404 404 404 404 404", data={"name": "Gruppo rinominato"}),
    ("POST", "/api/v1/networks/{slug}/groups/{group_id:int}/archive"): E("401 403 403 403 200 200 403 200", cross="401 403 403 403 404 404 403 404", reverse="401 403 403 403 403 403 403 404", data={"archived": False}),
    ("POST", "/api/v1/networks/{slug}/groups/{group_id:int}/invitation"): E("401 404 404 404 404 404 404 404", cross="401 404 404 404 404 404 404 404", reverse="401 404 404 404 404 404 404 404", data={"action": "accept"}),
    ("GET", "/api/v1/networks/{slug}/groups/{group_id:int}/invitations"): E("401 404 403 403 200 200 403 200", cross="401 404 404 404 404 404 404 404", reverse="401 404 404 404 404 404 404 404"),
    ("POST", "/api/v1/networks/{slug}/groups/{group_id:int}/invitations"): E("401 404 403 403 201 201 403 201", cross="401 404 404 404 404 404 404 404", reverse="401 404 404 404 404 404 404 404", data={"email": "nuovo-invito@example.org"}),
    ("POST", "/api/v1/networks/{slug}/groups/{group_id:int}/invitations/{invitation_id:int}/revoke"): E("401 404 403 403 200 200 403 200", cross="401 404 404 404 404 404 404 404", reverse="401 404 404 404 404 404 404 404"),
    ("POST", "/api/v1/networks/{slug}/groups/{group_id:int}/join"): E("401 404 409 200 200 409 200 200", cross="401 404 404 404 404 404 404 404", reverse="401 404 404 404 404 404 404 404", data={}),
    ("POST", "/api/v1/networks/{slug}/groups/{group_id:int}/leave"): E("401 404 204 404 404 409 404 404", cross="401 404 404 404 404 404 404 404", reverse="401 404 404 404 404 404 404 404"),
    ("GET", "/api/v1/networks/{slug}/groups/{group_id:int}/members"): E("401 404 200 200 200 200 200 200", cross="401 404 404 404 404 404 404 404", reverse="401 404 404 404 404 404 404 404"),
    ("DELETE", "/api/v1/networks/{slug}/groups/{group_id:int}/members/{member_id:int}"): E("401 404 403 403 204 204 403 204", cross="401 404 404 404 404 404 404 404", reverse="401 404 404 404 404 404 404 404"),
    ("PATCH", "/api/v1/networks/{slug}/groups/{group_id:int}/members/{member_id:int}"): E("401 404 403 403 404 404 403 404", cross="401 404 404 404 404 404 404 404", reverse="401 404 404 404 404 404 404 404", data={"role": "coordinator"}),
    ("GET", "/api/v1/networks/{slug}/groups/{group_id:int}/requests"): E("401 404 403 403 200 200 403 200", cross="401 404 404 404 404 404 404 404", reverse="401 404 404 404 404 404 404 404"),
    ("POST", "/api/v1/networks/{slug}/groups/{group_id:int}/requests/{request_id:int}/decision"): E("401 404 403 403 200 200 403 200", cross="401 404 404 404 404 404 404 404", reverse="401 404 404 404 404 404 404 404", data={"action": "refuse"}),
    ("GET", "/n/{slug}/groups"): E("in 200 200 200 200 200 200 200", reverse="in 200 200 200 200 200 200 200"),
    ("GET", "/n/{slug}/groups/invitations/{token}"): E("404 404 404 404 404 404 404 404", reverse="404 404 404 404 404 404 404 404"),
    ("POST", "/n/{slug}/groups/invitations/{token}"): E("404 404 404 404 404 404 404 404", reverse="404 404 404 404 404 404 404 404"),
    ("GET", "/n/{slug}/groups/new"): E("in 403 403 403 200 200 403 200", reverse="in 403 403 403 403 403 403 200"),
    ("POST", "/n/{slug}/groups/new"): E("in 403 403 403 422 422 403 422", reverse="in 403 403 403 403 403 403 422"),
    ("GET", "/n/{slug}/groups/{group_id:int}"): E("in 404 200 200 200 200 200 200", cross="404 404 404 404 404 404 404 404", reverse="404 404 404 404 404 404 404 404"),
    ("POST", "/n/{slug}/groups/{group_id:int}/archive"): E("in 403 403 403 303 303 403 303", cross="in 403 403 403 404 404 403 404", reverse="in 403 403 403 403 403 403 404", data=RESTORE),
    ("POST", "/n/{slug}/groups/{group_id:int}/coordinators"): E("in 403 403 403 422 422 403 422", cross="in 403 403 403 404 404 403 404", reverse="in 403 403 403 403 403 403 404"),
    ("GET", "/n/{slug}/groups/{group_id:int}/edit"): E("in 404 403 403 200 200 403 200", cross="in 404 404 404 404 404 404 404", reverse="in 404 404 404 404 404 404 404"),
    ("POST", "/n/{slug}/groups/{group_id:int}/edit"): E("in 404 403 403 422 422 403 422", cross="in 404 404 404 404 404 404 404", reverse="in 404 404 404 404 404 404 404"),
    ("POST", "/n/{slug}/groups/{group_id:int}/invitation"): E("in 404 404 404 404 404 404 404", cross="in 404 404 404 404 404 404 404", reverse="in 404 404 404 404 404 404 404"),
    ("POST", "/n/{slug}/groups/{group_id:int}/invitations"): E("in 404 403 403 422 422 403 422", cross="in 404 404 404 404 404 404 404", reverse="in 404 404 404 404 404 404 404"),
    ("POST", "/n/{slug}/groups/{group_id:int}/invitations/{invitation_id:int}/revoke"): E("in 404 403 403 303 303 403 303", cross="in 404 404 404 404 404 404 404", reverse="in 404 404 404 404 404 404 404"),
    ("POST", "/n/{slug}/groups/{group_id:int}/join"): E("in 404 303 303 303 303 303 303", cross="in 404 404 404 404 404 404 404", reverse="in 404 404 404 404 404 404 404"),
    ("POST", "/n/{slug}/groups/{group_id:int}/leave"): E("in 404 303 303 303 303 303 303", cross="in 404 404 404 404 404 404 404", reverse="in 404 404 404 404 404 404 404"),
    ("GET", "/n/{slug}/groups/{group_id:int}/members"): E("in 404 200 200 200 200 200 200", cross="404 404 404 404 404 404 404 404", reverse="404 404 404 404 404 404 404 404"),
    ("POST", "/n/{slug}/groups/{group_id:int}/members/{member_id:int}/remove"): E("in 404 403 403 404 404 403 404", cross="in 404 404 404 404 404 404 404", reverse="in 404 404 404 404 404 404 404"),
    ("POST", "/n/{slug}/groups/{group_id:int}/members/{member_id:int}/role"): E("in 404 403 403 422 422 403 422", cross="in 404 404 404 404 404 404 404", reverse="in 404 404 404 404 404 404 404"),
    ("POST", "/n/{slug}/groups/{group_id:int}/requests/{request_id:int}/decide"): E("in 404 403 403 422 422 403 422", cross="in 404 404 404 404 404 404 404", reverse="in 404 404 404 404 404 404 404"),
    ("POST", "/n/{slug}/groups/{group_id:int}/withdraw"): E("in 404 303 303 303 303 303 303", cross="in 404 404 404 404 404 404 404", reverse="in 404 404 404 404 404 404 404"),
}
