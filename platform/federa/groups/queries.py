"""Reads for working groups: finding a group, who may see and join it, the list, members, pending work."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime

from tortoise.expressions import Q, Subquery

from federa.accounts.models import Affiliation, AffiliationStatus, Person
from federa.errors import NotAuthenticated, NotFound
from federa.events.eligibility import is_member_of
from federa.events.models import Event, EventSession, EventStatus
from federa.groups.models import (
    GroupInvitation,
    GroupJoinRequest,
    GroupMember,
    GroupRole,
    InvitationStatus,
    RequestStatus,
    Visibility,
    WorkingGroup,
)
from federa.networks.access import Access
from federa.networks.models import Network
from federa.networks.services import partner_ids
from federa.web.i18n import gettext as _

MEMBERS_ON_PAGE = 24  # the group page shows the coordinators and this many members; the rest on /members


async def access_group(network: Network, group_id: int) -> WorkingGroup:
    """The working group of this network, or NotFound (also when it belongs to another network)."""
    group = await WorkingGroup.get_or_none(id=group_id, network_id=network.id)
    if group is None:
        raise NotFound(_("No such working group."))
    return group


async def group_standing(group: WorkingGroup, person: Person | None) -> str | None:
    """The person's role in the group ('coordinator' or 'member'), or None when not a member."""
    if person is None:
        return None
    roles = await GroupMember.filter(network_id=group.network_id, group_id=group.id, person_id=person.id
                                     ).values_list("role", flat=True)
    return str(roles[0]) if roles else None


async def is_partner_member(access: Access) -> bool:
    """Not a member of access.network, but of one of its active partner networks."""
    if access.person is None or access.is_member:
        return False
    return await is_member_of(await partner_ids(access.network), access.person)


def may_see(group: WorkingGroup, access: Access, role: str | None, *, partner: bool) -> bool:
    """Managers see every group, members their own; listed groups are seen by whoever may join them."""
    if access.can_manage or role is not None:
        return True
    if group.visibility != Visibility.LISTED.value or access.person is None:
        return False
    return access.is_member or (group.open_to_partners and partner)


def may_manage(access: Access, role: str | None) -> bool:
    """The group's coordinators and the network's coordinators and admins run a group."""
    return access.can_manage or role == GroupRole.COORDINATOR.value


@dataclass
class Viewer:
    """What one person is to one group: their role, and whether they come from a partner network."""

    access: Access
    group: WorkingGroup
    role: str | None
    partner: bool

    @property
    def manages(self) -> bool:
        return may_manage(self.access, self.role)

    @property
    def may_join(self) -> bool:
        if self.role is not None or self.access.person is None or not self.access.person.is_active:
            return False
        if self.group.archived_at is not None:
            return False
        return self.access.is_member or (self.group.open_to_partners and self.partner)


async def viewer_of(access: Access, group: WorkingGroup) -> Viewer:
    """The person's standing towards the group, in one or two queries."""
    role = await group_standing(group, access.person)
    partner = False if role is not None or access.is_member else await is_partner_member(access)
    return Viewer(access, group, role, partner)


async def visible_group(access: Access, group_id: int) -> Viewer:
    """The group of the URL if this person may see it: 404 otherwise (anonymous visitors: sign in first)."""
    group = await access_group(access.network, group_id)
    viewer = await viewer_of(access, group)
    if may_see(group, access, viewer.role, partner=viewer.partner):
        return viewer
    if access.person is None:
        raise NotAuthenticated(_("Please sign in to continue."))
    raise NotFound(_("No such working group."))


# ----- lists --------------------------------------------------------------------------------------------

async def visibility(access: Access, *, partner: bool) -> Q:
    """The groups of access.network this person may see (as may_see, for a whole list)."""
    where = Q(network_id=access.network.id)
    if access.can_manage:
        return where
    person = access.person
    if person is None:
        return where & Q(id__in=[])
    mine = Q(id__in=Subquery(GroupMember.filter(network_id=access.network.id, person_id=person.id).values(
        "group_id")))
    if access.is_member:
        return where & (Q(visibility=Visibility.LISTED.value) | mine)
    if partner:
        return where & (Q(visibility=Visibility.LISTED.value, open_to_partners=True) | mine)
    return where & mine


@dataclass
class GroupRow:
    group: WorkingGroup
    role: str | None  # the viewer's


async def list_groups(access: Access, *, sector: str = "", q: str = "", archived: bool = False
                      ) -> list[GroupRow]:
    """The groups this person may see, theirs first, then by name."""
    partner = await is_partner_member(access)
    where = await visibility(access, partner=partner)
    if sector:
        where &= Q(sector=sector)
    if q:
        where &= Q(name__icontains=q)
    where &= Q(archived_at__isnull=not archived)
    groups = await WorkingGroup.filter(where).order_by("name", "id")
    roles = await my_roles(access.network, access.person, [g.id for g in groups])
    rows = [GroupRow(g, roles.get(g.id)) for g in groups]
    return sorted(rows, key=lambda r: r.role is None)  # stable: the name order stays within each part


async def my_roles(network: Network, person: Person | None, group_ids: list[int]) -> dict[int, str]:
    """The person's role in each of these groups of the network, in one query."""
    if person is None or not group_ids:
        return {}
    rows = await GroupMember.filter(network_id=network.id, person_id=person.id, group_id__in=group_ids
                                    ).values_list("group_id", "role")
    return {int(g): str(r) for g, r in rows}


@dataclass
class MyGroup:
    group: WorkingGroup
    network: Network
    role: str


async def my_groups(person: Person) -> list[MyGroup]:
    """The person's groups in every network, by network then name."""
    rows = await GroupMember.filter(person_id=person.id).select_related("group", "network")
    found = [MyGroup(r.group, r.network, r.role) for r in rows]
    return sorted(found, key=lambda m: (m.network.name.lower(), m.group.name.lower(), m.group.id))


