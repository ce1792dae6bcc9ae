"""The membership workflow: a cooperative asks, the network decides; every step is kept."""

from __future__ import annotations

from datetime import UTC, datetime

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from federa.accounts.models import AffiliationRole, AffiliationStatus, NetworkRole, Person
from federa.audit.log import record
from federa.errors import Conflict, NotFound, PermissionDenied
from federa.networks.access import Access, is_cooperative_admin
from federa.networks.models import Cooperative, Membership, MembershipChange, MembershipStatus, Network
from federa.notifications import outbox
from federa.search import index
from federa.web.i18n import gettext as _

S = MembershipStatus
# action → (statuses it applies to, resulting status)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "approve": ((S.REQUESTED.value,), S.ACTIVE.value),
    "refuse": ((S.REQUESTED.value,), S.REFUSED.value),
    "suspend": ((S.ACTIVE.value,), S.SUSPENDED.value),
    "reactivate": ((S.SUSPENDED.value,), S.ACTIVE.value),
    "end": ((S.ACTIVE.value, S.SUSPENDED.value), S.ENDED.value),
}
REOPENABLE = (S.ENDED.value, S.REFUSED.value)


async def request_membership(network: Network, cooperative_id: int, *, actor: Person | None) -> Membership:
    """A cooperative's admin asks to join the network; asking twice changes nothing."""
    if not await is_cooperative_admin(actor, cooperative_id):
        raise PermissionDenied(_("Only the cooperative's administrators can ask to join a network."))
    cooperative = await Cooperative.get_or_none(id=cooperative_id)
    if cooperative is None:
        raise NotFound(_("No such cooperative."))
    try:
        async with in_transaction():
            membership = await Membership.create(network=network, cooperative=cooperative)
            await _log_change(membership, None, S.REQUESTED.value, actor, "")
            messages = await _tell_coordinators(network, cooperative)
    except IntegrityError:
        # A membership exists already (perhaps created a moment ago by a concurrent request).
        membership = await Membership.get(network_id=network.id, cooperative_id=cooperative_id)
        if membership.status not in REOPENABLE:
            return membership
        async with in_transaction():
            reopened = await Membership.filter(id=membership.id, status=membership.status).update(
                status=S.REQUESTED.value, requested_at=datetime.now(UTC), ended_at=None)
            if reopened:
                await _log_change(membership, membership.status, S.REQUESTED.value, actor, "")
            messages = await _tell_coordinators(network, cooperative) if reopened else []
        membership = await Membership.get(id=membership.id)
    await outbox.dispatch(messages)
    return membership


async def decide(access: Access, membership_id: int, action: str, *, note: str = "") -> Membership:
    """Approve, refuse, suspend, reactivate or end; a concurrent second decision is refused."""
    access.require_manage()
    if action not in TRANSITIONS:
        raise NotFound(_("No such action."))
    sources, target = TRANSITIONS[action]
    membership = await Membership.get_or_none(id=membership_id, network_id=access.network.id).select_related(
        "cooperative")
    if membership is None:
        raise NotFound(_("No such membership."))
    if membership.status not in sources:
        raise Conflict(_("This membership is no longer in a state that allows this."))
    async with in_transaction():
        # Compare-and-set on the status just read: of many concurrent deciders one wins, and the
        # history row records the status it really replaced.
        changed = await Membership.filter(id=membership.id, status=membership.status).update(
            status=target, **_stamps(membership, target))
        if not changed:
            raise Conflict(_("This membership is no longer in a state that allows this."))
        await _log_change(membership, membership.status, target, access.person, note)
        messages = await _tell_cooperative(access.network, membership.cooperative, target, note)
    await outbox.dispatch(messages)
    return await Membership.get(id=membership.id)


def _stamps(membership: Membership, target: str) -> dict[str, object]:
    now = datetime.now(UTC)
    if target == S.ACTIVE.value:
        # An approval starts a (new) membership; a reactivation continues the old one.
        fresh = membership.status == S.REQUESTED.value or membership.started_at is None
        return {"ended_at": None, **({"started_at": now} if fresh else {})}
    if target in (S.ENDED.value, S.REFUSED.value):
        return {"ended_at": now}
    return {}


async def _log_change(membership: Membership, old: str | None, new: str, actor: Person | None,
                      note: str) -> None:
    await MembershipChange.create(network_id=membership.network_id, membership=membership, from_status=old,
                                  to_status=new, actor=actor, note=note)
    await record(f"membership.{new}", actor=actor, obj=membership, network=membership.network_id,
                 cooperative_id=membership.cooperative_id, note=note or None)
    await index.refresh("cooperative", membership.cooperative_id)  # its visibility follows the status


async def _tell_cooperative(network: Network, cooperative: Cooperative, status: str,
                            note: str) -> list[outbox.OutboxMessage]:
    admins = await Person.filter(
        affiliations__cooperative_id=cooperative.id,
        affiliations__role=AffiliationRole.ADMIN.value,
        affiliations__status=AffiliationStatus.ACTIVE.value,
        is_active=True,
    )
    return [
        await outbox.add("membership_decision", admin.email, locale=admin.locale, network=network,
                         name=admin.name, cooperative=cooperative.legal_name, network_name=network.name,
                         status=status, note=note, path=f"/cooperatives/{cooperative.id}/memberships")
        for admin in admins
    ]


async def _tell_coordinators(network: Network, cooperative: Cooperative) -> list[outbox.OutboxMessage]:
    roles = await NetworkRole.filter(network_id=network.id).select_related("person")
    seen: set[int] = set()
    messages = []
    for role in roles:
        if role.person_id in seen or not role.person.is_active:
            continue
        seen.add(role.person_id)
        messages.append(await outbox.add(
            "membership_requested", role.person.email, locale=role.person.locale, network=network,
            name=role.person.name, cooperative=cooperative.legal_name, network_name=network.name,
            path=f"/n/{network.slug}/memberships?status=requested"))
    return messages
