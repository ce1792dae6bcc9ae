"""iCal feeds: what each feed holds (one event, a network's public events, one person's registrations)
and the secret, revocable URL of a person's feed."""

from __future__ import annotations

import secrets
from collections import defaultdict
from datetime import UTC, datetime, timedelta

from tortoise.transactions import in_transaction

from federa.accounts.models import Person
from federa.audit.log import record
from federa.errors import NotFound
from federa.events.eligibility import may_see
from federa.events.ical import Item
from federa.events.models import (
    Audience,
    CalendarToken,
    Event,
    EventSession,
    EventStatus,
    Registration,
    RegistrationStatus,
)
from federa.events.services import access_event
from federa.networks.access import access_in
from federa.networks.models import Network
from federa.web.i18n import gettext as _
from federa.web.security import hash_token

RECENT = timedelta(days=90)  # events stay in the feeds this long after their last session
MAX_EVENTS = 500             # read by calendar clients every hour: bounded, the latest events kept
SHOWN = (EventStatus.PUBLISHED.value, EventStatus.COMPLETED.value)
HELD = (RegistrationStatus.CONFIRMED.value, RegistrationStatus.WAITING.value)


async def _sessions_of(event_ids: list[int]) -> dict[int, list[EventSession]]:
    by_event: dict[int, list[EventSession]] = defaultdict(list)
    if event_ids:
        for session in await EventSession.filter(event_id__in=event_ids).order_by("starts_at", "id"):
            by_event[session.event_id].append(session)
    return by_event


async def event_feed(network: Network, event_id: int, person: Person | None) -> list[Item]:
    """One event, for whoever may see it (drafts: the network's coordinators only; others get NotFound).

    The online link is there for people holding a seat and for the coordinators.
    """
    event = await access_event(network, event_id)
    if not await may_see(event, network, person):
        raise NotFound(_("No such event."))
    status = None
    private = False
    if person is not None:
        registration = await Registration.get_or_none(event_id=event.id, person_id=person.id, status__in=HELD)
        status = registration.status if registration else None
        private = status == RegistrationStatus.CONFIRMED.value or (await access_in(network, person)).can_manage
    sessions = (await _sessions_of([event.id]))[event.id]
    return [Item(event, network, sessions, private=private, tentative=status == RegistrationStatus.WAITING.value)]


async def network_feed(network: Network, *, now: datetime | None = None) -> list[Item]:
    """The network's published events open to the public, upcoming and recent, without online links."""
    since = (now or datetime.now(UTC)) - RECENT
    events = await Event.filter(network_id=network.id, audience=Audience.PUBLIC.value, status__in=SHOWN,
                                sessions__ends_at__gte=since).distinct().order_by("-starts_at", "-id").limit(MAX_EVENTS)
    sessions = await _sessions_of([e.id for e in events])
    return [Item(e, network, sessions[e.id]) for e in events if sessions[e.id]]


async def person_feed(person: Person, *, now: datetime | None = None) -> list[Item]:
    """Every event the person holds a seat at (CONFIRMED) or waits for (TENTATIVE), in every network.

    Cancelled events stay, marked CANCELLED, so that subscribed calendars show the cancellation.
    """
    since = (now or datetime.now(UTC)) - RECENT
    rows = await Registration.filter(
        person_id=person.id, status__in=HELD,
        event__status__in=[*SHOWN, EventStatus.CANCELLED.value],
        event__sessions__ends_at__gte=since,
    ).distinct().select_related("event", "network").order_by("-event__starts_at", "-id").limit(MAX_EVENTS)
    sessions = await _sessions_of([r.event_id for r in rows])
    return [Item(r.event, r.network, sessions[r.event_id], private=r.status == RegistrationStatus.CONFIRMED.value,
                 tentative=r.status == RegistrationStatus.WAITING.value)
            for r in rows if sessions[r.event_id]]


# ----- the secret URL of a person's feed ---------------------------------------------------------------

async def active_token(person: Person) -> CalendarToken | None:
    """The person's feed URL in use, if any (only its hash is kept: the URL itself cannot be shown again)."""
    return await CalendarToken.filter(person_id=person.id, revoked_at=None).order_by("-created_at").first()


async def create_token(person: Person) -> str:
    """A new secret for the person's feed URL; the URL used until now stops working."""
    token = secrets.token_urlsafe(32)
    async with in_transaction():
        await CalendarToken.filter(person_id=person.id, revoked_at=None).update(revoked_at=datetime.now(UTC))
        row = await CalendarToken.create(person_id=person.id, token_hash=hash_token(token))
        await record("calendar.feed_created", actor=person, obj=row)
    return token


async def revoke_tokens(person: Person) -> int:
    """Stop the person's feed URL; how many were in use (0 or 1)."""
    async with in_transaction():
        revoked = await CalendarToken.filter(person_id=person.id, revoked_at=None).update(
            revoked_at=datetime.now(UTC))
        if revoked:
            await record("calendar.feed_revoked", actor=person)
    return int(revoked)


async def token_owner(token: str) -> Person:
    """The person whose feed this secret opens, or NotFound (unknown, revoked, or a deactivated account)."""
    row = await CalendarToken.filter(token_hash=hash_token(token), revoked_at=None).select_related("person").first()
    if row is None or not row.person.is_active:
        raise NotFound(_("No such calendar."))
    return row.person  # type: ignore[no-any-return]
