"""JSON API for training events: the list, drafts and their life cycle, sessions, registrations.

Editing an event is a PUT of the whole EventIn (the same shape as creating it): sessions, questions and
chosen cooperatives are replaced, as the edit form does. A registration is cancelled with
POST /registrations/{id}/cancel: the row stays (cancelled), so the person can register again later.
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.requests import Request

from federa.accounts.models import Person
from federa.errors import NotFound, PermissionDenied
from federa.events import queries, services
from federa.events.eligibility import may_see
from federa.events.models import (
    Event,
    EventCooperative,
    EventSession,
    Registration,
    RegistrationStatus,
)
from federa.events.schemas import (
    EventIn,
    EventOut,
    EventPage,
    EventQuery,
    EventSessionOut,
    EventSummaryOut,
    MyRegistrationOut,
    MyRegistrationsQuery,
    QuestionOut,
    RegisterApiIn,
    RegisterIn,
    RegistrationOut,
)
from federa.networks.access import Access
from federa.web.api import ApiRoute
from federa.web.i18n import gettext as _
from federa.web.pages import access_of, network_of

R = RegistrationStatus


# ----- shapes ------------------------------------------------------------------------------------------

def _sessions_out(sessions: Iterable[EventSession]) -> list[EventSessionOut]:
    return [EventSessionOut(id=s.id, starts_at=s.starts_at, ends_at=s.ends_at, hours=float(s.hours))
            for s in sessions]


def _summary(event: Event, sessions: Iterable[EventSession]) -> dict:
    return {"id": event.id, "title": event.title, "status": event.status, "audience": event.audience,
            "sectors": [s for s in event.sectors.split(",") if s], "venue": event.venue,
            "province": event.province, "online": bool(event.online_url), "capacity": event.capacity,
            "confirmed_count": event.confirmed_count, "seats_left": queries.seats_left(event),
            "starts_at": event.starts_at, "registration_opens_at": event.registration_opens_at,
            "registration_closes_at": event.registration_closes_at, "sessions": _sessions_out(sessions)}


def _registration_out(r: Registration, place: int | None, person: Person | None = None, *,
                      with_email: bool = False) -> RegistrationOut:
    return RegistrationOut(
        id=r.id, event_id=r.event_id, person_id=r.person_id, person_name=person.name if person else None,
        person_email=person.email if person and with_email else None, registered_by_id=r.registered_by_id,
        status=r.status, place=place, answers=r.answers or {}, queued_at=r.queued_at,  # type: ignore[arg-type]
        confirmed_at=r.confirmed_at, cancelled_at=r.cancelled_at)


async def _visible_event(request: Request) -> tuple[Access, Event]:
    """The event if this caller may see it; another network's, a draft of someone else's: 404."""
    access = await access_of(request)
    event = await services.access_event(access.network, request.path_params["event_id"])
    if not access.can_manage and not await may_see(event, access.network, access.person):
        raise NotFound(_("No such event."))
    return access, event


async def _event_out(access: Access, event: Event) -> EventOut:
    sessions = await EventSession.filter(event_id=event.id).order_by("starts_at", "id")
    mine = None
    if access.person is not None:
        own = await Registration.get_or_none(event_id=event.id, person_id=access.person.id)
        if own is not None:
            mine = _registration_out(own, await queries.waiting_place(own), access.person)
    confirmed = mine is not None and mine.status == R.CONFIRMED.value
    coops = await EventCooperative.filter(event_id=event.id).order_by("cooperative_id").values_list(
        "cooperative_id", flat=True)
    return EventOut(
        **_summary(event, sessions), description=event.description, description_html=event.description_html,
        online_url=event.online_url if (access.can_manage or confirmed) else None,
        cooperative_ids=list(coops), cancel_cutoff_hours=event.cancel_cutoff_hours,  # type: ignore[arg-type]
        attendance_threshold=event.attendance_threshold,
        questions=[QuestionOut(**q) for q in event.questions or []], my_registration=mine, group_id=event.group_id)


# ----- events ------------------------------------------------------------------------------------------

async def list_events(request: Request, query: EventQuery) -> EventPage:
    """Coordinators see every event of the network; others those open to them (visitors: public ones)."""
    access = await access_of(request)
    events, total = await queries.list_events(access, query)
    return EventPage(items=[EventSummaryOut(**_summary(e, e.session_list)) for e in events],  # type: ignore[attr-defined]
                     total=total, page=query.page, per_page=query.per_page)


async def create_event(request: Request, body: EventIn) -> EventOut:
    access = await access_of(request)
    event = await services.create_event(access, body)
    return await _event_out(access, event)


async def get_event(request: Request) -> EventOut:
    access, event = await _visible_event(request)
    return await _event_out(access, event)


async def update_event(request: Request, body: EventIn) -> EventOut:
    access = await access_of(request)
    event = await services.update_event(access, request.path_params["event_id"], body)
    return await _event_out(access, event)


async def publish_event(request: Request) -> EventOut:
    access = await access_of(request)
    return await _event_out(access, await services.publish_event(access, request.path_params["event_id"]))


async def cancel_event(request: Request) -> EventOut:
    access = await access_of(request)
    return await _event_out(access, await services.cancel_event(access, request.path_params["event_id"]))


async def list_sessions(request: Request) -> list[EventSessionOut]:
    _access, event = await _visible_event(request)
    return _sessions_out(await EventSession.filter(event_id=event.id).order_by("starts_at", "id"))


# ----- registrations -----------------------------------------------------------------------------------

async def list_registrations(request: Request) -> list[RegistrationOut]:
    """The organisers' list: everyone confirmed, waiting (with their place in line) or cancelled."""
    access = await access_of(request)
    event = await services.access_event(access.network, request.path_params["event_id"])
    access.require_manage()
    rows = await Registration.filter(event_id=event.id).select_related("person").order_by("queued_at", "id")
    places: dict[int, int] = {}
    for r in rows:
        if r.status == R.WAITING.value:
            places[r.id] = len(places) + 1
    return [_registration_out(r, places.get(r.id), r.person, with_email=True) for r in rows]


