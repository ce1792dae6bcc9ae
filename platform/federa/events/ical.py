"""iCalendar (RFC 5545) for events: one VEVENT per session, times in UTC.

Feeds use METHOD:PUBLISH; e-mails carry an invitation or its update (METHOD:REQUEST) and the
cancellation (METHOD:CANCEL), as iTIP/iMIP (RFC 5546, RFC 6047) expect them, with ORGANIZER and ATTENDEE.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr
from typing import Any
from urllib.parse import urlsplit

from icalendar import Calendar, vCalAddress, vText
from icalendar import Event as VEvent

from federa.accounts.models import Person
from federa.events.models import Event, EventSession, EventStatus, Registration, RegistrationStatus
from federa.networks.models import Network
from federa.notifications import attachments
from federa.notifications.models import OutboxMessage
from federa.web.i18n import gettext as _

PRODID = "-//Federa//Federa eventi 1.0//IT"
MEDIA_TYPE = "text/calendar; charset=utf-8"
DESCRIPTION_MAX = 4000  # calendars show a few lines; the event page has the rest
_HOUR = timedelta(hours=1)  # how often subscribed clients should look again


@dataclass(frozen=True)
class Item:
    """One event as one reader's calendar shows it."""

    event: Event
    network: Network
    sessions: list[EventSession]
    private: bool = False    # the reader holds a seat (or runs the event): the online link is shown
    tentative: bool = False  # the reader is on the waiting list


@dataclass(frozen=True)
class Party:
    """An ORGANIZER or ATTENDEE of an invitation."""

    email: str
    name: str


def host_of(base_url: str) -> str:
    return urlsplit(base_url).hostname or "federa.invalid"


def event_url(base_url: str, network: Network, event: Event) -> str:
    return f"{base_url}/n/{network.slug}/events/{event.id}"


def uid(event: Event, position: int, host: str) -> str:
    """The n-th session (1-based, in date order) of an event. Editing an event replaces its session rows,
    so a session's row id would change on every edit; its place in the event does not, and a calendar
    then updates the entry it has instead of adding a second one."""
    return f"event-{event.id}-session-{position}@{host}"


