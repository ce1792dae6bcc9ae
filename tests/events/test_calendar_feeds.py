"""iCal feeds: per event, per network (public events), per person (a secret, revocable URL); parsed back
with icalendar and checked field by field."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from conftest import World, api_token, make_person, post_form, sign_in
from icalendar import Calendar
from test_events_registration import event_data, published

from federa.accounts.models import Person
from federa.events import services
from federa.events.models import CalendarToken, Event, EventSession, Registration
from federa.events.schemas import EventIn, RegisterIn
from federa.networks.access import access_in
from federa.web.forms import validate

START = (datetime.now(UTC) + timedelta(days=10)).replace(second=0, microsecond=0)
ONLINE = "https://meet.example.org/corso-segreto"


def two_sessions() -> list[dict[str, str]]:
    return [{"starts_at": START.isoformat(), "ends_at": (START + timedelta(hours=3)).isoformat()},
            {"starts_at": (START + timedelta(days=7)).isoformat(),
             "ends_at": (START + timedelta(days=7, hours=2)).isoformat()}]


def parse(response: httpx.Response) -> Calendar:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert b"\r\n" in response.content  # RFC 5545 lines end in CRLF
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"]).startswith("-//Federa//")
    return calendar


def vevents(calendar: Calendar) -> list[Any]:
    return list(calendar.walk("VEVENT"))


def summaries(calendar: Calendar) -> set[str]:
    return {str(e["SUMMARY"]) for e in vevents(calendar)}


async def signed_in(new_client: Any, person: Person) -> httpx.AsyncClient:
    client = new_client()
    await sign_in(client, person)
    return client


async def public_beta_event(world: World, title: str = "Corso Beta pubblico") -> Event:
    event = await Event.create(network=world.beta, title=title, capacity=10, status="published",
                               audience="public", venue="Via Po 1, Torino", starts_at=START)
    await EventSession.create(event=event, starts_at=START, ends_at=START + timedelta(hours=2), hours=2)
    return event


# ----- one event -----------------------------------------------------------------------------------------

async def test_event_feed_has_one_vevent_per_session(world: World, new_client: Any) -> None:
    event = await published(world, title="Sicurezza, primo soccorso; base", online_url=ONLINE,
                            sessions=two_sessions(), description="Due incontri **pratici**.")
    await services.register(world.alpha, event.id, RegisterIn(), actor=world.member)
    client = await signed_in(new_client, world.member)

    response = await client.get(f"/n/rete-alfa/events/{event.id}/event.ics")
    calendar = parse(response)
    assert response.headers["content-disposition"] == f'attachment; filename="evento-{event.id}.ics"'
    assert str(calendar["METHOD"]) == "PUBLISH"
    first, second = vevents(calendar)
    assert str(first["UID"]) == f"event-{event.id}-session-1@testserver"
    assert str(second["UID"]) == f"event-{event.id}-session-2@testserver"
    assert first.decoded("DTSTART") == START and first.decoded("DTEND") == START + timedelta(hours=3)
    assert first.decoded("DTSTART").utcoffset() == timedelta(0)  # UTC, no floating times
    assert second.decoded("DTSTART") == START + timedelta(days=7)
    assert str(first["SUMMARY"]) == "Sicurezza, primo soccorso; base (1/2)"
    assert str(first["LOCATION"]) == "Via Tolmezzo 3, Milano"
    assert str(first["URL"]) == f"http://testserver/n/rete-alfa/events/{event.id}"
    assert (int(first["SEQUENCE"]), str(first["STATUS"])) == (0, "CONFIRMED")
    assert isinstance(first.decoded("DTSTAMP"), datetime)
    description = str(first["DESCRIPTION"])
    assert "Due incontri **pratici**." in description
    assert ONLINE in description  # a confirmed seat: the online link is there
    assert f"http://testserver/n/rete-alfa/events/{event.id}" in description


async def test_event_feed_follows_who_may_see_the_event(world: World, client: httpx.AsyncClient,
                                                        new_client: Any) -> None:
    members_only = await published(world, online_url=ONLINE)
    path = f"/n/rete-alfa/events/{members_only.id}/event.ics"
    assert (await client.get(path)).status_code == 404  # anonymous
    outsider = await signed_in(new_client, world.outsider)
    assert (await outsider.get(path)).status_code == 404
    assert (await outsider.get(f"/n/rete-beta/events/{members_only.id}/event.ics")).status_code == 404
    member = await signed_in(new_client, world.member)
    calendar = parse(await member.get(path))
    assert ONLINE not in calendar.to_ical().decode()  # a member without a seat: no link
    coordinator = await signed_in(new_client, world.coordinator)
    assert ONLINE in str(vevents(parse(await coordinator.get(path)))[0]["DESCRIPTION"])

    access = await access_in(world.alpha, world.coordinator)
    draft = await services.create_event(access, validate(EventIn, event_data(title="Bozza riservata")))
    draft_path = f"/n/rete-alfa/events/{draft.id}/event.ics"
    assert (await member.get(draft_path)).status_code == 404
    assert "Bozza riservata" in summaries(parse(await coordinator.get(draft_path)))

    public = await published(world, audience="public", venue="", online_url=ONLINE)
    calendar = parse(await client.get(f"/n/rete-alfa/events/{public.id}/event.ics"))
    assert str(vevents(calendar)[0]["LOCATION"]) == "Online"
    assert ONLINE not in calendar.to_ical().decode()
    assert (await client.get("/n/rete-alfa/events/987654/event.ics")).status_code == 404
    assert (await client.get(f"/n/rete-alfa/events/{2**40}/event.ics")).status_code == 404


# ----- the network's feed --------------------------------------------------------------------------------

async def test_network_feed_lists_public_events_only(world: World, client: httpx.AsyncClient) -> None:
    public = await published(world, title="Aperto a tutti", audience="public", online_url=ONLINE)
    await published(world, title="Solo per i soci")
    access = await access_in(world.alpha, world.coordinator)
    await services.create_event(access, validate(EventIn, event_data(title="Bozza pubblica", audience="public")))
    await public_beta_event(world)
    long_ago = datetime.now(UTC) - timedelta(days=200)
    old = await Event.create(network=world.alpha, title="Molto vecchio", capacity=5, status="completed",
                             audience="public", venue="Via Antica 1", starts_at=long_ago)
    await EventSession.create(event=old, starts_at=long_ago, ends_at=long_ago + timedelta(hours=1), hours=1)
    recent = datetime.now(UTC) - timedelta(days=20)
    done = await Event.create(network=world.alpha, title="Appena concluso", capacity=5, status="completed",
                              audience="public", venue="Via Nuova 1", starts_at=recent)
    await EventSession.create(event=done, starts_at=recent, ends_at=recent + timedelta(hours=1), hours=1)

    response = await client.get("/n/rete-alfa/events.ics")
    calendar = parse(response)
    assert response.headers["content-disposition"] == 'inline; filename="rete-alfa.ics"'
    assert summaries(calendar) == {"Aperto a tutti", "Appena concluso"}
    assert "Rete Alfa" in str(calendar["X-WR-CALNAME"])
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert ONLINE not in response.text  # never in a public feed
    assert f"event-{public.id}-session-1@testserver" in {str(e["UID"]) for e in vevents(calendar)}

    api = parse(await client.get("/api/v1/networks/rete-alfa/events/ical"))
    assert summaries(api) == summaries(calendar)
    assert summaries(parse(await client.get("/n/rete-beta/events.ics"))) == {"Corso Beta pubblico"}
    assert (await client.get("/n/nessuna-rete/events.ics")).status_code == 404


# ----- a person's feed -----------------------------------------------------------------------------------

async def _feed_url(client: httpx.AsyncClient) -> str:
    response = await post_form(client, "/account/calendar", token_from="/account/calendar")
    assert response.status_code == 200, response.text
    match = re.search(r'<code class="token">http://testserver(/calendar/[A-Za-z0-9_-]{40,}\.ics)</code>',
                      response.text)
    assert match, response.text
    assert f'href="webcal://testserver{match.group(1)}"' in response.text
    return match.group(1)


async def test_person_feed_lists_my_events_in_every_network(world: World, client: httpx.AsyncClient,
                                                            new_client: Any) -> None:
    seat = await published(world, title="Ho un posto", online_url=ONLINE)
    full = await published(world, title="In attesa", capacity=1, online_url=ONLINE)
    not_mine = await published(world, title="Non mio")
    left = await published(world, title="Ho rinunciato")
    cancelled = await published(world, title="Annullato")
    beta = await public_beta_event(world, "Corso a Torino")
    await services.register(world.alpha, full.id, RegisterIn(), actor=world.member)
    await services.register(world.alpha, not_mine.id, RegisterIn(), actor=world.member)
    for event in (seat, full, left, cancelled):
        await services.register(world.alpha, event.id, RegisterIn(), actor=world.dual)
    await services.register(world.beta, beta.id, RegisterIn(), actor=world.dual)
    gone = await Registration.get(event_id=left.id, person_id=world.dual.id)
    await services.cancel_registration(world.alpha, gone.id, actor=world.dual)
    await services.cancel_event(await access_in(world.alpha, world.coordinator), cancelled.id)

    dual = await signed_in(new_client, world.dual)
    path = await _feed_url(dual)
    response = await client.get(path)  # no session: the secret in the URL is the key
    calendar = parse(response)
    assert response.headers["cache-control"] == "no-store"
    assert "noindex" in response.headers["x-robots-tag"]
    by_title = {str(e["SUMMARY"]): e for e in vevents(calendar)}
    assert set(by_title) == {"Ho un posto", "In attesa", "Annullato", "Corso a Torino"}
    assert str(by_title["Ho un posto"]["STATUS"]) == "CONFIRMED"
    assert ONLINE in str(by_title["Ho un posto"]["DESCRIPTION"])
    assert str(by_title["In attesa"]["STATUS"]) == "TENTATIVE"  # the waiting list: tentative, no link
    assert ONLINE not in str(by_title["In attesa"]["DESCRIPTION"])
    assert (str(by_title["Annullato"]["STATUS"]), int(by_title["Annullato"]["SEQUENCE"])) == ("CANCELLED", 1)
    assert str(by_title["Corso a Torino"]["URL"]) == f"http://testserver/n/rete-beta/events/{beta.id}"
    assert str(calendar["X-WR-CALNAME"])

    # Another person's secret opens only their own events.
    member_feed = parse(await client.get(await _feed_url(await signed_in(new_client, world.member))))
    assert {str(e["SUMMARY"]): str(e["STATUS"]) for e in vevents(member_feed)} == {
        "Non mio": "CONFIRMED", "In attesa": "CONFIRMED"}  # the member took the one seat of "In attesa"


async def test_feed_url_is_secret_and_revocable(world: World, client: httpx.AsyncClient, new_client: Any) -> None:
    member = await signed_in(new_client, world.member)
    page = await member.get("/account/calendar")
    assert page.status_code == 200 and 'action="/account/calendar"' in page.text
    assert 'href="/account/calendar"' in (await member.get("/me")).text

    first = await _feed_url(member)
    token = first.removeprefix("/calendar/").removesuffix(".ics")
    assert not await CalendarToken.filter(token_hash=token).exists()  # only its SHA-256 is kept
    assert (await client.get(first)).status_code == 200
    page = await member.get("/account/calendar")
    assert token not in page.text  # shown once
    assert "/account/calendar/revoke" in page.text

    second = await _feed_url(member)  # a new address retires the old one
    assert (await client.get(first)).status_code == 404
    assert (await client.get(second)).status_code == 200
    response = await post_form(member, "/account/calendar/revoke", token_from="/account/calendar")
    assert (response.status_code, response.headers["location"]) == (303, "/account/calendar")
    assert (await client.get(second)).status_code == 404
    assert await CalendarToken.filter(person_id=world.member.id, revoked_at=None).count() == 0
    assert (await client.get("/calendar/not-a-real-token.ics")).status_code == 404

    # A deactivated account's feed goes dark too.
    third = await _feed_url(member)
    await Person.filter(id=world.member.id).update(is_active=False)
    assert (await client.get(third)).status_code == 404


async def test_account_calendar_needs_a_signed_in_person(client: httpx.AsyncClient) -> None:
    response = await client.get("/account/calendar")
    assert (response.status_code, response.headers["location"]) == (303, "/signin?next=/account/calendar")
    response = await post_form(client, "/account/calendar")
    assert response.status_code == 303 and response.headers["location"].startswith("/signin")
    assert await CalendarToken.all().count() == 0


# ----- the API and SEQUENCE ------------------------------------------------------------------------------

async def test_api_serves_the_event_as_icalendar(world: World, client: httpx.AsyncClient) -> None:
    event = await published(world, online_url=ONLINE)
    path = f"/api/v1/networks/rete-alfa/events/{event.id}/ical"
    missing = await client.get(path)  # anonymous, members-only event
    assert missing.status_code == 404 and missing.headers["content-type"] == "application/json"
    await services.register(world.alpha, event.id, RegisterIn(), actor=world.member)
    calendar = parse(await client.get(path, headers=await api_token(world.member)))
    assert ONLINE in str(vevents(calendar)[0]["DESCRIPTION"])
    assert (await client.get(f"/api/v1/networks/rete-beta/events/{event.id}/ical",
                             headers=await api_token(world.dual))).status_code == 404

    document = (await client.get("/api/v1/openapi.json")).json()
    operation = document["paths"]["/api/v1/networks/{slug}/events/{event_id}/ical"]["get"]
    assert operation["responses"]["200"]["content"] == {"text/calendar": {"schema": {"type": "string"}}}
    assert "application/json" in operation["responses"]["404"]["content"]


async def test_sequence_grows_with_each_change_people_must_see(world: World) -> None:
    access = await access_in(world.alpha, world.coordinator)
    event = await published(world)
    assert event.sequence == 0
    await services.update_event(access, event.id, validate(EventIn, event_data(title="Solo il titolo cambia")))
    assert (await Event.get(id=event.id)).sequence == 0
    later = START + timedelta(days=1)
    moved = event_data(sessions=[{"starts_at": later.isoformat(), "ends_at": (later + timedelta(hours=2)).isoformat()}])
    updated = await services.update_event(access, event.id, validate(EventIn, moved))
    assert updated.sequence == 1 == (await Event.get(id=event.id)).sequence
    await services.update_event(access, event.id, validate(EventIn, {**moved, "venue": "Altrove 2, Milano"}))
    assert (await Event.get(id=event.id)).sequence == 2
    assert (await services.cancel_event(access, event.id)).sequence == 3


async def test_a_person_with_no_events_gets_an_empty_valid_calendar(world: World, client: httpx.AsyncClient,
                                                                    new_client: Any) -> None:
    lonely = await make_person("solo@example.org")
    calendar = parse(await client.get(await _feed_url(await signed_in(new_client, lonely))))
    assert vevents(calendar) == []
