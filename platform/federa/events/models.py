"""Training events ("percorsi formativi"): sessions, registrations with a seat counter and a waiting list."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model


class EventStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"
    COMPLETED = "completed"


class Audience(StrEnum):
    NETWORK = "network"          # members of the network
    COOPERATIVES = "cooperatives"  # people of chosen member cooperatives
    PARTNERS = "partners"        # members of the network and of its partner networks
    PUBLIC = "public"            # anyone with an account


class RegistrationStatus(StrEnum):
    CONFIRMED = "confirmed"
    WAITING = "waiting"
    CANCELLED = "cancelled"


class Event(Model):
    """A training event of a network, with one or more sessions."""

    network_id: int
    created_by_id: int | None
    group_id: int | None
    sessions: fields.ReverseRelation[EventSession]

    id = fields.IntField(primary_key=True)
    network: Any = fields.ForeignKeyField("models.Network", related_name="events", on_delete=fields.CASCADE)
    title = fields.CharField(max_length=200)
    description = fields.TextField(default="")
    description_html = fields.TextField(default="")
    # ",minori,anziani," so that one LIKE filters by sector on every database
    sectors = fields.CharField(max_length=300, default="")
    status = fields.CharField(max_length=10, default=EventStatus.DRAFT.value)
    audience = fields.CharField(max_length=12, default=Audience.NETWORK.value)
    venue = fields.CharField(max_length=300, default="")
    province = fields.CharField(max_length=2, default="")
    online_url = fields.CharField(max_length=500, default="")
    capacity = fields.IntField()
    confirmed_count = fields.IntField(default=0)
    registration_opens_at = fields.DatetimeField(null=True)
    registration_closes_at = fields.DatetimeField(null=True)
    cancel_cutoff_hours = fields.IntField(default=24)
    attendance_threshold = fields.IntField(default=75)
    questions: Any = fields.JSONField(default=list)
    # the 1–5 questions of the satisfaction survey; empty means the standard set in code
    survey_questions: Any = fields.JSONField(default=list, null=True)
    # RFC 5545 SEQUENCE: raised on every change people registered should see in their calendars
    sequence = fields.IntField(default=0, db_default=0)
    starts_at = fields.DatetimeField(null=True)  # the first session's start, kept for ordering lists
    created_by: Any = fields.ForeignKeyField("models.Person", related_name="events_created", null=True,
                                             on_delete=fields.SET_NULL)
    # the working group organising the event, listed on the group's page
    group: Any = fields.ForeignKeyField("models.WorkingGroup", related_name="events", null=True,
                                        on_delete=fields.SET_NULL)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "event"
        indexes = (("network_id", "status", "starts_at"),)


class EventSession(Model):
    """One dated session of an event, in UTC (shown in Europe/Rome)."""

    event_id: int

    id = fields.IntField(primary_key=True)
    event: Any = fields.ForeignKeyField("models.Event", related_name="sessions", on_delete=fields.CASCADE)
    starts_at = fields.DatetimeField()
    ends_at = fields.DatetimeField()
    hours = fields.DecimalField(max_digits=5, decimal_places=2, default=0)

    class Meta:
        table = "event_session"
        ordering = ["starts_at", "id"]


class EventCooperative(Model):
    """A cooperative chosen as the audience of an event (audience 'cooperatives')."""

    event_id: int
    cooperative_id: int

    id = fields.IntField(primary_key=True)
    event: Any = fields.ForeignKeyField("models.Event", related_name="audience_rows", on_delete=fields.CASCADE)
    cooperative: Any = fields.ForeignKeyField("models.Cooperative", related_name="event_audiences",
                                              on_delete=fields.CASCADE)

    class Meta:
        table = "event_cooperative"
        unique_together = (("event", "cooperative"),)


class Registration(Model):
    """A person's place at an event: confirmed, waiting (in arrival order) or cancelled."""

    event_id: int
    network_id: int
    person_id: int
    registered_by_id: int | None

    id = fields.IntField(primary_key=True)
    network: Any = fields.ForeignKeyField("models.Network", related_name="registrations",
                                          on_delete=fields.CASCADE)
    event: Any = fields.ForeignKeyField("models.Event", related_name="registrations", on_delete=fields.CASCADE)
    person: Any = fields.ForeignKeyField("models.Person", related_name="registrations", on_delete=fields.CASCADE)
    status = fields.CharField(max_length=10)
    answers: Any = fields.JSONField(default=dict)
    registered_by: Any = fields.ForeignKeyField("models.Person", related_name="registrations_made", null=True,
                                                on_delete=fields.SET_NULL)
    queued_at = fields.DatetimeField(auto_now_add=True)  # arrival: the waiting list is served in this order
    confirmed_at = fields.DatetimeField(null=True)
    cancelled_at = fields.DatetimeField(null=True)

    class Meta:
        table = "registration"
        unique_together = (("event", "person"),)
        indexes = (("network_id", "event_id", "status", "queued_at"),)


