"""Changes to events and registrations. Seats are a counter claimed with one conditional UPDATE, so
capacity holds under any concurrency on PostgreSQL and SQLite; the waiting list is served in arrival order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise import connections
from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from federa.accounts.models import Person
from federa.audit.log import record
from federa.errors import Conflict, Invalid, NotFound, PermissionDenied
from federa.events.eligibility import may_register
from federa.events.models import (
    Event,
    EventCooperative,
    EventSession,
    EventStatus,
    Registration,
    RegistrationStatus,
    ReminderSent,
)
from federa.events.schemas import EventIn, RegisterIn
from federa.networks.access import Access, is_cooperative_admin
from federa.networks.models import Membership, Network
from federa.notifications import outbox
from federa.search import index as search_index
from federa.web.i18n import gettext as _
from federa.web.markdown import render_markdown

R = RegistrationStatus
async def access_event(network: Network, event_id: int) -> Event:
    """The event of this network, or NotFound (also when it belongs to another network)."""
    event = await Event.get_or_none(id=event_id, network_id=network.id)
    if event is None:
        raise NotFound(_("No such event."))
    return event


async def create_event(access: Access, data: EventIn) -> Event:
    """A coordinator creates a draft event with its sessions."""
    access.require_manage()
    await _check_cooperatives(access.network, data.cooperative_ids)
    await _check_group(access.network, data.group_id)
    async with in_transaction():
        event = await Event.create(network_id=access.network.id, created_by=access.person,
                                   starts_at=min(s.starts_at for s in data.sessions), **_fields(data))
        await _replace_children(event, data)
        await record("event.created", actor=access.person, network=access.network, obj=event)
        await search_index.refresh("event", event.id)
    return event


async def update_event(access: Access, event_id: int, data: EventIn) -> Event:
    """Edit an event; capacity never below the confirmed seats; registered people hear of new dates."""
    access.require_manage()
    event = await access_event(access.network, event_id)
    if event.status in (EventStatus.CANCELLED.value, EventStatus.COMPLETED.value):
        raise Conflict(_("A cancelled or completed event cannot be changed."))
    await _check_cooperatives(access.network, data.cooperative_ids)
    await _check_group(access.network, data.group_id)
    before = await _schedule(event)
    async with in_transaction():
        # The capacity guard is in the UPDATE itself: a registration racing this edit cannot slip past it.
        changed = await Event.filter(id=event.id, confirmed_count__lte=data.capacity).update(
            starts_at=min(s.starts_at for s in data.sessions), **_fields(data))
        if not changed:
            raise Invalid.field("capacity", _("%(n)s people are confirmed already: the capacity cannot be lower.",
                                              n=event.confirmed_count))
        await _replace_children(event, data)
        await record("event.updated", actor=access.person, network=access.network, obj=event)
        await search_index.refresh("event", event.id)
        event = await Event.get(id=event.id)
        moved = event.status == EventStatus.PUBLISHED.value and before != await _schedule(event)
        if moved:  # calendars take an update only when its SEQUENCE grows (RFC 5545 3.8.7.4)
            await Event.filter(id=event.id).update(sequence=F("sequence") + 1)
            event.sequence += 1
        messages = await _tell_registered(event, "event_changed", (R.CONFIRMED, R.WAITING)) if moved else []
    await outbox.dispatch(messages)
    await fill_seats(event.id)  # more capacity may promote people waiting
    return event


def _fields(data: EventIn) -> dict[str, Any]:
    return {
        "title": data.title, "description": data.description, "description_html": render_markdown(data.description),
        "sectors": "," + ",".join(data.sectors) + "," if data.sectors else "", "audience": data.audience,
        "venue": data.venue, "province": data.province, "online_url": data.online_url, "capacity": data.capacity,
        "registration_opens_at": data.registration_opens_at, "registration_closes_at": data.registration_closes_at,
        "cancel_cutoff_hours": data.cancel_cutoff_hours, "attendance_threshold": data.attendance_threshold,
        "questions": [q.model_dump() for q in data.questions], "group_id": data.group_id,
    }


async def _replace_children(event: Event, data: EventIn) -> None:
    """Sessions are updated in place, matched by position: their ids carry check-ins, reminders sent and
    calendar UIDs. A session whose start moves gets its reminder again; extra sessions are removed."""
    existing = await EventSession.filter(event_id=event.id).order_by("starts_at", "id")
    wanted = sorted(data.sessions, key=lambda s: s.starts_at)
    for old, new in zip(existing, wanted, strict=False):
        if (old.starts_at, old.ends_at, old.hours) != (new.starts_at, new.ends_at, new.hours):
            await EventSession.filter(id=old.id).update(starts_at=new.starts_at, ends_at=new.ends_at, hours=new.hours)
            if old.starts_at != new.starts_at:
                await ReminderSent.filter(session_id=old.id).delete()
    if len(existing) > len(wanted):
        await EventSession.filter(id__in=[s.id for s in existing[len(wanted):]]).delete()
    await EventSession.bulk_create([EventSession(event_id=event.id, starts_at=s.starts_at, ends_at=s.ends_at,
                                                 hours=s.hours) for s in wanted[len(existing):]])
    await EventCooperative.filter(event_id=event.id).delete()
    await EventCooperative.bulk_create([EventCooperative(event_id=event.id, cooperative_id=c)
                                        for c in dict.fromkeys(data.cooperative_ids)])


async def _check_group(network: Network, group_id: int | None) -> None:
    from federa.groups.models import WorkingGroup

    if group_id is not None and not await WorkingGroup.exists(id=group_id, network_id=network.id):
        raise Invalid.field("group_id", _("Choose a working group of this network."))


async def _check_cooperatives(network: Network, ids: list[int]) -> None:
    if ids:
        found = await Membership.filter(network_id=network.id, cooperative_id__in=ids).count()
        if found != len(set(ids)):
            raise Invalid.field("cooperative_ids", _("Choose cooperatives of this network."))


async def _schedule(event: Event) -> tuple:
    sessions = await EventSession.filter(event_id=event.id).values_list("starts_at", "ends_at")
    return tuple(sessions), event.venue, event.online_url


async def publish_event(access: Access, event_id: int) -> Event:
    access.require_manage()
    event = await access_event(access.network, event_id)
    async with in_transaction():
        if not await Event.filter(id=event.id, status=EventStatus.DRAFT.value).update(
                status=EventStatus.PUBLISHED.value):
            raise Conflict(_("Only a draft can be published."))
        await record("event.published", actor=access.person, network=access.network, obj=event)
        await search_index.refresh("event", event.id)
    return await Event.get(id=event.id)


async def cancel_event(access: Access, event_id: int) -> Event:
    """Cancel the event; everyone registered or waiting is told."""
    access.require_manage()
    event = await access_event(access.network, event_id)
    async with in_transaction():
        if not await Event.filter(id=event.id, status__in=[EventStatus.DRAFT.value, EventStatus.PUBLISHED.value]
                                  ).update(status=EventStatus.CANCELLED.value, sequence=F("sequence") + 1):
            raise Conflict(_("This event cannot be cancelled any more."))
        messages = await _tell_registered(event, "event_cancelled", (R.CONFIRMED, R.WAITING))
        await record("event.cancelled", actor=access.person, network=access.network, obj=event)
        await search_index.refresh("event", event.id)
    await outbox.dispatch(messages)
    return await Event.get(id=event.id)


async def _tell_registered(event: Event, kind: str, statuses: tuple[R, ...]) -> list[outbox.OutboxMessage]:
    rows = await Registration.filter(event_id=event.id, status__in=[s.value for s in statuses]).select_related(
        "person")
    network = await Network.get(id=event.network_id)  # once, not once per person told
    return [await _message(kind, event, r.person, network) for r in rows if r.person.is_active]


async def _message(kind: str, event: Event, person: Person, network: Network | None = None
                   ) -> outbox.OutboxMessage:
    network = network if network is not None and network.id == event.network_id else \
        await Network.get(id=event.network_id)
    return await outbox.add(kind, person.email, locale=person.locale, network=network, name=person.name,
                            event=event.title, network_name=network.name,
                            event_id=event.id, path=f"/n/{network.slug}/events/{event.id}")


# ----- registrations -----------------------------------------------------------------------------------

async def register(network: Network, event_id: int, data: RegisterIn, *, actor: Person | None,
                   person: Person | None = None, event: Event | None = None, access: Access | None = None
                   ) -> Registration:
    """Take a seat, or a place on the waiting list when the event is full.

    `event` may be passed when the caller has just loaded it (event_id must still name it), and `access`
    when it has the registrant's standing in the network already (used only if it is theirs, here)."""
    if actor is None:
        raise PermissionDenied(_("Please sign in to continue."))
    person = person or actor
    if event is None or event.id != event_id or event.network_id != network.id:
        event = await access_event(network, event_id)
    if person.id != actor.id and not await _registers_for(actor, person):
        raise PermissionDenied(_("You can register only people of the cooperatives you administer."))
    _check_open(event)
    if not await may_register(event, network, person, access=access):
        raise PermissionDenied(_("This event is not open to you."))
    answers = _check_answers(event, data.answers)
    hope = event.confirmed_count < event.capacity  # as loaded: _take_place checks it again under the lock
    first_time = True  # most people register once: try the INSERT, and look for an old row only if it fails
    while True:
        try:
            async with in_transaction():
                registration, message = await _take_place(network, event, person, actor, answers, hope,
                                                          first_time)
            break
        except _SeatTaken:
            hope = False  # the last seats went while we wrote: everything rolled back, queue instead
        except IntegrityError as exc:  # the unique key (event, person): registered before, or twice at once
            if not first_time:
                raise Conflict(_("Already registered for this event.")) from exc
            first_time = False
    await outbox.dispatch([message])
    # A seat freed while we queued goes to the first in line (perhaps us).
    if registration.status == R.WAITING.value and await fill_seats(event.id):
        registration = await Registration.get(id=registration.id)
    return registration


