"""Reads for events: the list a person may see (with filters), a month's sessions, one's registrations."""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from tortoise.expressions import F, Q, RawSQL, Subquery

from federa.accounts.models import Affiliation, AffiliationStatus, Person
from federa.events.eligibility import is_member_of
from federa.events.models import (
    Audience,
    Event,
    EventCooperative,
    EventSession,
    EventStatus,
    Registration,
    RegistrationStatus,
)
from federa.events.schemas import ROME, EventQuery
from federa.networks.access import Access
from federa.networks.models import Network
from federa.networks.services import partner_ids


async def visibility(access: Access) -> Q:
    """The events of access.network this person may see: managers all of them, others the published ones
    whose audience includes them (anonymous visitors: public events only)."""
    where = Q(network_id=access.network.id)
    if access.can_manage:
        return where
    where &= Q(status__in=[EventStatus.PUBLISHED.value, EventStatus.COMPLETED.value])
    open_to = Q(audience=Audience.PUBLIC.value)
    person = access.person
    if person is not None:
        member = access.is_member
        if member:
            open_to |= Q(audience__in=[Audience.NETWORK.value, Audience.PARTNERS.value])
        elif await is_member_of(await partner_ids(access.network), person):
            open_to |= Q(audience=Audience.PARTNERS.value)
        # Events opened to a cooperative the person works in, as a subquery (no join: no duplicate rows,
        # so the list needs no DISTINCT; and no round trip for the person's cooperatives).
        coops = Affiliation.filter(person_id=person.id, status=AffiliationStatus.ACTIVE.value).values(
            "cooperative_id")
        open_to |= Q(audience=Audience.COOPERATIVES.value, id__in=Subquery(
            EventCooperative.filter(cooperative_id__in=Subquery(coops)).values("event_id")))
    return where & open_to


def _filters(query: EventQuery, now: datetime) -> Q:
    where = Q()
    if query.q:
        where &= Q(title__icontains=query.q)
    if query.sector:
        where &= Q(sectors__contains=f",{query.sector},")
    if query.province:
        where &= Q(province=query.province.upper())
    if query.mode == "online":
        where &= ~Q(online_url="")
    elif query.mode == "in_person":
        where &= ~Q(venue="")
    today = datetime.combine(now.astimezone(ROME).date(), time(), ROME).astimezone(UTC)
    # A course whose first session is past but whose last is still to come is upcoming, not past.
    running = Q(starts_at__lt=today, id__in=Subquery(EventSession.filter(ends_at__gte=today).values("event_id")))
    if query.when == "upcoming":
        return where & (Q(starts_at__gte=today) | running)
    return where & Q(starts_at__lt=today) & ~running


async def list_events(access: Access, query: EventQuery, *, now: datetime | None = None
                      ) -> tuple[list[Event], int]:
    """One page of events, soonest first (latest first for past ones); sessions come prefetched."""
    now = now or datetime.now(UTC)
    base = Event.filter(await visibility(access)).filter(_filters(query, now))
    if query.seats:
        base = base.filter(confirmed_count__lt=F("capacity"), status=EventStatus.PUBLISHED.value)
    order = ("starts_at", "id") if query.when == "upcoming" else ("-starts_at", "-id")
    # The page and the total in one query (a window count; visibility joins nothing, so no DISTINCT)
    events = await base.annotate(full_count=RawSQL("COUNT(*) OVER ()")).order_by(*order).offset(
        (query.page - 1) * query.per_page).limit(query.per_page)
    total = int(events[0].full_count) if events else (0 if query.page == 1 else await base.count())  # type: ignore[attr-defined]
    await attach_sessions(events)
    return events, total


async def attach_sessions(events: list[Event]) -> None:
    """Each event's sessions in one query, as event.session_list."""
    by_event: dict[int, list[EventSession]] = defaultdict(list)
    if events:
        for session in await EventSession.filter(event_id__in=[e.id for e in events]).order_by("starts_at", "id"):
            by_event[session.event_id].append(session)
    for event in events:
        event.session_list = by_event[event.id]  # type: ignore[attr-defined]


@dataclass
class Day:
    day: date
    in_month: bool
    sessions: list[tuple[EventSession, Event]]


async def month(access: Access, year: int, month_no: int) -> list[list[Day]]:
    """The month's weeks (Monday first), each day with the sessions of visible events held that day."""
    first = date(year, month_no, 1)
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(year, month_no)
    start = datetime.combine(weeks[0][0], time(), ROME).astimezone(UTC)
    end = datetime.combine(weeks[-1][-1] + timedelta(days=1), time(), ROME).astimezone(UTC)
    events = {e.id: e for e in await Event.filter(await visibility(access)).filter(
        status__in=[EventStatus.PUBLISHED.value, EventStatus.COMPLETED.value, EventStatus.DRAFT.value]).filter(
        sessions__starts_at__gte=start, sessions__starts_at__lt=end).distinct()}
    by_day: dict[date, list[tuple[EventSession, Event]]] = defaultdict(list)
    if events:
        for session in await EventSession.filter(event_id__in=list(events), starts_at__gte=start,
                                                 starts_at__lt=end).order_by("starts_at", "id"):
            by_day[session.starts_at.astimezone(ROME).date()].append((session, events[session.event_id]))
    return [[Day(d, d.month == first.month, by_day.get(d, [])) for d in week] for week in weeks]


