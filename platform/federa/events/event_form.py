"""The coordinator's event form: posted fields → EventIn (with a message beside each bad field), and back.

Sessions and questions are fixed rows named like the schema (`sessions.0.date`, `sessions.0.starts_at`,
`questions.1.label`); blank rows are ignored. Each row is checked on its own, so a message lands on its row.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import ValidationError

from federa.errors import Invalid
from federa.events.models import Event, EventSession
from federa.events.schemas import ROME, EventIn, QuestionIn, SessionIn
from federa.web.forms import field_errors, validate
from federa.web.i18n import gettext as _

BLANK_SESSIONS = 3
BLANK_QUESTIONS = 2
MAX_ROWS = 60
SESSION_PARTS = ("date", "starts_at", "ends_at", "hours")
QUESTION_PARTS = ("label", "kind", "choices", "required")
SCALARS = ("title", "description", "venue", "province", "online_url", "capacity", "registration_opens_at",
           "registration_closes_at", "cancel_cutoff_hours", "attendance_threshold", "audience", "group_id")
_ROW = re.compile(r"^(sessions|questions)\.(\d{1,3})\.")
_DATE_IT = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})$")


def parse_date(text: str) -> date | None:
    """2030-03-12 (what date inputs send) or 12/03/2030 (what people type where there is no date picker)."""
    text = text.strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    match = _DATE_IT.match(text)
    if match:
        day, month, year = (int(g) for g in match.groups())
        try:
            return date(year, month, day)
        except ValueError:
            return None
    return None


def parse_time(text: str) -> time | None:
    match = _TIME.match(text.strip())
    if match:
        hour, minute = (int(g) for g in match.groups())
        if hour < 24 and minute < 60:
            return time(hour, minute)
    return None


def parse_datetime(text: str) -> datetime | None:
    """2030-03-12T17:30 (datetime-local inputs) or 12/03/2030 17:30; a time in Italy, without a zone."""
    text = text.strip()
    day, _sep, clock = text.replace("T", " ").partition(" ")
    found_date = parse_date(day)
    found_time = parse_time(clock) if clock.strip() else time(0, 0)
    if found_date is None or found_time is None:
        return None
    return datetime.combine(found_date, found_time)


def row_count(data: dict[str, Any], kind: str) -> int:
    """How many rows of `kind` the form posted (blank ones included, so messages keep their place)."""
    indexes = [int(m.group(2)) for key in data if (m := _ROW.match(key)) and m.group(1) == kind]
    return min(MAX_ROWS, max(indexes, default=-1) + 1)


def _first(exc: ValidationError, prefix: str, default: str) -> dict[str, str]:
    """Row errors under `prefix.<field>`; model-level ones under `prefix.<default>`."""
    found: dict[str, str] = {}
    for key, message in field_errors(exc).items():
        found.setdefault(f"{prefix}.{default if key == '__all__' else key}", message)
    return found


def _session(data: dict[str, Any], index: int, errors: dict[str, str]) -> dict[str, Any] | None:
    prefix = f"sessions.{index}"
    raw = {part: str(data.get(f"{prefix}.{part}", "")).strip() for part in SESSION_PARTS}
    if not any(raw.values()):
        return None
    day = parse_date(raw["date"])
    start, end = parse_time(raw["starts_at"]), parse_time(raw["ends_at"])
    row_errors = {}
    if day is None:
        row_errors[f"{prefix}.date"] = _("Enter the date as dd/mm/yyyy.") if raw["date"] else \
            _("This field is required.")
    for part, value in (("starts_at", start), ("ends_at", end)):
        if value is None:
            row_errors[f"{prefix}.{part}"] = _("Enter the time as hh:mm.") if raw[part] else \
                _("This field is required.")
    hours: Decimal | None = None
    if raw["hours"]:
        try:
            hours = Decimal(raw["hours"].replace(",", "."))
        except InvalidOperation:
            row_errors[f"{prefix}.hours"] = _("Enter a number.")
    if row_errors or day is None or start is None or end is None:
        errors.update(row_errors)
        return None
    session = {"starts_at": datetime.combine(day, start), "ends_at": datetime.combine(day, end), "hours": hours}
    try:
        SessionIn.model_validate(session)
    except ValidationError as exc:
        errors.update(_first(exc, prefix, "ends_at"))
        return None
    return session


def _question(data: dict[str, Any], index: int, errors: dict[str, str]) -> dict[str, Any] | None:
    prefix = f"questions.{index}"
    label = str(data.get(f"{prefix}.label", "")).strip()
    choices_text = str(data.get(f"{prefix}.choices", "")).strip()
    if not label and not choices_text:
        return None
    question = {"label": label, "kind": str(data.get(f"{prefix}.kind", "text")) or "text",
                "choices": [c.strip() for c in choices_text.split(",") if c.strip()],
                "required": bool(data.get(f"{prefix}.required"))}
    try:
        QuestionIn.model_validate(question)
    except ValidationError as exc:
        errors.update(_first(exc, prefix, "choices"))
        return None
    return question


def _scalars(data: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    payload: dict[str, Any] = {}
    for name in SCALARS:
        value = str(data.get(name, "")).strip()
        if name in ("registration_opens_at", "registration_closes_at"):
            if value:
                when = parse_datetime(value)
                if when is None:
                    errors[name] = _("Enter a date and time like 12/03/2030 17:30.")
                else:
                    payload[name] = when
        elif value or name in ("description", "venue", "online_url", "province"):
            payload[name] = value.upper() if name == "province" else value
    payload["sectors"] = list(data.get("sectors", []))
    coops = []
    for value in data.get("cooperative_ids", []):
        if not (str(value).isascii() and str(value).isdigit()):  # '²' is a digit that int() refuses
            errors["cooperative_ids"] = _("Choose cooperatives of this network.")
        else:
            coops.append(int(value))
    # The chosen cooperatives count only for that audience (the list stays in the page for the others).
    payload["cooperative_ids"] = coops if payload.get("audience") == "cooperatives" else []
    return payload


def _whole_form_messages() -> dict[str, str]:
    """EventIn's cross-field messages, shown beside the field that can fix them."""
    return {_("Give a venue address or an online link."): "venue",
            _("Registration closes after it opens."): "registration_closes_at",
            _("Choose at least one cooperative."): "cooperative_ids"}