async def _take_place(network: Network, event: Event, person: Person, actor: Person, answers: dict,
                      hope: bool, first_time: bool) -> tuple[Registration, outbox.OutboxMessage]:
    """Write the registration, its message and audit row, and claim the seat LAST: the event row stays
    locked (PostgreSQL) only from that UPDATE to the commit, so a rush does not queue behind every
    registration's other writes. When no seat is left after all, _SeatTaken rolls the whole place back."""
    now = datetime.now(UTC)
    existing = None if first_time else await Registration.get_or_none(event_id=event.id, person_id=person.id)
    if existing is not None and existing.status != R.CANCELLED.value:
        raise Conflict(_("Already registered for this event."))
    # network_id first: the (network_id, event_id, status, queued_at) index answers it
    seat = hope and not await Registration.exists(network_id=event.network_id, event_id=event.id,
                                                  status=R.WAITING.value)
    values: dict[str, Any] = {"status": R.CONFIRMED.value if seat else R.WAITING.value, "answers": answers,
                              "registered_by_id": actor.id if actor.id != person.id else None, "queued_at": now,
                              "confirmed_at": now if seat else None, "cancelled_at": None}
    if existing is not None:  # came back after cancelling: a new place in line
        changed = await Registration.filter(id=existing.id, status=R.CANCELLED.value).update(**values)
        if not changed:
            raise IntegrityError("registered concurrently")
        registration = await Registration.get(id=existing.id)
    else:
        registration = await Registration.create(network_id=event.network_id, event_id=event.id,
                                                 person_id=person.id, **values)
    message = await _message("registration_confirmed" if seat else "registration_waiting", event, person,
                             network)
    await record("event.registered", actor=actor, network=network, obj=registration, person_id=person.id,
                 status=registration.status)
    if seat:
        if not await Event.filter(id=event.id, status=EventStatus.PUBLISHED.value,
                                  confirmed_count__lt=F("capacity")).update(confirmed_count=F("confirmed_count") + 1):
            raise _SeatTaken
    elif not await _still_published(event.id):
        raise Conflict(_("Registration is not open for this event."))
    return registration, message


