"""A network's public pages: who it is and its publicly listed member cooperatives."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from federa.errors import NotFound
from federa.networks import queries
from federa.networks.access import cooperative_in
from federa.networks.models import MembershipStatus, Network
from federa.networks.reference import COOP_TYPES, NETWORK_KINDS, SECTORS, provinces
from federa.networks.schemas import DirectoryQuery
from federa.networks.services import partner_ids
from federa.web.forms import validate
from federa.web.i18n import gettext as _
from federa.web.pages import access_of, network_of, render


async def network_home(request: Request) -> Response:
    network = network_of(request)
    query = validate(DirectoryQuery, {**request.query_params, "per_page": 30})
    members, total = await queries.directory(network, query, public=True)
    partners = await Network.filter(id__in=await partner_ids(network)).order_by("name")
    return render(request, "networks/home.html", {
        "members": members, "total": total, "query": query, "partners": partners,
        "access": await access_of(request), "kinds": NETWORK_KINDS, "sectors": SECTORS,
        "provinces": provinces(), "coop_types": COOP_TYPES,
    })


async def cooperative_page(request: Request) -> Response:
    network = network_of(request)
    access = await access_of(request)
    cooperative, membership = await cooperative_in(network, request.path_params["coop_id"])
    visible = membership.status == MembershipStatus.ACTIVE.value and cooperative.is_public
    if not visible and not access.can_manage and cooperative.id not in access.affiliations:
        raise NotFound(_("This cooperative is not in the network."))
    detail = await queries.cooperative_detail(cooperative, membership.status)
    return render(request, "networks/cooperative.html", {
        "coop": detail, "membership": membership, "access": access, "sectors": SECTORS,
        "provinces": provinces(), "coop_types": COOP_TYPES,
    })


routes = [
    Route("/", network_home, name="network_home"),
    Route("/cooperatives/{coop_id:int}", cooperative_page, name="network_cooperative"),
]