def build_calendar(items: Iterable[Item], *, base_url: str, method: str = "PUBLISH", name: str | None = None,
                   organizer: Party | None = None, attendee: Party | None = None,
                   now: datetime | None = None) -> bytes:
    """A VCALENDAR with one VEVENT per session of each item, ready to serve or attach."""
    now = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    if name:
        calendar.add("name", name)          # RFC 7986
        calendar.add("x-wr-calname", name)  # what most clients still read
        calendar.add("refresh-interval", _HOUR, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", "PT1H")
    for item in items:
        total = len(item.sessions)
        for position, session in enumerate(item.sessions, start=1):
            calendar.add_component(_vevent(item, session, position, total, base_url=base_url, method=method,
                                           organizer=organizer, attendee=attendee, now=now))
    return calendar.to_ical()


def _vevent(item: Item, session: EventSession, position: int, total: int, *, base_url: str, method: str,
            organizer: Party | None, attendee: Party | None, now: datetime) -> VEvent:
    event = item.event
    url = event_url(base_url, item.network, event)
    vevent = VEvent()
    vevent.add("uid", uid(event, position, host_of(base_url)))
    vevent.add("dtstamp", now)
    vevent.add("dtstart", session.starts_at.astimezone(UTC))
    vevent.add("dtend", session.ends_at.astimezone(UTC))
    vevent.add("summary", f"{event.title} ({position}/{total})" if total > 1 else event.title)
    vevent.add("description", _description(item, url))
    location = _location(item)
    if location:
        vevent.add("location", location)
    vevent.add("url", url)
    vevent.add("sequence", event.sequence)
    vevent.add("status", _status(item, method))
    vevent.add("transp", "OPAQUE")
    if event.created_at:
        vevent.add("created", event.created_at.astimezone(UTC))
    if event.updated_at:
        vevent.add("last-modified", event.updated_at.astimezone(UTC))
    if organizer is not None:
        vevent.add("organizer", _address(organizer))
    if attendee is not None:
        vevent.add("attendee", _address(attendee, PARTSTAT="ACCEPTED", ROLE="REQ-PARTICIPANT", RSVP="FALSE",
                                        CUTYPE="INDIVIDUAL"))
    return vevent


def _status(item: Item, method: str) -> str:
    if method == "CANCEL" or item.event.status == EventStatus.CANCELLED.value:
        return "CANCELLED"
    return "TENTATIVE" if item.tentative else "CONFIRMED"


def _location(item: Item) -> str:
    event = item.event
    if event.venue:
        return str(event.venue)
    if event.online_url:
        return str(event.online_url) if item.private else _("Online")
    return ""


def _description(item: Item, url: str) -> str:
    event = item.event
    lines = []
    if item.tentative:
        lines.append(_("You are on the waiting list: we will tell you if a seat frees up."))
    if event.status == EventStatus.CANCELLED.value:
        lines.append(_("This event has been cancelled."))
    text = event.description.strip()
    if text:
        lines.append(text if len(text) <= DESCRIPTION_MAX else text[:DESCRIPTION_MAX].rstrip() + "…")
    if item.private and event.online_url:
        lines.append(_("Online link: %(url)s", url=event.online_url))
    lines.append(f"{item.network.name} — {url}")
    return "\n\n".join(lines)


def _address(party: Party, **parameters: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{party.email}")
    if party.name:
        address.params["CN"] = vText(party.name)
    for key, value in parameters.items():
        address.params[key] = vText(value)
    return address


# ----- e-mail attachments ------------------------------------------------------------------------------

# What each outbox kind carries: the invitation and its updates, or the cancellation.
METHODS = {
    "registration_confirmed": "REQUEST",
    "registration_promoted": "REQUEST",
    "event_changed": "REQUEST",
    "event_cancelled": "CANCEL",
}
_EVENT_PATH = re.compile(r"^/n/[a-z0-9-]+/events/(\d+)$")


def _event_id(context: dict[str, Any]) -> int | None:
    """The event an outbox message is about: its event_id, or the event page it links to."""
    if isinstance(context.get("event_id"), int):
        return int(context["event_id"])
    match = _EVENT_PATH.match(str(context.get("path", "")))
    return int(match.group(1)) if match else None


async def event_attachment(message: OutboxMessage, *, sender: str, base_url: str) -> list[attachments.Attachment]:
    """The .ics of an event message for a person holding a seat, built from the event as it is now.

    People waiting get none: the event is not in their calendar, and an update would put it there.
    """
    event_id = _event_id(message.context)
    event = await Event.get_or_none(id=event_id) if event_id is not None else None
    person = await Person.get_or_none(email=message.recipient)
    network_id = getattr(message, "network_id", None)
    if event is None or person is None or (network_id and network_id != event.network_id):
        return []
    if not await Registration.exists(event_id=event.id, person_id=person.id,
                                     status=RegistrationStatus.CONFIRMED.value):
        return []
    sessions = await EventSession.filter(event_id=event.id).order_by("starts_at", "id")
    if not sessions:
        return []
    network = await Network.get(id=event.network_id)
    # A late delivery after the event was cancelled must not invite anyone any more.
    method = "CANCEL" if event.status == EventStatus.CANCELLED.value else METHODS[message.kind]
    organizer = Party(parseaddr(sender)[1] or "noreply@federa.invalid", network.name)
    content = build_calendar([Item(event, network, list(sessions), private=True)], base_url=base_url,
                             method=method, organizer=organizer, attendee=Party(person.email, person.name))
    return [attachments.Attachment(f"evento-{event.id}.ics", content, "text", "calendar",
                                   {"method": method, "charset": "utf-8"})]


for _kind in METHODS:
    attachments.register(_kind, event_attachment)
