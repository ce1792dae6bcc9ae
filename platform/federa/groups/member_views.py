"""The buttons and small forms of a group page: join or ask, withdraw, leave, answer an invitation,
and the coordinators' ones (decide a request, invite, withdraw an invitation, roles, remove, name a
coordinator). Routes are in groups/views.py. A bad field re-shows the group page (422) with its message."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from federa.errors import Conflict, Invalid, PermissionDenied
from federa.groups import invitations, queries, services
from federa.groups.models import GroupJoinRequest
from federa.groups.schemas import AnswerIn, CoordinatorIn, DecisionIn, InviteIn, JoinIn, RoleIn
from federa.web.forms import read_form, validate
from federa.web.i18n import gettext as _
from federa.web.pages import access_of, act, flash, redirect, render, require_person


def _group_id(request: Request) -> int:
    return int(request.path_params["group_id"])


def _here(request: Request) -> str:
    return f"/n/{request.path_params['slug']}/groups/{_group_id(request)}"


async def _again(request: Request, form: dict[str, Any], errors: dict[str, str]) -> Response:
    from federa.groups.views import group_page

    return await group_page(request, form=form, errors=errors, status=422)


def _prefixed(errors: dict[str, str], prefix: str) -> dict[str, str]:
    return {f"{prefix}{key}": message for key, message in errors.items()}


async def join(request: Request) -> Response:
    """Join an open group, or send a request (with an optional message) to one 'on request'."""
    require_person(request)
    access = await access_of(request)
    data = await read_form(request)
    try:
        done = await services.join(access, _group_id(request), validate(JoinIn, {"message": data.get("message", "")}))
    except Invalid as exc:
        return await _again(request, data, exc.fields)
    except (Conflict, PermissionDenied) as exc:
        await queries.visible_group(access, _group_id(request))  # a hidden group stays a 404
        flash(request, str(exc), "error")
        return redirect(_here(request))
    if isinstance(done, GroupJoinRequest):
        flash(request, _("Your request is sent: the coordinators of the group will answer, and you will get an "
                         "e-mail."))
    else:
        flash(request, _("Welcome: you are a member of the group."))
    return redirect(_here(request))


async def withdraw(request: Request) -> Response:
    access = await access_of(request)
    await read_form(request)
    require_person(request)
    await queries.visible_group(access, _group_id(request))
    return await act(request, services.withdraw_request(access, _group_id(request)),
                     done=_("Your request is withdrawn."), then=_here(request))


async def leave(request: Request) -> Response:
    access = await access_of(request)
    await read_form(request)
    require_person(request)
    viewer = await queries.visible_group(access, _group_id(request))
    if viewer.role is None:
        flash(request, _("You are not a member of this group."), "error")
        return redirect(_here(request))
    return await act(request, services.leave(access, _group_id(request)), done=_("You left the group."),
                     then=_here(request))


async def answer_own_invitation(request: Request) -> Response:
    """Accept or decline one's invitation from the group page or from My groups."""
    access = await access_of(request)
    data = await read_form(request)
    require_person(request)
    group = await queries.access_group(access.network, _group_id(request))
    invitation = await invitations.for_person(access, group)
    return await _answer(request, access, invitation, data)


async def _answer(request: Request, access: Any, invitation: Any, data: dict[str, Any]) -> Response:
    answer = validate(AnswerIn, {"action": data.get("action", "")})
    accept = answer.action == "accept"
    try:
        await invitations.answer(access, invitation, accept=accept)
    except PermissionDenied as exc:
        flash(request, str(exc), "error")
        return redirect("/account/groups")
    if not accept:
        flash(request, _("You declined the invitation."))
        return redirect("/account/groups")
    flash(request, _("Welcome: you are a member of the group."))
    return redirect(f"/n/{access.network.slug}/groups/{invitation.group_id}")


async def invitation_by_token(request: Request) -> Response:
    """The page of the e-mailed link: who invites, to which group; accept or decline once signed in."""
    access = await access_of(request)
    invitation = await invitations.by_token(access.network, request.path_params["token"])
    if request.method == "POST":
        require_person(request)
        data = await read_form(request)
        try:
            return await _answer(request, access, invitation, data)
        except Invalid as exc:
            return render(request, "groups/invitation.html", {"invitation": invitation, "errors": exc.fields,
                                                              "access": access}, status=422)
    person = access.person
    wrong = person is not None and person.email.lower() != invitation.email and invitation.person_id != person.id
    return render(request, "groups/invitation.html", {"invitation": invitation, "wrong_account": wrong,
                                                      "errors": {}, "access": access})


# ----- the coordinators' forms ----------------------------------------------------------------------------

async def decide(request: Request) -> Response:
    access = await access_of(request)
    data = await read_form(request)
    await services.managed_group(access, _group_id(request))
    try:
        decision = validate(DecisionIn, {"action": data.get("action", "")})
    except Invalid as exc:
        return await _again(request, data, _prefixed(exc.fields, "decision_"))
    approve = decision.action == "approve"
    return await act(request, services.decide_request(access, _group_id(request), request.path_params["request_id"],
                                                      decision.action),
                     done=_("Request approved: the person is a member now and gets an e-mail.") if approve
                     else _("Request refused: the person gets an e-mail."), then=_here(request) + "#requests")


async def invite(request: Request) -> Response:
    access = await access_of(request)
    data = await read_form(request)
    await services.managed_group(access, _group_id(request))
    try:
        found = validate(InviteIn, {"email": data.get("invite_email", "")})
        await invitations.invite(access, _group_id(request), found.email)
    except Invalid as exc:
        return await _again(request, data, _prefixed(exc.fields, "invite_"))
    except Conflict as exc:
        flash(request, str(exc), "error")
        return redirect(_here(request))
    flash(request, _("The invitation is on its way by e-mail."))
    return redirect(_here(request) + "#invitations")


async def revoke(request: Request) -> Response:
    access = await access_of(request)
    await read_form(request)
    return await act(request, invitations.revoke(access, _group_id(request), request.path_params["invitation_id"]),
                     done=_("The invitation is withdrawn."), then=_here(request) + "#invitations")


async def name_coordinator(request: Request) -> Response:
    access = await access_of(request)
    data = await read_form(request)
    access.require_manage()
    await queries.access_group(access.network, _group_id(request))
    try:
        found = validate(CoordinatorIn, {"email": data.get("coordinator_email", "")})
        await services.name_coordinator(access, _group_id(request), found.email)
    except Invalid as exc:
        return await _again(request, data, _prefixed(exc.fields, "coordinator_"))
    except Conflict as exc:
        flash(request, str(exc), "error")
        return redirect(_here(request))
    flash(request, _("The coordinator is named and gets an e-mail."))
    return redirect(_here(request))


async def change_role(request: Request) -> Response:
    access = await access_of(request)
    data = await read_form(request)
    await services.managed_group(access, _group_id(request))
    then = _here(request) + "/members"
    role = validate(RoleIn, {"role": data.get("role", "")})  # a bad value: the 422 page names the field
    return await act(request, services.set_role(access, _group_id(request), request.path_params["member_id"],
                                                role.role),
                     done=_("Role changed."), then=then)


async def remove(request: Request) -> Response:
    access = await access_of(request)
    await read_form(request)
    return await act(request, services.remove_member(access, _group_id(request), request.path_params["member_id"]),
                     done=_("The person is no longer a member of the group."), then=_here(request) + "/members")
