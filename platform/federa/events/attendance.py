"""Attendance: check-in per session, the coordinators' lists and sheets, attended hours.

Who attended is one Attendance row per registration and session (unique), so a check-in done twice, or by
two coordinators at once, is still one row. A person qualifies for a certificate (certificates.py) by
attending at least the event's threshold share of its training hours (sessions without hours: of its
sessions). The satisfaction survey lives in survey.py.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from decimal import Decimal

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q, Subquery
from tortoise.functions import Count
from tortoise.transactions import in_transaction

from federa.accounts.models import Affiliation, AffiliationStatus, Person
from federa.audit.log import record
from federa.errors import Conflict, NotFound
from federa.events.models import (
    Attendance,
    Certificate,
    Event,
    EventSession,
    EventStatus,
    Registration,
    RegistrationStatus,
    SurveyResponse,
)
from federa.events.schemas import ROME
from federa.events.services import access_event
from federa.networks.access import Access
from federa.networks.models import Network
from federa.web.i18n import gettext as _

CONFIRMED = RegistrationStatus.CONFIRMED.value
LIVE = (EventStatus.PUBLISHED.value, EventStatus.COMPLETED.value)
# Certificate codes are Crockford's base32: no I, L, O or U, so a code read aloud or copied by hand is not misread.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 12  # 60 random bits: guessing a valid code is hopeless
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})


# ----- sessions and check-in ---------------------------------------------------------------------------

async def access_session(network: Network, event_id: int, session_id: int) -> tuple[Event, EventSession]:
    """The event of this network and one of its sessions, or NotFound."""
    event = await access_event(network, event_id)
    session = await EventSession.get_or_none(id=session_id, event_id=event.id)
    if session is None:
        raise NotFound(_("No such session."))
    return event, session


async def managed_session(access: Access, event_id: int, session_id: int) -> tuple[Event, EventSession]:
    """As access_session, for the network's coordinators only."""
    access.require_manage()
    return await access_session(access.network, event_id, session_id)


def check_in_opens(session: EventSession) -> datetime:
    """Check-in opens at midnight (Italian time) of the session's day and stays open for corrections."""
    return datetime.combine(session.starts_at.astimezone(ROME).date(), time(), ROME).astimezone(UTC)


@dataclass
class CheckIn:
    registration: Registration  # person prefetched
    present: bool
    changed: bool  # False when it was so already


async def check_in(access: Access, event_id: int, session_id: int, registration_id: int, *, present: bool,
                   now: datetime | None = None) -> CheckIn:
    """Mark a confirmed person present at a session, or undo it; doing it twice changes nothing."""
    event, session = await managed_session(access, event_id, session_id)
    registration = await Registration.get_or_none(id=registration_id, event_id=event.id,
                                                  network_id=access.network.id).select_related("person")
    if registration is None:
        raise NotFound(_("No such registration."))
    if event.status not in LIVE:
        raise Conflict(_("Attendance is recorded only for published or completed events."))
    if (now or datetime.now(UTC)) < check_in_opens(session):
        raise Conflict(_("Check-in opens on the day of the session."))
    if present:
        if registration.status != CONFIRMED:
            raise Conflict(_("Only confirmed registrations can be checked in."))
        return CheckIn(registration, True, await _mark_present(access, registration, session))
    return CheckIn(registration, False, await _mark_absent(access, registration, session))


async def _mark_present(access: Access, registration: Registration, session: EventSession) -> bool:
    if await Attendance.exists(registration_id=registration.id, session_id=session.id):
        return False
    try:
        async with in_transaction():
            row = await Attendance.create(network_id=access.network.id, registration_id=registration.id,
                                          session_id=session.id, checked_in_by=access.person)
            await record("event.checked_in", actor=access.person, network=access.network, obj=row,
                         registration_id=registration.id, session_id=session.id)
    except IntegrityError:  # checked in by someone else at the same moment: one row stays
        return False
    return True


async def _mark_absent(access: Access, registration: Registration, session: EventSession) -> bool:
    async with in_transaction():
        removed = await Attendance.filter(registration_id=registration.id, session_id=session.id).delete()
        if removed:
            await record("event.check_in_undone", actor=access.person, network=access.network, obj=registration,
                         session_id=session.id)
    return bool(removed)