async def _still_published(event_id: int) -> bool:
    """Checked inside the registration's transaction. On PostgreSQL the share lock makes a concurrent
    cancel_event wait for this commit, so its notices include this place (SQLite serialises writes)."""
    conn = connections.get("default")
    if conn.capabilities.dialect == "postgres":
        rows = await conn.execute_query_dict(
            "SELECT 1 FROM event WHERE id = $1 AND status = $2 FOR SHARE", [event_id, EventStatus.PUBLISHED.value])
        return bool(rows)
    return await Event.exists(id=event_id, status=EventStatus.PUBLISHED.value)


def _check_open(event: Event) -> None:
    now = datetime.now(UTC)
    if event.status != EventStatus.PUBLISHED.value:
        raise Conflict(_("Registration is not open for this event."))
    if event.registration_opens_at and now < event.registration_opens_at:
        raise Conflict(_("Registration has not opened yet."))
    if (event.registration_closes_at and now > event.registration_closes_at) or \
            (event.starts_at and now > event.starts_at):
        raise Conflict(_("Registration is closed."))


def _check_answers(event: Event, answers: dict[str, str]) -> dict[str, str]:
    errors: dict[str, str] = {}
    clean: dict[str, str] = {}
    for index, question in enumerate(event.questions):
        key = f"q{index}"
        value = answers.get(key, "").strip()
        if question["required"] and not value:
            errors[f"answers.{key}"] = _("This field is required.")
        elif value and question["kind"] == "choice" and value not in question["choices"]:
            errors[f"answers.{key}"] = _("Choose one of the options.")
        elif value and question["kind"] == "yesno" and value not in ("yes", "no"):
            errors[f"answers.{key}"] = _("Choose yes or no.")
        elif value:
            clean[key] = value
    unknown = set(answers) - {f"q{i}" for i in range(len(event.questions))}
    if unknown:
        errors["answers"] = _("Unknown question.")
    if errors:
        raise Invalid(errors)
    return clean


