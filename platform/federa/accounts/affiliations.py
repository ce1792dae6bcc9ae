"""People in a cooperative: invitations, requests to join, approvals, removals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from federa.accounts.models import (
    Affiliation,
    AffiliationRole,
    AffiliationStatus,
    Invitation,
    NetworkRole,
    Person,
)
from federa.accounts.services import normalise_email
from federa.audit.log import record
from federa.errors import Conflict, Invalid, NotFound, PermissionDenied
from federa.networks.access import Access, is_cooperative_admin
from federa.networks.models import Cooperative, Membership, MembershipStatus
from federa.notifications import outbox
from federa.web.i18n import gettext as _
from federa.web.security import hash_token, new_token

INVITATION_TTL = timedelta(days=14)


async def _require_admin(actor: Person | None, cooperative_id: int) -> Cooperative:
    cooperative = await Cooperative.get_or_none(id=cooperative_id)
    if cooperative is None:
        raise NotFound(_("No such cooperative."))
    if not await is_cooperative_admin(actor, cooperative_id):
        raise PermissionDenied(_("Only the cooperative's administrators can do this."))
    return cooperative


async def invite(cooperative_id: int, email: str, role: str, *, actor: Person | None) -> Invitation:
    """A cooperative admin invites someone by e-mail."""
    cooperative = await _require_admin(actor, cooperative_id)
    return await _invite(cooperative, email, role, actor=actor, network=None)


async def invite_admin_for_network(access: Access, cooperative_id: int, email: str) -> Invitation:
    """A network coordinator invites the admin of one of the network's active member cooperatives."""
    access.require_manage()
    # Only an active membership counts: a cooperative that merely asked to join (or whose membership
    # ended) is not the network's to hand over.
    cooperative = await Cooperative.get_or_none(id=cooperative_id, memberships__network_id=access.network.id,
                                                memberships__status=MembershipStatus.ACTIVE.value)
    if cooperative is None:
        raise NotFound(_("This cooperative is not in the network."))
    return await _invite(cooperative, email, AffiliationRole.ADMIN.value, actor=access.person,
                         network=access.network)


async def _invite(cooperative: Cooperative, email: str, role: str, *, actor: Person | None,
                  network: object) -> Invitation:
    email = normalise_email(email)
    existing = await Affiliation.get_or_none(cooperative_id=cooperative.id, person__email=email,
                                             status=AffiliationStatus.ACTIVE.value)
    if existing is not None and (existing.role == role or role == AffiliationRole.MEMBER.value):
        raise Invalid.field("email", _("This person is already in the cooperative."))
    token = new_token()
    async with in_transaction():
        invitation = await Invitation.create(
            cooperative=cooperative, network_id=getattr(network, "id", None), email=email, role=role,
            token_hash=hash_token(token), invited_by=actor, expires_at=datetime.now(UTC) + INVITATION_TTL)
        locale = getattr(await Person.get_or_none(email=email), "locale", None) or "it"
        message = await outbox.add("invitation", email, locale=locale, network=network,
                                   cooperative=cooperative.legal_name, role=role,
                                   inviter=actor.name if actor else "", path=f"/invitations/{token}")
        await record("cooperative.invited", actor=actor, network=network, obj=invitation, email=email,
                     role=role)
    await outbox.dispatch([message])
    return invitation


async def invitation_by_token(token: str) -> Invitation:
    """A live invitation (not used, not expired), or NotFound."""
    row = await Invitation.get_or_none(token_hash=hash_token(token)).select_related("cooperative", "invited_by")
    if row is None or row.accepted_at is not None or row.expires_at < datetime.now(UTC) \
            or not await _still_backed(row):
        raise NotFound(_("This invitation is not valid any more."))
    return row


async def _still_backed(invitation: Invitation) -> bool:
    """Whoever invited may still do so: a removed admin's or a departed network's invitations die too."""
    inviter = invitation.invited_by
    if inviter is None or not inviter.is_active:
        return False
    if invitation.network_id is None:
        return await is_cooperative_admin(inviter, invitation.cooperative_id)
    in_network = await Membership.exists(network_id=invitation.network_id, cooperative_id=invitation.cooperative_id,
                                         status=MembershipStatus.ACTIVE.value)
    return in_network and (inviter.is_platform_admin or await NetworkRole.exists(
        network_id=invitation.network_id, person_id=inviter.id))


