# ruff: noqa: E501 - a table: one route per line reads (and diffs) best
"""Isolation matrix entries for this part of issue 3 (see tests/isolation_matrix.py for the columns).

Event pages. The seeded event is published for alpha's members: a visitor who is not signed in is sent to
sign in (it may be open to them), the outsider gets 404, members and managers see it. Probes that could
change the seeded event stop short, so the routes that sort after them answer for the same event:
- cancelling the event needs the confirming button (confirm=yes): without it, 303 back with a message;
- publishing it again is refused (a message, 303); an empty edit form is 422 and writes nothing;
- /register: the member is registered already (a message, 303); the others who may see it register (303)
  — the survey entries of tests/matrix_events_attendance.py count on the coop admin being registered;
- register-people is for cooperative admins (Affiliation role admin); an empty POST is 422;
- a registration can be cancelled by its own person only: the member (303), 404 for everyone else.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from isolation_matrix import E, Entry

from federa.events.models import (
    Attendance,
    Certificate,
    Event,
    EventSession,
    Registration,
    ReminderSent,
    SurveyResponse,
)

OBJECT_PARAMS = ("event_id", "session_id", "registration_id")


async def seed(network: Any, organiser: Any, attendee: Any) -> dict[str, Any]:
    """A published event open to the network's members, a session next week, the attendee registered."""
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=7)
    event = await Event.create(network=network, title=f"Corso {network.name}", capacity=30, confirmed_count=1,
                               status="published", venue="Via Roma 1", starts_at=start, created_by=organiser)
    session = await EventSession.create(event=event, starts_at=start, ends_at=start + timedelta(hours=3),
                                        hours=3)
    registration = await Registration.create(network=network, event=event, person=attendee, status="confirmed",
                                             confirmed_at=start - timedelta(days=8))
    return {"event_id": event.id, "session_id": session.id, "registration_id": registration.id}


def beta_rows(beta: int) -> list[Any]:
    return [
        Event.filter(network_id=beta).order_by("id").values(),
        EventSession.filter(event__network_id=beta).order_by("id").values(),
        Registration.filter(network_id=beta).order_by("id").values(),
        Attendance.filter(network_id=beta).order_by("id").values(),
        Certificate.filter(network_id=beta).order_by("id").values(),
        SurveyResponse.filter(network_id=beta).order_by("id").values(),
        ReminderSent.filter(network_id=beta).order_by("id").values(),
    ]


# Column order:      anon out mem cadm crd nadm dual padm
ENTRIES: dict[tuple[str, str], Entry] = {
    ("GET", "/account/registrations"): E("in 200 200 200 200 200 200 200"),
    ("GET", "/n/{slug}/events"): E("200 200 200 200 200 200 200 200", reverse="200 200 200 200 200 200 200 200"),
    ("GET", "/n/{slug}/events/calendar"): E("200 200 200 200 200 200 200 200", reverse="200 200 200 200 200 200 200 200"),
    ("GET", "/n/{slug}/events/new"): E("in 403 403 403 200 200 403 200", reverse="in 403 403 403 403 403 403 200"),
    ("POST", "/n/{slug}/events/new"): E("in 403 403 403 422 422 403 422", reverse="in 403 403 403 403 403 403 422"),
    ("GET", "/n/{slug}/events/{event_id:int}"): E("in 404 200 200 200 200 200 200", cross="404 404 404 404 404 404 404 404", reverse="404 404 404 404 404 404 404 404"),
    ("POST", "/n/{slug}/events/{event_id:int}/cancel"): E("in 403 403 403 303 303 403 303", cross="in 403 403 403 404 404 403 404", reverse="in 403 403 403 403 403 403 404"),
    ("GET", "/n/{slug}/events/{event_id:int}/edit"): E("in 403 403 403 200 200 403 200", cross="in 403 403 403 404 404 403 404", reverse="in 403 403 403 403 403 403 404"),
    ("POST", "/n/{slug}/events/{event_id:int}/edit"): E("in 403 403 403 422 422 403 422", cross="in 403 403 403 404 404 403 404", reverse="in 403 403 403 403 403 403 404"),
    ("POST", "/n/{slug}/events/{event_id:int}/publish"): E("in 403 403 403 303 303 403 303", cross="in 403 403 403 404 404 403 404", reverse="in 403 403 403 403 403 403 404"),
    ("POST", "/n/{slug}/events/{event_id:int}/register"): E("in 404 303 303 303 303 303 303", cross="in 404 404 404 404 404 404 404", reverse="in 404 404 404 404 404 404 404"),
    ("GET", "/n/{slug}/events/{event_id:int}/register-people"): E("in 404 403 200 403 403 403 403", cross="in 404 404 404 404 404 404 404", reverse="in 404 404 404 404 404 404 404"),
    ("POST", "/n/{slug}/events/{event_id:int}/register-people"): E("in 404 403 422 403 403 403 403", cross="in 404 404 404 404 404 404 404", reverse="in 404 404 404 404 404 404 404"),
    ("POST", "/n/{slug}/registrations/{registration_id:int}/cancel"): E("in 404 303 404 404 404 404 404", cross="in 404 404 404 404 404 404 404", reverse="in 404 404 404 404 404 404 404"),
}
