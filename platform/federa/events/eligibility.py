"""Who may register for an event: its audience decides."""

from __future__ import annotations

from federa.accounts.models import Affiliation, AffiliationStatus, Person
from federa.events.models import Audience, Event, EventCooperative
from federa.networks.access import Access, access_in
from federa.networks.models import Membership, MembershipStatus, Network
from federa.networks.services import partner_ids


async def is_member_of(network_ids: list[int], person: Person) -> bool:
    """A network role, or an active affiliation with a cooperative that is an active member."""
    from federa.accounts.models import NetworkRole

    if await NetworkRole.exists(person_id=person.id, network_id__in=network_ids):
        return True
    coops = await Affiliation.filter(person_id=person.id, status=AffiliationStatus.ACTIVE.value).values_list(
        "cooperative_id", flat=True)
    return bool(coops) and await Membership.exists(network_id__in=network_ids, cooperative_id__in=list(coops),
                                                   status=MembershipStatus.ACTIVE.value)


async def may_register(event: Event, network: Network, person: Person | None, *,
                       access: Access | None = None) -> bool:
    """Network members; chosen cooperatives' people; partner networks' members; or anyone signed in.

    `access` may be passed when the caller already has this person's standing in this network."""
    if person is None or not person.is_active:
        return False
    if event.audience == Audience.PUBLIC.value:
        return True
    if access is None or access.person is None or access.person.id != person.id or access.network.id != network.id:
        access = await access_in(network, person)
    if access.can_manage:
        return True
    if event.audience == Audience.COOPERATIVES.value:
        chosen = await EventCooperative.filter(event_id=event.id).values_list("cooperative_id", flat=True)
        return await Affiliation.exists(person_id=person.id, status=AffiliationStatus.ACTIVE.value,
                                        cooperative_id__in=list(chosen))
    if access.is_member:  # is_member_of([network.id]), already known from the one query of access_in
        return True
    return event.audience == Audience.PARTNERS.value and await is_member_of(await partner_ids(network), person)


async def may_see(event: Event, network: Network, person: Person | None, *, access: Access | None = None) -> bool:
    """Published events are seen by whoever may register (and public ones by anyone); drafts by managers;
    a cancelled event by managers and the people who were registered (it may never have been published)."""
    from federa.events.models import EventStatus, Registration

    if event.status in (EventStatus.DRAFT.value, EventStatus.CANCELLED.value):
        if person is None:
            return False
        if (await access_in(network, person)).can_manage:
            return True
        return event.status == EventStatus.CANCELLED.value and await Registration.exists(
            event_id=event.id, person_id=person.id)
    if event.audience == Audience.PUBLIC.value:
        return True
    return await may_register(event, network, person, access=access)