async def _registers_for(actor: Person, person: Person) -> bool:
    """A cooperative admin registers people of a cooperative they administer."""
    from federa.accounts.models import Affiliation, AffiliationStatus

    coops = await Affiliation.filter(person_id=person.id, status=AffiliationStatus.ACTIVE.value).values_list(
        "cooperative_id", flat=True)
    for coop in coops:
        if await is_cooperative_admin(actor, int(coop)):  # type: ignore[call-overload]
            return True
    return False


async def cancel_registration(network: Network, registration_id: int, *, actor: Person | None) -> Registration:
    """Give the place back before the cut-off; the first person waiting gets the seat."""
    registration = await Registration.get_or_none(id=registration_id, network_id=network.id)
    if registration is None or actor is None:
        raise NotFound(_("No such registration."))
    if registration.person_id != actor.id and registration.registered_by_id != actor.id:
        raise NotFound(_("No such registration."))
    event = await Event.get(id=registration.event_id)
    cutoff = event.starts_at - timedelta(hours=event.cancel_cutoff_hours) if event.starts_at else None
    if cutoff and datetime.now(UTC) > cutoff and registration.status == R.CONFIRMED.value:
        raise Conflict(_("It is too late to cancel: please write to the organisers."))
    async with in_transaction():
        was = registration.status
        if not await Registration.filter(id=registration.id, status=was).exclude(status=R.CANCELLED.value).update(
                status=R.CANCELLED.value, cancelled_at=datetime.now(UTC)):
            raise Conflict(_("This registration is already cancelled."))
        if was == R.CONFIRMED.value:
            await Event.filter(id=event.id).update(confirmed_count=F("confirmed_count") - 1)
        await record("event.registration_cancelled", actor=actor, network=network, obj=registration)
    await fill_seats(event.id)
    return await Registration.get(id=registration.id)


async def fill_seats(event_id: int) -> int:
    """Promote people waiting, first come first served, while seats are free; each is told."""
    promoted = 0
    while True:
        try:
            message = await _promote_first(event_id)
        except _SeatTaken:
            continue  # a concurrent filler promoted that person: our seat was rolled back, look again
        if message is None:
            return promoted
        await outbox.dispatch([message])
        promoted += 1


async def _promote_first(event_id: int) -> outbox.OutboxMessage | None:
    # A plain read first: when the event is full (most calls, in a rush) nobody waits for its row lock. A
    # seat freed after this read is committed before its canceller's own fill_seats looks for people waiting.
    if not await Event.filter(id=event_id, status=EventStatus.PUBLISHED.value,
                              confirmed_count__lt=F("capacity")).exists():
        return None
    async with in_transaction():
        first = await Registration.filter(event_id=event_id, status=R.WAITING.value).order_by(
            "queued_at", "id").first()
        if first is None:
            return None
        if not await Event.filter(id=event_id, status=EventStatus.PUBLISHED.value,
                                  confirmed_count__lt=F("capacity")).update(confirmed_count=F("confirmed_count") + 1):
            return None
        if not await Registration.filter(id=first.id, status=R.WAITING.value).update(
                status=R.CONFIRMED.value, confirmed_at=datetime.now(UTC)):
            raise _SeatTaken
        event = await Event.get(id=event_id)
        return await _message("registration_promoted", event, await Person.get(id=first.person_id))


class _SeatTaken(Exception):
    """Raised inside the transaction so that what it wrote (a seat, a place) is rolled back."""
