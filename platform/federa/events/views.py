"""Event pages: the list, the month calendar, the event page with its registration form, registering the
people of one's cooperative, and "my registrations" across every network."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from babel.dates import format_date, get_day_names
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from federa.accounts.models import Person
from federa.errors import Conflict, Invalid, NotAuthenticated, NotFound, PermissionDenied
from federa.events import editor_views, queries, services
from federa.events.eligibility import may_register, may_see
from federa.events.models import Event, EventSession, EventStatus, Registration, RegistrationStatus
from federa.events.schemas import ROME, EventQuery, RegisterIn
from federa.events.survey import is_open as survey_is_open
from federa.networks.access import Access
from federa.networks.reference import SECTORS, provinces
from federa.web import i18n
from federa.web.forms import read_form, validate
from federa.web.i18n import gettext as _
from federa.web.i18n import lazy
from federa.web.pages import access_of, act, flash, network_of, redirect, render, require_person, safe_next

R = RegistrationStatus
AUDIENCES: dict[str, str] = {
    "network": lazy("Members of the network"),
    "cooperatives": lazy("Chosen cooperatives"),
    "partners": lazy("Partner networks too"),
    "public": lazy("Open to everyone"),
}
EVENT_STATUSES: dict[str, str] = {
    "draft": lazy("Draft"),
    "published": lazy("Published"),
    "cancelled": lazy("Cancelled"),
    "completed": lazy("Completed"),
}


def labels() -> dict[str, Any]:
    """Names the event templates translate (once per page)."""
    return {"sectors": SECTORS, "provinces": provinces(), "audiences": AUDIENCES, "event_statuses": EVENT_STATUSES,
            "seats_left": queries.seats_left}


def event_path(network_slug: str, event_id: int) -> str:
    return f"/n/{network_slug}/events/{event_id}"


async def visible_event(request: Request) -> tuple[Access, Event]:
    """The event of the URL if this person may see it; 404 otherwise (a visitor who is not signed in is
    sent to sign in first for a published event: it may well be open to them)."""
    access = await access_of(request)
    event = await services.access_event(access.network, request.path_params["event_id"])
    if access.can_manage or await may_see(event, access.network, access.person):
        return access, event
    if access.person is None:
        if event.status in (EventStatus.DRAFT.value, EventStatus.CANCELLED.value):
            raise NotFound(_("No such event."))
        raise NotAuthenticated(_("Please sign in to continue."))
    # still registered (say, after leaving the cooperative): the page stays theirs
    if await Registration.exists(event_id=event.id, person_id=access.person.id, status__in=[
            R.CONFIRMED.value, R.WAITING.value]):
        return access, event
    raise NotFound(_("No such event."))


def window(event: Event, now: datetime) -> str:
    """Where registration stands: open, not_yet, closed, or the event's status when not published."""
    if event.status != EventStatus.PUBLISHED.value:
        return event.status
    if event.registration_opens_at and now < event.registration_opens_at:
        return "not_yet"
    if (event.registration_closes_at and now > event.registration_closes_at) or \
            (event.starts_at and now > event.starts_at):
        return "closed"
    return "open"


def cancel_until(event: Event) -> datetime | None:
    """Until when a confirmed place can be given back (the cut-off before the first session)."""
    return event.starts_at - timedelta(hours=event.cancel_cutoff_hours) if event.starts_at else None


def may_cancel(event: Event, registration: Registration, now: datetime) -> bool:
    if registration.status == R.WAITING.value:
        return True
    until = cancel_until(event)
    return registration.status == R.CONFIRMED.value and (until is None or now <= until)


# ----- the list and the calendar ------------------------------------------------------------------------

