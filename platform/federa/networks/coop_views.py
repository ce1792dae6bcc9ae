"""A cooperative's own pages: profile and services, its people, its memberships in networks."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from federa.accounts import affiliations
from federa.accounts.models import Affiliation, AffiliationStatus, Invitation
from federa.errors import Conflict, Invalid, NotFound, PermissionDenied
from federa.networks import cooperatives, memberships, queries
from federa.networks.access import is_cooperative_admin
from federa.networks.models import Cooperative, Network
from federa.networks.reference import COOP_TYPES, MEMBERSHIP_STATUSES, SECTORS, provinces
from federa.networks.schemas import CooperativePatch, InviteIn, MembershipRequestIn, ServiceIn
from federa.web.forms import read_form, validate
from federa.web.i18n import gettext as _
from federa.web.pages import flash, redirect, render, require_person


async def _cooperative(request: Request, *, admin: bool = True) -> Cooperative:
    """The cooperative of the URL; its pages are for its own people (404 to everyone else)."""
    person = require_person(request)
    coop_id = request.path_params["coop_id"]
    cooperative = await Cooperative.get_or_none(id=coop_id)
    allowed = cooperative is not None and (
        await cooperatives.can_edit(person, coop_id) if admin
        else await Affiliation.exists(person_id=person.id, cooperative_id=coop_id,
                                      status=AffiliationStatus.ACTIVE.value) or person.is_platform_admin)
    if cooperative is None or not allowed:
        raise NotFound(_("No such cooperative."))
    return cooperative


def _services_from_form(data: dict) -> list[ServiceIn]:
    services = []
    for index in range(20):
        name = str(data.pop(f"service_{index}_name", "")).strip()
        audience = str(data.pop(f"service_{index}_audience", "")).strip()
        access = str(data.pop(f"service_{index}_access", "")).strip()
        if name or audience or access:
            services.append({"name": name, "audience": audience, "access": access})
    return services  # type: ignore[return-value]


async def overview(request: Request) -> Response:
    cooperative = await _cooperative(request, admin=False)
    person = require_person(request)
    detail = await queries.cooperative_detail(cooperative)
    can_edit = await cooperatives.can_edit(person, cooperative.id)
    errors: dict[str, str] = {}
    form: dict = {}
    status = 200
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(_("Only the cooperative's administrators can change its profile."))
        data = await read_form(request, multi=("sectors",))
        data["is_public"] = data.get("is_public") == "on"
        data["services"] = _services_from_form(data)
        try:
            await cooperatives.update(cooperative.id, validate(CooperativePatch, data), actor=person)
            flash(request, _("Profile saved."))
            return redirect(f"/cooperatives/{cooperative.id}")
        except Invalid as exc:
            errors, form, status = exc.fields, data, 422
    return render(request, "cooperatives/overview.html", {
        "coop": detail, "can_edit": can_edit, "errors": errors, "form": form or detail.model_dump(),
        "sectors": SECTORS, "provinces": provinces(), "coop_types": COOP_TYPES,
    }, status=status)


async def people(request: Request) -> Response:
    cooperative = await _cooperative(request)
    rows = await Affiliation.filter(cooperative_id=cooperative.id).select_related("person").order_by(
        "status", "role", "person__name")
    invitations = await Invitation.filter(cooperative_id=cooperative.id, accepted_at=None).order_by(
        "-created_at").limit(50)
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        data = await read_form(request)
        try:
            payload = validate(InviteIn, data)
            await affiliations.invite(cooperative.id, str(payload.email), payload.role,
                                      actor=require_person(request))
            flash(request, _("Invitation sent to %(email)s.", email=payload.email))
            return redirect(f"/cooperatives/{cooperative.id}/people")
        except Invalid as exc:
            errors, status = exc.fields, 422
    return render(request, "cooperatives/people.html", {
        "coop": cooperative, "rows": rows, "invitations": invitations, "errors": errors}, status=status)


async def person_action(request: Request) -> Response:
    cooperative = await _cooperative(request)
    await read_form(request)
    action = request.path_params["action"]
    affiliation_id = request.path_params["affiliation_id"]
    actor = require_person(request)
    try:
        if action in ("approve", "refuse"):
            await affiliations.decide_request(cooperative.id, affiliation_id, action == "approve", actor=actor)
        elif action == "remove":
            await affiliations.remove(cooperative.id, affiliation_id, actor=actor)
        else:
            raise NotFound()
        flash(request, _("Done."))
    except Conflict as exc:
        flash(request, str(exc), "error")
    return redirect(f"/cooperatives/{cooperative.id}/people")


async def network_memberships(request: Request) -> Response:
    cooperative = await _cooperative(request)
    rows = await affiliations.memberships_of(cooperative.id)
    joined = {m.network_id for m in rows}
    others = await Network.exclude(id__in=list(joined)).order_by("name") if joined else \
        await Network.all().order_by("name")
    if request.method == "POST":
        data = await read_form(request)
        network = await Network.get_or_none(slug=str(data.get("network", "")))
        if network is None:
            flash(request, _("Choose a network."), "error")
        else:
            validate(MembershipRequestIn, {"cooperative_id": cooperative.id})
            await memberships.request_membership(network, cooperative.id, actor=require_person(request))
            flash(request, _("Request sent to %(name)s.", name=network.name))
        return redirect(f"/cooperatives/{cooperative.id}/memberships")
    return render(request, "cooperatives/memberships.html", {
        "coop": cooperative, "rows": rows, "others": others, "statuses": MEMBERSHIP_STATUSES,
        "is_admin": await is_cooperative_admin(require_person(request), cooperative.id)})


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
