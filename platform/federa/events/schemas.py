"""Input shapes for events; forms and the API validate with the same ones."""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from federa.networks.schemas import ProvinceCode, Sectors, Website
from federa.web.i18n import gettext as _

ROME = ZoneInfo("Europe/Rome")


def _in_rome(value: datetime) -> datetime:
    """A time without a zone is a time in Italy; stored in UTC."""
    try:
        return (value.replace(tzinfo=ROME) if value.tzinfo is None else value).astimezone(ZoneInfo("UTC"))
    except OverflowError as exc:  # year 1 or 9999 moved across midnight: an error for the field, not a 500
        raise ValueError(_("The value is out of range.")) from exc


When = Annotated[datetime, AfterValidator(_in_rome)]


def _one_line(value: str) -> str:
    """The title is the subject of every e-mail about the event (a line break there fails the send) and
    the SUMMARY of calendar entries (RFC 5545 TEXT allows no control characters)."""
    if any(unicodedata.category(ch) == "Cc" for ch in value):
        raise ValueError(_("Write the title on one line, without special characters."))
    return value


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class SessionIn(Strict):
    starts_at: When
    ends_at: When
    hours: Annotated[Decimal, Field(ge=0, le=24, decimal_places=2)] | None = None

    @model_validator(mode="after")
    def _order(self) -> SessionIn:
        if self.ends_at <= self.starts_at:
            raise ValueError(_("A session ends after it starts."))
        if self.ends_at - self.starts_at > timedelta(hours=24):
            raise ValueError(_("A session lasts at most 24 hours."))
        if self.hours is None:
            self.hours = Decimal(round((self.ends_at - self.starts_at).total_seconds() / 3600, 2))
        return self


class QuestionIn(Strict):
    label: Annotated[str, Field(min_length=1, max_length=300)]
    kind: Literal["text", "choice", "yesno"] = "text"
    choices: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(default_factory=list, max_length=20)
    required: bool = False

    @model_validator(mode="after")
    def _choices(self) -> QuestionIn:
        if self.kind == "choice" and len(self.choices) < 2:
            raise ValueError(_("A choice question needs at least two options."))
        return self


class EventIn(Strict):
    title: Annotated[str, Field(min_length=3, max_length=200), AfterValidator(_one_line)]
    description: Annotated[str, Field(max_length=20000)] = ""
    sectors: Sectors = Field(default_factory=list)
    audience: Literal["network", "cooperatives", "partners", "public"] = "network"
    cooperative_ids: list[Annotated[int, Field(ge=1, le=2**31 - 1)]] = Field(default_factory=list, max_length=500)
    venue: Annotated[str, Field(max_length=300)] = ""
    province: ProvinceCode | Literal[""] = ""
    online_url: Website = ""
    capacity: Annotated[int, Field(ge=1, le=100_000)]
    registration_opens_at: When | None = None
    registration_closes_at: When | None = None
    cancel_cutoff_hours: Annotated[int, Field(ge=0, le=720)] = 24
    attendance_threshold: Annotated[int, Field(ge=1, le=100)] = 75
    questions: list[QuestionIn] = Field(default_factory=list, max_length=20)
    sessions: Annotated[list[SessionIn], Field(min_length=1, max_length=50)]
    group_id: Annotated[int, Field(ge=1, le=2**31 - 1)] | None = None  # the working group organising it

    @model_validator(mode="after")
    def _consistent(self) -> EventIn:
        if not self.venue and not self.online_url:
            raise ValueError(_("Give a venue address or an online link."))
        if self.registration_opens_at and self.registration_closes_at \
                and self.registration_closes_at <= self.registration_opens_at:
            raise ValueError(_("Registration closes after it opens."))
        if self.audience == "cooperatives" and not self.cooperative_ids:
            raise ValueError(_("Choose at least one cooperative."))
        return self


class RegisterIn(Strict):
    answers: dict[Annotated[str, Field(max_length=10)], Annotated[str, Field(max_length=2000)]] = Field(
        default_factory=dict, max_length=20)


class EventQuery(BaseModel):
    """Filters of the event list (page and API): unknown keys are ignored, like the directory's."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)
    q: Annotated[str, Field(max_length=100)] = ""
    sector: Annotated[str, Field(max_length=30)] = ""
    province: Annotated[str, Field(max_length=2)] = ""
    mode: Literal["", "online", "in_person"] = ""
    seats: bool = False  # only events with seats left
    when: Literal["upcoming", "past"] = "upcoming"
    page: Annotated[int, Field(ge=1, le=10000)] = 1
    per_page: Annotated[int, Field(ge=1, le=100)] = 20


# ----- API shapes (events/api.py) ----------------------------------------------------------------------

class RegisterApiIn(RegisterIn):
    """A registration through the API: a cooperative admin may name one of their people."""

    person_id: Annotated[int, Field(ge=1, le=2**31 - 1)] | None = None


class MyRegistrationsQuery(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)
    when: Literal["upcoming", "past"] = "upcoming"


class EventSessionOut(BaseModel):
    id: int
    starts_at: datetime
    ends_at: datetime
    hours: float


class QuestionOut(BaseModel):
    label: str
    kind: str
    choices: list[str] = []
    required: bool = False


class EventSummaryOut(BaseModel):
    id: int
    title: str
    status: str
    audience: str
    sectors: list[str]
    venue: str
    province: str
    online: bool  # held online: the link itself is only in the event's own answer, for those registered
    capacity: int
    confirmed_count: int
    seats_left: int
    starts_at: datetime | None
    registration_opens_at: datetime | None
    registration_closes_at: datetime | None
    sessions: list[EventSessionOut]


class EventPage(BaseModel):
    items: list[EventSummaryOut]
    total: int
    page: int
    per_page: int


class RegistrationOut(BaseModel):
    id: int
    event_id: int
    person_id: int
    person_name: str | None = None
    person_email: str | None = None  # only in the organisers' list
    registered_by_id: int | None
    status: Literal["confirmed", "waiting", "cancelled"]
    place: int | None  # on the waiting list: 1 is the next to be promoted
    answers: dict[str, str]
    queued_at: datetime
    confirmed_at: datetime | None
    cancelled_at: datetime | None


class EventOut(EventSummaryOut):
    description: str
    description_html: str
    online_url: str | None  # null unless the caller is confirmed or organises the event
    cooperative_ids: list[int]
    cancel_cutoff_hours: int
    attendance_threshold: int
    questions: list[QuestionOut]
    my_registration: RegistrationOut | None = None
    group_id: int | None = None


class MyRegistrationOut(BaseModel):
    registration: RegistrationOut
    network: str
    network_name: str
    event: EventSummaryOut
