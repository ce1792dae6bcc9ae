"""Changes to networks: creation, roles (admins, coordinators) and partner agreements."""

from __future__ import annotations

from datetime import UTC, datetime

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from federa.accounts.models import NetworkRole, NetworkRoleName, Person
from federa.accounts.services import normalise_email, require_platform_admin
from federa.audit.log import record
from federa.errors import Conflict, Invalid, NotFound
from federa.networks.access import Access
from federa.networks.models import Network, Partnership, PartnershipStatus
from federa.networks.schemas import NetworkIn
from federa.tenancy import network_cache
from federa.web.i18n import gettext as _


async def create_network(data: NetworkIn, *, actor: Person | None) -> Network:
    """A platform admin creates a network and, optionally, names its first admin."""
    require_platform_admin(actor)
    admin = None
    if data.admin_email:
        admin = await Person.get_or_none(email=normalise_email(data.admin_email))
        if admin is None:
            raise Invalid.field("admin_email", _("No account uses this e-mail yet."))
    try:
        async with in_transaction():
            network = await Network.create(slug=data.slug, name=data.name, kind=data.kind,
                                           region=data.region, description=data.description)
            if admin is not None:
                await NetworkRole.create(network=network, person=admin, role=NetworkRoleName.ADMIN.value)
            await record("network.created", actor=actor, network=network, obj=network, slug=data.slug)
    except IntegrityError as exc:
        raise Invalid.field("slug", _("This address is already taken.")) from exc
    network_cache.forget()
    return network


async def grant_role(access: Access, email: str, role: str) -> NetworkRole:
    """An admin names a coordinator or another admin of the network."""
    access.require_admin()
    if role not in {r.value for r in NetworkRoleName}:
        raise Invalid.field("role", _("Choose one of the options."))
    person = await Person.get_or_none(email=normalise_email(email))
    if person is None:
        raise Invalid.field("email", _("No account uses this e-mail yet. Invite the person first."))
    async with in_transaction():
        row, created = await NetworkRole.get_or_create(network_id=access.network.id, person=person, role=role)
        if created:
            await record("network.role_granted", actor=access.person, network=access.network, obj=person,
                         role=role)
    return row


async def revoke_role(access: Access, role_id: int) -> None:
    """An admin removes a role; the network keeps at least one administrator."""
    access.require_admin()
    row = await NetworkRole.get_or_none(id=role_id, network_id=access.network.id)
    if row is None:
        raise NotFound(_("No such role."))
    async with in_transaction():
        if row.role == NetworkRoleName.ADMIN.value:
            # Lock the admin rows (PostgreSQL) so two admins removing each other cannot leave none.
            # (values_list() would silently drop FOR UPDATE, so fetch objects with only their ids)
            locked = await NetworkRole.filter(network_id=access.network.id, role=NetworkRoleName.ADMIN.value
                                              ).select_for_update().only("id")
            admins = [r.id for r in locked]
            if not set(admins) - {row.id}:
                raise Conflict(_("A network keeps at least one administrator."))
        await row.delete()
        await record("network.role_revoked", actor=access.person, network=access.network,
                     person_id=row.person_id, role=row.role)


async def propose_partnership(access: Access, partner_slug: str) -> Partnership:
    """Propose an agreement; it becomes active when the other network accepts."""
    access.require_admin()
    partner = await Network.get_or_none(slug=partner_slug)
    if partner is None or partner.id == access.network.id:
        raise Invalid.field("partner", _("Choose another network."))
    reverse = await Partnership.get_or_none(network_id=partner.id, partner_id=access.network.id)
    async with in_transaction():
        if reverse is not None and reverse.status == PartnershipStatus.PROPOSED.value:
            # They asked us already: proposing back is accepting.
            return await _accept(access, reverse)
        if reverse is not None and reverse.status == PartnershipStatus.ACTIVE.value:
            raise Conflict(_("The two networks are partners already."))
        row, _created = await Partnership.get_or_create(network_id=access.network.id, partner_id=partner.id)
        if row.status == PartnershipStatus.ACTIVE.value:
            raise Conflict(_("The two networks are partners already."))
        row.status = PartnershipStatus.PROPOSED.value
        row.decided_at = None
        await row.save()
        await record("partnership.proposed", actor=access.person, network=access.network, obj=row,
                     partner=partner.slug)
    return row


async def _accept(access: Access, row: Partnership) -> Partnership:
    accepted = await Partnership.filter(id=row.id, status=PartnershipStatus.PROPOSED.value).update(
        status=PartnershipStatus.ACTIVE.value, decided_at=datetime.now(UTC))
    if not accepted:  # a concurrent decision came first
        raise Conflict(_("This proposal was decided already."))
    await row.refresh_from_db()
    await record("partnership.accepted", actor=access.person, network=access.network, obj=row)
    return row


async def decide_partnership(access: Access, partnership_id: int, accept: bool) -> Partnership:
    """The receiving network accepts or declines; either side can end an active one."""
    access.require_admin()
    row = await Partnership.get_or_none(id=partnership_id)
    if row is None or access.network.id not in (row.network_id, row.partner_id):
        raise NotFound(_("No such partnership."))
    async with in_transaction():
        if accept:
            if row.partner_id != access.network.id or row.status != PartnershipStatus.PROPOSED.value:
                raise Conflict(_("Only a proposal made to this network can be accepted."))
            return await _accept(access, row)
        ended = await Partnership.filter(id=row.id).exclude(status=PartnershipStatus.ENDED.value).update(
            status=PartnershipStatus.ENDED.value, decided_at=datetime.now(UTC))
        if not ended:
            raise Conflict(_("This partnership has ended already."))
        await row.refresh_from_db()
        await record("partnership.ended", actor=access.person, network=access.network, obj=row)
    return row


async def partner_ids(network: Network) -> list[int]:
    """The networks that have an active agreement with this one (either side proposed it)."""
    rows = await Partnership.filter(Q(network_id=network.id) | Q(partner_id=network.id),
                                    status=PartnershipStatus.ACTIVE.value).values_list("network_id", "partner_id")
    return sorted({a if b == network.id else b for a, b in rows})
