"""The event list, the month calendar and the event page: who sees what, filters, dates in Europe/Rome."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import httpx
from babel.dates import format_datetime
from conftest import World, make_network, make_person, sign_in
from event_pages_helpers import NEXT_WEEK, make_event, make_registration, shown, t

from federa.events.models import Event
from federa.events.schemas import ROME
from tests.networks.querycount import count_queries

LIST = "/n/rete-alfa/events"


def titles(html: str) -> list[str]:
    return re.findall(r'<h2 class="card-title"><a href="[^"]+">([^<]+)</a>', html)


async def test_list_shows_what_each_person_may_see(client: httpx.AsyncClient, world: World) -> None:
    await make_event(world.alpha, "Per i soci")
    await make_event(world.alpha, "Aperto a tutti", audience="public")
    await make_event(world.alpha, "Bozza", status="draft")
    await make_event(world.alpha, "Solo Doppia", audience="cooperatives", cooperatives=(world.dual_coop.id,))
    await make_event(world.beta, "Di Beta", audience="public")

    page = await client.get(LIST)
    assert page.status_code == 200
    assert titles(page.text) == ["Aperto a tutti"]
    assert t("New event") not in shown(page)

    await sign_in(client, world.member)
    page = await client.get(LIST)
    assert sorted(titles(page.text)) == ["Aperto a tutti", "Per i soci"]

    await sign_in(client, world.dual)
    assert sorted(titles((await client.get(LIST)).text)) == ["Aperto a tutti", "Per i soci", "Solo Doppia"]

    await sign_in(client, world.coordinator)
    page = await client.get(LIST)
    assert sorted(titles(page.text)) == ["Aperto a tutti", "Bozza", "Per i soci", "Solo Doppia"]
    assert t("New event") in shown(page) and f'href="{LIST}/new"' in page.text
    assert t("Draft") in shown(page)
    assert "Di Beta" not in page.text


async def test_card_shows_date_place_seats_audience_and_my_status(client: httpx.AsyncClient, world: World) -> None:
    start = datetime(2031, 3, 12, 16, 30, tzinfo=UTC)  # 17:30 in Rome (winter time)
    full = await make_event(world.alpha, "Pieno", start=start, capacity=1)
    await make_registration(full, world.coop_admin)
    online = await make_event(world.alpha, "In rete", start=start + timedelta(days=1), online_url="https://meet.example.org/x",
                              capacity=10)
    await make_registration(online, world.member, "waiting")
    await sign_in(client, world.member)
    page = shown(await client.get(LIST))
    assert "mercoledì 12 marzo 2031" in page and "17:30–20:30" in page
    assert "Via Roma 1, Milano" in page and t("Online") in page
    assert "meet.example.org" not in page  # the link is for the event page, for registered people only
    assert t("Full: waiting list") in page
    assert t("Members of the network") in page
    assert t("On the waiting list") in page


async def test_filters(client: httpx.AsyncClient, world: World) -> None:
    await make_event(world.alpha, "Minori a Milano", sectors=",minori,", province="MI")
    await make_event(world.alpha, "Anziani a Torino", sectors=",anziani,", province="TO")
    await make_event(world.alpha, "Webinar anziani", sectors=",anziani,", venue="", online_url="https://x.example.org")
    full = await make_event(world.alpha, "Tutto esaurito", capacity=1)
    await make_registration(full, world.coop_admin)
    await make_event(world.alpha, "Corso passato", start=datetime.now(UTC) - timedelta(days=20))
    # began five days ago, its last session is in five days: still upcoming
    await make_event(world.alpha, "Percorso in corso", start=datetime.now(UTC) - timedelta(days=5), sessions=11)
    await sign_in(client, world.member)

    async def found(query: str) -> list[str]:
        response = await client.get(f"{LIST}?{query}")
        assert response.status_code == 200
        return sorted(titles(response.text))

    assert await found("sector=anziani") == ["Anziani a Torino", "Webinar anziani"]
    assert await found("province=TO") == ["Anziani a Torino"]
    assert await found("mode=online") == ["Webinar anziani"]
    assert "Webinar anziani" not in await found("mode=in_person")
    assert "Tutto esaurito" not in await found("seats=1")
    assert "Tutto esaurito" in await found("")
    assert await found("q=milano") == ["Minori a Milano"]
    assert await found("when=past") == ["Corso passato"]
    assert "Corso passato" not in await found("") and "Percorso in corso" in await found("")
    empty = await client.get(f"{LIST}?q=nessuno")
    assert t("No event matches these filters.") in shown(empty)
    assert (await client.get(f"{LIST}?mode=nowhere")).status_code == 422


async def test_list_pages_and_counts_its_queries(client: httpx.AsyncClient, world: World) -> None:
    for n in range(25):
        event = await make_event(world.alpha, f"Corso {n:02d}", start=NEXT_WEEK + timedelta(hours=n), sessions=2)
        if n % 2:
            await make_registration(event, world.member)
    await sign_in(client, world.member)
    await client.get(LIST)
    with count_queries() as statements:
        first = await client.get(LIST)
    assert len(titles(first.text)) == 20
    assert len(statements) <= 12, statements  # no query per card
    second = await client.get(f"{LIST}?page=2")
    assert titles(second.text) == [f"Corso {n:02d}" for n in range(20, 25)]
    assert 'rel="prev"' in second.text


async def test_calendar_puts_sessions_on_their_day_in_rome(client: httpx.AsyncClient, world: World) -> None:
    # 22:30 UTC on 12 March is 23:30 in Rome (12th); 23:30 UTC is already the 13th in Rome.
    await make_event(world.alpha, "Tarda sera", start=datetime(2031, 3, 12, 22, 30, tzinfo=UTC), hours=1,
                     audience="public")
    await make_event(world.alpha, "Dopo mezzanotte", start=datetime(2031, 3, 12, 23, 30, tzinfo=UTC), hours=1,
                     audience="public")
    # summer time: 22:15 UTC on 30 June is 00:15 on 1 July in Rome, in the next month
    await make_event(world.alpha, "Estate", start=datetime(2031, 6, 30, 22, 15, tzinfo=UTC), hours=1,
                     audience="public")
    page = await client.get("/n/rete-alfa/events/calendar?month=2031-03")
    assert page.status_code == 200
    cells = dict(re.findall(r'<time datetime="(\d{4}-\d\d-\d\d)">.*?</p>\s*(.*?)</td>', page.text, re.S))
    assert "Tarda sera" in cells["2031-03-12"] and "23:30" in cells["2031-03-12"]
    assert "Dopo mezzanotte" in cells["2031-03-13"] and "00:30" in cells["2031-03-13"]
    assert "Dopo mezzanotte" not in cells["2031-03-12"]
    assert "<caption>Marzo 2031</caption>" in page.text
    assert '<th scope="col">' in page.text
    assert 'href="/n/rete-alfa/events/calendar?month=2031-02"' in page.text
    assert 'href="/n/rete-alfa/events/calendar?month=2031-04"' in page.text
    for month in ("2031-06", "2031-07"):  # June's last week shows 1 July too
        page = await client.get(f"/n/rete-alfa/events/calendar?month={month}")
        cells = dict(re.findall(r'<time datetime="(\d{4}-\d\d-\d\d)">.*?</p>\s*(.*?)</td>', page.text, re.S))
        assert "Estate" not in cells["2031-06-30"]
        assert "Estate" in cells["2031-07-01"] and "00:15" in cells["2031-07-01"]
    # a month that makes no sense shows the current one
    today = datetime.now(ROME).date()
    assert f'datetime="{today.isoformat()}"' in (await client.get("/n/rete-alfa/events/calendar?month=2031-13")).text


async def test_calendar_hides_what_the_list_hides(client: httpx.AsyncClient, world: World) -> None:
    start = datetime(2031, 5, 6, 8, 0, tzinfo=UTC)
    await make_event(world.alpha, "Riservato", start=start)
    await make_event(world.alpha, "Bozza segreta", start=start, status="draft")
    anonymous = (await client.get("/n/rete-alfa/events/calendar?month=2031-05")).text
    assert "Riservato" not in anonymous and "Bozza segreta" not in anonymous
    await sign_in(client, world.member)
    member = (await client.get("/n/rete-alfa/events/calendar?month=2031-05")).text
    assert "Riservato" in member and "Bozza segreta" not in member
    await sign_in(client, world.coordinator)
    assert "Bozza segreta" in (await client.get("/n/rete-alfa/events/calendar?month=2031-05")).text


async def test_event_page_answers_404_to_those_who_may_not_see_it(client: httpx.AsyncClient, world: World) -> None:
    draft = await make_event(world.alpha, "Bozza", status="draft")
    members = await make_event(world.alpha, "Per i soci")
    chosen = await make_event(world.alpha, "Per Doppia", audience="cooperatives", cooperatives=(world.dual_coop.id,))
    beta_event = await make_event(world.beta, "Di Beta", audience="public")

    assert (await client.get(f"{LIST}/{draft.id}")).status_code == 404
    signin = await client.get(f"{LIST}/{members.id}")  # may be open to them: sign in first
    assert signin.status_code == 303 and signin.headers["location"] == f"/signin?next={LIST}/{members.id}"

    await sign_in(client, world.member)
    assert (await client.get(f"{LIST}/{draft.id}")).status_code == 404
    assert (await client.get(f"{LIST}/{chosen.id}")).status_code == 404
    assert (await client.get(f"{LIST}/{beta_event.id}")).status_code == 404  # another network's, by our URL
    assert (await client.get(f"/n/rete-beta/events/{beta_event.id}")).status_code == 200
    assert (await client.get(f"{LIST}/{members.id}")).status_code == 200

    await sign_in(client, world.outsider)
    assert (await client.get(f"{LIST}/{members.id}")).status_code == 404

    await sign_in(client, world.coordinator)
    page = await client.get(f"{LIST}/{draft.id}")
    assert page.status_code == 200
    assert f'action="{LIST}/{draft.id}/publish"' in page.text and f'href="{LIST}/{draft.id}/edit"' in page.text
    assert f'href="{LIST}/{draft.id}/registrations"' in page.text


async def test_online_link_only_for_confirmed_people_and_managers(client: httpx.AsyncClient, world: World) -> None:
    event = await make_event(world.alpha, "Webinar", venue="", online_url="https://meet.example.org/segreto",
                             capacity=1)
    await make_registration(event, world.member)
    await make_registration(event, world.coop_admin, "waiting")
    path = f"{LIST}/{event.id}"
    for person, visible in ((world.member, True), (world.coop_admin, False), (world.dual, False),
                            (world.coordinator, True), (world.network_admin, True)):
        await sign_in(client, person)
        page = await client.get(path)
        assert page.status_code == 200
        assert ("meet.example.org/segreto" in page.text) is visible, person.name


async def test_event_page_details(client: httpx.AsyncClient, world: World) -> None:
    start = datetime(2031, 10, 6, 7, 0, tzinfo=UTC)  # 09:00 in Rome (summer time)
    event = await make_event(world.alpha, "Tre incontri", start=start, sessions=3, hours=2.5, sectors=",minori,",
                             description_html="<p>Un <strong>corso</strong></p>", capacity=12,
                             registration_closes_at=datetime(2031, 10, 1, 16, 0, tzinfo=UTC), province="MI")
    await sign_in(client, world.member)
    page = shown(await client.get(f"{LIST}/{event.id}"))
    assert "lunedì 6 ottobre 2031" in page and "mercoledì 8 ottobre 2031" in page and "09:00–11:30" in page
    assert "<strong>corso</strong>" in page
    assert t("%(h)s h", h="2,5") in page  # Italian decimals
    assert ">7,5<" in page  # hours in all
    assert t("closes on %(when)s", when="1 ottobre 2031, 18:00") in page
    assert "Milano" in page
    assert f'action="/n/rete-alfa/events/{event.id}/register"' in page


async def test_registration_state_explained(client: httpx.AsyncClient, world: World) -> None:
    soon = datetime.now(UTC) + timedelta(days=3)
    not_yet = await make_event(world.alpha, "Presto", registration_opens_at=soon - timedelta(days=1))
    closed = await make_event(world.alpha, "Chiuso", registration_closes_at=datetime.now(UTC) - timedelta(hours=1))
    public = await make_event(world.alpha, "Pubblico", audience="public")
    stranger_only = await make_event(world.alpha, "Per i partner", audience="partners")
    await sign_in(client, world.member)
    page = shown(await client.get(f"{LIST}/{not_yet.id}"))
    opens = format_datetime((soon - timedelta(days=1)).astimezone(ROME), "d MMMM y, HH:mm", locale="it")
    assert "/register\"" not in page and t("Registration opens on %(when)s.", when=opens) in page
    page = shown(await client.get(f"{LIST}/{closed.id}"))
    assert t("Registration is closed.") in page and "/register\"" not in page
    anonymous = await make_person("anon-check@example.org")  # a signed-in person with no network
    await sign_in(client, anonymous)
    page = (await client.get(f"{LIST}/{public.id}")).text
    assert f'action="{LIST}/{public.id}/register"' in page
    assert (await client.get(f"{LIST}/{stranger_only.id}")).status_code == 404
    client.cookies.clear()
    page = (await client.get(f"{LIST}/{public.id}")).text
    assert f'href="/signin?next={LIST}/{public.id}' in page.replace("%2F", "/")


async def test_nav_links(client: httpx.AsyncClient, world: World) -> None:
    page = (await client.get("/n/rete-alfa/")).text
    assert 'href="/n/rete-alfa/events"' in page
    await sign_in(client, world.member)
    assert 'href="/account/registrations"' in (await client.get("/me")).text


async def test_partner_members_see_partner_events(client: httpx.AsyncClient, world: World) -> None:
    from federa.networks.models import Partnership

    event = await make_event(world.alpha, "Con i partner", audience="partners")
    await sign_in(client, world.outsider)
    assert (await client.get(f"{LIST}/{event.id}")).status_code == 404
    await Partnership.create(network=world.alpha, partner=world.beta, status="active")
    assert (await client.get(f"{LIST}/{event.id}")).status_code == 200
    assert "Con i partner" in (await client.get(LIST)).text
    gamma = await make_network("rete-gamma")
    assert (await client.get(f"/n/{gamma.slug}/events/{event.id}")).status_code == 404
    assert await Event.filter(id=event.id).count() == 1
