"""Changes to cooperatives: added by a network, edited by their admins, with sectors and services."""

from __future__ import annotations

from datetime import UTC, datetime

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from federa.accounts.models import NetworkRole, Person
from federa.audit.log import record
from federa.errors import Invalid, NotFound, PermissionDenied
from federa.networks.access import Access, is_cooperative_admin
from federa.networks.models import (
    Cooperative,
    CooperativeSector,
    CooperativeService,
    Membership,
    MembershipChange,
    MembershipStatus,
    Network,
)
from federa.networks.schemas import CooperativeIn, CooperativePatch, ServiceIn
from federa.search import index
from federa.web.i18n import gettext as _

PROFILE_FIELDS = ("legal_name", "coop_type", "province", "city", "address", "email", "phone", "website",
                  "description", "is_public")


async def add_to_network(access: Access, data: CooperativeIn) -> Cooperative:
    """A coordinator registers a cooperative and makes it an active member of the network."""
    access.require_manage()
    if await Cooperative.exists(tax_code=data.tax_code):
        raise Invalid.field("tax_code", _("A cooperative with this tax code is already registered."))
    try:
        async with in_transaction():
            cooperative = await create_member(access, data)
    except IntegrityError as exc:  # a concurrent request registered the same tax code
        raise Invalid.field("tax_code", _("A cooperative with this tax code is already registered.")) from exc
    return cooperative


async def create_member(access: Access, data: CooperativeIn) -> Cooperative:
    """Rows for one new member cooperative; the caller holds the transaction (imports batch it)."""
    cooperative = await Cooperative.create(tax_code=data.tax_code,
                                           **{f: getattr(data, f) for f in PROFILE_FIELDS})
    await _replace_sectors(cooperative, data.sectors)
    await _replace_services(cooperative, data.services or [])
    now = datetime.now(UTC)
    membership = await Membership.create(network_id=access.network.id, cooperative=cooperative,
                                         status=MembershipStatus.ACTIVE.value, started_at=now)
    await MembershipChange.create(network_id=access.network.id, membership=membership, from_status=None,
                                  to_status=MembershipStatus.ACTIVE.value, actor=access.person,
                                  note="added by the network")
    await index.refresh("cooperative", cooperative.id)
    await record("cooperative.added", actor=access.person, network=access.network, obj=cooperative,
                 tax_code=data.tax_code)
    return cooperative


async def can_edit(person: Person | None, cooperative_id: int, network: Network | None = None) -> bool:
    """Its admins, platform admins, and coordinators of a network where it is an active member.

    Through a network (its API address), only that network's coordinators count: the change is
    recorded in its name.
    """
    if person is None:
        return False
    if await is_cooperative_admin(person, cooperative_id):
        return True
    active = Membership.filter(cooperative_id=cooperative_id, status=MembershipStatus.ACTIVE.value)
    if network is not None:
        active = active.filter(network_id=network.id)
    networks = await active.values_list("network_id", flat=True)
    return await NetworkRole.exists(person_id=person.id, network_id__in=list(networks))


async def update(cooperative_id: int, data: CooperativePatch, *, actor: Person | None,
                 network: Network | None = None) -> Cooperative:
    """Edit the profile, sectors and services catalogue."""
    if not await can_edit(actor, cooperative_id, network):
        raise PermissionDenied(_("Only the cooperative's administrators can change its profile."))
    cooperative = await Cooperative.get_or_none(id=cooperative_id)
    if cooperative is None:
        raise NotFound(_("No such cooperative."))
    # null means "leave as is": every profile column is NOT NULL
    changes = {k: v for k, v in data.model_dump(exclude_unset=True).items() if v is not None}
    async with in_transaction():
        fields = [f for f in PROFILE_FIELDS if f in changes]
        for name in fields:
            setattr(cooperative, name, changes[name])
        if fields:
            await cooperative.save(update_fields=[*fields, "updated_at"])
        if data.sectors is not None:
            await _replace_sectors(cooperative, data.sectors)
        if data.services is not None:
            await _replace_services(cooperative, data.services)
        await record("cooperative.updated", actor=actor, network=network, obj=cooperative,
                     fields=sorted(changes))
        await index.refresh("cooperative", cooperative.id)
    return cooperative


async def _replace_sectors(cooperative: Cooperative, sectors: list[str]) -> None:
    await CooperativeSector.filter(cooperative_id=cooperative.id).delete()
    await CooperativeSector.bulk_create([CooperativeSector(cooperative_id=cooperative.id, sector=s)
                                         for s in sectors])


async def _replace_services(cooperative: Cooperative, services: list[ServiceIn]) -> None:
    await CooperativeService.filter(cooperative_id=cooperative.id).delete()
    await CooperativeService.bulk_create([
        CooperativeService(cooperative_id=cooperative.id, position=i, **s.model_dump())
        for i, s in enumerate(services)
    ])