@dataclass
class MyInvitation:
    invitation: GroupInvitation
    group: WorkingGroup
    network: Network


async def my_invitations(person: Person) -> list[MyInvitation]:
    """Pending, unexpired invitations to the person (by account or by their e-mail), in every network."""
    now = datetime.now(UTC)
    rows = await GroupInvitation.filter(Q(person_id=person.id) | Q(email=person.email.lower()),
                                        status=InvitationStatus.PENDING.value, expires_at__gt=now
                                        ).select_related("group", "network").order_by("-created_at", "-id")
    return [MyInvitation(r, r.group, r.network) for r in rows if r.group.archived_at is None]


# ----- members and pending work -------------------------------------------------------------------------

@dataclass
class MemberRow:
    """One member as lists show them (plain values: a page of members builds no ORM objects)."""

    id: int  # the membership's
    person_id: int
    name: str
    role: str
    joined_at: datetime
    cooperatives: list[str]


async def cooperatives_of(person_ids: list[int]) -> dict[int, list[str]]:
    """The names of each person's cooperatives (active affiliations), in one query."""
    found: dict[int, list[str]] = defaultdict(list)
    if person_ids:
        rows = await Affiliation.filter(person_id__in=person_ids, status=AffiliationStatus.ACTIVE.value
                                        ).order_by("cooperative__legal_name").values_list(
            "person_id", "cooperative__legal_name")
        for person_id, name in rows:
            found[int(person_id)].append(str(name))
    return found


_COLUMNS = ("id", "person_id", "person__name", "role", "joined_at")


async def _rows(where: Q, order: tuple[str, ...], offset: int, limit: int) -> list[tuple]:
    return list(await GroupMember.filter(where).order_by(*order).offset(offset).limit(limit).values_list(*_COLUMNS))


def _with_cooperatives(rows: list[tuple], coops: dict[int, list[str]]) -> list[MemberRow]:
    return [MemberRow(i, p, n, r, j, coops.get(p, [])) for i, p, n, r, j in rows]


async def members(group: WorkingGroup, *, role: str | None = None, offset: int = 0, limit: int = 50
                  ) -> list[MemberRow]:
    """One page of members (coordinators first, then by name), with their cooperatives."""
    where = Q(network_id=group.network_id, group_id=group.id)
    if role is not None:
        where &= Q(role=role)
    order = ("role", "person__name", "id") if role is None else ("person__name", "id")
    rows = await _rows(where, order, offset, limit)
    return _with_cooperatives(rows, await cooperatives_of([r[1] for r in rows]))


async def page_members(group: WorkingGroup) -> tuple[list[MemberRow], list[MemberRow]]:
    """The group page's people: up to 50 coordinators and the first members, with their cooperatives.

    One query for both: ordered by role ('coordinator' sorts first) and name, with room for 50 coordinators
    and MEMBERS_ON_PAGE members, then one for their cooperatives."""
    rows = await _rows(Q(network_id=group.network_id, group_id=group.id), ("role", "person__name", "id"), 0,
                       50 + MEMBERS_ON_PAGE)
    coordinators = [r for r in rows if r[3] == GroupRole.COORDINATOR.value][:50]
    others = [r for r in rows if r[3] == GroupRole.MEMBER.value][:MEMBERS_ON_PAGE]
    coops = await cooperatives_of([r[1] for r in (*coordinators, *others)])
    return _with_cooperatives(coordinators, coops), _with_cooperatives(others, coops)


async def pending_requests(group: WorkingGroup) -> list[GroupJoinRequest]:
    """Requests waiting for a coordinator, oldest first, with the person."""
    return await GroupJoinRequest.filter(network_id=group.network_id, group_id=group.id,
                                         status=RequestStatus.PENDING.value).select_related("person").order_by(
        "created_at", "id")


async def pending_invitations(group: WorkingGroup) -> list[GroupInvitation]:
    """Invitations not answered yet (expired ones included, so they can be withdrawn), newest first."""
    return await GroupInvitation.filter(network_id=group.network_id, group_id=group.id,
                                        status=InvitationStatus.PENDING.value).order_by("-created_at", "-id")


async def my_request(group: WorkingGroup, person: Person | None) -> GroupJoinRequest | None:
    if person is None:
        return None
    return await GroupJoinRequest.filter(network_id=group.network_id, group_id=group.id, person_id=person.id,
                                         status=RequestStatus.PENDING.value).first()


async def my_invitation(group: WorkingGroup, person: Person | None) -> GroupInvitation | None:
    """The person's pending, unexpired invitation to this group, if any."""
    if person is None:
        return None
    return await GroupInvitation.filter(Q(person_id=person.id) | Q(email=person.email.lower()),
                                        network_id=group.network_id, group_id=group.id,
                                        status=InvitationStatus.PENDING.value,
                                        expires_at__gt=datetime.now(UTC)).first()


async def upcoming_events(access: Access, group: WorkingGroup, *, limit: int = 5) -> list[Event]:
    """The group's events still to come (or running) that this person may see, soonest first."""
    from federa.events import queries as event_queries

    ahead = Subquery(EventSession.filter(ends_at__gte=datetime.now(UTC)).values("event_id"))
    return list(await Event.filter(await event_queries.visibility(access)).filter(
        group_id=group.id, id__in=ahead).exclude(status=EventStatus.CANCELLED.value).order_by(
        "starts_at", "id").limit(limit))


async def count_members(group: WorkingGroup, role: str) -> int:
    return await GroupMember.filter(network_id=group.network_id, group_id=group.id, role=role).count()
