"""The group form (create, edit) and archiving; the routes are in groups/views.py."""

from __future__ import annotations

import re
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from federa.errors import Invalid
from federa.groups import queries, services
from federa.groups.models import WorkingGroup
from federa.groups.schemas import GroupCreateIn, GroupIn
from federa.networks.reference import SECTORS
from federa.web.forms import read_form, validate
from federa.web.i18n import gettext as _
from federa.web.i18n import lazy
from federa.web.pages import access_of, act, flash, redirect, render

VISIBILITIES: dict[str, tuple[str, str]] = {
    "listed": (lazy("Listed"), lazy("Shown in the network's list of groups.")),
    "hidden": (lazy("Hidden"), lazy("Only its members and the network's coordinators know it exists.")),
}
POLICY_HINTS: dict[str, tuple[str, str]] = {
    "open": (lazy("Open"), lazy("Anyone who may join, joins at once.")),
    "request": (lazy("On request"), lazy("People ask to join; a coordinator of the group approves or refuses.")),
    "invitation": (lazy("By invitation"), lazy("Only people invited by a coordinator of the group.")),
}
FIELDS = ("name", "purpose", "sector", "join_policy", "visibility")
_SPLIT = re.compile(r"[\s,;]+")


def _payload(data: dict[str, Any], *, creating: bool) -> dict[str, Any]:
    payload: dict[str, Any] = {name: str(data.get(name, "")) for name in FIELDS if name in data}
    payload["open_to_partners"] = bool(data.get("open_to_partners"))
    if creating:
        payload["coordinator_emails"] = [e for e in _SPLIT.split(str(data.get("coordinator_emails", ""))) if e]
    return payload


def form_of(group: WorkingGroup) -> dict[str, Any]:
    return {"name": group.name, "purpose": group.purpose, "sector": group.sector, "join_policy": group.join_policy,
            "visibility": group.visibility, "open_to_partners": group.open_to_partners}


async def _form_page(request: Request, form: dict[str, Any], errors: dict[str, str], group: WorkingGroup | None,
                     *, status: int = 200) -> Response:
    return render(request, "groups/form.html", {
        "form": form, "errors": errors, "group": group, "access": await access_of(request), "sectors": SECTORS,
        "visibilities": VISIBILITIES, "policies": POLICY_HINTS,
    }, status=status)


async def group_new(request: Request) -> Response:
    access = await access_of(request)
    access.require_manage()
    if request.method == "GET":
        return await _form_page(request, {"join_policy": "request", "visibility": "listed"}, {}, None)
    data = await read_form(request)
    try:
        group = await services.create_group(access, validate(GroupCreateIn, _payload(data, creating=True)))
    except Invalid as exc:
        return await _form_page(request, data, exc.fields, None, status=422)
    flash(request, _("The working group is created."))
    return redirect(services.group_path(group, access.network.slug))


async def group_edit(request: Request) -> Response:
    access = await access_of(request)
    viewer = await services.managed_group(access, request.path_params["group_id"])
    if request.method == "GET":
        return await _form_page(request, form_of(viewer.group), {}, viewer.group)
    data = await read_form(request)
    try:
        await services.update_group(access, viewer.group.id, validate(GroupIn, _payload(data, creating=False)))
    except Invalid as exc:
        return await _form_page(request, data, exc.fields, viewer.group, status=422)
    flash(request, _("Changes saved."))
    return redirect(services.group_path(viewer.group, access.network.slug))


async def group_archive(request: Request) -> Response:
    """Archive (action=archive) or bring back (action=restore): the network's coordinators."""
    access = await access_of(request)
    data = await read_form(request)
    access.require_manage()  # before the lookup: nobody else learns which ids exist
    group = await queries.access_group(access.network, request.path_params["group_id"])
    archived = data.get("action") != "restore"
    return await act(request, services.archive_group(access, group.id, archived=archived),
                     done=_("The group is archived.") if archived else _("The group is active again."),
                     then=services.group_path(group, access.network.slug))
