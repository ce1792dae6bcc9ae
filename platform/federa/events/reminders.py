"""Reminders 24 hours before each session, queued exactly once per person and session.

The ReminderSent row (unique per registration and session) and the outbox row are written in one
transaction: a second sweep running at the same time, or a sweep after a worker died mid-run, finds the
row (or trips on the unique key) and queues nothing more. The outbox then delivers at least once, and
idempotently, so each person receives one e-mail per session.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

from babel.dates import format_datetime
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from federa.events.models import (
    Event,
    EventSession,
    EventStatus,
    Registration,
    RegistrationStatus,
    ReminderSent,
)
from federa.events.schemas import ROME
from federa.networks.models import Network
from federa.notifications import outbox

log = logging.getLogger("federa.reminders")

WINDOW = timedelta(hours=24)  # how long before a session its reminder goes out
EVERY_SECONDS = 600           # how often the sweep runs (arq cron, or the embedded loop without Redis)


async def send_due_reminders(*, now: datetime | None = None) -> int:
    """Queue the reminders of every published event's sessions starting within the next 24 hours (and
    not started yet), one per confirmed registration; return how many were queued now."""
    now = now or datetime.now(UTC)
    sessions = await EventSession.filter(
        starts_at__gt=now, starts_at__lte=now + WINDOW, event__status=EventStatus.PUBLISHED.value,
    ).select_related("event").order_by("starts_at", "id")
    queued = 0
    for session in sessions:
        queued += await _remind_session(session.event, session)
    return queued


async def _remind_session(event: Event, session: EventSession) -> int:
    done = set(await ReminderSent.filter(session_id=session.id).values_list("registration_id", flat=True))
    registrations = await Registration.filter(
        event_id=event.id, status=RegistrationStatus.CONFIRMED.value, person__is_active=True,
    ).select_related("person").order_by("id")
    todo = [r for r in registrations if r.id not in done]
    if not todo:
        return 0
    network = await Network.get(id=event.network_id)
    dates = [s.id for s in await EventSession.filter(event_id=event.id).order_by("starts_at", "id")]
    messages = []
    for registration in todo:
        message = await _remind_one(event, session, network, registration, dates)
        if message is not None:
            messages.append(message)
    await outbox.dispatch(messages)  # after the commits; a row missed here is sent by the outbox sweep
    return len(messages)


async def _remind_one(event: Event, session: EventSession, network: Network, registration: Registration,
                      dates: list[int]) -> outbox.OutboxMessage | None:
    person = registration.person
    try:
        async with in_transaction():
            await ReminderSent.create(network_id=network.id, registration_id=registration.id,
                                      session_id=session.id)
            return await outbox.add(
                "session_reminder", person.email, locale=person.locale, network=network, name=person.name,
                event=event.title, network_name=network.name, path=f"/n/{network.slug}/events/{event.id}",
                event_id=event.id, session_id=session.id, when=when(session, person.locale),
                session_no=dates.index(session.id) + 1 if session.id in dates else 1, sessions=len(dates),
                venue=event.venue, online_url=event.online_url)
    except IntegrityError:
        return None  # another sweep queued this one first: its transaction holds the reminder


def when(session: EventSession, locale: str) -> str:
    """'martedì 12 marzo 2030, 17:30–19:30' in Italian time, in the reader's language."""
    start, end = session.starts_at.astimezone(ROME), session.ends_at.astimezone(ROME)
    first = format_datetime(start, "EEEE d MMMM y, HH:mm", locale=locale)
    last = format_datetime(end, "HH:mm" if end.date() == start.date() else "EEEE d MMMM y, HH:mm", locale=locale)
    return f"{first}–{last}"


async def run_embedded(*, every: float = EVERY_SECONDS) -> None:
    """Without Redis (no arq cron) the web process runs the sweep itself, every `every` seconds."""
    while True:
        try:
            await send_due_reminders()
        except Exception:
            log.exception("reminder sweep failed; trying again later")
        await asyncio.sleep(every)
