"""Pages after registration: coordinators' registrations list, check-in per session, sign-in sheets,
certificates, exports and survey results; the attendee's survey and certificate; public verification."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Annotated, Literal
from urllib.parse import urlencode

from pydantic import BaseModel, ConfigDict, Field
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from federa.errors import Conflict, Invalid, NotFound
from federa.events import attendance, attendance_exports, certificates, charts, pdf, survey
from federa.events.attendance_exports import XLSX_TYPE, Table
from federa.events.models import Event
from federa.networks.access import Access
from federa.web import i18n
from federa.web.api import MAX_ID
from federa.web.forms import read_form, validate
from federa.web.i18n import gettext as _
from federa.web.pages import access_of, flash, network_of, person_of, redirect, render

T = "events/attendance/"


class CheckinForm(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    registration_id: Annotated[int, Field(ge=1, le=MAX_ID)]
    action: Literal["in", "out"]
    q: Annotated[str, Field(max_length=100)] = ""


def _event_path(access: Access, event_id: int, rest: str = "") -> str:
    return f"/n/{access.network.slug}/events/{event_id}{rest}"


def _ids(request: Request) -> tuple[int, int]:
    return request.path_params["event_id"], request.path_params["session_id"]


# ----- coordinators ------------------------------------------------------------------------------------

async def registrations_page(request: Request) -> Response:
    access = await access_of(request)
    found = await attendance.overview(access, request.path_params["event_id"])
    return render(request, T + "registrations.html", {
        "o": found, "event": found.event, "access": access, "event_base": _event_path(access, found.event.id),
        "may_issue": certificates.issuable(found.event, [s for s, _n in found.sessions]),
    })


async def checkin_page(request: Request) -> Response:
    access = await access_of(request)
    search = request.query_params.get("q", "")[:100]
    event, session, rows, present, confirmed = await attendance.checkin_list(access, *_ids(request), search)
    return render(request, T + "checkin.html", {
        "event": event, "session": session, "rows": rows, "present": present, "confirmed": confirmed,
        "q": search, "limit": attendance.CHECKIN_LIMIT, "access": access, "event_base": _event_path(access, event.id),
        "when": pdf.session_when(session), "opens": attendance.check_in_opens(session),
        "not_yet": datetime.now(UTC) < attendance.check_in_opens(session),
    })


async def checkin_post(request: Request) -> Response:
    access = await access_of(request)
    access.require_manage()
    event_id, session_id = _ids(request)
    form = validate(CheckinForm, await read_form(request))
    back = _event_path(access, event_id, f"/sessions/{session_id}/checkin")
    back += ("?" + urlencode({"q": form.q}) if form.q else "") + f"#r{form.registration_id}"
    try:
        done = await attendance.check_in(access, event_id, session_id, form.registration_id,
                                         present=form.action == "in")
    except Conflict as exc:
        flash(request, str(exc), "error")
        return redirect(back)
    name = done.registration.person.name
    if done.present:
        message = _("%(name)s is checked in.", name=name) if done.changed else \
            _("%(name)s was already checked in.", name=name)
    else:
        message = _("Check-in of %(name)s undone.", name=name) if done.changed else \
            _("%(name)s was not checked in.", name=name)
    flash(request, message)
    return redirect(back)


async def sheet_pdf(request: Request) -> Response:
    access = await access_of(request)
    data = await attendance.sheet_data(access, *_ids(request))
    content = await asyncio.to_thread(pdf.sheet_pdf, access.network, data.event, data.session, data.number,
                                      data.of, data.people)
    return _file(content, "application/pdf", f"foglio-firme-{data.event.id}-{data.number}.pdf", inline=True)


async def certificates_issue(request: Request) -> Response:
    access = await access_of(request)
    await read_form(request)
    event_id = request.path_params["event_id"]
    try:
        done = await certificates.issue_certificates(access, event_id)
    except Conflict as exc:
        flash(request, str(exc), "error")
    else:
        flash(request, i18n.ngettext("%(num)s certificate issued.", "%(num)s certificates issued.", done.issued)
              + (" " + _("The event is now completed.") if done.completed else ""))
    return redirect(_event_path(access, event_id, "/registrations"))


def _export(kind: str, extension: str) -> Callable[[Request], Awaitable[Response]]:
    builders = {"registrations": attendance_exports.registrations_table,
                "attendance": attendance_exports.attendance_table}

    async def export(request: Request) -> Response:
        access = await access_of(request)
        locale = i18n.current_locale.get()
        event, table = await builders[kind](access, request.path_params["event_id"], locale)
        return _table_file(access, event, kind, extension, table)

    export.__name__ = f"{kind}_{extension}"
    return export


def _table_file(access: Access, event: Event, kind: str, extension: str, table: Table) -> Response:
    name = attendance_exports.filename(access, event, kind, extension)
    if extension == "csv":
        return _file(attendance_exports.to_csv(table), "text/csv; charset=utf-8", name)
    titles = {"registrations": _("Registrations"), "attendance": _("Attendance")}
    return _file(attendance_exports.to_xlsx(table, titles.get(kind, kind)), XLSX_TYPE, name)


def _file(content: bytes, media_type: str, name: str, *, inline: bool = False) -> Response:
    disposition = "inline" if inline else "attachment"
    return Response(content, media_type=media_type, headers={
        "Content-Disposition": f'{disposition}; filename="{name}"', "Cache-Control": "private, no-store"})


async def survey_results_page(request: Request) -> Response:
    access = await access_of(request)
    results = await survey.survey_results(access, request.path_params["event_id"])
    shown = [(r, charts.score_bars(f"chart-{i}", r.question.label, r.counts, r.average))
             for i, r in enumerate(results.questions)]
    return render(request, T + "survey_results.html", {
        "results": results, "shown": shown, "event": results.event, "access": access,
        "event_base": _event_path(access, results.event.id), "scores": survey.SCORES,
    })


async def survey_results_csv(request: Request) -> Response:
    access = await access_of(request)
    results = await survey.survey_results(access, request.path_params["event_id"])
    table = attendance_exports.survey_table(results, i18n.current_locale.get())
    return _table_file(access, results.event, "survey", "csv", table)


# ----- the attendee ------------------------------------------------------------------------------------

async def survey_page(request: Request) -> Response:
    network = network_of(request)
    person = person_of(request)
    event_id = request.path_params["event_id"]
    state = await survey.survey_for(network, event_id, actor=person)
    form: dict[str, str] = {}
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        data = await read_form(request)
        form = {key: str(data.get(key, "")) for key in [q.key for q in state.questions] + ["comment"]}
        scores = {k: v for k, v in form.items() if k != "comment"}
        try:
            await survey.answer_survey(network, event_id, actor=person, scores=scores, comment=form["comment"])
        except Conflict as exc:
            flash(request, str(exc), "error")
            return redirect(f"/n/{network.slug}/events/{event_id}/survey")
        except Invalid as exc:
            errors, status = exc.fields, 422
        else:
            flash(request, _("Thank you: your answers are saved."))
            return redirect(f"/n/{network.slug}/events/{event_id}/survey")
    return render(request, T + "survey.html", {
        "state": state, "event": state.event, "form": form, "errors": errors, "scores": survey.SCORES,
        "access": await access_of(request),
    }, status=status)


async def certificate_download(request: Request) -> Response:
    network = network_of(request)
    raw = request.query_params.get("registration")
    registration_id = None
    if raw is not None:
        if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_ID:
            raise NotFound(_("No such registration."))
        registration_id = int(raw)
    view = await certificates.certificate_of(network, request.path_params["event_id"], actor=person_of(request),
                                           registration_id=registration_id)
    url = certificates.verification_url(request.app.state.settings.base_url, view.code)
    content = await asyncio.to_thread(pdf.certificate_pdf, view, url)
    return _file(content, "application/pdf", f"attestato-{view.code}.pdf")


# ----- anyone ------------------------------------------------------------------------------------------

async def verify_page(request: Request) -> Response:
    code = request.query_params.get("code", "")[:100].strip()
    view = await certificates.verify_certificate(code) if code else None
    return render(request, T + "verify.html", {"code": code, "view": view, "asked": bool(code)})


E = "/events/{event_id:int}"
S = E + "/sessions/{session_id:int}"
routes: list[BaseRoute] = [
    Route(E + "/registrations", registrations_page, name="event_registrations"),
    Route(E + "/registrations.csv", _export("registrations", "csv"), name="event_registrations_csv"),
    Route(E + "/registrations.xlsx", _export("registrations", "xlsx"), name="event_registrations_xlsx"),
    Route(E + "/attendance.csv", _export("attendance", "csv"), name="event_attendance_csv"),
    Route(E + "/attendance.xlsx", _export("attendance", "xlsx"), name="event_attendance_xlsx"),
    Route(S + "/checkin", checkin_page, name="event_checkin"),
    Route(S + "/checkin", checkin_post, methods=["POST"], name="event_checkin_post"),
    Route(S + "/sheet.pdf", sheet_pdf, name="event_sheet_pdf"),
    Route(E + "/certificates", certificates_issue, methods=["POST"], name="event_certificates"),
    Route(E + "/certificate.pdf", certificate_download, name="event_certificate_pdf"),
    Route(E + "/survey", survey_page, methods=["GET", "POST"], name="event_survey"),
    Route(E + "/survey/results", survey_results_page, name="event_survey_results"),
    Route(E + "/survey/results.csv", survey_results_csv, name="event_survey_results_csv"),
]
account_routes: list[BaseRoute] = [
    Route("/certificates/verify", verify_page, name="certificate_verify"),
]
