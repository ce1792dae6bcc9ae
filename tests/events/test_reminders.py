"""Reminders 24 hours before each session: exactly one per person and session, however often and however
concurrently the sweep runs, and after a run dies half-way; delivered by an arq worker and by the embedded
loop of a web process without Redis."""

from __future__ import annotations

import asyncio
import warnings
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest
from arq.connections import ArqRedis, RedisSettings
from arq.worker import Worker
from asgi_lifespan import LifespanManager
from conftest import REDIS_URL, World, make_person
from test_events_registration import people, published
from tortoise.transactions import in_transaction

from federa.accounts.models import Person
from federa.app import create_app
from federa.events import reminders, services
from federa.events.models import Event, EventSession, Registration, ReminderSent
from federa.events.schemas import RegisterIn
from federa.notifications.courier import Courier
from federa.notifications.models import OutboxMessage
from federa.settings import Settings
from tests.notifications.outbox_harness import parts, wait_for
from workers.main import WorkerSettings

NOW = datetime.now(UTC).replace(microsecond=0)


def at(hours: float) -> dict[str, str]:
    start = NOW + timedelta(hours=hours)
    return {"starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=3)).isoformat()}


async def reminded() -> list[tuple[str, int]]:
    """(recipient, session) of every reminder in the outbox, sorted."""
    rows = await OutboxMessage.filter(kind="session_reminder").order_by("recipient", "id")
    return [(r.recipient, r.context["session_id"]) for r in rows]


async def crowd_event(world: World, n: int) -> tuple[Event, EventSession]:
    """A published event starting in 5 hours with n confirmed people."""
    event = await published(world, capacity=n, sessions=[at(5)])
    crowd = await people(world, n)
    await Registration.bulk_create([Registration(network_id=world.alpha.id, event_id=event.id, person_id=p.id,
                                                 status="confirmed", confirmed_at=NOW) for p in crowd])
    return event, await EventSession.get(event_id=event.id)


async def test_each_confirmed_person_is_reminded_once_per_session(world: World) -> None:
    event = await published(world, capacity=2, sessions=[at(5), at(72)])
    first, second = await EventSession.filter(event_id=event.id).order_by("starts_at")
    for person in (world.member, world.coop_admin, world.dual, world.network_admin):
        await services.register(world.alpha, event.id, RegisterIn(), actor=person)  # the last two wait
    gave_up = await Registration.get(event_id=event.id, person_id=world.network_admin.id)
    await services.cancel_registration(world.alpha, gave_up.id, actor=world.network_admin)
    # Not reminded: a draft, a session tomorrow-and-a-bit, a session under way, a deactivated account.
    draft = await Event.create(network=world.alpha, title="Bozza", capacity=5, venue="Via X 1", starts_at=NOW)
    await EventSession.create(event=draft, starts_at=NOW + timedelta(hours=2), ends_at=NOW + timedelta(hours=4))
    await Registration.create(network=world.alpha, event=draft, person=world.member, status="confirmed")
    later = await published(world, sessions=[at(25)])
    await services.register(world.alpha, later.id, RegisterIn(), actor=world.member)
    running = await published(world, sessions=[at(2)])
    await services.register(world.alpha, running.id, RegisterIn(), actor=world.member)
    await EventSession.filter(event_id=running.id).update(starts_at=NOW - timedelta(minutes=30))
    quiet = await make_person("quiet@example.org")
    await Registration.create(network=world.alpha, event=event, person=quiet, status="confirmed")
    await Person.filter(id=quiet.id).update(is_active=False)

    assert await reminders.send_due_reminders() == 2
    assert await reminded() == [("coopadmin@example.org", first.id), ("member@example.org", first.id)]
    assert await reminders.send_due_reminders() == 0  # the next run (and the one after) adds nothing
    assert await reminders.send_due_reminders(now=NOW + timedelta(minutes=10)) == 0
    assert await ReminderSent.all().count() == 2

    # Two days on, the second session comes within 24 hours: one more reminder each.
    assert await reminders.send_due_reminders(now=NOW + timedelta(hours=50)) == 2
    assert await reminded() == [("coopadmin@example.org", first.id), ("coopadmin@example.org", second.id),
                                ("member@example.org", first.id), ("member@example.org", second.id)]
    row = await OutboxMessage.filter(kind="session_reminder", recipient="member@example.org").first()
    assert row is not None
    assert (row.network_id, row.context["event_id"], row.context["sessions"]) == (world.alpha.id, event.id, 2)
    assert row.context["path"] == f"/n/rete-alfa/events/{event.id}"


async def test_concurrent_sweeps_queue_each_reminder_once(world: World) -> None:
    _event, session = await crowd_event(world, 40)
    counts = await asyncio.gather(*(reminders.send_due_reminders() for _ in range(3)))
    assert sum(counts) == 40
    assert await ReminderSent.filter(session_id=session.id).count() == 40
    rows = await reminded()
    assert len(rows) == len(set(rows)) == 40
    assert await asyncio.gather(reminders.send_due_reminders(), reminders.send_due_reminders()) == [0, 0]


class Killed(Exception):
    """The worker died: its transaction never committed."""


async def sweep_then_die(expected: int) -> None:
    """A sweep whose process dies before its commits reach the database."""
    async with in_transaction():
        assert await reminders.send_due_reminders() == expected
        raise Killed


async def test_a_run_that_dies_leaves_nothing_behind_and_the_next_run_does_it(world: World) -> None:
    _event, session = await crowd_event(world, 5)
    with pytest.raises(Killed):
        await sweep_then_die(5)
    assert await ReminderSent.all().count() == 0
    assert await OutboxMessage.filter(kind="session_reminder").count() == 0

    # A run that died after committing some of them: the next run queues only the others.
    registration = await Registration.filter(event_id=session.event_id).order_by("id").first()
    assert registration is not None
    await ReminderSent.create(network_id=world.alpha.id, registration_id=registration.id, session_id=session.id)
    assert await reminders.send_due_reminders() == 4
    assert await reminders.send_due_reminders() == 0
    assert await ReminderSent.filter(session_id=session.id).count() == 5


async def test_the_reminder_email_says_when_and_where(world: World, courier: Courier, smtp_server) -> None:
    _url, received = smtp_server
    event = await published(world, title="Comunicare con le famiglie", online_url="https://meet.example.org/fam",
                            sessions=[at(6)])
    await Person.filter(id=world.member.id).update(locale="en")
    await services.register(world.alpha, event.id, RegisterIn(), actor=world.member)
    await services.register(world.alpha, event.id, RegisterIn(), actor=world.coop_admin)
    await courier.drain()
    received.clear()

    assert await reminders.send_due_reminders() == 2
    assert await courier.drain() == 2
    [english] = [m for m in received if "member@example.org" in str(m["To"])]
    session = await EventSession.get(event_id=event.id)
    assert english["Subject"] == "Reminder: Comunicare con le famiglie"
    text, html = parts(english)
    assert "A reminder: Comunicare con le famiglie (Rete Alfa)" in text
    assert reminders.when(session, "en") in text and "Via Tolmezzo 3, Milano" in text
    assert "https://meet.example.org/fam" in text
    assert f'href="http://testserver/n/rete-alfa/events/{event.id}"' in html
    assert reminders.when(session, "en") in html
    [italian] = [m for m in received if "coopadmin@example.org" in str(m["To"])]
    assert reminders.when(session, "it") in parts(italian)[0]
    assert await OutboxMessage.filter(kind="session_reminder", status="sent").count() == 2


def test_when_reads_in_italian_time() -> None:
    session = EventSession(starts_at=datetime(2030, 3, 12, 16, 30, tzinfo=UTC),
                           ends_at=datetime(2030, 3, 12, 18, 30, tzinfo=UTC))
    assert reminders.when(session, "it") == "martedì 12 marzo 2030, 17:30–19:30"
    assert reminders.when(session, "en") == "Tuesday 12 March 2030, 17:30–19:30"


# ----- for real: an arq worker's cron, and the embedded loop --------------------------------------------

async def test_the_worker_cron_sends_the_reminders(world: World, settings: Settings, courier: Courier, smtp_server,
                                                   queue: ArqRedis) -> None:
    _url, received = smtp_server
    _event, session = await crowd_event(world, 3)
    [cron_job] = [c for c in WorkerSettings.cron_jobs if c.name == "cron:send_reminders"]
    assert (cron_job.minute, cron_job.unique, cron_job.run_at_startup) == (set(range(0, 60, 10)), True, True)
    worker = Worker(
        functions=cast(Any, WorkerSettings.functions), cron_jobs=[replace(cron_job, next_run=None)],
        on_startup=WorkerSettings.on_startup, on_shutdown=WorkerSettings.on_shutdown,
        keep_result=WorkerSettings.keep_result, redis_settings=RedisSettings.from_dsn(REDIS_URL), burst=True,
        handle_signals=False, poll_delay=0.05,
        ctx={"settings": settings, "database_open": True, "courier": courier},
    )
    try:
        await worker.async_run()
    finally:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "Call to deprecated close", DeprecationWarning)
            await worker.close()

    assert (worker.jobs_complete, worker.jobs_failed) == (1 + 3, 0)  # the sweep, then one job per e-mail
    assert len(received) == 3
    assert all("Progettare la formazione interna" in str(m["Subject"]) for m in received)
    assert await ReminderSent.filter(session_id=session.id).count() == 3


async def test_without_redis_the_web_process_sends_them(world: World, settings: Settings, smtp_server) -> None:
    url, received = smtp_server
    await crowd_event(world, 2)
    app = create_app(replace(settings, run_drainer=True, smtp_url=url), own_database=False)
    async with LifespanManager(app):
        await wait_for(lambda: len(received) == 2, timeout=15)
        for _ in range(100):  # the row is marked sent just after the SMTP exchange
            if await OutboxMessage.filter(kind="session_reminder", status="sent").count() == 2:
                break
            await asyncio.sleep(0.05)
    assert await OutboxMessage.filter(kind="session_reminder", status="sent").count() == 2
    assert await ReminderSent.all().count() == 2