def event_in(data: dict[str, Any]) -> EventIn:
    """Read the posted form into EventIn; raise Invalid with every message (rows named by their index)."""
    errors: dict[str, str] = {}
    payload = _scalars(data, errors)
    sessions = [s for i in range(row_count(data, "sessions")) if (s := _session(data, i, errors)) is not None]
    questions = [q for i in range(row_count(data, "questions")) if (q := _question(data, i, errors)) is not None]
    row_trouble = any(key.startswith("sessions.") for key in errors)
    payload.update(sessions=sessions, questions=questions)
    try:
        result = validate(EventIn, payload)
    except Invalid as exc:
        moved = _whole_form_messages()
        for key, message in exc.fields.items():
            if key == "sessions" and row_trouble:
                continue  # the rows carry their own messages
            if key == "sessions" and not sessions:
                message = _("Add at least one session.")
            if key == "capacity" and message == _("The value is out of range."):
                message = _("Enter a number of seats from 1 to 100000.")
            errors.setdefault(moved.get(message, key) if key == "__all__" else key, message)
    if errors:
        raise Invalid(errors)
    return result


def _clock(value: datetime) -> str:
    return value.astimezone(ROME).strftime("%H:%M")


def _local(value: datetime | None) -> str:
    return value.astimezone(ROME).strftime("%Y-%m-%dT%H:%M") if value else ""


def blank_rows(form: dict[str, Any], sessions: int, questions: int) -> dict[str, Any]:
    """Add empty rows after the filled ones (the template loops over the counts)."""
    form["session_rows"] = sessions + BLANK_SESSIONS
    form["question_rows"] = questions + BLANK_QUESTIONS
    return form


def posted_rows(data: dict[str, Any]) -> dict[str, Any]:
    """A re-shown form keeps exactly the rows that were posted (at least one of each)."""
    data["session_rows"] = max(1, row_count(data, "sessions"))
    data["question_rows"] = max(1, row_count(data, "questions"))
    return data


def new_form() -> dict[str, Any]:
    return blank_rows({"audience": "network", "cancel_cutoff_hours": "24", "attendance_threshold": "75",
                       "sectors": [], "cooperative_ids": []}, 0, 0)


def form_of(event: Event, sessions: list[EventSession], cooperative_ids: list[int]) -> dict[str, Any]:
    """The form filled with an event as it is saved."""
    form: dict[str, Any] = {
        "title": event.title, "description": event.description, "venue": event.venue, "province": event.province,
        "online_url": event.online_url, "capacity": str(event.capacity),
        "registration_opens_at": _local(event.registration_opens_at),
        "registration_closes_at": _local(event.registration_closes_at),
        "cancel_cutoff_hours": str(event.cancel_cutoff_hours),
        "attendance_threshold": str(event.attendance_threshold), "audience": event.audience,
        "group_id": str(event.group_id or ""),
        "sectors": [s for s in event.sectors.split(",") if s], "cooperative_ids": [str(c) for c in cooperative_ids],
    }
    for index, session in enumerate(sessions):
        prefix = f"sessions.{index}"
        length = Decimal(round((session.ends_at - session.starts_at).total_seconds() / 3600, 2))
        hours = Decimal(session.hours)
        form.update({f"{prefix}.date": session.starts_at.astimezone(ROME).date().isoformat(),
                     f"{prefix}.starts_at": _clock(session.starts_at), f"{prefix}.ends_at": _clock(session.ends_at),
                     # blank means "as long as the session": shown only when set otherwise
                     f"{prefix}.hours": "" if hours == length else f"{hours.normalize():f}"})
    for index, question in enumerate(event.questions or []):
        prefix = f"questions.{index}"
        form.update({f"{prefix}.label": question["label"], f"{prefix}.kind": question["kind"],
                     f"{prefix}.choices": ", ".join(question.get("choices", [])),
                     f"{prefix}.required": "on" if question.get("required") else ""})
    return blank_rows(form, len(sessions), len(event.questions or []))
