"""JSON API for the signed-in person: /api/v1/me."""

from __future__ import annotations

from starlette.requests import Request

from federa.accounts import services
from federa.accounts.models import Affiliation, NetworkRole, Person
from federa.accounts.queries import my_networks
from federa.accounts.schemas import (
    AffiliationOut,
    MeOut,
    MyNetworkOut,
    NetworkRoleOut,
    ProfileIn,
    ProfilePatch,
)
from federa.web.api import ApiRoute


async def _me_out(person: Person) -> MeOut:
    affiliations = await Affiliation.filter(person_id=person.id).select_related("cooperative")
    roles = await NetworkRole.filter(person_id=person.id).select_related("network")
    return MeOut(
        id=person.id, email=person.email, name=person.name, locale=person.locale,
        email_verified=person.email_verified_at is not None, is_platform_admin=person.is_platform_admin,
        affiliations=[AffiliationOut(cooperative_id=a.cooperative_id, cooperative_name=a.cooperative.legal_name,
                                     role=a.role, status=a.status) for a in affiliations],
        network_roles=[NetworkRoleOut(network=r.network.slug, role=r.role) for r in roles],
    )


async def me(request: Request) -> MeOut:
    return await _me_out(request.state.person)


async def me_update(request: Request, body: ProfilePatch) -> MeOut:
    person = request.state.person
    await services.update_profile(person, ProfileIn(name=body.name or person.name,
                                                    locale=body.locale or person.locale))  # type: ignore[arg-type]
    return await _me_out(person)


async def me_networks(request: Request) -> list[MyNetworkOut]:
    return await my_networks(request.state.person)


routes = [
    ApiRoute("/me", me, method="GET", summary="The signed-in person", tag="me", response=MeOut, auth=True),
    ApiRoute("/me", me_update, method="PATCH", summary="Change name or language", tag="me", body=ProfilePatch,
             response=MeOut, auth=True, name="me_update"),
    ApiRoute("/me/networks", me_networks, method="GET", summary="The networks I belong to", tag="me",
             response=list[MyNetworkOut], auth=True),
]
