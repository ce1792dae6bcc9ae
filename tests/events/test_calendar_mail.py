"""E-mails about an event carry its .ics: the invitation (REQUEST), its update, the cancellation (CANCEL),
received over a real SMTP server on loopback, through the drainer and through an arq worker."""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage
from typing import Any

from arq.connections import ArqRedis
from conftest import REDIS_URL, World
from icalendar import Calendar
from test_events_registration import SOON, event_data, published

from federa.events import services
from federa.events.models import Event, Registration
from federa.events.schemas import EventIn, RegisterIn
from federa.networks.access import access_in
from federa.notifications import outbox
from federa.notifications.courier import Courier
from federa.notifications.models import OutboxMessage
from federa.settings import Settings
from federa.web.forms import validate
from tests.notifications.outbox_harness import parts, run_burst

ONLINE = "https://meet.example.org/aula-virtuale"


def invitations(message: EmailMessage) -> list[tuple[str, Calendar]]:
    """(method parameter, parsed calendar) of each text/calendar attachment."""
    found = []
    for part in message.iter_attachments():
        if part.get_content_type() == "text/calendar":  # type: ignore[union-attr]
            assert part.get_filename().endswith(".ics")  # type: ignore[union-attr]
            found.append((str(part.get_param("method")), Calendar.from_ical(part.get_content())))  # type: ignore
    return found


def one_invitation(message: EmailMessage) -> tuple[str, Any]:
    [(method, calendar)] = invitations(message)
    assert str(calendar["METHOD"]) == method
    [vevent] = calendar.walk("VEVENT")
    return method, vevent


def mail_to(received: list[EmailMessage], email: str) -> list[EmailMessage]:
    return [m for m in received if email in str(m["To"])]


async def test_confirmation_carries_the_invitation(world: World, courier: Courier, smtp_server) -> None:
    _url, received = smtp_server
    event = await published(world, title="Lavorare in rete", capacity=1, online_url=ONLINE)
    first = await services.register(world.alpha, event.id, RegisterIn(), actor=world.member)
    await services.register(world.alpha, event.id, RegisterIn(), actor=world.coop_admin)  # waits
    assert await courier.drain() == 2

    [confirmed] = mail_to(received, "member@example.org")
    method, vevent = one_invitation(confirmed)
    assert method == "REQUEST"
    assert str(vevent["UID"]) == f"event-{event.id}-session-1@testserver"
    assert str(vevent["SUMMARY"]) == "Lavorare in rete"
    assert vevent.decoded("DTSTART") == SOON.replace(microsecond=0)  # whole seconds, in UTC
    assert (int(vevent["SEQUENCE"]), str(vevent["STATUS"])) == (0, "CONFIRMED")
    assert str(vevent["ORGANIZER"]) == "mailto:noreply@federa.example.org"
    assert vevent["ORGANIZER"].params["CN"] == "Rete Alfa"
    assert str(vevent["ATTENDEE"]) == "mailto:member@example.org"
    assert vevent["ATTENDEE"].params["PARTSTAT"] == "ACCEPTED"
    assert ONLINE in str(vevent["DESCRIPTION"])  # a seat: the link is in the invitation
    text, html = parts(confirmed)  # the text and HTML bodies are still there
    assert f"/n/rete-alfa/events/{event.id}" in text and "<a href" in html

    [waiting] = mail_to(received, "coopadmin@example.org")
    assert invitations(waiting) == []  # on the waiting list: nothing goes into the calendar yet

    received.clear()
    await services.cancel_registration(world.alpha, first.id, actor=world.member)
    await courier.drain()
    [promoted] = mail_to(received, "coopadmin@example.org")
    method, vevent = one_invitation(promoted)
    assert method == "REQUEST" and str(vevent["ATTENDEE"]) == "mailto:coopadmin@example.org"


async def test_changes_and_cancellation_update_the_calendar(world: World, courier: Courier, smtp_server) -> None:
    _url, received = smtp_server
    access = await access_in(world.alpha, world.coordinator)
    event = await published(world, capacity=1)
    await services.register(world.alpha, event.id, RegisterIn(), actor=world.member)
    await services.register(world.alpha, event.id, RegisterIn(), actor=world.dual)  # waits
    await courier.drain()
    received.clear()

    later = SOON + timedelta(days=2)
    await services.update_event(access, event.id, validate(EventIn, event_data(
        capacity=1, venue="Sala Grande, Via Verdi 5, Milano",
        sessions=[{"starts_at": later.isoformat(), "ends_at": (later + timedelta(hours=3)).isoformat()}])))
    await courier.drain()
    [changed] = mail_to(received, "member@example.org")
    method, vevent = one_invitation(changed)
    assert (method, int(vevent["SEQUENCE"])) == ("REQUEST", 1)
    assert vevent.decoded("DTSTART") == later.replace(microsecond=0)
    assert str(vevent["LOCATION"]) == "Sala Grande, Via Verdi 5, Milano"
    [told] = mail_to(received, "dual@example.org")
    assert invitations(told) == []  # waiting: the update would put the event in their calendar

    received.clear()
    await services.cancel_event(access, event.id)
    await courier.drain()
    [cancelled] = mail_to(received, "member@example.org")
    method, vevent = one_invitation(cancelled)
    assert (method, str(vevent["STATUS"]), int(vevent["SEQUENCE"])) == ("CANCEL", "CANCELLED", 2)
    assert str(vevent["UID"]) == f"event-{event.id}-session-1@testserver"
    assert invitations(mail_to(received, "dual@example.org")[0]) == []


async def test_late_delivery_builds_from_the_event_as_it_is_now(world: World, courier: Courier, smtp_server) -> None:
    _url, received = smtp_server
    event = await published(world)
    await services.register(world.alpha, event.id, RegisterIn(), actor=world.member)
    # The confirmation is still queued when the event is cancelled: it must not invite any more.
    await services.cancel_event(await access_in(world.alpha, world.coordinator), event.id)
    await courier.drain()
    kinds = await OutboxMessage.all().order_by("id").values_list("kind", flat=True)
    assert kinds == ["registration_confirmed", "event_cancelled"]  # the drainer sends them in this order
    assert [one_invitation(m)[0] for m in received] == ["CANCEL", "CANCEL"]

    # Gone altogether (or the registration given back): the e-mail still goes, without an .ics.
    received.clear()
    other = await published(world, title="Da eliminare")
    await services.register(world.alpha, other.id, RegisterIn(), actor=world.dual)
    await Event.filter(id=other.id).delete()
    await courier.drain()
    [message] = received
    assert invitations(message) == []
    assert await OutboxMessage.filter(status="sent").count() == 3


async def test_an_arq_worker_sends_the_invitation(world: World, settings: Settings, courier: Courier, smtp_server,
                                                  queue: ArqRedis) -> None:
    _url, received = smtp_server
    outbox.set_dispatcher(outbox.ArqDispatcher(queue))
    event = await published(world, title="Corso via worker")
    registration = await services.register(world.alpha, event.id, RegisterIn(), actor=world.member)
    assert registration.status == "confirmed"

    worker = await run_burst(REDIS_URL, {"settings": settings, "database_open": True, "courier": courier})

    assert (worker.jobs_complete, worker.jobs_failed) == (1, 0)
    [message] = received
    method, vevent = one_invitation(message)
    assert (method, str(vevent["SUMMARY"])) == ("REQUEST", "Corso via worker")
    assert await Registration.filter(status="confirmed").count() == 1
