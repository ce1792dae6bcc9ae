"""What a person may do in a network, computed once per request and checked by services."""

from __future__ import annotations

from dataclasses import dataclass, field

from tortoise import connections

from federa.accounts.models import Affiliation, AffiliationRole, AffiliationStatus, Person
from federa.errors import NotAuthenticated, NotFound, PermissionDenied
from federa.networks.models import Cooperative, Membership, MembershipStatus, Network
from federa.web.i18n import gettext as _


@dataclass(frozen=True)
class Access:
    """A person's standing in one network."""

    person: Person | None
    network: Network
    roles: frozenset[str] = frozenset()
    # cooperatives the person administers that have a membership (any status) in this network
    admin_of: frozenset[int] = frozenset()
    # cooperatives the person works in whose membership here is active
    active_coops: frozenset[int] = frozenset()
    platform_admin: bool = False
    affiliations: dict[int, str] = field(default_factory=dict)

    @property
    def is_admin(self) -> bool:
        return self.platform_admin or "admin" in self.roles

    @property
    def can_manage(self) -> bool:
        """Coordinators and admins run the directory and memberships."""
        return self.is_admin or "coordinator" in self.roles

    @property
    def is_member(self) -> bool:
        return self.can_manage or bool(self.roles) or bool(self.active_coops)

    def require_manage(self) -> None:
        if self.person is None:  # signing in may be all it takes: pages send the visitor to sign in
            raise NotAuthenticated(_("Please sign in to continue."))
        if not self.can_manage:
            raise PermissionDenied(_("Only the network's coordinators can do this."))

    def require_admin(self) -> None:
        if self.person is None:
            raise NotAuthenticated(_("Please sign in to continue."))
        if not self.is_admin:
            raise PermissionDenied(_("Only the network's administrators can do this."))


_STANDING_SQL = """
SELECT 'role' AS kind, role AS value, NULL AS cooperative_id, NULL AS status
  FROM network_role WHERE network_id = {p1} AND person_id = {p2}
UNION ALL
SELECT 'coop', a.role, a.cooperative_id, m.status
  FROM affiliation a JOIN membership m ON m.cooperative_id = a.cooperative_id AND m.network_id = {p1}
 WHERE a.person_id = {p2} AND a.status = 'active'
"""


async def access_in(network: Network, person: Person | None) -> Access:
    """The person's roles here and their cooperatives' memberships, in one query (it runs on every page)."""
    if person is None:
        return Access(person=None, network=network)
    conn = connections.get("default")
    mark = "$" if conn.capabilities.dialect == "postgres" else "?"
    rows = await conn.execute_query_dict(_STANDING_SQL.format(p1=f"{mark}1", p2=f"{mark}2"),
                                         [network.id, person.id])
    roles = {r["value"] for r in rows if r["kind"] == "role"}
    coops = [r for r in rows if r["kind"] == "coop"]
    return Access(
        person=person,
        network=network,
        roles=frozenset(roles),
        admin_of=frozenset(r["cooperative_id"] for r in coops if r["value"] == AffiliationRole.ADMIN.value),
        active_coops=frozenset(r["cooperative_id"] for r in coops if r["status"] == MembershipStatus.ACTIVE.value),
        platform_admin=person.is_platform_admin,
        affiliations={r["cooperative_id"]: r["value"] for r in coops},
    )


async def cooperative_in(network: Network, cooperative_id: int) -> tuple[Cooperative, Membership]:
    """A cooperative with its membership here, or NotFound (also when it belongs elsewhere)."""
    membership = await Membership.get_or_none(
        network_id=network.id, cooperative_id=cooperative_id
    ).select_related("cooperative")
    if membership is None:
        raise NotFound(_("This cooperative is not in the network."))
    return membership.cooperative, membership


async def is_cooperative_admin(person: Person | None, cooperative_id: int) -> bool:
    if person is None:
        return False
    if person.is_platform_admin:
        return True
    return await Affiliation.exists(
        person_id=person.id, cooperative_id=cooperative_id,
        role=AffiliationRole.ADMIN.value, status=AffiliationStatus.ACTIVE.value,
    )