async def cooperative_names(person_ids: list[int]) -> dict[int, str]:
    """Each person's cooperatives (active affiliations), as one text, in one query."""
    names: dict[int, list[str]] = {}
    if person_ids:
        rows = await Affiliation.filter(person_id__in=person_ids, status=AffiliationStatus.ACTIVE.value).order_by(
            "cooperative__legal_name").values_list("person_id", "cooperative__legal_name")
        for person_id, name in rows:
            names.setdefault(person_id, []).append(name)  # type: ignore[arg-type]
    return {person_id: ", ".join(found) for person_id, found in names.items()}


@dataclass
class CheckinRow:
    registration: Registration  # person prefetched
    cooperatives: str
    present: bool


CHECKIN_LIMIT = 200  # one screen of a phone search; the search narrows it


async def checkin_list(access: Access, event_id: int, session_id: int, search: str = ""
                       ) -> tuple[Event, EventSession, list[CheckinRow], int, int]:
    """Confirmed people matching the search (name, e-mail, cooperative), alphabetical, each with their
    presence at the session; also how many are present and confirmed in all (4 queries)."""
    event, session = await managed_session(access, event_id, session_id)
    confirmed = Registration.filter(event_id=event.id, status=CONFIRMED)
    rows = confirmed
    # NUL and lone surrogates cannot be sent to PostgreSQL; nobody searches for them on purpose.
    search = search.replace("\x00", "").encode("utf-8", "ignore").decode("utf-8").strip()[:100]
    if search:
        in_coop = Affiliation.filter(status=AffiliationStatus.ACTIVE.value,
                                     cooperative__legal_name__icontains=search).values("person_id")
        rows = rows.filter(Q(person__name__icontains=search) | Q(person__email__icontains=search)
                           | Q(person_id__in=Subquery(in_coop)))
    found = await rows.select_related("person").order_by("person__name", "id").limit(CHECKIN_LIMIT)
    present = set(await Attendance.filter(session_id=session.id, registration__status=CONFIRMED).values_list(
        "registration_id", flat=True))
    coops = await cooperative_names([r.person_id for r in found])
    listed = [CheckinRow(r, coops.get(r.person_id, ""), r.id in present) for r in found]
    return event, session, listed, len(present), await confirmed.count()


@dataclass
class SheetData:
    event: Event
    session: EventSession
    number: int  # the session's place in the event, from 1
    of: int
    people: list[tuple[str, str]]  # (name, cooperatives), alphabetical


async def sheet_data(access: Access, event_id: int, session_id: int) -> SheetData:
    """What a session's printed sign-in sheet lists: the confirmed people (no e-mails: it goes round)."""
    event, session = await managed_session(access, event_id, session_id)
    ids: list[int] = list(await EventSession.filter(event_id=event.id).order_by("starts_at", "id").values_list(
        "id", flat=True))  # type: ignore[arg-type]
    people = await Person.filter(registrations__event_id=event.id, registrations__status=CONFIRMED).order_by(
        "name", "id")
    coops = await cooperative_names([p.id for p in people])
    return SheetData(event, session, ids.index(session.id) + 1, len(ids),
                     [(p.name, coops.get(p.id, "")) for p in people])


@dataclass
class Overview:
    """The coordinators' registrations page: who is in, waiting and out, and the state of the follow-up."""

    event: Event
    sessions: list[tuple[EventSession, int]]  # each session with how many checked in
    confirmed: list[Registration]  # person and registered_by prefetched
    waiting: list[Registration]    # in the order they are served
    cancelled: list[Registration]
    cooperatives: dict[int, str]   # person id → cooperatives
    certificates: int
    responses: int


