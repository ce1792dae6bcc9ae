"""An event's registrations and attendance as files: CSV (UTF-8 with BOM, ';') and XLSX, like the directory.

Column headers are a file format, fixed per language (Italian or English); the registration questions and
the sessions add one column each. Cells that a spreadsheet would run as formulas stay text.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from federa.events.attendance import cooperative_names, event_attendance
from federa.events.models import Event, Registration, RegistrationStatus
from federa.events.schemas import ROME
from federa.events.services import access_event
from federa.events.survey import SurveyResults
from federa.networks.access import Access
from federa.networks.exporters import XLSX_TYPE, _cell_for_csv

__all__ = ["XLSX_TYPE", "Table", "attendance_table", "filename", "registrations_table", "survey_table", "to_csv",
           "to_xlsx"]

HEADERS = {
    "it": {"name": "Nome", "email": "Email", "cooperative": "Cooperativa", "status": "Stato",
           "queued_at": "Iscrizione", "registered_by": "Iscritto da", "hours": "Ore frequentate",
           "total": "Ore totali", "share": "Frequenza %", "certificate": "Codice attestato"},
    "en": {"name": "Name", "email": "Email", "cooperative": "Cooperative", "status": "Status",
           "queued_at": "Registered at", "registered_by": "Registered by", "hours": "Hours attended",
           "total": "Total hours", "share": "Attendance %", "certificate": "Certificate code"},
}
WORDS: dict[str, dict[str, str]] = {
    "it": {"confirmed": "confermata", "waiting": "in attesa", "cancelled": "annullata", "yes": "sì", "no": "no",
           "present": "presente", "absent": "assente"},
    "en": {"confirmed": "confirmed", "waiting": "waiting", "cancelled": "cancelled", "yes": "yes", "no": "no",
           "present": "present", "absent": "absent"},
}
STATUS_ORDER = {RegistrationStatus.CONFIRMED.value: 0, RegistrationStatus.WAITING.value: 1,
                RegistrationStatus.CANCELLED.value: 2}
Table = tuple[list[str], list[list[Any]]]


def _local(value: datetime | None) -> datetime | None:
    """Italian wall-clock time without a zone: what a spreadsheet shows as is."""
    return value.astimezone(ROME).replace(tzinfo=None, microsecond=0) if value else None


async def registrations_table(access: Access, event_id: int, locale: str) -> tuple[Event, Table]:
    """Every registration: confirmed, then waiting (in order), then cancelled; one column per question."""
    access.require_manage()
    event = await access_event(access.network, event_id)
    head, words = HEADERS.get(locale, HEADERS["en"]), WORDS.get(locale, WORDS["en"])
    rows = await Registration.filter(event_id=event.id).select_related("person", "registered_by").order_by(
        "queued_at", "id")
    rows = sorted(rows, key=lambda r: STATUS_ORDER.get(r.status, 3))
    coops = await cooperative_names([r.person_id for r in rows])
    headers = [head[k] for k in ("name", "email", "cooperative", "status", "queued_at")]
    headers += [q["label"] for q in event.questions] + [head["registered_by"]]
    body = []
    for r in rows:
        answers = [words.get(a, a) if q["kind"] == "yesno" else a
                   for q, a in ((q, r.answers.get(f"q{i}", "")) for i, q in enumerate(event.questions))]
        by = r.registered_by.name if r.registered_by is not None else ""
        body.append([r.person.name, r.person.email, coops.get(r.person_id, ""), words.get(r.status, r.status),
                     _local(r.queued_at), *answers, by])
    return event, (headers, body)


async def attendance_table(access: Access, event_id: int, locale: str) -> tuple[Event, Table]:
    """One row per confirmed person, one column per session (present or absent), hours and certificate."""
    report = await event_attendance(access, event_id)
    head, words = HEADERS.get(locale, HEADERS["en"]), WORDS.get(locale, WORDS["en"])
    headers = [head["name"], head["email"], head["cooperative"]]
    headers += [f"{s.starts_at.astimezone(ROME):%Y-%m-%d %H:%M} ({_plain(s.hours)} h)" for s in report.sessions]
    headers += [head["hours"], head["total"], head["share"], head["certificate"]]
    body = []
    for p in report.people:
        marks = [words["present"] if s.id in p.sessions else words["absent"] for s in report.sessions]
        body.append([p.registration.person.name, p.registration.person.email, p.cooperatives, *marks,
                     p.hours, report.total_hours, round(p.share, 1), p.certificate.code if p.certificate else ""])
    return report.event, (headers, body)


def survey_table(results: SurveyResults, locale: str) -> Table:
    """One row per answer, oldest first, without names: date, a score per question, the comment."""
    head = {"it": ("Data", "Commento"), "en": ("Date", "Comment")}.get(locale, ("Date", "Comment"))
    headers = [head[0], *(r.question.label for r in results.questions), head[1]]
    rows = [[_local(response.created_at), *(response.scores.get(r.question.key, "") for r in results.questions),
             response.comment] for response in results.responses]
    return headers, rows


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f") if value else "0"


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, Decimal):
        return _plain(value).replace(".", ",")  # what Excel in Italian reads as a number
    return str(value)


def to_csv(table: Table) -> bytes:
    """UTF-8 with BOM and ';' between fields: what Excel in Italian opens without a wizard."""
    headers, rows = table
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([_cell_for_csv(h) for h in headers])
    for row in rows:
        writer.writerow([_cell_for_csv(_text(v)) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(table: Table, sheet_title: str) -> bytes:
    """One worksheet, header in row 1; text never stored as a formula; dates as dates, hours as numbers."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    headers, rows = table
    book = Workbook(write_only=True)
    sheet = book.create_sheet(sheet_title[:31])

    def cell(value: Any) -> WriteOnlyCell:
        if isinstance(value, str):  # control characters (typed in an answer, a name) cannot be stored in XLSX
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
        made = WriteOnlyCell(sheet, value=float(value) if isinstance(value, Decimal) else value)
        if isinstance(value, str) and value.startswith("="):
            made.data_type = "s"  # openpyxl would otherwise store it as a formula
        elif isinstance(value, datetime):
            made.number_format = "yyyy-mm-dd hh:mm"
        return made

    for row in [headers, *rows]:
        sheet.append([cell(value) for value in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def filename(access: Access, event: Event, kind: str, extension: str) -> str:
    stamp = datetime.now(UTC).strftime("%Y-%m-%d")
    return f"{access.network.slug}-evento-{event.id}-{kind}-{stamp}.{extension}"