@dataclass
class MyRegistration:
    registration: Registration
    event: Event
    network: Network
    place: int | None  # position on the waiting list, 1 = next to be promoted


async def my_registrations(person: Person, *, upcoming: bool = True, now: datetime | None = None
                           ) -> list[MyRegistration]:
    """The person's registrations in every network, with the place in line of those waiting."""
    now = now or datetime.now(UTC)
    # upcoming: not yet started, or a course whose last session is still ahead
    ahead = Q(event_id__in=Subquery(EventSession.filter(ends_at__gte=now).values("event_id")))
    since = Q(event__starts_at__gte=now - timedelta(days=1))
    rows = await Registration.filter(person_id=person.id).exclude(status=RegistrationStatus.CANCELLED.value).filter(
        since | ahead if upcoming else ~since & ~ahead).select_related("event", "network").order_by(
        "event__starts_at" if upcoming else "-event__starts_at", "id")
    events = [r.event for r in rows]
    await attach_sessions(events)
    places = await waiting_places(list(rows))
    return [MyRegistration(r, r.event, r.network, places.get(r.id)) for r in rows]


def seats_left(event: Event) -> int:
    return max(0, event.capacity - event.confirmed_count)


# ----- for the HTML pages (events/views.py) --------------------------------------------------------------

async def my_statuses(person: Person | None, event_ids: list[int]) -> dict[int, Registration]:
    """The person's live (not cancelled) registration for each of these events, in one query."""
    if person is None or not event_ids:
        return {}
    rows = await Registration.filter(person_id=person.id, event_id__in=event_ids).exclude(
        status=RegistrationStatus.CANCELLED.value)
    return {r.event_id: r for r in rows}


async def waiting_place(registration: Registration) -> int | None:
    """The place on the waiting list (1 = next to be promoted), or None when not waiting."""
    if registration.status != RegistrationStatus.WAITING.value:
        return None
    # network_id first: the (network_id, event_id, status, queued_at) index answers it, not a walk of the
    # event's rows (in a rush of 2,000 that walk made each waiting registration's answer O(n))
    return 1 + await Registration.filter(network_id=registration.network_id, event_id=registration.event_id,
                                         status=RegistrationStatus.WAITING.value).filter(
        Q(queued_at__lt=registration.queued_at) | Q(queued_at=registration.queued_at, id__lt=registration.id)).count()


async def waiting_places(registrations: list[Registration]) -> dict[int, int]:
    """The place in line of each of these registrations that is waiting (as waiting_place), in one query."""
    waiting = [r for r in registrations if r.status == RegistrationStatus.WAITING.value]
    if not waiting:
        return {}
    line = await Registration.filter(event_id__in={r.event_id for r in waiting},
                                     status=RegistrationStatus.WAITING.value).order_by(
        "queued_at", "id").values_list("event_id", "id")
    ahead: dict[int, int] = defaultdict(int)
    places: dict[int, int] = {}
    for event_id, registration_id in line:
        ahead[event_id] += 1  # type: ignore[index]
        places[registration_id] = ahead[event_id]  # type: ignore[index]
    return {r.id: places[r.id] for r in waiting if r.id in places}


async def certified(registration_ids: list[int]) -> set[int]:
    """Which of these registrations have a certificate of attendance."""
    from federa.events.models import Certificate

    if not registration_ids:
        return set()
    return set(await Certificate.filter(registration_id__in=registration_ids).values_list(
        "registration_id", flat=True))  # type: ignore[arg-type]


async def administered_cooperatives(person: Person) -> list[int]:
    """Ids of the cooperatives the person is an active administrator of."""
    from federa.accounts.models import AffiliationRole

    return list(await Affiliation.filter(person_id=person.id, role=AffiliationRole.ADMIN.value,
                                         status=AffiliationStatus.ACTIVE.value).values_list(
        "cooperative_id", flat=True))  # type: ignore[arg-type]


@dataclass
class Candidate:
    person: Person
    cooperatives: list[str]
    registration: Registration | None


async def people_to_register(admin: Person, event: Event) -> list[Candidate]:
    """The active people of the cooperatives `admin` administers, with their registration for the event."""
    coops = await administered_cooperatives(admin)
    if not coops:
        return []
    rows = await Affiliation.filter(cooperative_id__in=coops, status=AffiliationStatus.ACTIVE.value,
                                    person__is_active=True).select_related("person", "cooperative")
    by_person: dict[int, Candidate] = {}
    for row in rows:
        found = by_person.setdefault(row.person_id, Candidate(row.person, [], None))
        found.cooperatives.append(row.cooperative.legal_name)
    registrations = await Registration.filter(event_id=event.id, person_id__in=list(by_person)).exclude(
        status=RegistrationStatus.CANCELLED.value)
    for registration in registrations:
        by_person[registration.person_id].registration = registration
    return sorted(by_person.values(), key=lambda c: (c.person.name.lower(), c.person.id))


async def member_cooperatives(network: Network, also: list[int] | None = None) -> list[tuple[int, str]]:
    """(id, name) of the network's active member cooperatives, plus `also` (already chosen ones), by name."""
    from federa.networks.models import Membership, MembershipStatus

    where = Q(status=MembershipStatus.ACTIVE.value)
    if also:
        where |= Q(cooperative_id__in=also)
    rows = await Membership.filter(Q(network_id=network.id) & where).select_related("cooperative")
    return sorted(((m.cooperative_id, m.cooperative.legal_name) for m in rows), key=lambda c: c[1].lower())
