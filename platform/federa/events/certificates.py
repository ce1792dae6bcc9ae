"""Certificates of attendance: issued for the whole event at once, verifiable by their code.

A certificate goes to each confirmed person who attended at least the event's threshold of hours
(attendance.py). Issuing is possible once the last session has started, is idempotent (people who qualify
later are added; certificates already issued never change: the code printed on the PDF is what the public
verification page answers for) and, once the last session has ended, marks the event completed.
Each person is told by e-mail (kind certificate_issued).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from federa.accounts.models import Person
from federa.audit.log import record
from federa.errors import Conflict, NotAuthenticated, NotFound
from federa.events.attendance import LIVE, PersonAttendance, load_attendance, new_code, normalize_code
from federa.events.models import Certificate, Event, EventSession, EventStatus, Registration
from federa.events.services import access_event
from federa.networks.access import Access, access_in
from federa.networks.models import Network
from federa.notifications import outbox
from federa.web.i18n import gettext as _


@dataclass
class Issued:
    issued: int      # certificates issued now
    held: int        # certificates that existed already
    completed: bool  # the event was marked completed now


def issuable(event: Event, sessions: list[EventSession], now: datetime | None = None) -> bool:
    """Certificates are issued for a published event whose last session has started, or a completed one."""
    if event.status == EventStatus.COMPLETED.value:
        return bool(sessions)
    return event.status == EventStatus.PUBLISHED.value and bool(sessions) and \
        (now or datetime.now(UTC)) >= sessions[-1].starts_at


async def issue_certificates(access: Access, event_id: int, *, now: datetime | None = None) -> Issued:
    """Certify everyone confirmed who attended at least the threshold; existing certificates stay as they
    are (idempotent). Possible once the last session has started; after it has ended, completes the event."""
    access.require_manage()
    event = await access_event(access.network, event_id)
    now = now or datetime.now(UTC)
    report = await load_attendance(event)
    if event.status not in LIVE or not report.sessions:
        raise Conflict(_("Certificates are issued only for published or completed events."))
    if not issuable(event, report.sessions, now):
        raise Conflict(_("Certificates can be issued once the last session has started."))
    issued = held = 0
    for person in report.people:
        if person.certificate is not None:
            held += 1
        elif person.qualifies:
            issued += await _issue_one(access, event, person)
    completed = False
    if event.status == EventStatus.PUBLISHED.value and now >= max(s.ends_at for s in report.sessions):
        async with in_transaction():
            completed = bool(await Event.filter(id=event.id, status=EventStatus.PUBLISHED.value).update(
                status=EventStatus.COMPLETED.value))
            if completed:
                await record("event.completed", actor=access.person, network=access.network, obj=event)
    return Issued(issued, held, completed)


async def _issue_one(access: Access, event: Event, person: PersonAttendance) -> int:
    """One certificate in its own transaction, with its audit row and the e-mail telling the person."""
    registration = person.registration
    for _attempt in range(5):
        try:
            async with in_transaction():
                certificate = await Certificate.create(network_id=access.network.id, registration_id=registration.id,
                                                       code=new_code(), hours=person.hours)
                await record("event.certificate_issued", actor=access.person, network=access.network,
                             obj=certificate, registration_id=registration.id, hours=str(person.hours))
                message = await _certificate_message(access.network, event, registration.person, certificate) \
                    if registration.person.is_active else None
        except IntegrityError:  # issued concurrently, or (once in 10^18) a code drawn twice: draw again
            if await Certificate.exists(registration_id=registration.id):
                return 0
            continue
        await outbox.dispatch([message])
        return 1
    raise RuntimeError("could not draw a unique certificate code")


async def _certificate_message(network: Network, event: Event, person: Person,
                               certificate: Certificate) -> outbox.OutboxMessage:
    return await outbox.add("certificate_issued", person.email, locale=person.locale, network=network,
                            name=person.name, event=event.title, network_name=network.name, code=certificate.code,
                            hours=format(certificate.hours.normalize(), "f"),
                            path=f"/n/{network.slug}/events/{event.id}/certificate.pdf")


@dataclass
class CertificateView:
    """What a certificate states, for its PDF, the verification page and the API."""

    code: str
    person_name: str
    event_title: str
    network_name: str
    network_slug: str
    hours: Decimal
    total_hours: Decimal
    issued_at: datetime
    first_day: datetime | None
    last_day: datetime | None


async def _view(certificate: Certificate) -> CertificateView:
    registration = await Registration.get(id=certificate.registration_id).select_related("person", "event",
                                                                                        "network")
    sessions = list(await EventSession.filter(event_id=registration.event_id).order_by("starts_at", "id"))
    return CertificateView(
        code=certificate.code, person_name=registration.person.name, event_title=registration.event.title,
        network_name=registration.network.name, network_slug=registration.network.slug, hours=certificate.hours,
        total_hours=sum((s.hours for s in sessions), Decimal(0)), issued_at=certificate.issued_at,
        first_day=sessions[0].starts_at if sessions else None, last_day=sessions[-1].starts_at if sessions else None)


async def verify_certificate(code: str) -> CertificateView | None:
    """The certificate with this code (as typed by a person), or None: the same answer for a malformed code."""
    normalized = normalize_code(code)
    if normalized is None:
        return None
    certificate = await Certificate.get_or_none(code=normalized)
    return await _view(certificate) if certificate is not None else None


async def certificate_of(network: Network, event_id: int, *, actor: Person | None,
                         registration_id: int | None = None) -> CertificateView:
    """The actor's own certificate for the event; coordinators may ask for anyone's by registration."""
    if actor is None:
        raise NotAuthenticated(_("Please sign in to continue."))
    event = await access_event(network, event_id)
    whose = Q(registration__person_id=actor.id)
    if registration_id is not None:
        (await access_in(network, actor)).require_manage()
        whose = Q(registration_id=registration_id)
    certificate = await Certificate.filter(whose, registration__event_id=event.id, network_id=network.id).first()
    if certificate is None:
        raise NotFound(_("There is no certificate of attendance for this event."))
    return await _view(certificate)


def verification_url(base_url: str, code: str) -> str:
    return f"{base_url.rstrip('/')}/certificates/verify?code={code}"