async def accept_invitation(token: str, *, person: Person) -> Affiliation:
    """Join the cooperative; the invitation is bound to the e-mail it was sent to."""
    invitation = await invitation_by_token(token)
    if normalise_email(person.email) != invitation.email:
        raise PermissionDenied(_("This invitation was sent to another e-mail address."))
    async with in_transaction():
        used = await Invitation.filter(id=invitation.id, accepted_at=None).update(accepted_at=datetime.now(UTC))
        if not used:
            raise NotFound(_("This invitation is not valid any more."))
        affiliation, created = await Affiliation.get_or_create(
            cooperative_id=invitation.cooperative_id, person=person,
            defaults={"role": invitation.role, "status": AffiliationStatus.ACTIVE.value})
        if not created:
            affiliation.status = AffiliationStatus.ACTIVE.value
            if invitation.role == AffiliationRole.ADMIN.value:
                affiliation.role = invitation.role
            await affiliation.save()
        if person.email_verified_at is None:  # the link proves the address
            await Person.filter(id=person.id).update(email_verified_at=datetime.now(UTC))
        await record("cooperative.invitation_accepted", actor=person, network=invitation.network_id,
                     obj=affiliation, cooperative_id=invitation.cooperative_id)
    return affiliation


async def request_to_join(cooperative_id: int, *, person: Person) -> Affiliation:
    """A person asks to be counted among a cooperative's people; its admins decide."""
    cooperative = await Cooperative.get_or_none(id=cooperative_id)
    if cooperative is None:
        raise NotFound(_("No such cooperative."))
    try:
        async with in_transaction():
            affiliation = await Affiliation.create(cooperative=cooperative, person=person,
                                                   status=AffiliationStatus.REQUESTED.value)
            admins = await Person.filter(affiliations__cooperative_id=cooperative.id,
                                         affiliations__role=AffiliationRole.ADMIN.value,
                                         affiliations__status=AffiliationStatus.ACTIVE.value, is_active=True)
            messages = [await outbox.add("join_requested", a.email, locale=a.locale, name=a.name,
                                         person_name=person.name, cooperative=cooperative.legal_name,
                                         path=f"/cooperatives/{cooperative.id}/people") for a in admins]
            await record("cooperative.join_requested", actor=person, obj=affiliation)
    except IntegrityError:
        return await Affiliation.get(cooperative_id=cooperative_id, person_id=person.id)
    await outbox.dispatch(messages)
    return affiliation


async def decide_request(cooperative_id: int, affiliation_id: int, approve: bool, *,
                         actor: Person | None) -> None:
    """Approve or refuse a request to join the cooperative; the person is told."""
    cooperative = await _require_admin(actor, cooperative_id)
    affiliation = await Affiliation.get_or_none(id=affiliation_id, cooperative_id=cooperative_id,
                                                status=AffiliationStatus.REQUESTED.value).select_related("person")
    if affiliation is None:
        raise NotFound(_("No such request."))
    async with in_transaction():
        if approve:
            changed = await Affiliation.filter(id=affiliation.id, status=AffiliationStatus.REQUESTED.value
                                               ).update(status=AffiliationStatus.ACTIVE.value)
        else:
            changed = await Affiliation.filter(id=affiliation.id, status=AffiliationStatus.REQUESTED.value
                                               ).delete()
        if not changed:
            raise Conflict(_("This request was decided already."))
        person = affiliation.person
        message = await outbox.add("join_decision", person.email, locale=person.locale, name=person.name,
                                   cooperative=cooperative.legal_name, approved=approve, path="/")
        await record("cooperative.join_approved" if approve else "cooperative.join_refused", actor=actor,
                     obj=affiliation, person_id=person.id)
    await outbox.dispatch([message])


async def remove(cooperative_id: int, affiliation_id: int, *, actor: Person | None) -> None:
    """Remove someone from the cooperative; the last administrator stays."""
    await _require_admin(actor, cooperative_id)
    affiliation = await Affiliation.get_or_none(id=affiliation_id, cooperative_id=cooperative_id)
    if affiliation is None:
        raise NotFound(_("No such person in the cooperative."))
    async with in_transaction():
        if affiliation.role == AffiliationRole.ADMIN.value and affiliation.status == AffiliationStatus.ACTIVE.value:
            # Lock the admin rows (PostgreSQL) so two admins removing each other cannot leave none.
            admins = [a.id for a in await Affiliation.filter(
                cooperative_id=cooperative_id, role=AffiliationRole.ADMIN.value,
                status=AffiliationStatus.ACTIVE.value).select_for_update().only("id")]
            if not set(admins) - {affiliation.id}:
                raise Conflict(_("A cooperative keeps at least one administrator."))
        await affiliation.delete()
        await record("cooperative.person_removed", actor=actor, obj=affiliation,
                     person_id=affiliation.person_id, cooperative_id=cooperative_id)


async def memberships_of(cooperative_id: int) -> list[Membership]:
    """The cooperative's memberships in every network, by network name."""
    return await Membership.filter(cooperative_id=cooperative_id).select_related("network").order_by(
        "network__name")
