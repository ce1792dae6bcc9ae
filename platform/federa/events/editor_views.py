"""The coordinators' pages for one event: create, edit, publish, cancel (the routes are in events/views.py)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from federa.errors import Conflict, Invalid
from federa.events import event_form, queries, services
from federa.events.models import Event, EventCooperative, EventSession, EventStatus
from federa.networks.access import Access
from federa.networks.reference import SECTORS, provinces
from federa.web.api import MAX_ID
from federa.web.forms import read_form
from federa.web.i18n import gettext as _
from federa.web.i18n import lazy
from federa.web.pages import access_of, act, flash, redirect, render

MULTI = ("sectors", "cooperative_ids")
KINDS: dict[str, str] = {"text": lazy("Text"), "choice": lazy("Choice"), "yesno": lazy("Yes or no")}
AUDIENCE_HINTS: dict[str, tuple[str, str]] = {
    "network": (lazy("Members of the network"), lazy("People of the member cooperatives and the network's staff.")),
    "cooperatives": (lazy("Chosen cooperatives"), lazy("Only the people of the cooperatives ticked below.")),
    "partners": (lazy("Partner networks too"), lazy("Members of this network and of its partner networks.")),
    "public": (lazy("Open to everyone"), lazy("Anyone with a Federa account can register.")),
}


def _path(access: Access, event_id: int) -> str:
    return f"/n/{access.network.slug}/events/{event_id}"


async def _form_page(request: Request, access: Access, form: dict[str, Any], errors: dict[str, str],
                     event: Event | None, *, status: int = 200) -> Response:
    chosen = [int(c) for c in form.get("cooperative_ids", []) if str(c).isascii() and str(c).isdigit()
              and int(c) <= MAX_ID]  # a larger id names nothing (and PostgreSQL would refuse it)
    return render(request, "events/form.html", {
        "form": form, "errors": errors, "event": event, "access": access, "sectors": SECTORS,
        "provinces": provinces(), "kinds": KINDS, "audiences": AUDIENCE_HINTS,
        "cooperatives": await queries.member_cooperatives(access.network, chosen),
        "groups": await _groups(access),
    }, status=status)


async def _groups(access: Access) -> list[tuple[str, str]]:
    """(id, name) of the network's working groups, for the event's "organised by" choice."""
    from federa.groups.models import WorkingGroup

    rows = await WorkingGroup.filter(network_id=access.network.id).order_by("name", "id").values_list("id", "name")
    return [(str(i), str(n)) for i, n in rows]


async def event_new(request: Request) -> Response:
    access = await access_of(request)
    access.require_manage()
    if request.method == "GET":
        return await _form_page(request, access, event_form.new_form(), {}, None)
    data = await read_form(request, multi=MULTI)
    try:
        event = await services.create_event(access, event_form.event_in(data))
    except Invalid as exc:
        return await _form_page(request, access, event_form.posted_rows(data), exc.fields, None, status=422)
    flash(request, _("The draft is saved. Check it, then publish it."))
    return redirect(_path(access, event.id))


async def event_edit(request: Request) -> Response:
    access = await access_of(request)
    access.require_manage()
    event = await services.access_event(access.network, request.path_params["event_id"])
    if event.status in (EventStatus.CANCELLED.value, EventStatus.COMPLETED.value):
        flash(request, _("A cancelled or completed event cannot be changed."), "error")
        return redirect(_path(access, event.id))
    if request.method == "GET":
        sessions = await EventSession.filter(event_id=event.id).order_by("starts_at", "id")
        chosen = await EventCooperative.filter(event_id=event.id).values_list("cooperative_id", flat=True)
        return await _form_page(request, access, event_form.form_of(event, sessions, list(chosen)),  # type: ignore[arg-type]
                                {}, event)
    data = await read_form(request, multi=MULTI)
    try:
        await services.update_event(access, event.id, event_form.event_in(data))
    except Invalid as exc:
        return await _form_page(request, access, event_form.posted_rows(data), exc.fields, event, status=422)
    except Conflict as exc:
        flash(request, str(exc), "error")
        return redirect(_path(access, event.id))
    flash(request, _("Changes saved."))
    return redirect(_path(access, event.id))


async def event_publish(request: Request) -> Response:
    access = await access_of(request)
    await read_form(request)
    event_id = request.path_params["event_id"]
    return await act(request, services.publish_event(access, event_id),
                     done=_("The event is published: the people it is open to can register now."),
                     then=_path(access, event_id))


async def event_cancel(request: Request) -> Response:
    """Cancel only with the confirming button (confirm=yes) of the page's "Cancel the event…" panel."""
    access = await access_of(request)
    data = await read_form(request)
    event_id = request.path_params["event_id"]
    if data.get("confirm") != "yes":
        access.require_manage()
        await services.access_event(access.network, event_id)
        flash(request, _("Confirm with the button “Yes, cancel the event”."), "error")
        return redirect(_path(access, event_id))
    return await act(request, services.cancel_event(access, event_id),
                     done=_("The event is cancelled. Everyone registered or waiting is being told."),
                     then=_path(access, event_id))
