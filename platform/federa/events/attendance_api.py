"""JSON API for attendance: an event's attendance sheet, checking people in, verifying a certificate."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field
from starlette.requests import Request
from starlette.routing import BaseRoute

from federa.errors import NotFound
from federa.events import attendance, certificates
from federa.web.api import MAX_ID, ApiRoute
from federa.web.i18n import gettext as _
from federa.web.pages import access_of


class AttendanceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    registration_id: Annotated[int, Field(ge=1, le=MAX_ID)]
    present: bool


class AttendanceMarkOut(BaseModel):
    registration_id: int
    session_id: int
    present: bool
    changed: bool  # false when it was so already


class SessionOut(BaseModel):
    id: int
    starts_at: datetime
    ends_at: datetime
    hours: float


class PersonAttendanceOut(BaseModel):
    registration_id: int
    person_id: int
    name: str
    email: str
    cooperatives: str
    sessions: list[int]  # ids of the sessions attended
    hours: float
    share: float  # percentage of the event attended
    qualifies: bool  # attended at least the threshold
    certificate_code: str | None


class EventAttendanceOut(BaseModel):
    event_id: int
    attendance_threshold: int
    total_hours: float
    sessions: list[SessionOut]
    people: list[PersonAttendanceOut]


class CertificateOut(BaseModel):
    code: str
    person_name: str
    event_title: str
    network: str  # the network's slug
    network_name: str
    hours: float
    total_hours: float
    issued_at: datetime
    first_day: datetime | None
    last_day: datetime | None


async def event_attendance(request: Request) -> EventAttendanceOut:
    access = await access_of(request)
    report = await attendance.event_attendance(access, request.path_params["event_id"])
    return EventAttendanceOut(
        event_id=report.event.id, attendance_threshold=report.event.attendance_threshold,
        total_hours=float(report.total_hours),
        sessions=[SessionOut(id=s.id, starts_at=s.starts_at, ends_at=s.ends_at, hours=float(s.hours))
                  for s in report.sessions],
        people=[PersonAttendanceOut(
            registration_id=p.registration.id, person_id=p.registration.person_id, name=p.registration.person.name,
            email=p.registration.person.email, cooperatives=p.cooperatives, sessions=sorted(p.sessions),
            hours=float(p.hours), share=round(float(p.share), 2), qualifies=p.qualifies,
            certificate_code=p.certificate.code if p.certificate else None) for p in report.people])


async def mark_attendance(request: Request, body: AttendanceIn) -> AttendanceMarkOut:
    access = await access_of(request)
    session_id = request.path_params["session_id"]
    done = await attendance.check_in(access, request.path_params["event_id"], session_id, body.registration_id,
                                     present=body.present)
    return AttendanceMarkOut(registration_id=done.registration.id, session_id=session_id, present=done.present,
                             changed=done.changed)


async def verify_certificate(request: Request) -> CertificateOut:
    view = await certificates.verify_certificate(request.path_params["code"][:100])
    if view is None:
        raise NotFound(_("No certificate has this code."))
    return CertificateOut(code=view.code, person_name=view.person_name, event_title=view.event_title,
                          network=view.network_slug, network_name=view.network_name, hours=float(view.hours),
                          total_hours=float(view.total_hours), issued_at=view.issued_at, first_day=view.first_day,
                          last_day=view.last_day)


E = "/networks/{slug}/events/{event_id:int}"
routes: list[BaseRoute] = [
    ApiRoute(E + "/attendance", event_attendance, method="GET", tag="attendance", auth=True,
             summary="Who attended which session, hours and certificates (coordinators)",
             response=EventAttendanceOut, name="api_event_attendance"),
    ApiRoute(E + "/sessions/{session_id:int}/attendance", mark_attendance, method="POST", tag="attendance",
             auth=True, body=AttendanceIn, response=AttendanceMarkOut, name="api_mark_attendance",
             summary="Check a confirmed person in at a session, or undo it (coordinators; idempotent)"),
    ApiRoute("/certificates/{code}", verify_certificate, method="GET", tag="attendance",
             summary="Verify a certificate of attendance by its code (public)", response=CertificateOut,
             name="api_verify_certificate"),
]
