"""A cooperative's own pages: profile and services, its people, its memberships in networks."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from federa.accounts import affiliations
from federa.accounts.models import Affiliation, AffiliationStatus, Invitation, Person
from federa.errors import Invalid, NotFound, PermissionDenied
from federa.networks import cooperatives, memberships, queries
from federa.networks.access import is_cooperative_admin
from federa.networks.models import Cooperative, Network
from federa.networks.reference import COOP_TYPES, MEMBERSHIP_STATUSES, SECTORS, provinces
from federa.networks.schemas import CooperativePatch, InviteIn
from federa.web.forms import read_form, validate
from federa.web.i18n import gettext as _
from federa.web.pages import act, flash, redirect, render, require_person

MAX_SERVICES = 50


async def _cooperative(request: Request, *, admin: bool = True) -> Cooperative:
    """The cooperative of the URL; its pages are for its own people (404 to everyone else).

    admin=True: its administrators (and platform admins) only. admin=False: also its members and the
    coordinators of a network where it is an active member (they may edit its profile)."""
    person = require_person(request)
    coop_id = request.path_params["coop_id"]
    cooperative = await Cooperative.get_or_none(id=coop_id)
    if cooperative is None:
        raise NotFound(_("No such cooperative."))
    if admin:
        allowed = await is_cooperative_admin(person, coop_id)
    else:
        allowed = await Affiliation.exists(person_id=person.id, cooperative_id=coop_id,
                                           status=AffiliationStatus.ACTIVE.value) \
            or await cooperatives.can_edit(person, coop_id)
    if not allowed:
        raise NotFound(_("No such cooperative."))
    return cooperative


def _services_from_form(data: dict) -> list[dict[str, str]]:
    """service_<i>_name / _audience / _access fields → catalogue entries (blank rows dropped)."""
    services = []
    for index in range(MAX_SERVICES):
        entry = {part: str(data.pop(f"service_{index}_{part}", "")).strip()
                 for part in ("name", "audience", "access")}
        if any(entry.values()):
            services.append(entry)
    return services


def _profile_errors(fields: dict[str, str]) -> dict[str, str]:
    """Errors inside the catalogue (services.name, …) are shown once, beside the catalogue."""
    errors: dict[str, str] = {}
    for key, message in fields.items():
        errors.setdefault("services" if key.startswith("services.") else key, message)
    return errors


async def _save_profile(request: Request, cooperative: Cooperative, person: Person) -> dict:
    """Apply the posted profile; returns the form and its errors when something is not valid."""
    data = await read_form(request, multi=("sectors",))
    data["is_public"] = data.get("is_public") == "on"
    data["services"] = _services_from_form(data)
    try:
        await cooperatives.update(cooperative.id, validate(CooperativePatch, data), actor=person)
    except Invalid as exc:
        return {"form": data, "errors": _profile_errors(exc.fields)}
    return {}


async def overview(request: Request) -> Response:
    cooperative = await _cooperative(request, admin=False)
    person = require_person(request)
    can_edit = await cooperatives.can_edit(person, cooperative.id)
    failed: dict = {}
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(_("Only the cooperative's administrators can change its profile."))
        failed = await _save_profile(request, cooperative, person)
        if not failed:
            flash(request, _("Profile saved."))
            return redirect(f"/cooperatives/{cooperative.id}")
    detail = await queries.cooperative_detail(cooperative)
    return render(request, "cooperatives/overview.html", {
        "coop": detail, "can_edit": can_edit, "errors": failed.get("errors", {}),
        "form": failed.get("form") or detail.model_dump(), "is_admin": await is_cooperative_admin(
            person, cooperative.id),
        "sectors": SECTORS, "provinces": provinces(), "coop_types": COOP_TYPES,
    }, status=422 if failed else 200)


async def people(request: Request) -> Response:
    cooperative = await _cooperative(request)
    errors: dict[str, str] = {}
    if request.method == "POST":
        data = await read_form(request)
        try:
            payload = validate(InviteIn, data)
            await affiliations.invite(cooperative.id, payload.email, payload.role, actor=require_person(request))
            flash(request, _("Invitation sent to %(email)s.", email=payload.email))
            return redirect(f"/cooperatives/{cooperative.id}/people")
        except Invalid as exc:
            errors = exc.fields
    rows = await Affiliation.filter(cooperative_id=cooperative.id).select_related("person").order_by(
        "status", "role", "person__name")
    invitations = await Invitation.filter(cooperative_id=cooperative.id, accepted_at=None).order_by(
        "-created_at").limit(50)
    return render(request, "cooperatives/people.html", {
        "coop": cooperative, "rows": rows, "invitations": invitations, "errors": errors, "is_admin": True,
    }, status=422 if errors else 200)


PERSON_ACTIONS = ("approve", "refuse", "remove")


async def person_action(request: Request) -> Response:
    action = request.path_params["action"]
    if action not in PERSON_ACTIONS:
        raise NotFound(_("No such action."))
    cooperative = await _cooperative(request)
    await read_form(request)
    affiliation_id = request.path_params["affiliation_id"]
    actor = require_person(request)
    work = affiliations.remove(cooperative.id, affiliation_id, actor=actor) if action == "remove" else \
        affiliations.decide_request(cooperative.id, affiliation_id, action == "approve", actor=actor)
    return await act(request, work, done=_("Done."), then=f"/cooperatives/{cooperative.id}/people")


async def network_memberships(request: Request) -> Response:
    cooperative = await _cooperative(request)
    if request.method == "POST":
        data = await read_form(request)
        network = await Network.get_or_none(slug=str(data.get("network", "")))
        if network is None:
            flash(request, _("Choose a network."), "error")
        else:
            await memberships.request_membership(network, cooperative.id, actor=require_person(request))
            flash(request, _("Request sent to %(name)s.", name=network.name))
        return redirect(f"/cooperatives/{cooperative.id}/memberships")
    rows = await affiliations.memberships_of(cooperative.id)
    # a network that ended or refused the membership can be asked again
    joined = [m.network_id for m in rows if m.status not in memberships.REOPENABLE]
    others = await Network.exclude(id__in=joined or [0]).order_by("name")
    return render(request, "cooperatives/memberships.html", {
        "coop": cooperative, "rows": rows, "others": others, "statuses": MEMBERSHIP_STATUSES,
        "is_admin": True})


async def join(request: Request) -> Response:
    """Ask to be one of the cooperative's people (from its page in a network)."""
    person = require_person(request)
    await read_form(request)
    cooperative = await Cooperative.get_or_none(id=request.path_params["coop_id"], is_public=True)
    if cooperative is None:
        raise NotFound(_("No such cooperative."))
    await affiliations.request_to_join(cooperative.id, person=person)
    flash(request, _("Your request was sent to the cooperative's administrators."))
    return redirect("/me")


routes = [
    Route("/cooperatives/{coop_id:int}", overview, methods=["GET", "POST"], name="cooperative"),
    Route("/cooperatives/{coop_id:int}/people", people, methods=["GET", "POST"], name="cooperative_people"),
    Route("/cooperatives/{coop_id:int}/people/{affiliation_id:int}/{action:str}", person_action,
          methods=["POST"], name="cooperative_person_action"),
    Route("/cooperatives/{coop_id:int}/memberships", network_memberships, methods=["GET", "POST"],
          name="cooperative_memberships"),
    Route("/cooperatives/{coop_id:int}/join", join, methods=["POST"], name="cooperative_join"),
]