async def event_list(request: Request) -> Response:
    access = await access_of(request)
    # NUL cannot be sent to PostgreSQL in a filter; nobody types it (forms drop it the same way)
    query = validate(EventQuery, {k: v.replace("\x00", "") for k, v in request.query_params.items()})
    events, total = await queries.list_events(access, query)
    mine = await queries.my_statuses(access.person, [e.id for e in events])
    pages = max(1, -(-total // query.per_page))
    filters = {k: v for k, v in query.model_dump().items()
               if v and k not in ("page", "per_page") and not (k == "when" and v == "upcoming")}
    return render(request, "events/list.html", {
        "events": events, "total": total, "query": query, "pages": pages, "mine": mine, "access": access,
        "filters": filters, "qs": lambda **extra: urlencode({**filters, **extra}), **labels(),
    })


def _month_param(value: str | None, today: date) -> tuple[int, int]:
    if value and re.fullmatch(r"\d{4}-\d{2}", value):
        year, month_no = int(value[:4]), int(value[5:])
        if 2000 <= year <= 2100 and 1 <= month_no <= 12:
            return year, month_no
    return today.year, today.month


async def calendar_page(request: Request) -> Response:
    access = await access_of(request)
    today = datetime.now(ROME).date()
    year, month_no = _month_param(request.query_params.get("month"), today)
    weeks = await queries.month(access, year, month_no)
    locale = i18n.current_locale.get()
    first = date(year, month_no, 1)
    before = first - timedelta(days=1)
    after = first + timedelta(days=32)
    return render(request, "events/month.html", {
        "weeks": weeks, "access": access, "today": today,
        "title": format_date(first, "LLLL y", locale=locale),
        "previous": f"{before.year:04d}-{before.month:02d}", "next": f"{after.year:04d}-{after.month:02d}",
        "previous_title": format_date(before, "LLLL y", locale=locale),
        "next_title": format_date(after.replace(day=1), "LLLL y", locale=locale),
        "day_names": [get_day_names("wide", locale=locale)[i] for i in range(7)],
        "day_short": [get_day_names("abbreviated", locale=locale)[i] for i in range(7)],
        "long_day": lambda d: format_date(d, "EEEE d MMMM", locale=locale),
        "has_sessions": any(day.sessions for week in weeks for day in week if day.in_month),
    })


# ----- the event page and registering --------------------------------------------------------------------

async def _event_page(request: Request, access: Access, event: Event, *, form: dict | None = None,
                      errors: dict | None = None, status: int = 200) -> Response:
    person = access.person
    now = datetime.now(UTC)
    sessions = await EventSession.filter(event_id=event.id).order_by("starts_at", "id")
    registration = (await queries.my_statuses(person, [event.id])).get(event.id)
    eligible = person is not None and registration is None and await may_register(event, access.network, person)
    confirmed = registration is not None and registration.status == R.CONFIRMED.value
    return render(request, "events/event.html", {
        "event": event, "sessions": sessions, "access": access, "registration": registration,
        "place": await queries.waiting_place(registration) if registration else None,
        "certified": bool(registration and await queries.certified([registration.id])),
        "may_cancel": registration is not None and may_cancel(event, registration, now),
        "cancel_until": cancel_until(event), "eligible": eligible, "window": window(event, now),
        "show_link": access.can_manage or confirmed,
        "survey_open": confirmed and survey_is_open(event, now),
        "total_hours": sum((s.hours for s in sessions), start=0),
        "registers_others": person is not None and event.status == EventStatus.PUBLISHED.value
        and bool(await queries.administered_cooperatives(person)),
        "sector_list": [s for s in event.sectors.split(",") if s],
        "form": form or {}, "errors": errors or {}, **labels(),
    }, status=status)


async def event_page(request: Request) -> Response:
    access, event = await visible_event(request)
    return await _event_page(request, access, event)


def _answers(data: dict[str, Any], event: Event) -> dict[str, Any]:
    """The answers to the event's questions (q0, q1, …) in a form; anything else posted is left out."""
    asked = {f"q{i}" for i in range(len(event.questions or []))}
    return {"answers": {k: v for k, v in data.items() if k in asked and isinstance(v, str) and v}}


async def register(request: Request) -> Response:
    person = require_person(request)
    access, event = await visible_event(request)
    data = await read_form(request)
    try:
        registration = await services.register(access.network, event.id, validate(RegisterIn, _answers(data, event)),
                                               actor=person)
    except Invalid as exc:
        return await _event_page(request, access, event, form=data, errors=exc.fields, status=422)
    except (Conflict, PermissionDenied) as exc:
        flash(request, str(exc), "error")
        return redirect(event_path(access.network.slug, event.id))
    if registration.status == R.CONFIRMED.value:
        flash(request, _("You are registered. A confirmation is on its way by e-mail."))
    else:
        flash(request, _("The event is full: you are on the waiting list, place %(n)s. We will write to you "
                         "if a seat frees up.", n=await queries.waiting_place(registration)))
    return redirect(event_path(access.network.slug, event.id))


async def cancel_registration(request: Request) -> Response:
    person = require_person(request)
    network = network_of(request)
    data = await read_form(request)
    registration_id = request.path_params["registration_id"]
    found = await Registration.get_or_none(id=registration_id, network_id=network.id)
    if found is None:
        raise NotFound(_("No such registration."))
    then = safe_next(str(data.get("next", "")), event_path(network.slug, found.event_id))
    return await act(request, services.cancel_registration(network, registration_id, actor=person),
                     done=_("The registration is cancelled."), then=then)


# ----- a cooperative admin registers their people ----------------------------------------------------------

OUTCOMES: dict[str, str] = {
    "confirmed": lazy("Registered"),
    "waiting": lazy("On the waiting list"),
    "already": lazy("Already registered"),
    "not_eligible": lazy("Not eligible: the event is not open to this person"),
    "refused": lazy("Not one of the people of your cooperatives"),
}


def _outcome(key: str) -> str:
    return _(OUTCOMES[key])


async def _register_one(network: Any, event: Event, person_id: int, candidates: dict[int, queries.Candidate],
                        answers: RegisterIn, actor: Person) -> tuple[str, str, str]:
    """(name, outcome key, message) for one person; Invalid answers propagate (they fail for everyone)."""
    candidate = candidates.get(person_id)
    if candidate is None:  # not one of the admin's people: never look them up, so no name is shown
        return f"#{person_id}", "refused", _outcome("refused")
    person = candidate.person
    try:
        registration = await services.register(network, event.id, answers, actor=actor, person=person)
    except PermissionDenied:  # the event is not open to this person
        return person.name, "not_eligible", _outcome("not_eligible")
    except Conflict as exc:
        if candidate.registration is not None:
            return person.name, "already", _outcome("already")
        return person.name, "conflict", str(exc)
    if registration.status == R.WAITING.value:
        place = await queries.waiting_place(registration)
        return person.name, "waiting", _("On the waiting list, place %(n)s", n=place)
    return person.name, "confirmed", _outcome("confirmed")


async def register_people(request: Request) -> Response:
    person = require_person(request)
    access, event = await visible_event(request)
    candidates = await queries.people_to_register(person, event)
    if not candidates:
        raise PermissionDenied(_("Only the administrators of a cooperative can register its people."))
    results: list[tuple[str, str, str]] = []
    errors: dict[str, str] = {}
    form: dict[str, Any] = {}
    if request.method == "POST":
        form = await read_form(request, multi=("person_ids",))
        chosen = [int(v) for v in form["person_ids"] if str(v).isascii() and str(v).isdigit()]
        by_id = {c.person.id: c for c in candidates}
        try:
            answers = validate(RegisterIn, _answers(form, event))
            for person_id in dict.fromkeys(chosen):
                results.append(await _register_one(access.network, event, person_id, by_id, answers, person))
        except Invalid as exc:
            errors = exc.fields
        if not chosen and not errors:
            errors = {"person_ids": _("Choose at least one person.")}
        candidates = await queries.people_to_register(person, event)
    in_line = await queries.waiting_places([c.registration for c in candidates if c.registration])
    places = {c.person.id: in_line[c.registration.id] for c in candidates
              if c.registration and c.registration.id in in_line}
    return render(request, "events/register_people.html", {
        "event": event, "access": access, "candidates": candidates, "results": results, "errors": errors,
        "form": form, "places": places, "window": window(event, datetime.now(UTC)), **labels(),
    }, status=422 if errors else 200)


# ----- my registrations, across every network ------------------------------------------------------------

async def my_registrations(request: Request) -> Response:
    person = require_person(request)
    when = "past" if request.query_params.get("when") == "past" else "upcoming"
    rows = await queries.my_registrations(person, upcoming=when == "upcoming")
    now = datetime.now(UTC)
    return render(request, "events/my_registrations.html", {
        "rows": rows, "when": when, "certified": await queries.certified([r.registration.id for r in rows]),
        "cancellable": {r.registration.id for r in rows if may_cancel(r.event, r.registration, now)},
        "cancel_until": cancel_until, **labels(),
    })


routes = [
    Route("/events", event_list, name="events"),
    Route("/events/calendar", calendar_page, name="events_calendar"),
    Route("/events/new", editor_views.event_new, methods=["GET", "POST"], name="event_new"),
    Route("/events/{event_id:int}", event_page, name="event"),
    Route("/events/{event_id:int}/edit", editor_views.event_edit, methods=["GET", "POST"], name="event_edit"),
    Route("/events/{event_id:int}/publish", editor_views.event_publish, methods=["POST"], name="event_publish"),
    Route("/events/{event_id:int}/cancel", editor_views.event_cancel, methods=["POST"], name="event_cancel"),
    Route("/events/{event_id:int}/register", register, methods=["POST"], name="event_register"),
    Route("/events/{event_id:int}/register-people", register_people, methods=["GET", "POST"],
          name="event_register_people"),
    Route("/registrations/{registration_id:int}/cancel", cancel_registration, methods=["POST"],
          name="registration_cancel"),
]
account_routes = [
    Route("/account/registrations", my_registrations, name="my_registrations"),
]
