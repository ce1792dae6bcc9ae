"""Changes to working groups: creating and editing them, joining, asking to join, leaving, removing people,
naming coordinators. Each change runs in one transaction with its audit row and its e-mails (outbox).

Changes to a group's members lock the group's row first (PostgreSQL; SQLite serialises writes), so two
coordinators stepping down at once cannot leave the group without one.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from federa.accounts.models import Person
from federa.audit.log import record
from federa.errors import Conflict, Invalid, NotAuthenticated, NotFound, PermissionDenied
from federa.groups import queries
from federa.groups.models import (
    GroupJoinRequest,
    GroupMember,
    GroupRole,
    JoinPolicy,
    RequestStatus,
    WorkingGroup,
)
from federa.groups.schemas import GroupCreateIn, GroupIn, JoinIn
from federa.networks.access import Access, access_in
from federa.notifications import outbox
from federa.search import index
from federa.web.i18n import gettext as _
from federa.web.markdown import render_markdown

COORDINATOR = GroupRole.COORDINATOR.value
MEMBER = GroupRole.MEMBER.value


def group_path(group: WorkingGroup, slug: str) -> str:
    return f"/n/{slug}/groups/{group.id}"


def _person(access: Access) -> Person:
    if access.person is None:
        raise NotAuthenticated(_("Please sign in to continue."))
    return access.person


async def managed_group(access: Access, group_id: int) -> queries.Viewer:
    """The group, if this person may see it and run it (its coordinators, the network's managers)."""
    _person(access)
    viewer = await queries.visible_group(access, group_id)
    if not viewer.manages:
        raise PermissionDenied(_("Only the group's coordinators can do this."))
    return viewer


async def lock(group_id: int) -> WorkingGroup:
    """The group's row, locked until the transaction ends (PostgreSQL: FOR UPDATE)."""
    return await WorkingGroup.filter(id=group_id).select_for_update().get()


# ----- groups -------------------------------------------------------------------------------------------

def _fields(data: GroupIn) -> dict[str, Any]:
    return {"name": data.name, "purpose": data.purpose, "purpose_html": render_markdown(data.purpose),
            "sector": data.sector, "join_policy": data.join_policy, "visibility": data.visibility,
            "open_to_partners": data.open_to_partners}


async def create_group(access: Access, data: GroupCreateIn) -> WorkingGroup:
    """A network coordinator creates a group and names its coordinators (themselves when none are named)."""
    access.require_manage()
    actor = _person(access)
    draft = WorkingGroup(network_id=access.network.id, **_fields(data))
    coordinators = await _coordinators(access, draft, data.coordinator_emails) or [actor]
    async with in_transaction():
        group = await WorkingGroup.create(network_id=access.network.id, created_by=actor,
                                          member_count=len(coordinators), **_fields(data))
        await GroupMember.bulk_create([GroupMember(network_id=access.network.id, group_id=group.id,
                                                   person_id=p.id, role=COORDINATOR) for p in coordinators])
        messages = [await _tell(p, "group_coordinator_named", group, access, actor=actor.name)
                    for p in coordinators if p.id != actor.id]
        await record("group.created", actor=actor, network=access.network, obj=group,
                     coordinators=[p.id for p in coordinators])
        await index.refresh("group", group.id)
    await outbox.dispatch(messages)
    return group


async def _coordinators(access: Access, group: WorkingGroup, emails: list[str]) -> list[Person]:
    """The people named by e-mail, each with an account and allowed to join the group."""
    wanted = list(dict.fromkeys(e.lower() for e in emails))
    people = {p.email: p for p in await Person.filter(email__in=wanted, is_active=True)}
    for email in wanted:
        person = people.get(email)
        if person is None:
            raise Invalid.field("coordinator_emails", _("Nobody has an account with %(email)s.", email=email))
        if not await may_join(access, group, person):
            raise Invalid.field("coordinator_emails", _("%(email)s cannot join this group: they are not a member "
                                                        "of the network.", email=email))
    return [people[e] for e in wanted]


async def may_join(access: Access, group: WorkingGroup, person: Person) -> bool:
    """Whether `person` (not necessarily the one acting) may join the group."""
    theirs = access if access.person is not None and access.person.id == person.id else \
        await access_in(access.network, person)
    viewer = queries.Viewer(theirs, group, None, await queries.is_partner_member(theirs))
    return viewer.may_join


async def update_group(access: Access, group_id: int, data: GroupIn) -> WorkingGroup:
    """Edit a group's details (its coordinators or the network's)."""
    viewer = await managed_group(access, group_id)
    async with in_transaction():
        await WorkingGroup.filter(id=viewer.group.id).update(**_fields(data))
        await record("group.updated", actor=access.person, network=access.network, obj=viewer.group)
        await index.refresh("group", viewer.group.id)
    return await WorkingGroup.get(id=viewer.group.id)


async def archive_group(access: Access, group_id: int, *, archived: bool) -> WorkingGroup:
    """Archive a group (nobody joins it any more; it stays readable) or bring it back: network managers."""
    access.require_manage()
    group = await queries.access_group(access.network, group_id)
    async with in_transaction():
        await WorkingGroup.filter(id=group.id).update(archived_at=datetime.now(UTC) if archived else None)
        await record("group.archived" if archived else "group.restored", actor=access.person,
                     network=access.network, obj=group)
        await index.refresh("group", group.id)
    return await WorkingGroup.get(id=group.id)


# ----- joining, asking, deciding ------------------------------------------------------------------------

async def join(access: Access, group_id: int, data: JoinIn) -> GroupMember | GroupJoinRequest:
    """Join an open group, or ask to join one 'on request' (its coordinators are told by e-mail)."""
    actor = _person(access)
    viewer = await queries.visible_group(access, group_id)
    group = viewer.group
    if viewer.role is not None:
        raise Conflict(_("You are a member of this group already."))
    if not viewer.may_join:
        raise PermissionDenied(_("This group is not open to you."))
    if group.join_policy == JoinPolicy.INVITATION.value:
        raise PermissionDenied(_("People join this group when its coordinators invite them."))
    if group.join_policy == JoinPolicy.OPEN.value:
        async with in_transaction():
            await lock(group.id)
            member = await add_member(group, actor, MEMBER)
            await record("group.joined", actor=actor, network=access.network, obj=group)
        return member
    return await _ask(access, group, actor, data.message)


async def add_member(group: WorkingGroup, person: Person, role: str) -> GroupMember:
    """Inside a transaction holding the group's lock: the member row and the count."""
    try:
        async with in_transaction():  # a savepoint: a duplicate leaves the outer transaction usable
            member = await GroupMember.create(network_id=group.network_id, group_id=group.id, person_id=person.id,
                                              role=role)
    except IntegrityError as exc:
        raise Conflict(_("%(name)s is a member of this group already.", name=person.name)) from exc
    await WorkingGroup.filter(id=group.id).update(member_count=F("member_count") + 1)
    # an invitation or a request still open is answered by joining
    await GroupJoinRequest.filter(network_id=group.network_id, group_id=group.id, person_id=person.id,
                                  status=RequestStatus.PENDING.value).update(
        status=RequestStatus.APPROVED.value, decided_at=datetime.now(UTC))
    return member


async def _ask(access: Access, group: WorkingGroup, actor: Person, message: str) -> GroupJoinRequest:
    async with in_transaction():
        await lock(group.id)
        if await queries.my_request(group, actor) is not None:
            raise Conflict(_("You have asked to join already: the coordinators will answer soon."))
        request = await GroupJoinRequest.create(network_id=group.network_id, group_id=group.id,
                                                person_id=actor.id, message=message)
        coordinators = await GroupMember.filter(network_id=group.network_id, group_id=group.id, role=COORDINATOR,
                                                person__is_active=True).select_related("person")
        messages = [await _tell(c.person, "group_join_requested", group, access, person_name=actor.name,
                                message=message) for c in coordinators]
        await record("group.join_requested", actor=actor, network=access.network, obj=request)
    await outbox.dispatch(messages)
    return request


async def withdraw_request(access: Access, group_id: int) -> GroupJoinRequest:
    """Take back one's own pending request."""
    actor = _person(access)
    group = await queries.access_group(access.network, group_id)
    request = await queries.my_request(group, actor)
    if request is None:
        raise Conflict(_("You have no pending request for this group."))
    async with in_transaction():
        if not await GroupJoinRequest.filter(id=request.id, status=RequestStatus.PENDING.value).update(
                status=RequestStatus.WITHDRAWN.value, decided_at=datetime.now(UTC)):
            raise Conflict(_("This request has been answered already."))
        await record("group.request_withdrawn", actor=actor, network=access.network, obj=request)
    return await GroupJoinRequest.get(id=request.id)


async def decide_request(access: Access, group_id: int, request_id: int, action: str) -> GroupJoinRequest:
    """A group coordinator approves or refuses a request; the person is told by e-mail."""
    viewer = await managed_group(access, group_id)
    group = viewer.group
    request = await GroupJoinRequest.get_or_none(id=request_id, network_id=group.network_id, group_id=group.id
                                                 ).select_related("person")
    if request is None:
        raise NotFound(_("No such request."))
    approve = action == "approve"
    async with in_transaction():
        await lock(group.id)
        if not await GroupJoinRequest.filter(id=request.id, status=RequestStatus.PENDING.value).update(
                status=RequestStatus.APPROVED.value if approve else RequestStatus.REFUSED.value,
                decided_by_id=_person(access).id, decided_at=datetime.now(UTC)):
            raise Conflict(_("This request has been answered already."))
        if approve:
            if not await may_join(access, group, request.person):
                raise Conflict(_("%(name)s cannot join this group any more.", name=request.person.name))
            await add_member(group, request.person, MEMBER)
        message = await _tell(request.person, "group_request_decided", group, access, approved=approve)
        await record("group.request_approved" if approve else "group.request_refused", actor=access.person,
                     network=access.network, obj=request, person_id=request.person_id)
    await outbox.dispatch([message])
    return await GroupJoinRequest.get(id=request.id)


# ----- leaving, removing, roles -------------------------------------------------------------------------

async def _other_coordinators(group: WorkingGroup, person_id: int) -> int:
    return await GroupMember.filter(network_id=group.network_id, group_id=group.id, role=COORDINATOR
                                    ).exclude(person_id=person_id).count()


async def _drop(access: Access, group: WorkingGroup, action: str, **which: int) -> None:
    """Remove one member (leaving or removed; `which` names the row), never the last coordinator."""
    async with in_transaction():
        await lock(group.id)
        member = await GroupMember.filter(network_id=group.network_id, group_id=group.id, **which).first()
        if member is None:
            raise NotFound(_("Not a member of this group."))
        if member.role == COORDINATOR and not await _other_coordinators(group, member.person_id):
            raise Conflict(_("The group needs a coordinator: name another one first."))
        await GroupMember.filter(id=member.id).delete()
        await WorkingGroup.filter(id=group.id).update(member_count=F("member_count") - 1)
        await record(action, actor=access.person, network=access.network, obj=group, person_id=member.person_id)


async def leave(access: Access, group_id: int) -> None:
    """Leave a group (the last coordinator names another one first)."""
    actor = _person(access)
    group = await queries.access_group(access.network, group_id)
    await _drop(access, group, "group.left", person_id=actor.id)


async def remove_member(access: Access, group_id: int, member_id: int) -> None:
    """A coordinator removes someone from the group."""
    viewer = await managed_group(access, group_id)
    await _drop(access, viewer.group, "group.member_removed", id=member_id)


async def set_role(access: Access, group_id: int, member_id: int, role: str) -> GroupMember:
    """Make a member a coordinator, or a coordinator a member again (never the last one)."""
    viewer = await managed_group(access, group_id)
    group = viewer.group
    messages = []
    async with in_transaction():
        await lock(group.id)
        member = await GroupMember.get_or_none(network_id=group.network_id, group_id=group.id, id=member_id
                                               ).select_related("person")
        if member is None:
            raise NotFound(_("Not a member of this group."))
        if member.role == role:
            return member
        if role == MEMBER and not await _other_coordinators(group, member.person_id):
            raise Conflict(_("The group needs a coordinator: name another one first."))
        await GroupMember.filter(id=member.id).update(role=role)
        if role == COORDINATOR and member.person_id != _person(access).id:
            messages.append(await _tell(member.person, "group_coordinator_named", group, access,
                                        actor=_person(access).name))
        await record("group.role_changed", actor=access.person, network=access.network, obj=group,
                     person_id=member.person_id, role=role)
    await outbox.dispatch(messages)
    return await GroupMember.get(id=member.id)


async def name_coordinator(access: Access, group_id: int, email: str) -> GroupMember:
    """A network coordinator names someone coordinator directly (a member already, or a new one)."""
    access.require_manage()
    group = await queries.access_group(access.network, group_id)
    person = await Person.get_or_none(email=email.lower(), is_active=True)
    if person is None:
        raise Invalid.field("email", _("Nobody has an account with %(email)s.", email=email))
    existing = await GroupMember.get_or_none(network_id=group.network_id, group_id=group.id, person_id=person.id)
    if existing is not None:
        return await set_role(access, group.id, existing.id, COORDINATOR)
    if not await may_join(access, group, person):
        raise Invalid.field("email", _("%(email)s cannot join this group: they are not a member of the network.",
                                       email=email))
    async with in_transaction():
        await lock(group.id)
        member = await add_member(group, person, COORDINATOR)
        message = await _tell(person, "group_coordinator_named", group, access, actor=_person(access).name)
        await record("group.coordinator_named", actor=access.person, network=access.network, obj=group,
                     person_id=person.id)
    await outbox.dispatch([message])
    return member


async def _tell(person: Person, kind: str, group: WorkingGroup, access: Access, **context: Any
                ) -> outbox.OutboxMessage:
    network = access.network
    return await outbox.add(kind, person.email, locale=person.locale, network=network, name=person.name,
                            group=group.name, network_name=network.name, path=group_path(group, network.slug),
                            **context)
