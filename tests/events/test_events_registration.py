"""Events core: drafts, publication, registration with a seat counter, the waiting list, eligibility."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from conftest import World, affiliate, make_person

from federa.accounts.models import Affiliation, Person
from federa.errors import Conflict, Invalid, NotFound, PermissionDenied
from federa.events import services
from federa.events.models import Attendance, Event, EventSession, Registration, ReminderSent
from federa.events.schemas import EventIn, RegisterIn
from federa.networks.access import access_in
from federa.networks.models import Partnership
from federa.notifications.models import OutboxMessage
from federa.web.forms import validate

SOON = datetime.now(UTC) + timedelta(days=10)


def event_data(**overrides: object) -> dict:
    data = {"title": "Progettare la formazione interna", "description": "Percorso **formativo**",
            "venue": "Via Tolmezzo 3, Milano", "capacity": 50, "sectors": ["minori"],
            "sessions": [{"starts_at": SOON.isoformat(), "ends_at": (SOON + timedelta(hours=3)).isoformat()}]}
    data.update(overrides)
    return data


async def published(world: World, **overrides: object) -> Event:
    access = await access_in(world.alpha, world.coordinator)
    event = await services.create_event(access, validate(EventIn, event_data(**overrides)))
    return await services.publish_event(access, event.id)


async def people(world: World, n: int) -> list[Person]:
    await Person.bulk_create([Person(email=f"p{i:04d}@example.org", name=f"P {i}") for i in range(n)])
    found = await Person.filter(email__startswith="p0").order_by("email")
    await Affiliation.bulk_create([Affiliation(person_id=p.id, cooperative_id=world.coop.id, role="member")
                                   for p in found])
    return found


async def test_validation_names_the_problem(world: World) -> None:
    with pytest.raises(Invalid) as bad:
        validate(EventIn, event_data(sessions=[{"starts_at": SOON.isoformat(),
                                                "ends_at": (SOON - timedelta(hours=1)).isoformat()}]))
    assert "sessions" in bad.value.fields
    with pytest.raises(Invalid) as bad:
        validate(EventIn, event_data(capacity=0, sessions="tomorrow"))
    assert {"capacity", "sessions"} <= set(bad.value.fields)
    data = validate(EventIn, event_data(sessions=[{"starts_at": "2030-03-12T17:30", "ends_at": "2030-03-12T19:30"}]))
    assert data.sessions[0].starts_at.isoformat() == "2030-03-12T16:30:00+00:00"  # Europe/Rome in winter
    assert float(data.sessions[0].hours) == 2.0


async def test_description_is_sanitised(world: World) -> None:
    event = await published(world, description="Ciao <script>alert(1)</script> [x](javascript:alert(1)) **sì**")
    assert "<script" not in event.description_html
    assert "href=\"javascript" not in event.description_html  # left as text, never a link
    assert "<strong>sì</strong>" in event.description_html


async def test_register_wait_cancel_promote(world: World) -> None:
    event = await published(world, capacity=1)
    first = await services.register(world.alpha, event.id, RegisterIn(), actor=world.member)
    second = await services.register(world.alpha, event.id, RegisterIn(), actor=world.coop_admin)
    assert (first.status, second.status) == ("confirmed", "waiting")
    with pytest.raises(Conflict):
        await services.register(world.alpha, event.id, RegisterIn(), actor=world.member)
    await services.cancel_registration(world.alpha, first.id, actor=world.member)
    assert (await Registration.get(id=second.id)).status == "confirmed"
    assert (await Event.get(id=event.id)).confirmed_count == 1
    kinds = [m.kind for m in await OutboxMessage.all().order_by("id")]
    assert kinds == ["registration_confirmed", "registration_waiting", "registration_promoted"]
    # Coming back after cancelling: a new place at the end of the line.
    again = await services.register(world.alpha, event.id, RegisterIn(), actor=world.member)
    assert again.id == first.id and again.status == "waiting"


async def test_capacity_cannot_go_below_confirmed(world: World) -> None:
    event = await published(world, capacity=2)
    for person in (world.member, world.coop_admin):
        await services.register(world.alpha, event.id, RegisterIn(), actor=person)
    access = await access_in(world.alpha, world.coordinator)
    with pytest.raises(Invalid) as bad:
        await services.update_event(access, event.id, validate(EventIn, event_data(capacity=1)))
    assert "capacity" in bad.value.fields
    assert (await Event.get(id=event.id)).capacity == 2


async def test_bad_registrations_change_nothing(world: World) -> None:
    closed = await published(world, registration_closes_at=(datetime.now(UTC) - timedelta(hours=1)).isoformat(),
                             registration_opens_at=(datetime.now(UTC) - timedelta(days=2)).isoformat())
    with pytest.raises(Conflict):
        await services.register(world.alpha, closed.id, RegisterIn(), actor=world.member)
    with pytest.raises(NotFound):
        await services.register(world.beta, closed.id, RegisterIn(), actor=world.outsider)
    asked = await published(world, questions=[{"label": "Ruolo", "kind": "choice", "choices": ["OSS", "Educatore"],
                                               "required": True}])
    with pytest.raises(Invalid):
        await services.register(world.alpha, asked.id, RegisterIn(), actor=world.member)
    with pytest.raises(Invalid):
        await services.register(world.alpha, asked.id, RegisterIn(answers={"q0": "Pilota"}), actor=world.member)
    assert await Registration.all().count() == 0
    ok = await services.register(world.alpha, asked.id, RegisterIn(answers={"q0": "OSS"}), actor=world.member)
    assert ok.answers == {"q0": "OSS"}


async def test_editing_keeps_sessions_and_their_check_ins(world: World) -> None:
    event = await published(world)
    session = await EventSession.get(event_id=event.id)
    registration = await services.register(world.alpha, event.id, RegisterIn(), actor=world.member)
    await Attendance.create(network=world.alpha, registration=registration, session=session)
    await ReminderSent.create(network=world.alpha, registration=registration, session=session)
    access = await access_in(world.alpha, world.coordinator)

    await services.update_event(access, event.id, validate(EventIn, event_data(title="Titolo nuovo")))
    assert [s.id for s in await EventSession.filter(event_id=event.id)] == [session.id]
    assert await Attendance.exists(session_id=session.id) and await ReminderSent.exists(session_id=session.id)
    assert (await Event.get(id=event.id)).sequence == 0  # the title is no news for calendars

    later = SOON + timedelta(days=1)
    two = [{"starts_at": later.isoformat(), "ends_at": (later + timedelta(hours=2)).isoformat()},
           {"starts_at": (later + timedelta(days=7)).isoformat(),
            "ends_at": (later + timedelta(days=7, hours=2)).isoformat()}]
    await services.update_event(access, event.id, validate(EventIn, event_data(sessions=two)))
    sessions = await EventSession.filter(event_id=event.id).order_by("starts_at")
    assert sessions[0].id == session.id and len(sessions) == 2
    assert await Attendance.exists(session_id=session.id)
    assert not await ReminderSent.exists(session_id=session.id)  # moved: its reminder goes out again
    assert (await Event.get(id=event.id)).sequence == 1
    assert await OutboxMessage.filter(kind="event_changed", recipient=world.member.email).count() == 1


async def test_audiences(world: World) -> None:
    members_only = await published(world)
    with pytest.raises(PermissionDenied):
        await services.register(world.alpha, members_only.id, RegisterIn(), actor=world.outsider)
    assert (await services.register(world.alpha, members_only.id, RegisterIn(), actor=world.dual)).status == \
        "confirmed"

    partners = await published(world, audience="partners")
    with pytest.raises(PermissionDenied):
        await services.register(world.alpha, partners.id, RegisterIn(), actor=world.outsider)
    await Partnership.create(network=world.beta, partner=world.alpha, status="active")
    assert (await services.register(world.alpha, partners.id, RegisterIn(), actor=world.outsider)).status == \
        "confirmed"

    chosen = await published(world, audience="cooperatives", cooperative_ids=[world.dual_coop.id])
    with pytest.raises(PermissionDenied):
        await services.register(world.alpha, chosen.id, RegisterIn(), actor=world.member)
    assert (await services.register(world.alpha, chosen.id, RegisterIn(), actor=world.dual)).status == "confirmed"

    public = await published(world, audience="public")
    assert (await services.register(world.alpha, public.id, RegisterIn(), actor=world.stranger)).status == \
        "confirmed"


async def test_cooperative_admin_registers_their_people(world: World) -> None:
    event = await published(world)
    colleague = await make_person()
    await affiliate(colleague, world.coop)
    registration = await services.register(world.alpha, event.id, RegisterIn(), actor=world.coop_admin,
                                           person=colleague)
    assert (registration.person_id, registration.registered_by_id) == (colleague.id, world.coop_admin.id)
    with pytest.raises(PermissionDenied):
        await services.register(world.alpha, event.id, RegisterIn(), actor=world.member, person=world.dual)


async def test_a_rush_never_oversells(world: World) -> None:
    """200 people at once for 50 seats: exactly 50 confirmed, 150 waiting in arrival order."""
    event = await published(world, capacity=50)
    crowd = await people(world, 200)
    results = await asyncio.gather(*(services.register(world.alpha, event.id, RegisterIn(), actor=p)
                                     for p in crowd), return_exceptions=True)
    assert not [r for r in results if isinstance(r, BaseException)]
    rows = await Registration.filter(event_id=event.id)
    assert len({r.person_id for r in rows}) == len(rows) == 200
    assert sum(r.status == "confirmed" for r in rows) == 50
    assert (await Event.get(id=event.id)).confirmed_count == 50

    # Cancellations racing the promotions keep the invariant, and the first in line go first.
    waiting = await Registration.filter(event_id=event.id, status="waiting").order_by("queued_at", "id")
    leaving = [r for r in rows if r.status == "confirmed"][:20]
    persons = {p.id: p for p in await Person.filter(id__in=[r.person_id for r in leaving])}
    await asyncio.gather(*(services.cancel_registration(world.alpha, r.id, actor=persons[r.person_id])
                           for r in leaving))
    confirmed = await Registration.filter(event_id=event.id, status="confirmed").values_list("id", flat=True)
    assert len(confirmed) == 50 == (await Event.get(id=event.id)).confirmed_count
    assert {w.id for w in waiting[:20]} <= set(confirmed)
    assert not {w.id for w in waiting[20:]} & set(confirmed)


@pytest.mark.parametrize("capacity", [5, 1])
async def test_a_registration_racing_the_cancellation_is_refused(world: World, capacity: int) -> None:
    """The event was loaded as published, then cancelled before the registration's transaction: no seat and no
    place in line are written (with seats left, and when full so the place would be a waiting one)."""
    event = await published(world, capacity=capacity)
    if capacity == 1:
        await services.register(world.alpha, event.id, RegisterIn(), actor=world.coop_admin)
    stale = await Event.get(id=event.id)
    await services.cancel_event(await access_in(world.alpha, world.coordinator), event.id)
    before = await Registration.filter(event_id=event.id).count()
    with pytest.raises(Conflict):
        await services.register(world.alpha, event.id, RegisterIn(), actor=world.member, event=stale)
    assert await Registration.filter(event_id=event.id).count() == before
    assert (await Event.get(id=event.id)).confirmed_count == (1 if capacity == 1 else 0)
