"""Working group pages: the list, the group page, its members, and "My groups" across every network.
The forms (create, edit) are in form_views.py, the buttons (join, leave, decide, invite) in member_views.py."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from federa.groups import discussion_queries, form_views, member_views, queries
from federa.groups.schemas import GroupQuery, MembersQuery
from federa.networks.reference import SECTORS
from federa.web.forms import validate
from federa.web.i18n import lazy
from federa.web.pages import access_of, render, require_person

POLICIES: dict[str, str] = {
    "open": lazy("Open: anyone who may join, joins"),
    "request": lazy("On request: a coordinator approves"),
    "invitation": lazy("By invitation only"),
}
POLICY_BADGES: dict[str, str] = {"open": lazy("Open"), "request": lazy("On request"),
                                 "invitation": lazy("By invitation")}
ROLES: dict[str, str] = {"coordinator": lazy("Coordinator"), "member": lazy("Member")}


def labels() -> dict[str, Any]:
    """Names the group templates translate."""
    return {"sectors": SECTORS, "policies": POLICIES, "policy_badges": POLICY_BADGES, "roles": ROLES}


def _query(request: Request, model: Any) -> Any:
    # NUL cannot be sent to PostgreSQL in a filter; nobody types it
    return validate(model, {k: v.replace("\x00", "") for k, v in request.query_params.items()})


async def group_list(request: Request) -> Response:
    access = await access_of(request)
    require_person(request)  # groups are for the people of the network (and of its partners)
    query: GroupQuery = _query(request, GroupQuery)
    rows = await queries.list_groups(access, sector=query.sector, q=query.q, archived=query.archived)
    filters = {k: v for k, v in query.model_dump().items() if v}
    return render(request, "groups/list.html", {
        "rows": rows, "mine": [r for r in rows if r.role], "others": [r for r in rows if not r.role],
        "query": query, "filters": filters, "access": access,
        "qs": lambda **extra: urlencode({**filters, **extra}), **labels(),
    })


async def _page_context(access: Any, viewer: queries.Viewer) -> dict[str, Any]:
    group = viewer.group
    person = access.person
    coordinators, members = await queries.page_members(group)
    manages = viewer.manages
    # the discussions are read by the group's members and its coordinators (discussion_queries.Seat)
    reads = viewer.role is not None or access.can_manage
    return {
        "reads_discussions": reads,
        "recent_threads": await discussion_queries.recent_threads(group.network_id, group.id) if reads else [],
        "group": group, "viewer": viewer, "access": access, "coordinators": coordinators, "members": members,
        "more_members": group.member_count - len(coordinators) - len(members),
        "events": await queries.upcoming_events(access, group),
        "my_request": await queries.my_request(group, person) if viewer.role is None else None,
        "my_invitation": await queries.my_invitation(group, person) if viewer.role is None else None,
        "requests": await queries.pending_requests(group) if manages else [],
        "invitations": await queries.pending_invitations(group) if manages else [],
        **labels(),
    }


async def group_page(request: Request, *, form: dict | None = None, errors: dict | None = None,
                     status: int = 200) -> Response:
    """The group: purpose, members, events, discussions, resources; the buttons the viewer may use."""
    access = await access_of(request)
    viewer = await queries.visible_group(access, request.path_params["group_id"])
    context = await _page_context(access, viewer)
    return render(request, "groups/group.html", {**context, "form": form or {}, "errors": errors or {}},
                  status=status)


async def group_members(request: Request) -> Response:
    """Every member, a page at a time; coordinators manage them here."""
    access = await access_of(request)
    viewer = await queries.visible_group(access, request.path_params["group_id"])
    query: MembersQuery = _query(request, MembersQuery)
    rows = await queries.members(viewer.group, role=query.role or None, offset=(query.page - 1) * query.per_page,
                                 limit=query.per_page)
    total = viewer.group.member_count if not query.role else await queries.count_members(viewer.group, query.role)
    return render(request, "groups/members.html", {
        "group": viewer.group, "viewer": viewer, "access": access, "rows": rows, "query": query, "total": total,
        "pages": max(1, -(-total // query.per_page)), **labels(),
    })


async def my_groups(request: Request) -> Response:
    """The person's groups and pending invitations in every network."""
    person = require_person(request)
    return render(request, "groups/my_groups.html", {
        "rows": await queries.my_groups(person), "invitations": await queries.my_invitations(person), **labels(),
    })


G = "/groups/{group_id:int}"
routes = [
    Route("/groups", group_list, name="groups"),
    Route("/groups/new", form_views.group_new, methods=["GET", "POST"], name="group_new"),
    Route("/groups/invitations/{token}", member_views.invitation_by_token, methods=["GET", "POST"],
          name="group_invitation_token"),
    Route(G, group_page, name="group"),
    Route(G + "/edit", form_views.group_edit, methods=["GET", "POST"], name="group_edit"),
    Route(G + "/archive", form_views.group_archive, methods=["POST"], name="group_archive"),
    Route(G + "/members", group_members, name="group_members"),
    Route(G + "/join", member_views.join, methods=["POST"], name="group_join"),
    Route(G + "/withdraw", member_views.withdraw, methods=["POST"], name="group_withdraw"),
    Route(G + "/leave", member_views.leave, methods=["POST"], name="group_leave"),
    Route(G + "/invitation", member_views.answer_own_invitation, methods=["POST"], name="group_invitation_answer"),
    Route(G + "/invitations", member_views.invite, methods=["POST"], name="group_invite"),
    Route(G + "/invitations/{invitation_id:int}/revoke", member_views.revoke, methods=["POST"],
          name="group_invitation_revoke"),
    Route(G + "/requests/{request_id:int}/decide", member_views.decide, methods=["POST"], name="group_request_decide"),
    Route(G + "/coordinators", member_views.name_coordinator, methods=["POST"], name="group_name_coordinator"),
    Route(G + "/members/{member_id:int}/role", member_views.change_role, methods=["POST"], name="group_member_role"),
    Route(G + "/members/{member_id:int}/remove", member_views.remove, methods=["POST"], name="group_member_remove"),
]
account_routes = [
    Route("/account/groups", my_groups, name="my_groups"),
]
