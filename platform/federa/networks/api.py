"""JSON API for networks, their cooperatives, memberships, presence matrix and partners."""

from __future__ import annotations

from starlette.requests import Request

from federa.errors import NotFound
from federa.networks import cooperatives, memberships, queries, services
from federa.networks.access import Access, cooperative_in
from federa.networks.models import Membership, MembershipStatus, Network, Partnership, PartnershipStatus
from federa.networks.schemas import (
    CooperativeIn,
    CooperativeOut,
    CooperativePage,
    CooperativePatch,
    DirectoryQuery,
    MatrixCell,
    MembershipDecisionIn,
    MembershipOut,
    MembershipRequestIn,
    NetworkIn,
    NetworkOut,
    PartnerDecisionIn,
    PartnerIn,
    PartnerOut,
)
from federa.web.api import ApiRoute
from federa.web.i18n import gettext as _
from federa.web.pages import access_of, network_of


async def _network_out(network: Network) -> NetworkOut:
    ids = await services.partner_ids(network)
    partners = await Network.filter(id__in=ids).order_by("slug").values_list("slug", flat=True) if ids else []
    return NetworkOut(slug=network.slug, name=network.name, kind=network.kind, region=network.region,
                      description=network.description, partners=list(partners))  # type: ignore[arg-type]


async def list_networks(request: Request) -> list[NetworkOut]:
    return [NetworkOut(slug=n.slug, name=n.name, kind=n.kind, region=n.region, description=n.description)
            for n in await Network.all().order_by("name")]


async def create_network(request: Request, body: NetworkIn) -> NetworkOut:
    return await _network_out(await services.create_network(body, actor=request.state.person))


async def get_network(request: Request) -> NetworkOut:
    return await _network_out(network_of(request))


async def list_cooperatives(request: Request, query: DirectoryQuery) -> CooperativePage:
    """Coordinators see the whole directory; everyone else the publicly listed active members."""
    access = await access_of(request)
    items, total = await queries.directory(access.network, query, public=not access.can_manage)
    return CooperativePage(items=[_shown(access, item) for item in items], total=total, page=query.page,
                           per_page=query.per_page)


async def create_cooperative(request: Request, body: CooperativeIn) -> CooperativeOut:
    access = await access_of(request)
    cooperative = await cooperatives.add_to_network(access, body)
    return await queries.cooperative_detail(cooperative, MembershipStatus.ACTIVE.value)


# What the public page keeps from visitors (templates/networks/cooperative.html).
_PRIVATE = {"tax_code": None, "address": "", "email": "", "phone": ""}


def _shown(access: Access, cooperative: CooperativeOut) -> CooperativeOut:
    """The network's coordinators and the cooperative's own people see it all; visitors what the page shows."""
    if access.can_manage or cooperative.id in access.affiliations:
        return cooperative
    return cooperative.model_copy(update=_PRIVATE)


async def _visible_cooperative(request: Request) -> tuple:
    access = await access_of(request)
    cooperative, membership = await cooperative_in(access.network, request.path_params["coop_id"])
    public = membership.status == MembershipStatus.ACTIVE.value and cooperative.is_public
    if not (public or access.can_manage or cooperative.id in access.affiliations):
        raise NotFound(_("This cooperative is not in the network."))
    return access, cooperative, membership


async def get_cooperative(request: Request) -> CooperativeOut:
    access, cooperative, membership = await _visible_cooperative(request)
    return _shown(access, await queries.cooperative_detail(cooperative, membership.status))


async def update_cooperative(request: Request, body: CooperativePatch) -> CooperativeOut:
    access, cooperative, membership = await _visible_cooperative(request)
    updated = await cooperatives.update(cooperative.id, body, actor=access.person, network=access.network)
    return _shown(access, await queries.cooperative_detail(updated, membership.status))


def _membership_out(m: Membership) -> MembershipOut:
    return MembershipOut(id=m.id, cooperative_id=m.cooperative_id, cooperative_name=m.cooperative.legal_name,
                         status=m.status, requested_at=m.requested_at, started_at=m.started_at,
                         ended_at=m.ended_at)


async def list_memberships(request: Request, query: DirectoryQuery) -> list[MembershipOut]:
    access = await access_of(request)
    access.require_manage()
    rows = Membership.filter(network_id=access.network.id).select_related("cooperative")
    if query.status:
        rows = rows.filter(status=query.status)
    offset = (query.page - 1) * query.per_page
    return [_membership_out(m) for m in await rows.order_by("id").offset(offset).limit(query.per_page)]


