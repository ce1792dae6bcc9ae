"""Invitations to a working group: a coordinator invites a person by e-mail (with or without an account);
the e-mail carries a link with a token; the person accepts or declines (also from "My groups").
Only the token's SHA-256 is stored. An invitation lets its person in whatever the group's join policy, as
long as they may join the group when they accept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tortoise.transactions import in_transaction

from federa.accounts.models import Person
from federa.audit.log import record
from federa.errors import Conflict, Invalid, NotAuthenticated, NotFound, PermissionDenied
from federa.groups import queries
from federa.groups.models import GroupInvitation, InvitationStatus, WorkingGroup
from federa.groups.services import MEMBER, add_member, lock, managed_group, may_join
from federa.networks.access import Access
from federa.networks.models import Network
from federa.notifications import outbox
from federa.web.i18n import gettext as _
from federa.web.security import hash_token, new_token

TTL = timedelta(days=14)
PENDING = InvitationStatus.PENDING.value


def invitation_path(network: Network, token: str) -> str:
    return f"/n/{network.slug}/groups/invitations/{token}"


async def invite(access: Access, group_id: int, email: str) -> GroupInvitation:
    """A coordinator invites someone by e-mail; a person with that address may also answer from My groups."""
    viewer = await managed_group(access, group_id)
    group = viewer.group
    if group.archived_at is not None:
        raise Conflict(_("This group is archived."))
    email = email.strip().lower()
    person = await Person.get_or_none(email=email)
    if person is not None:
        if await queries.group_standing(group, person) is not None:
            raise Invalid.field("email", _("%(name)s is a member of this group already.", name=person.name))
        if not await may_join(access, group, person):
            raise Invalid.field("email", _("%(email)s cannot join this group: they are not a member of the "
                                           "network.", email=email))
    token = new_token()
    async with in_transaction():
        await lock(group.id)
        if await GroupInvitation.exists(network_id=group.network_id, group_id=group.id, email=email, status=PENDING,
                                        expires_at__gt=datetime.now(UTC)):
            raise Invalid.field("email", _("%(email)s has been invited already.", email=email))
        invitation = await GroupInvitation.create(
            network_id=group.network_id, group_id=group.id, person=person, email=email,
            token_hash=hash_token(token), invited_by=access.person, expires_at=datetime.now(UTC) + TTL)
        message = await outbox.add(
            "group_invitation", email, locale=person.locale if person else "it", network=access.network,
            name=person.name if person else "", inviter=access.person.name if access.person else "",
            group=group.name, network_name=access.network.name, path=invitation_path(access.network, token))
        await record("group.invited", actor=access.person, network=access.network, obj=invitation,
                     group_id=group.id)
    await outbox.dispatch([message])
    return invitation


async def revoke(access: Access, group_id: int, invitation_id: int) -> GroupInvitation:
    """A coordinator withdraws an invitation not answered yet."""
    viewer = await managed_group(access, group_id)
    invitation = await GroupInvitation.get_or_none(id=invitation_id, network_id=access.network.id,
                                                   group_id=viewer.group.id)
    if invitation is None:
        raise NotFound(_("No such invitation."))
    async with in_transaction():
        if not await GroupInvitation.filter(id=invitation.id, status=PENDING).update(
                status=InvitationStatus.REVOKED.value, decided_at=datetime.now(UTC)):
            raise Conflict(_("This invitation has been answered already."))
        await record("group.invitation_revoked", actor=access.person, network=access.network, obj=invitation)
    return await GroupInvitation.get(id=invitation.id)


async def by_token(network: Network, token: str) -> GroupInvitation:
    """A live invitation of this network (pending, unexpired, its group not archived), or NotFound."""
    invitation = await GroupInvitation.get_or_none(token_hash=hash_token(token), network_id=network.id
                                                   ).select_related("group", "invited_by")
    if invitation is None or invitation.status != PENDING or invitation.expires_at < datetime.now(UTC) \
            or invitation.group.archived_at is not None:
        raise NotFound(_("This invitation is not valid any more."))
    return invitation


async def for_person(access: Access, group: WorkingGroup) -> GroupInvitation:
    """The signed-in person's own live invitation to the group, or NotFound."""
    if access.person is None:
        raise NotAuthenticated(_("Please sign in to continue."))
    invitation = await queries.my_invitation(group, access.person)
    if invitation is None:
        raise NotFound(_("This invitation is not valid any more."))
    return invitation


async def answer(access: Access, invitation: GroupInvitation, *, accept: bool) -> GroupInvitation:
    """Accept (join the group) or decline; the invitation is bound to the e-mail it was sent to."""
    actor = access.person
    if actor is None:
        raise NotAuthenticated(_("Please sign in to continue."))
    if invitation.network_id != access.network.id:
        raise NotFound(_("This invitation is not valid any more."))
    if actor.email.lower() != invitation.email and invitation.person_id != actor.id:
        raise PermissionDenied(_("This invitation was sent to another e-mail address."))
    group = await WorkingGroup.get(id=invitation.group_id)
    if accept and not await may_join(access, group, actor):
        raise PermissionDenied(_("This group is not open to you: only members of the network can join it."))
    async with in_transaction():
        await lock(group.id)
        if not await GroupInvitation.filter(id=invitation.id, status=PENDING).update(
                status=InvitationStatus.ACCEPTED.value if accept else InvitationStatus.DECLINED.value,
                person_id=actor.id, decided_at=datetime.now(UTC)):
            raise NotFound(_("This invitation is not valid any more."))
        if accept:
            await add_member(group, actor, MEMBER)
        await record("group.invitation_accepted" if accept else "group.invitation_declined", actor=actor,
                     network=access.network, obj=invitation, group_id=group.id)
    return await GroupInvitation.get(id=invitation.id)
