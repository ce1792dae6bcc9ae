"""Check-in per session: idempotent, coordinators only, another network's or event's objects are 404;
the phone page with its search, the printable sign-in sheet and the attendance API."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from conftest import World, api_token, csrf_token, make_person, post_form, sign_in

from federa.accounts.models import Person
from federa.audit.models import AuditEntry
from federa.errors import Conflict, NotAuthenticated, NotFound, PermissionDenied
from federa.events import attendance, pdf, services
from federa.events.models import Attendance, Event, EventSession, Registration
from federa.events.schemas import EventIn
from federa.networks.access import Access, access_in
from federa.networks.models import Network
from federa.web.forms import validate

NOW = datetime.now(UTC).replace(microsecond=0)


async def held_event(world: World, network: Network | None = None, *, hours: tuple[float, ...] = (3,),
                     start: datetime | None = None, people: tuple[Person, ...] = (), threshold: int = 75,
                     **extra: Any) -> tuple[Event, list[EventSession], list[Registration]]:
    """A published event whose sessions are held one a day from `start` (default: ten days ago), with the
    people confirmed (rows written directly: registration closes when the event starts)."""
    network = network or world.alpha
    start = start or NOW - timedelta(days=10)
    sessions = [{"starts_at": (start + timedelta(days=i)).isoformat(),
                 "ends_at": (start + timedelta(days=i, hours=max(h, 1))).isoformat(), "hours": str(h)}
                for i, h in enumerate(hours)]
    data = {"title": extra.pop("title", "Lavorare con le famiglie"), "venue": "Via Tolmezzo 3, Milano",
            "capacity": 50, "sessions": sessions, "attendance_threshold": threshold, **extra}
    organiser = world.coordinator if network.id == world.alpha.id else await _beta_admin(world)
    access = await access_in(network, organiser)
    event = await services.create_event(access, validate(EventIn, data))
    event = await services.publish_event(access, event.id)
    registrations = [await Registration.create(network=network, event=event, person=p, status="confirmed",
                                               confirmed_at=start - timedelta(days=5)) for p in people]
    await Event.filter(id=event.id).update(confirmed_count=len(people))
    return event, list(await EventSession.filter(event_id=event.id).order_by("starts_at")), registrations


async def _beta_admin(world: World) -> Person:
    from federa.accounts.models import NetworkRole

    found = await NetworkRole.filter(network_id=world.beta.id, role="admin").select_related("person").first()
    if found is not None:
        return found.person
    person = await make_person(name="Beta Admin")
    await NetworkRole.create(network=world.beta, person=person, role="admin")
    return person


async def coordinator(world: World) -> Access:
    return await access_in(world.alpha, world.coordinator)


# ----- the service -------------------------------------------------------------------------------------

async def test_check_in_is_idempotent_and_audited(world: World) -> None:
    event, (session,), (reg,) = await held_event(world, people=(world.member,))
    access = await coordinator(world)
    first = await attendance.check_in(access, event.id, session.id, reg.id, present=True)
    again = await attendance.check_in(access, event.id, session.id, reg.id, present=True)
    assert (first.changed, again.changed) == (True, False)
    assert first.registration.person.name == "Socio"
    assert await Attendance.filter(registration_id=reg.id).count() == 1
    row = await Attendance.get(registration_id=reg.id)
    assert row.network_id == world.alpha.id
    assert (await row.checked_in_by).id == world.coordinator.id  # type: ignore[union-attr]
    undo = await attendance.check_in(access, event.id, session.id, reg.id, present=False)
    undo_again = await attendance.check_in(access, event.id, session.id, reg.id, present=False)
    assert (undo.changed, undo_again.changed) == (True, False)
    assert not await Attendance.exists(registration_id=reg.id)
    actions = await AuditEntry.filter(network_id=world.alpha.id, action__startswith="event.check").order_by(
        "id").values_list("action", flat=True)
    assert actions == ["event.checked_in", "event.check_in_undone"]


async def test_concurrent_check_ins_leave_one_row(world: World) -> None:
    import asyncio

    event, (session,), (reg,) = await held_event(world, people=(world.member,))
    access = await coordinator(world)
    results = await asyncio.gather(*[attendance.check_in(access, event.id, session.id, reg.id, present=True)
                                     for _ in range(5)])
    assert sum(r.changed for r in results) == 1
    assert await Attendance.filter(registration_id=reg.id).count() == 1


async def test_only_confirmed_people_are_checked_in(world: World) -> None:
    event, (session,), (_confirmed, waiting, gone) = await held_event(
        world, people=(world.member, world.coop_admin, world.dual))
    await Registration.filter(id=waiting.id).update(status="waiting")
    await Registration.filter(id=gone.id).update(status="cancelled")
    access = await coordinator(world)
    for reg in (waiting, gone):
        with pytest.raises(Conflict):
            await attendance.check_in(access, event.id, session.id, reg.id, present=True)
    assert await Attendance.all().count() == 0
    assert not (await attendance.check_in(access, event.id, session.id, gone.id, present=False)).changed


async def test_check_in_opens_on_the_day_of_the_session(world: World) -> None:
    tomorrow = NOW + timedelta(days=2)
    event, (session,), (reg,) = await held_event(world, start=tomorrow, people=(world.member,))
    access = await coordinator(world)
    with pytest.raises(Conflict):
        await attendance.check_in(access, event.id, session.id, reg.id, present=True)
    assert await Attendance.all().count() == 0
    on_the_day = attendance.check_in_opens(session) + timedelta(minutes=1)
    done = await attendance.check_in(access, event.id, session.id, reg.id, present=True, now=on_the_day)
    assert done.changed


async def test_check_in_of_a_cancelled_event_is_refused(world: World) -> None:
    event, (session,), (reg,) = await held_event(world, people=(world.member,))
    await Event.filter(id=event.id).update(status="cancelled")
    with pytest.raises(Conflict):
        await attendance.check_in(await coordinator(world), event.id, session.id, reg.id, present=True)
    assert await Attendance.all().count() == 0


async def test_other_networks_and_events_are_not_found(world: World) -> None:
    event, (session,), (reg,) = await held_event(world, people=(world.member,))
    _other, (other_session,), (other_reg,) = await held_event(world, people=(world.coop_admin,), title="Altro corso")
    beta, (beta_session,), (beta_reg,) = await held_event(world, world.beta, people=(world.outsider,))
    access = await coordinator(world)
    attempts = [
        (beta.id, beta_session.id, beta_reg.id),  # beta's event through alpha
        (event.id, beta_session.id, reg.id),       # beta's session under alpha's event
        (event.id, session.id, beta_reg.id),       # beta's registration
        (event.id, other_session.id, reg.id),      # another event's session
        (event.id, session.id, other_reg.id),      # another event's registration
        (event.id, 987654, reg.id),
    ]
    for event_id, session_id, registration_id in attempts:
        with pytest.raises(NotFound):
            await attendance.check_in(access, event_id, session_id, registration_id, present=True)
    assert await Attendance.all().count() == 0


async def test_only_coordinators_check_people_in(world: World) -> None:
    event, (session,), (reg,) = await held_event(world, people=(world.member,))
    for person in (world.member, world.coop_admin, world.outsider):
        with pytest.raises(PermissionDenied):
            await attendance.check_in(await access_in(world.alpha, person), event.id, session.id, reg.id,
                                      present=True)
    with pytest.raises(NotAuthenticated):
        await attendance.check_in(await access_in(world.alpha, None), event.id, session.id, reg.id, present=True)
    admin = await access_in(world.alpha, world.network_admin)
    assert (await attendance.check_in(admin, event.id, session.id, reg.id, present=True)).changed


async def test_attended_share_by_hours_or_by_sessions(world: World) -> None:
    _event, sessions, _ = await held_event(world, hours=(2, 6))
    assert attendance.attended_share(sessions[:1], sessions) == 25
    assert attendance.attended_share(sessions, sessions) == 100
    for s in sessions:
        s.hours = Decimal(0)
    assert attendance.attended_share(sessions[:1], sessions) == 50  # no hours: sessions count
    assert attendance.attended_share([], []) == 0


# ----- the page ----------------------------------------------------------------------------------------

def _page(event: Event, session: EventSession, slug: str = "rete-alfa") -> str:
    return f"/n/{slug}/events/{event.id}/sessions/{session.id}/checkin"


async def test_checkin_page_search_and_buttons(client: httpx.AsyncClient, world: World) -> None:
    niccolo = await make_person(name="Niccolò Abbà", email="nabba@example.org")
    event, (session,), (reg, *_rest) = await held_event(world, people=(world.member, world.coop_admin, niccolo))
    await sign_in(client, world.coordinator)
    page = await client.get(_page(event, session))
    assert page.status_code == 200
    assert all(name in page.text for name in ("Socio", "Coop Admin", "Niccolò Abbà"))
    assert 'name="q"' in page.text and 'method="get"' in page.text and 'class="tap primary"' in page.text
    assert f'action="{_page(event, session)}"' in page.text  # the buttons post back here
    count = re.search(r'class="checkin-count" role="status"><strong>([^<]*)</strong>', page.text)
    assert count and re.findall(r"\d+", count.group(1)) == ["0", "3"]
    by_coop = await client.get(_page(event, session), params={"q": "alfa uno"})
    assert "Socio" in by_coop.text and "Coop Admin" in by_coop.text and "Niccolò" not in by_coop.text
    by_email = await client.get(_page(event, session), params={"q": "NABBA@"})
    assert "Niccolò" in by_email.text and "Socio" not in by_email.text
    by_name = await client.get(_page(event, session), params={"q": "socio"})
    assert "Socio" in by_name.text and "Coop Admin" not in by_name.text

    response = await post_form(client, _page(event, session), {"registration_id": reg.id, "action": "in",
                                                               "q": "socio"}, token_from=_page(event, session))
    assert response.status_code == 303
    assert response.headers["location"] == _page(event, session) + f"?q=socio#r{reg.id}"
    after = await client.get(response.headers["location"])
    assert "Socio" in after.text and ('value="out"' in after.text)
    assert await Attendance.filter(registration_id=reg.id, session_id=session.id).count() == 1
    again = await post_form(client, _page(event, session), {"registration_id": reg.id, "action": "in"},
                            token_from=_page(event, session))
    assert again.status_code == 303
    assert await Attendance.filter(registration_id=reg.id).count() == 1


async def test_checkin_post_bad_input_changes_nothing(client: httpx.AsyncClient, world: World) -> None:
    event, (session,), (reg,) = await held_event(world, people=(world.member,))
    await sign_in(client, world.coordinator)
    path = _page(event, session)
    for data in ({"registration_id": reg.id, "action": "maybe"}, {"registration_id": "x", "action": "in"},
                 {"action": "in"}, {"registration_id": 0, "action": "in"}):
        response = await post_form(client, path, data, token_from=path)
        assert response.status_code == 422, data
    no_csrf = await client.post(path, data={"registration_id": reg.id, "action": "in"})
    assert no_csrf.status_code == 403
    assert await Attendance.all().count() == 0
    audit = await AuditEntry.filter(action="event.checked_in").count()
    assert audit == 0


async def test_checkin_page_isolation(client: httpx.AsyncClient, world: World) -> None:
    event, (session,), (reg,) = await held_event(world, people=(world.member,))
    beta, (beta_session,), (beta_reg,) = await held_event(world, world.beta, people=(world.outsider,))
    anonymous = await client.get(_page(event, session))
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/signin?next=")
    await sign_in(client, world.member)
    assert (await client.get(_page(event, session))).status_code == 403
    token = await csrf_token(client, "/")
    refused = await client.post(_page(event, session), data={"registration_id": reg.id, "action": "in",
                                                              "csrf_token": token})
    assert refused.status_code == 403
    client.cookies.clear()
    await sign_in(client, world.coordinator)
    assert (await client.get(_page(beta, beta_session))).status_code == 404
    assert (await client.get(_page(event, beta_session))).status_code == 404
    assert (await client.get(_page(event, session, "rete-beta"))).status_code == 403
    cross = await post_form(client, _page(beta, beta_session), {"registration_id": beta_reg.id, "action": "in"})
    assert cross.status_code == 404
    assert await Attendance.all().count() == 0


# ----- the sign-in sheet -------------------------------------------------------------------------------

async def test_sign_in_sheet_pdf(client: httpx.AsyncClient, world: World) -> None:
    niccolo = await make_person(name="Niccolò Abbà", email="nabba@example.org")
    event, sessions, _ = await held_event(world, hours=(3, 4), people=(world.member, niccolo),
                                          title="Relazioni d'aiuto: perché e come")
    await sign_in(client, world.coordinator)
    response = await client.get(f"/n/rete-alfa/events/{event.id}/sessions/{sessions[1].id}/sheet.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    data = await attendance.sheet_data(await coordinator(world), event.id, sessions[1].id)
    assert (data.number, data.of) == (2, 2)
    assert data.people == [("Niccolò Abbà", ""), ("Socio", "Cooperativa Alfa Uno")]
    lines = [line.text for line in pdf.sheet_lines(world.alpha, data.event, data.session, 2, 2)]
    assert lines[1] == "Relazioni d'aiuto: perché e come" and lines[2] == "Rete Alfa"
    assert any("Via Tolmezzo 3, Milano" in line for line in lines)
    rome = sessions[1].starts_at.astimezone(pdf.ROME)
    assert any(f"{rome:%H:%M}" in line for line in lines)  # the time in Italy, not UTC
    plain = pdf.sheet_pdf(world.alpha, data.event, data.session, 2, 2, data.people, unicode=False, compress=False)
    assert plain.startswith(b"%PDF") and b"Cooperativa Alfa Uno" in plain and b"Socio" in plain
    assert (await client.get(f"/n/rete-alfa/events/{event.id}/sessions/987654/sheet.pdf")).status_code == 404


async def test_latin1_fallback_keeps_italian_and_drops_the_rest() -> None:
    assert pdf.latin1("Niccolò “perché” – àèìòù") == 'Niccolò "perché" - àèìòù'
    assert pdf.latin1("Đorđe Ćosić 東") == "?or?e Cosic ?"


# ----- the API -----------------------------------------------------------------------------------------

async def test_attendance_api(client: httpx.AsyncClient, world: World) -> None:
    event, sessions, (reg, other) = await held_event(world, hours=(3, 1), people=(world.member, world.coop_admin))
    headers = await api_token(world.coordinator)
    base = f"/api/v1/networks/rete-alfa/events/{event.id}"
    mark = await client.post(f"{base}/sessions/{sessions[0].id}/attendance", headers=headers,
                             json={"registration_id": reg.id, "present": True})
    assert mark.status_code == 200, mark.text
    assert mark.json() == {"registration_id": reg.id, "session_id": sessions[0].id, "present": True,
                           "changed": True}
    again = await client.post(f"{base}/sessions/{sessions[0].id}/attendance", headers=headers,
                              json={"registration_id": reg.id, "present": True})
    assert again.json()["changed"] is False
    sheet = (await client.get(f"{base}/attendance", headers=headers)).json()
    assert sheet["total_hours"] == 4 and sheet["attendance_threshold"] == 75
    people = {p["registration_id"]: p for p in sheet["people"]}
    assert people[reg.id]["sessions"] == [sessions[0].id] and people[reg.id]["hours"] == 3
    assert people[reg.id]["share"] == 75 and people[reg.id]["qualifies"] is True
    assert people[other.id]["qualifies"] is False and people[other.id]["certificate_code"] is None


async def test_attendance_api_refuses_and_names_fields(client: httpx.AsyncClient, world: World) -> None:
    event, (session,), (reg,) = await held_event(world, people=(world.member,))
    beta, (beta_session,), (beta_reg,) = await held_event(world, world.beta, people=(world.outsider,))
    base = f"/api/v1/networks/rete-alfa/events/{event.id}"
    path = f"{base}/sessions/{session.id}/attendance"
    body = {"registration_id": reg.id, "present": True}
    assert (await client.post(path, json=body)).status_code == 401
    assert (await client.post(path, json=body, headers=await api_token(world.member))).status_code == 403
    assert (await client.get(f"{base}/attendance", headers=await api_token(world.member))).status_code == 403
    headers = await api_token(world.coordinator)
    bad = await client.post(path, json={"registration_id": reg.id, "present": "yes"}, headers=headers)
    assert bad.status_code == 422 and "present" in bad.json()["errors"]
    bad = await client.post(path, json={"registration_id": -1, "present": True}, headers=headers)
    assert bad.status_code == 422 and "registration_id" in bad.json()["errors"]
    cross = f"/api/v1/networks/rete-alfa/events/{beta.id}/sessions/{beta_session.id}/attendance"
    assert (await client.post(cross, json={"registration_id": beta_reg.id, "present": True},
                              headers=headers)).status_code == 404
    assert (await client.get(f"/api/v1/networks/rete-alfa/events/{beta.id}/attendance",
                             headers=headers)).status_code == 404
    assert await Attendance.all().count() == 0


async def test_search_wildcards_are_literal(client: httpx.AsyncClient, world: World) -> None:
    event, (session,), _ = await held_event(world, people=(world.member, world.coop_admin))
    await sign_in(client, world.coordinator)
    for q in ("%", "_", "\\"):
        page = await client.get(_page(event, session), params={"q": q})
        assert page.status_code == 200
        assert "Socio" not in page.text and "Coop Admin" not in page.text, q


async def test_search_with_odd_characters(client: httpx.AsyncClient, world: World) -> None:
    event, (session,), _ = await held_event(world, people=(world.member,))
    await sign_in(client, world.coordinator)
    for q in ("so%00cio", "%ED%B3%BF", "%FF%FE", "x" * 500):
        page = await client.get(_page(event, session) + "?q=" + q)
        assert page.status_code == 200, q
    for code in ("AB%00CD", "%ED%B3%BF", "%FF"):
        assert (await client.get("/certificates/verify?code=" + code)).status_code == 200
