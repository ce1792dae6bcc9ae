"""Pages for coordinators and admins: directory, presence matrix, memberships, partners, roles."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from federa.accounts import affiliations
from federa.accounts.models import NetworkRole
from federa.errors import Conflict, Invalid, NotFound
from federa.networks import cooperatives, memberships, queries, services
from federa.networks.models import Membership, MembershipChange, Network
from federa.networks.reference import COOP_TYPES, MEMBERSHIP_STATUSES, SECTORS, provinces
from federa.networks.schemas import CooperativeIn, DirectoryQuery, InviteIn, PartnerIn, RoleIn
from federa.web.forms import read_form, validate
from federa.web.i18n import gettext as _
from federa.web.pages import access_of, act, flash, redirect, render


def _choices() -> dict:
    return {"sectors": SECTORS, "provinces": provinces(), "coop_types": COOP_TYPES,
            "statuses": MEMBERSHIP_STATUSES}


async def directory(request: Request) -> Response:
    access = await access_of(request)
    access.require_manage()
    query = validate(DirectoryQuery, dict(request.query_params))
    items, total = await queries.directory(access.network, query)
    pages = max(1, -(-total // query.per_page))
    filters = {k: v for k, v in query.model_dump().items() if v and k not in ("page", "per_page")}
    return render(request, "networks/manage/directory.html", {
        "items": items, "total": total, "query": query, "pages": pages, "filters": filters,
        "qs": lambda **extra: urlencode({**filters, **extra}), "access": access, **_choices(),
    })


async def matrix(request: Request) -> Response:
    access = await access_of(request)
    access.require_manage()
    counts = await queries.presence_matrix(access.network)
    used_provinces = sorted({p for p, _s in counts}, key=lambda code: provinces()[code].name)
    used_sectors = [s for s in SECTORS if any(s == sector for _p, sector in counts)]
    peak = max(counts.values(), default=0)
    return render(request, "networks/manage/matrix.html", {
        "counts": counts, "rows": used_provinces, "columns": used_sectors, "peak": peak,
        "access": access, **_choices(),
    })


async def cooperative_new(request: Request) -> Response:
    access = await access_of(request)
    access.require_manage()
    if request.method == "GET":
        return render(request, "networks/manage/cooperative_form.html",
                      {"form": {"is_public": "on"}, "errors": {}, **_choices()})
    data = await read_form(request, multi=("sectors",))
    data["is_public"] = data.get("is_public") == "on"
    try:
        cooperative = await cooperatives.add_to_network(access, validate(CooperativeIn, data))
    except Invalid as exc:
        return render(request, "networks/manage/cooperative_form.html",
                      {"form": data, "errors": exc.fields, **_choices()}, status=422)
    flash(request, _("%(name)s is now a member of the network.", name=cooperative.legal_name))
    return redirect(request.url_for("network_cooperative", slug=access.network.slug,
                                    coop_id=cooperative.id).path)


async def invite_admin(request: Request) -> Response:
    access = await access_of(request)
    access.require_manage()
    coop_id = request.path_params["coop_id"]
    data = await read_form(request)
    try:
        payload = validate(InviteIn, {"email": data.get("email", ""), "role": "admin"})
        await affiliations.invite_admin_for_network(access, coop_id, str(payload.email))
    except Invalid as exc:
        flash(request, exc.fields.get("email", str(exc)), "error")
        return redirect(f"/n/{access.network.slug}/cooperatives/{coop_id}")
    flash(request, _("Invitation sent to %(email)s.", email=payload.email))
    return redirect(f"/n/{access.network.slug}/cooperatives/{coop_id}")


async def membership_list(request: Request) -> Response:
    access = await access_of(request)
    access.require_manage()
    status = request.query_params.get("status", "requested")
    if status not in MEMBERSHIP_STATUSES:
        status = "requested"
    rows = await Membership.filter(network_id=access.network.id, status=status).select_related(
        "cooperative").order_by("-updated_at").limit(200)
    return render(request, "networks/manage/memberships.html", {
        "rows": rows, "status": status, "counts": await queries.membership_counts(access.network),
        "access": access, **_choices(),
    })


async def membership_detail(request: Request) -> Response:
    access = await access_of(request)
    access.require_manage()
    membership = await Membership.get_or_none(id=request.path_params["membership_id"],
                                              network_id=access.network.id).select_related("cooperative")
    if membership is None:
        raise NotFound(_("No such membership."))
    history = await MembershipChange.filter(network_id=access.network.id, membership_id=membership.id
                                            ).select_related("actor").order_by("created_at")
    return render(request, "networks/manage/membership.html", {
        "membership": membership, "history": history, "access": access, **_choices(),
        "actions": [a for a, (sources, _t) in memberships.TRANSITIONS.items() if membership.status in sources],
    })


async def membership_decide(request: Request) -> Response:
    access = await access_of(request)
    data = await read_form(request)
    membership_id = request.path_params["membership_id"]
    return await act(request, memberships.decide(access, membership_id, request.path_params["action"],
                                                 note=str(data.get("note", ""))[:500]),
                     done=_("Membership updated."), then=f"/n/{access.network.slug}/memberships/{membership_id}")


async def partners(request: Request) -> Response:
    access = await access_of(request)
    access.require_admin()
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        data = await read_form(request)
        try:
            await services.propose_partnership(access, validate(PartnerIn, data).partner)
            flash(request, _("Proposal sent."))
            return redirect(f"/n/{access.network.slug}/manage/partners")
        except (Invalid, Conflict) as exc:
            errors = exc.fields if isinstance(exc, Invalid) else {"partner": str(exc)}
            status = 422 if isinstance(exc, Invalid) else 409
    others = await Network.exclude(id=access.network.id).order_by("name")
    return render(request, "networks/manage/partners.html", {
        "rows": await queries.partnerships(access.network), "others": others, "errors": errors,
        "access": access}, status=status)


async def partner_decide(request: Request) -> Response:
    access = await access_of(request)
    await read_form(request)
    accept = request.path_params["action"] == "accept"
    return await act(request, services.decide_partnership(access, request.path_params["partnership_id"], accept),
                     done=_("Partnership updated."), then=f"/n/{access.network.slug}/manage/partners")


async def roles(request: Request) -> Response:
    access = await access_of(request)
    access.require_admin()
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        data = await read_form(request)
        try:
            payload = validate(RoleIn, data)
            await services.grant_role(access, str(payload.email), payload.role)
            flash(request, _("Role granted."))
            return redirect(f"/n/{access.network.slug}/manage/people")
        except Invalid as exc:
            errors, status = exc.fields, 422
    rows = await NetworkRole.filter(network_id=access.network.id).select_related("person").order_by(
        "role", "person__name")
    return render(request, "networks/manage/people.html", {"rows": rows, "errors": errors, "access": access},
                  status=status)


async def role_revoke(request: Request) -> Response:
    access = await access_of(request)
    await read_form(request)
    return await act(request, services.revoke_role(access, request.path_params["role_id"]),
                     done=_("Role removed."), then=f"/n/{access.network.slug}/manage/people")


routes = [
    Route("/directory", directory, name="directory"),
    Route("/directory/matrix", matrix, name="matrix"),
    Route("/directory/new", cooperative_new, methods=["GET", "POST"], name="cooperative_new"),
    Route("/cooperatives/{coop_id:int}/invite-admin", invite_admin, methods=["POST"], name="invite_admin"),
    Route("/memberships", membership_list, name="memberships"),
    Route("/memberships/{membership_id:int}", membership_detail, name="membership"),
    Route("/memberships/{membership_id:int}/{action:str}", membership_decide, methods=["POST"],
          name="membership_decide"),
    Route("/manage/partners", partners, methods=["GET", "POST"], name="partners"),
    Route("/manage/partners/{partnership_id:int}/{action:str}", partner_decide, methods=["POST"],
          name="partner_decide"),
    Route("/manage/people", roles, methods=["GET", "POST"], name="network_people"),
    Route("/manage/people/{role_id:int}/remove", role_revoke, methods=["POST"], name="role_revoke"),
]
