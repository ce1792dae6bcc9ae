"""The coordinator's event form: create, edit, publish, cancel; bad input re-renders 422 and writes nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
from conftest import World, post_form, sign_in
from event_pages_helpers import error_ids, flashes, form_fields, make_event, make_registration, shown, t

from federa.events.models import Event, EventCooperative, EventSession
from federa.notifications.models import OutboxMessage

NEW = "/n/rete-alfa/events/new"


async def _written() -> tuple[int, int, int]:
    return await Event.all().count(), await EventSession.all().count(), await EventCooperative.all().count()


async def _flash_after(client: httpx.AsyncClient, response: httpx.Response) -> list[str]:
    assert response.status_code == 303, response.text
    return flashes((await client.get(response.headers["location"])).text)


async def _post(client: httpx.AsyncClient, path: str, data: dict[str, Any]) -> httpx.Response:
    return await post_form(client, path, data, token_from="/n/rete-alfa/events")


async def test_create_a_draft_with_sessions_questions_and_cooperatives(client: httpx.AsyncClient,
                                                                        world: World) -> None:
    await sign_in(client, world.coordinator)
    form = await client.get(NEW)
    assert form.status_code == 200
    assert 'name="sessions.2.date"' in form.text and 'name="sessions.3.date"' not in form.text  # three blank rows
    assert world.coop.legal_name in form.text and world.beta_coop.legal_name not in form.text
    response = await _post(client, NEW, form_fields(**{
        "sessions.1.date": "14/04/2031", "sessions.1.starts_at": "14.00", "sessions.1.ends_at": "18:00",
        "sessions.1.hours": "3,5",
        "questions.0.label": "Ruolo", "questions.0.kind": "choice", "questions.0.choices": "OSS, Educatore,",
        "questions.0.required": "on", "questions.1.label": "Pranzo?", "questions.1.kind": "yesno",
        "audience": "cooperatives", "cooperative_ids": [str(world.coop.id)],
        "registration_closes_at": "2031-04-10T12:00", "sectors": ["minori", "anziani"],
    }))
    assert response.status_code == 303, response.text
    event = await Event.get(title="Lavorare con gli adolescenti")
    assert response.headers["location"] == f"/n/rete-alfa/events/{event.id}"
    assert event.status == "draft" and event.capacity == 20 and event.audience == "cooperatives"
    assert event.sectors == ",anziani,minori,"
    assert "<strong>pratico</strong>" in event.description_html
    assert event.questions == [{"label": "Ruolo", "kind": "choice", "choices": ["OSS", "Educatore"], "required": True},
                               {"label": "Pranzo?", "kind": "yesno", "choices": [], "required": False}]
    assert event.registration_closes_at == datetime(2031, 4, 10, 10, 0, tzinfo=UTC)  # Rome, summer time
    sessions = await EventSession.filter(event_id=event.id).order_by("starts_at")
    assert len(sessions) == 2
    assert sessions[1].starts_at == datetime(2031, 4, 14, 12, 0, tzinfo=UTC) and sessions[1].hours == Decimal("3.5")
    assert sessions[0].hours == Decimal("3.5")  # 09:30–13:00, counted from the times
    assert await EventCooperative.filter(event_id=event.id).values_list("cooperative_id", flat=True) == [world.coop.id]
    page = await client.get(response.headers["location"])
    assert t("The draft is saved. Check it, then publish it.") in shown(page)


BAD: list[tuple[str, dict[str, Any], str, str]] = [
    ("end before start", {"sessions.0.ends_at": "08:00"}, "sessions.0.ends_at", "A session ends after it starts."),
    ("malformed date", {"sessions.0.date": "31/02/2031"}, "sessions.0.date", "Enter the date as dd/mm/yyyy."),
    ("malformed time", {"sessions.0.starts_at": "nove"}, "sessions.0.starts_at", "Enter the time as hh:mm."),
    ("half a row", {"sessions.1.date": "2031-05-05", "sessions.1.ends_at": "12:00"}, "sessions.1.starts_at",
     "This field is required."),
    ("capacity 0", {"capacity": "0"}, "capacity", "Enter a number of seats from 1 to 100000."),
    ("capacity words", {"capacity": "venti"}, "capacity", "Enter a whole number."),
    ("no venue nor link", {"venue": ""}, "venue", "Give a venue address or an online link."),
    ("bad link", {"online_url": "meet.example.org"}, "online_url", "Enter a web address starting with https://"),
    ("no session", {"sessions.0.date": "", "sessions.0.starts_at": "", "sessions.0.ends_at": ""}, "sessions",
     "Add at least one session."),
    ("malformed opening", {"registration_opens_at": "domani"}, "registration_opens_at",
     "Enter a date and time like 12/03/2030 17:30."),
    ("closes before it opens",
     {"registration_opens_at": "2031-03-10T10:00", "registration_closes_at": "2031-03-01T10:00"},
     "registration_closes_at", "Registration closes after it opens."),
    ("choice without options", {"questions.0.label": "Ruolo", "questions.0.kind": "choice"}, "questions.0.choices",
     "A choice question needs at least two options."),
    ("no cooperative chosen", {"audience": "cooperatives"}, "cooperative_ids", "Choose at least one cooperative."),
    ("unknown sector", {"sectors": ["astronautica"]}, "sectors", "Unknown sector: %(s)s"),
]


@pytest.mark.parametrize(("change", "field", "message"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
async def test_bad_input_rerenders_with_the_message_and_writes_nothing(
        client: httpx.AsyncClient, world: World, change: dict[str, Any], field: str, message: str) -> None:
    await sign_in(client, world.coordinator)
    before = await _written()
    response = await _post(client, NEW, form_fields(**change))
    assert response.status_code == 422, response.text
    assert error_ids(response.text) == [field]
    expected = t(message, s="astronautica") if "%(s)s" in message else t(message)
    assert expected in shown(response)
    assert 'value="Via Tolmezzo 3, Milano"' in response.text or field == "venue"  # what was typed is kept
    assert await _written() == before


async def test_edit_keeps_rows_and_refuses_capacity_below_confirmed(client: httpx.AsyncClient, world: World) -> None:
    start = datetime(2031, 9, 15, 7, 0, tzinfo=UTC)
    event = await make_event(world.alpha, "Da modificare", start=start, sessions=2, capacity=3,
                             questions=[{"label": "Ruolo", "kind": "text", "choices": [], "required": False}])
    for person in (world.member, world.coop_admin):
        await make_registration(event, person)
    await sign_in(client, world.coordinator)
    path = f"/n/rete-alfa/events/{event.id}/edit"
    form = await client.get(path)
    assert form.status_code == 200
    assert 'value="2031-09-15"' in form.text and 'value="09:00"' in form.text and 'value="2031-09-16"' in form.text
    assert 'name="sessions.4.date"' in form.text and 'name="sessions.5.date"' not in form.text  # 2 + 3 blank
    assert 'value="Ruolo"' in form.text
    fields = {"title": "Da modificare", "venue": "Via Roma 1, Milano", "capacity": "1", "audience": "network",
              "sessions.0.date": "2031-09-15", "sessions.0.starts_at": "09:00", "sessions.0.ends_at": "12:00"}
    before = await Event.get(id=event.id).values()
    sessions_before = await EventSession.filter(event_id=event.id).order_by("id").values()
    response = await _post(client, path, fields)
    assert response.status_code == 422
    assert error_ids(response.text) == ["capacity"]
    assert t("%(n)s people are confirmed already: the capacity cannot be lower.", n=2) in shown(response)
    assert await Event.get(id=event.id).values() == before
    assert await EventSession.filter(event_id=event.id).order_by("id").values() == sessions_before

    response = await _post(client, path, {**fields, "capacity": "5", "title": "Modificato"})
    assert response.status_code == 303
    event = await Event.get(id=event.id)
    assert (event.title, event.capacity) == ("Modificato", 5)
    assert await EventSession.filter(event_id=event.id).count() == 1
    # the event is published and a session moved: both people registered are told
    assert await OutboxMessage.filter(kind="event_changed").count() == 2


async def test_publish_and_cancel(client: httpx.AsyncClient, world: World) -> None:
    event = await make_event(world.alpha, "Ciclo", status="draft")
    await sign_in(client, world.member)
    assert (await _post(client, f"/n/rete-alfa/events/{event.id}/publish", {})).status_code == 403
    await sign_in(client, world.coordinator)
    response = await _post(client, f"/n/rete-alfa/events/{event.id}/publish", {})
    assert response.status_code == 303 and response.headers["location"] == f"/n/rete-alfa/events/{event.id}"
    assert (await Event.get(id=event.id)).status == "published"
    again = await _post(client, f"/n/rete-alfa/events/{event.id}/publish", {})
    assert t("Only a draft can be published.") in flashes((await client.get(again.headers["location"])).text)
    await make_registration(event, world.member)
    page = await client.get(f"/n/rete-alfa/events/{event.id}")
    assert f'action="/n/rete-alfa/events/{event.id}/cancel"' in page.text and "<details" in page.text
    unconfirmed = await _post(client, f"/n/rete-alfa/events/{event.id}/cancel", {})
    assert await _flash_after(client, unconfirmed) == [t("Confirm with the button “Yes, cancel the event”.")]
    assert (await Event.get(id=event.id)).status == "published"
    response = await _post(client, f"/n/rete-alfa/events/{event.id}/cancel", {"confirm": "yes"})
    assert response.status_code == 303
    assert (await Event.get(id=event.id)).status == "cancelled"
    assert await OutboxMessage.filter(kind="event_cancelled").count() == 1
    page = await client.get(f"/n/rete-alfa/events/{event.id}")
    assert t("This event has been cancelled.") in shown(page)
    assert f'href="/n/rete-alfa/events/{event.id}/edit"' not in page.text
    edit = await client.get(f"/n/rete-alfa/events/{event.id}/edit")
    assert edit.status_code == 303  # a cancelled event cannot be changed: back to its page, with the reason


async def test_form_is_for_coordinators_only(client: httpx.AsyncClient, world: World) -> None:
    event = await make_event(world.alpha)
    beta_event = await make_event(world.beta)
    for person in (world.member, world.coop_admin, world.outsider):
        await sign_in(client, person)
        assert (await client.get(NEW)).status_code == 403
        assert (await _post(client, NEW, form_fields())).status_code == 403
        assert (await client.get(f"/n/rete-alfa/events/{event.id}/edit")).status_code == 403
    await sign_in(client, world.coordinator)
    assert (await client.get(f"/n/rete-alfa/events/{beta_event.id}/edit")).status_code == 404
    assert (await _post(client, f"/n/rete-alfa/events/{beta_event.id}/cancel", {"confirm": "yes"})).status_code == 404
    assert (await Event.get(id=beta_event.id)).status == "published"
    assert await Event.all().count() == 2


async def test_edit_form_shows_rome_times(client: httpx.AsyncClient, world: World) -> None:
    # 23:30 UTC in winter is 00:30 of the next day in Rome
    event = await make_event(world.alpha, "Notturno", start=datetime(2031, 1, 9, 23, 30, tzinfo=UTC), hours=1,
                             registration_opens_at=datetime(2031, 1, 1, 8, 0, tzinfo=UTC))
    await sign_in(client, world.coordinator)
    form = (await client.get(f"/n/rete-alfa/events/{event.id}/edit")).text
    assert 'value="2031-01-10"' in form and 'value="00:30"' in form and 'value="01:30"' in form
    assert 'value="2031-01-01T09:00"' in form