async def register(request: Request, body: RegisterApiIn) -> RegistrationOut:
    """Register oneself, or (a cooperative admin) one of the cooperative's people: confirmed or waiting."""
    network, actor = network_of(request), request.state.person
    event = await services.access_event(network, request.path_params["event_id"])
    access = await access_of(request)  # one standing query, shared by may_see and services.register
    if not await may_see(event, network, actor, access=access):
        # Hidden and missing events answer alike (security.md): 403 only for an event one can see.
        raise NotFound(_("No such event."))
    person = actor
    if body.person_id is not None and body.person_id != actor.id:
        # An unknown id gets the same answer as someone else's person: ids reveal nothing.
        person = await Person.get_or_none(id=body.person_id)
        if person is None:
            raise PermissionDenied(_("You can register only people of the cooperatives you administer."))
    registration = await services.register(network, event.id, RegisterIn(answers=body.answers), actor=actor,
                                           person=person, event=event, access=access)
    return _registration_out(registration, await queries.waiting_place(registration), person)


async def cancel_registration(request: Request) -> RegistrationOut:
    """Give the place back (one's own, or one made for someone as their cooperative's admin)."""
    access = await access_of(request)
    registration = await services.cancel_registration(access.network, request.path_params["registration_id"],
                                                      actor=access.person)
    return _registration_out(registration, None)


async def my_registrations(request: Request, query: MyRegistrationsQuery) -> list[MyRegistrationOut]:
    """The signed-in person's registrations in every network (cancelled ones left out)."""
    person = request.state.person
    found = await queries.my_registrations(person, upcoming=query.when == "upcoming")
    return [MyRegistrationOut(registration=_registration_out(m.registration, m.place, person),
                              network=m.network.slug, network_name=m.network.name,
                              event=EventSummaryOut(**_summary(m.event, m.event.session_list)))  # type: ignore[attr-defined]
            for m in found]


N = "/networks/{slug}"
E = N + "/events/{event_id:int}"
routes = [
    ApiRoute(N + "/events", list_events, method="GET", name="api_events", tag="events",
             summary="Training events (filters, one page)", query=EventQuery, response=EventPage),
    ApiRoute(N + "/events", create_event, method="POST", name="api_event_create", tag="events",
             summary="Create a draft event (coordinators)", body=EventIn, response=EventOut, status=201,
             auth=True),
    ApiRoute(E, get_event, method="GET", name="api_event", tag="events",
             summary="One event (the online link only for confirmed people)", response=EventOut),
    ApiRoute(E, update_event, method="PUT", name="api_event_update", tag="events",
             summary="Replace an event's details, sessions and questions", body=EventIn, response=EventOut,
             auth=True),
    ApiRoute(E + "/publish", publish_event, method="POST", name="api_event_publish", tag="events",
             summary="Publish a draft", response=EventOut, auth=True),
    ApiRoute(E + "/cancel", cancel_event, method="POST", name="api_event_cancel", tag="events",
             summary="Cancel an event (everyone registered or waiting is told)", response=EventOut, auth=True),
    ApiRoute(E + "/sessions", list_sessions, method="GET", name="api_event_sessions", tag="events",
             summary="An event's sessions", response=list[EventSessionOut]),
    ApiRoute(E + "/registrations", list_registrations, method="GET", name="api_event_registrations",
             tag="registrations", summary="Registrations with status and place in line (coordinators)",
             response=list[RegistrationOut], auth=True),
    ApiRoute(E + "/registrations", register, method="POST", name="api_event_register", tag="registrations",
             summary="Register (yourself, or one of your cooperative's people): confirmed or waiting",
             body=RegisterApiIn, response=RegistrationOut, status=201, auth=True),
    ApiRoute(N + "/registrations/{registration_id:int}/cancel", cancel_registration, method="POST",
             name="api_registration_cancel", tag="registrations",
             summary="Cancel a registration (yours or one you made)", response=RegistrationOut, auth=True),
    ApiRoute("/me/registrations", my_registrations, method="GET", name="api_my_registrations", tag="me",
             summary="My registrations in every network", query=MyRegistrationsQuery,
             response=list[MyRegistrationOut], auth=True),
]