class Attendance(Model):
    """A person checked in at one session."""

    network_id: int
    registration_id: int
    session_id: int

    id = fields.IntField(primary_key=True)
    network: Any = fields.ForeignKeyField("models.Network", related_name="attendances", on_delete=fields.CASCADE)
    registration: Any = fields.ForeignKeyField("models.Registration", related_name="attendances",
                                               on_delete=fields.CASCADE)
    session: Any = fields.ForeignKeyField("models.EventSession", related_name="attendances",
                                          on_delete=fields.CASCADE)
    checked_in_by: Any = fields.ForeignKeyField("models.Person", related_name="check_ins_made", null=True,
                                                on_delete=fields.SET_NULL)
    checked_in_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "attendance"
        unique_together = (("registration", "session"),)
        indexes = (("network_id", "session_id"),)


class Certificate(Model):
    """A certificate of attendance, verifiable by its code on a public page."""

    network_id: int
    registration_id: int

    id = fields.IntField(primary_key=True)
    network: Any = fields.ForeignKeyField("models.Network", related_name="certificates", on_delete=fields.CASCADE)
    registration: Any = fields.OneToOneField("models.Registration", related_name="certificate",
                                             on_delete=fields.CASCADE)
    code = fields.CharField(max_length=20, unique=True)
    hours = fields.DecimalField(max_digits=7, decimal_places=2)
    issued_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "certificate"


class SurveyResponse(Model):
    """One registered person's satisfaction survey: scores 1–5 and a comment."""

    network_id: int
    event_id: int
    registration_id: int

    id = fields.IntField(primary_key=True)
    network: Any = fields.ForeignKeyField("models.Network", related_name="survey_responses",
                                          on_delete=fields.CASCADE)
    event: Any = fields.ForeignKeyField("models.Event", related_name="survey_responses", on_delete=fields.CASCADE)
    registration: Any = fields.OneToOneField("models.Registration", related_name="survey_response",
                                             on_delete=fields.CASCADE)
    scores: Any = fields.JSONField(default=dict)
    comment = fields.TextField(default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "survey_response"
        indexes = (("network_id", "event_id"),)


class CalendarToken(Model):
    """The secret of a person's iCal feed URL, revocable. Only its SHA-256 is stored."""

    person_id: int

    id = fields.IntField(primary_key=True)
    person: Any = fields.ForeignKeyField("models.Person", related_name="calendar_tokens", on_delete=fields.CASCADE)
    token_hash = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "calendar_token"


class ReminderSent(Model):
    """A reminder already queued for one registration and session: the unique key makes it exactly once."""

    network_id: int
    registration_id: int
    session_id: int

    id = fields.IntField(primary_key=True)
    network: Any = fields.ForeignKeyField("models.Network", related_name="reminders", on_delete=fields.CASCADE)
    registration: Any = fields.ForeignKeyField("models.Registration", related_name="reminders",
                                               on_delete=fields.CASCADE)
    session: Any = fields.ForeignKeyField("models.EventSession", related_name="reminders",
                                          on_delete=fields.CASCADE)
    sent_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "reminder_sent"
        unique_together = (("registration", "session"),)