async def overview(access: Access, event_id: int) -> Overview:
    """Every registration of the event by status, session check-in counts, certificates and survey answers
    (7 queries, whatever the number of people)."""
    access.require_manage()
    event = await access_event(access.network, event_id)
    sessions = await EventSession.filter(event_id=event.id).order_by("starts_at", "id")
    present = dict(await Attendance.filter(session__event_id=event.id, registration__status=CONFIRMED).group_by(
        "session_id").annotate(n=Count("id")).values_list("session_id", "n"))
    rows = await Registration.filter(event_id=event.id).select_related("person", "registered_by").order_by(
        "queued_at", "id")
    by_status: dict[str, list[Registration]] = {}
    for row in rows:
        by_status.setdefault(row.status, []).append(row)
    return Overview(
        event, [(s, int(present.get(s.id, 0))) for s in sessions],  # type: ignore[call-overload]
        sorted(by_status.get(CONFIRMED, []), key=lambda r: (r.person.name.lower(), r.id)),
        by_status.get(RegistrationStatus.WAITING.value, []), by_status.get(RegistrationStatus.CANCELLED.value, []),
        await cooperative_names([r.person_id for r in rows]),
        await Certificate.filter(registration__event_id=event.id).count(),
        await SurveyResponse.filter(event_id=event.id).count())


# ----- attended hours ----------------------------------------------------------------------------------

def attended_share(attended: list[EventSession], sessions: list[EventSession]) -> Decimal:
    """The percentage of the event's hours attended; of its sessions when none carries hours."""
    total = sum((s.hours for s in sessions), Decimal(0))
    if total > 0:
        return sum((s.hours for s in attended), Decimal(0)) * 100 / total
    return Decimal(len(attended) * 100) / len(sessions) if sessions else Decimal(0)


@dataclass
class PersonAttendance:
    registration: Registration  # person prefetched
    cooperatives: str
    sessions: set[int]          # ids of the sessions attended
    hours: Decimal
    share: Decimal              # percentage of the event attended
    qualifies: bool
    certificate: Certificate | None


@dataclass
class EventAttendance:
    event: Event
    sessions: list[EventSession]
    people: list[PersonAttendance] = field(default_factory=list)

    @property
    def total_hours(self) -> Decimal:
        return sum((s.hours for s in self.sessions), Decimal(0))


async def event_attendance(access: Access, event_id: int) -> EventAttendance:
    """Every confirmed person with the sessions attended, hours, whether they qualify and their
    certificate (5 queries, whatever the number of people)."""
    access.require_manage()
    return await load_attendance(await access_event(access.network, event_id))


async def load_attendance(event: Event) -> EventAttendance:
    """As event_attendance, for a service that has checked permission already."""
    sessions = list(await EventSession.filter(event_id=event.id).order_by("starts_at", "id"))
    by_id = {s.id: s for s in sessions}
    registrations = await Registration.filter(event_id=event.id, status=CONFIRMED).select_related(
        "person").order_by("person__name", "id")
    seen: dict[int, set[int]] = {}
    for registration_id, session_id in await Attendance.filter(session__event_id=event.id).values_list(
            "registration_id", "session_id"):
        seen.setdefault(registration_id, set()).add(session_id)  # type: ignore[arg-type]
    certificates = {c.registration_id: c for c in await Certificate.filter(registration__event_id=event.id)}
    coops = await cooperative_names([r.person_id for r in registrations])
    report = EventAttendance(event, sessions)
    for r in registrations:
        attended = [by_id[i] for i in seen.get(r.id, set()) if i in by_id]
        share = attended_share(attended, sessions)
        report.people.append(PersonAttendance(
            r, coops.get(r.person_id, ""), {s.id for s in attended}, sum((s.hours for s in attended), Decimal(0)),
            share, bool(sessions) and share >= event.attendance_threshold, certificates.get(r.id)))
    return report


# ----- certificate codes -------------------------------------------------------------------------------

def new_code() -> str:
    """A random certificate code, grouped for reading: 7K3M-Q9TX-4HZB."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i:i + 4] for i in range(0, CODE_LENGTH, 4))


def normalize_code(text: str) -> str | None:
    """A code as typed (any case, spaces, dashes, O for 0, I or L for 1) in its stored form, or None."""
    raw = "".join(ch for ch in text.upper() if not ch.isspace() and ch not in "-_.").translate(_READ_AS)
    if len(raw) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in raw):
        return None
    return "-".join(raw[i:i + 4] for i in range(0, CODE_LENGTH, 4))
