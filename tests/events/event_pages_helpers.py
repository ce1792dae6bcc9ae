"""Helpers for the event page tests (imported by module name, no package): events made directly in the
database, the coordinator form's fields, and messages as an Italian page shows them."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from federa.accounts.models import Person
from federa.events.models import Event, EventCooperative, EventSession, Registration
from federa.networks.models import Network
from federa.web import i18n

NEXT_WEEK = (datetime.now(UTC) + timedelta(days=7)).replace(second=0, microsecond=0)


def t(message: str, **variables: object) -> str:
    """A message as the (Italian, the default) page says it; compare it with shown(response)."""
    token = i18n.current_locale.set("it")
    try:
        return i18n.gettext(message, **variables)
    finally:
        i18n.current_locale.reset(token)


def shown(response: httpx.Response) -> str:
    """The page with HTML entities resolved: templates put translations in as they are, while text from
    Python (flashes, field messages) is escaped, so an apostrophe may be either ' or &#39;."""
    return html.unescape(response.text)


async def make_event(network: Network, title: str = "Corso di formazione", *, start: datetime | None = None,
                     hours: float = 3, sessions: int = 1, cooperatives: tuple[int, ...] = (), **fields: Any) -> Event:
    """An event with `sessions` sessions a day apart (published, members of the network, 30 seats)."""
    start = start or NEXT_WEEK
    fields.setdefault("status", "published")
    fields.setdefault("capacity", 30)
    if "online_url" not in fields:
        fields.setdefault("venue", "Via Roma 1, Milano")
    event = await Event.create(network=network, title=title, starts_at=start, **fields)
    for day in range(sessions):
        begin = start + timedelta(days=day)
        await EventSession.create(event=event, starts_at=begin, ends_at=begin + timedelta(hours=hours), hours=hours)
    for coop in cooperatives:
        await EventCooperative.create(event=event, cooperative_id=coop)
    return event


async def make_registration(event: Event, person: Person, status: str = "confirmed", **fields: Any) -> Registration:
    registration = await Registration.create(network_id=event.network_id, event=event, person=person, status=status,
                                             confirmed_at=datetime.now(UTC) if status == "confirmed" else None,
                                             **fields)
    if status == "confirmed":
        await Event.filter(id=event.id).update(confirmed_count=event.confirmed_count + 1)
        event.confirmed_count += 1
    return registration


def form_fields(**overrides: Any) -> dict[str, Any]:
    """A valid coordinator form: one session next month, 20 seats, a venue."""
    day = (datetime.now(UTC) + timedelta(days=30)).date().isoformat()
    data: dict[str, Any] = {
        "title": "Lavorare con gli adolescenti", "description": "Un percorso **pratico**.", "sectors": ["minori"],
        "sessions.0.date": day, "sessions.0.starts_at": "09:30", "sessions.0.ends_at": "13:00",
        "sessions.0.hours": "", "sessions.1.date": "", "sessions.1.starts_at": "", "sessions.1.ends_at": "",
        "venue": "Via Tolmezzo 3, Milano", "province": "MI", "online_url": "", "capacity": "20",
        "registration_opens_at": "", "registration_closes_at": "", "cancel_cutoff_hours": "24",
        "attendance_threshold": "75", "audience": "network",
        "questions.0.label": "", "questions.0.kind": "text", "questions.0.choices": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def error_ids(page: str) -> list[str]:
    """The names of the fields that carry a message."""
    return re.findall(r'class="field-error" id="e-([\w.]+)"', page)


def flashes(page: str) -> list[str]:
    return [html.unescape(m) for m in re.findall(r'<p class="flash flash-\w+" role="\w+">(.*?)</p>', page, re.S)]