async def request_membership(request: Request, body: MembershipRequestIn) -> MembershipOut:
    network = network_of(request)
    membership = await memberships.request_membership(network, body.cooperative_id, actor=request.state.person)
    await membership.fetch_related("cooperative")
    return _membership_out(membership)


async def decide_membership(request: Request, body: MembershipDecisionIn) -> MembershipOut:
    access = await access_of(request)
    membership = await memberships.decide(access, request.path_params["membership_id"], body.action,
                                          note=body.note)
    await membership.fetch_related("cooperative")
    return _membership_out(membership)


async def matrix(request: Request) -> list[MatrixCell]:
    access = await access_of(request)
    access.require_manage()
    counts = await queries.presence_matrix(access.network)
    return [MatrixCell(province=p, sector=s, count=n) for (p, s), n in sorted(counts.items())]


async def list_partners(request: Request) -> list[PartnerOut]:
    """Everyone sees the active agreements; the network's admins also proposals and ended ones."""
    access = await access_of(request)
    rows = await queries.partnerships(access.network)
    return [_partner_out(p) for p in rows if access.is_admin or p.status == PartnershipStatus.ACTIVE.value]


def _partner_out(row: Partnership) -> PartnerOut:
    return PartnerOut(id=row.id, network=row.network.slug, partner=row.partner.slug, status=row.status)


async def propose_partner(request: Request, body: PartnerIn) -> PartnerOut:
    access = await access_of(request)
    row = await services.propose_partnership(access, body.partner)
    await row.fetch_related("network", "partner")
    return _partner_out(row)


async def decide_partner(request: Request, body: PartnerDecisionIn) -> PartnerOut:
    access = await access_of(request)
    row = await services.decide_partnership(access, request.path_params["partnership_id"],
                                            body.action == "accept")
    await row.fetch_related("network", "partner")
    return _partner_out(row)


N = "/networks/{slug}"
routes = [
    ApiRoute("/networks", list_networks, method="GET", summary="All networks", tag="networks",
             response=list[NetworkOut]),
    ApiRoute("/networks", create_network, method="POST", summary="Create a network (platform admins)",
             tag="networks", body=NetworkIn, response=NetworkOut, status=201, auth=True),
    ApiRoute(N, get_network, method="GET", summary="One network", tag="networks", response=NetworkOut),
    ApiRoute(N + "/cooperatives", list_cooperatives, method="GET", summary="The directory of cooperatives",
             tag="cooperatives", query=DirectoryQuery, response=CooperativePage),
    ApiRoute(N + "/cooperatives", create_cooperative, method="POST", summary="Add a member cooperative",
             tag="cooperatives", body=CooperativeIn, response=CooperativeOut, status=201, auth=True),
    ApiRoute(N + "/cooperatives/{coop_id:int}", get_cooperative, method="GET", summary="One cooperative",
             tag="cooperatives", response=CooperativeOut),
    ApiRoute(N + "/cooperatives/{coop_id:int}", update_cooperative, method="PATCH",
             summary="Edit a cooperative's profile and services", tag="cooperatives", body=CooperativePatch,
             response=CooperativeOut, auth=True),
    ApiRoute(N + "/memberships", list_memberships, method="GET", summary="Memberships (coordinators)",
             tag="memberships", query=DirectoryQuery, response=list[MembershipOut], auth=True),
    ApiRoute(N + "/memberships", request_membership, method="POST",
             summary="Ask for a cooperative to join (its admins)", tag="memberships", body=MembershipRequestIn,
             response=MembershipOut, status=201, auth=True),
    ApiRoute(N + "/memberships/{membership_id:int}/decision", decide_membership, method="POST",
             summary="Approve, refuse, suspend, reactivate or end", tag="memberships",
             body=MembershipDecisionIn, response=MembershipOut, auth=True),
    ApiRoute(N + "/matrix", matrix, method="GET", summary="Presence by province and sector", tag="networks",
             response=list[MatrixCell], auth=True),
    ApiRoute(N + "/partners", list_partners, method="GET", summary="Partner agreements", tag="networks",
             response=list[PartnerOut]),
    ApiRoute(N + "/partners", propose_partner, method="POST", summary="Propose or accept a partnership",
             tag="networks", body=PartnerIn, response=PartnerOut, status=201, auth=True),
    ApiRoute(N + "/partners/{partnership_id:int}/decision", decide_partner, method="POST",
             summary="Accept a proposal made to this network, or end an agreement", tag="networks",
             body=PartnerDecisionIn, response=PartnerOut, auth=True),
]
