"""Coordinators' registrations page and the exports of registrations and attendance (CSV and XLSX parse
back; the page's query count does not grow with the number of people)."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

import httpx
from conftest import World, affiliate, make_person, sign_in
from networks.querycount import count_queries
from openpyxl import load_workbook
from test_attendance import NOW, coordinator, held_event

from federa.accounts.models import Person
from federa.events import certificates
from federa.events.models import Attendance, Event, Registration

QUESTIONS = [{"label": "Ruolo", "kind": "choice", "choices": ["OSS", "Educatore"], "required": True},
             {"label": "Serve il parcheggio?", "kind": "yesno"}]


async def _event(world: World) -> tuple[Event, list, dict[str, Registration]]:
    event, sessions, (member, admin, dual, late, gone) = await held_event(
        world, hours=(3, 1), questions=QUESTIONS,
        people=(world.member, world.coop_admin, world.dual, await make_person(name="Ultima In Fila"),
                await make_person(name="=Cancellata")))
    await Registration.filter(id=member.id).update(answers={"q0": "OSS", "q1": "yes"},
                                                   registered_by_id=world.coop_admin.id)
    await Registration.filter(id=late.id).update(status="waiting", queued_at=NOW - timedelta(days=20))
    await Registration.filter(id=gone.id).update(status="cancelled", cancelled_at=NOW - timedelta(days=12))
    for session in sessions:
        await Attendance.create(network=world.alpha, registration=member, session=session)
    await Attendance.create(network=world.alpha, registration=admin, session=sessions[1])
    await certificates.issue_certificates(await coordinator(world), event.id)
    return event, sessions, {"member": member, "admin": admin, "dual": dual, "late": late, "gone": gone}


def _csv(response: httpx.Response) -> list[list[str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert "attachment" in response.headers["content-disposition"]
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


def _xlsx(response: httpx.Response) -> list[tuple]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    return list(sheet.iter_rows(values_only=True))


async def test_registrations_export(client: httpx.AsyncClient, world: World) -> None:
    event, _, _ = await _event(world)
    await sign_in(client, world.coordinator)
    rows = _csv(await client.get(f"/n/rete-alfa/events/{event.id}/registrations.csv"))
    assert rows[0] == ["Nome", "Email", "Cooperativa", "Stato", "Iscrizione", "Ruolo", "Serve il parcheggio?",
                       "Iscritto da"]
    by_name = {r[0]: r for r in rows[1:]}
    assert [r[3] for r in rows[1:]] == ["confermata"] * 3 + ["in attesa", "annullata"]
    assert by_name["Socio"][1:3] == ["member@example.org", "Cooperativa Alfa Uno"]
    assert by_name["Socio"][5:] == ["OSS", "sì", "Coop Admin"]
    assert by_name["'=Cancellata"][3] == "annullata"  # a formula stays text
    assert len(by_name["Socio"][4]) == 16 and by_name["Socio"][4][4] == "-"  # 2030-03-12 09:00
    sheet = _xlsx(await client.get(f"/n/rete-alfa/events/{event.id}/registrations.xlsx"))
    assert sheet[0][0] == "Nome" and len(sheet) == 6
    socio = next(r for r in sheet if r[0] == "Socio")
    assert isinstance(socio[4], datetime) and socio[5:] == ("OSS", "sì", "Coop Admin")
    assert any(r[0] == "=Cancellata" for r in sheet)  # stored as text, not as a formula


async def test_english_headers(client: httpx.AsyncClient, world: World) -> None:
    event, _, _ = await _event(world)
    await Person.filter(id=world.coordinator.id).update(locale="en")
    await sign_in(client, world.coordinator)
    rows = _csv(await client.get(f"/n/rete-alfa/events/{event.id}/registrations.csv",
                                 headers={"Accept-Language": "en"}))
    assert rows[0][:4] == ["Name", "Email", "Cooperative", "Status"]
    assert rows[1][3] == "confirmed"


async def test_attendance_export(client: httpx.AsyncClient, world: World) -> None:
    event, sessions, regs = await _event(world)
    await sign_in(client, world.coordinator)
    rows = _csv(await client.get(f"/n/rete-alfa/events/{event.id}/attendance.csv"))
    head = rows[0]
    assert head[:3] == ["Nome", "Email", "Cooperativa"] and head[-4:] == ["Ore frequentate", "Ore totali",
                                                                        "Frequenza %", "Codice attestato"]
    assert len(head) == 3 + len(sessions) + 4 and head[3].endswith("(3 h)") and head[4].endswith("(1 h)")
    by_name = {r[0]: r for r in rows[1:]}
    assert set(by_name) == {"Socio", "Coop Admin", "Doppio"}  # the confirmed people only
    code = (await regs["member"].certificate).code  # type: ignore[union-attr]
    assert by_name["Socio"][3:] == ["presente", "presente", "4", "4", "100", code]
    assert by_name["Coop Admin"][3:] == ["assente", "presente", "1", "4", "25", ""]
    sheet = _xlsx(await client.get(f"/n/rete-alfa/events/{event.id}/attendance.xlsx"))
    socio = next(r for r in sheet if r[0] == "Socio")
    assert socio[-4:] == (4, 4, 100, code)


async def test_exports_are_for_coordinators_of_the_network(client: httpx.AsyncClient, world: World) -> None:
    event, _, _ = await _event(world)
    beta, _, _ = await held_event(world, world.beta, people=(world.outsider,))
    kinds = ("registrations.csv", "registrations.xlsx", "attendance.csv", "attendance.xlsx", "registrations")
    for kind in kinds:
        response = await client.get(f"/n/rete-alfa/events/{event.id}/{kind}")
        assert response.status_code == 303 and response.headers["location"].startswith("/signin")
    await sign_in(client, world.member)
    for kind in kinds:
        assert (await client.get(f"/n/rete-alfa/events/{event.id}/{kind}")).status_code == 403
    client.cookies.clear()
    await sign_in(client, world.coordinator)
    for kind in kinds:
        assert (await client.get(f"/n/rete-alfa/events/{beta.id}/{kind}")).status_code == 404
        assert "Esterno" not in (await client.get(f"/n/rete-alfa/events/{beta.id}/{kind}")).text


async def test_registrations_page(client: httpx.AsyncClient, world: World) -> None:
    event, sessions, _ = await _event(world)
    await sign_in(client, world.coordinator)
    page = await client.get(f"/n/rete-alfa/events/{event.id}/registrations")
    assert page.status_code == 200
    text = page.text
    assert text.index("Socio") < text.index("Ultima In Fila") < text.index("=Cancellata")
    for link in ("registrations.csv", "registrations.xlsx", "attendance.csv", "attendance.xlsx",
                 "survey/results", f"sessions/{sessions[0].id}/checkin", f"sessions/{sessions[1].id}/sheet.pdf",
                 f"/n/rete-alfa/events/{event.id}/certificates"):
        assert link in text, link
    assert 'scope="col"' in text and "<caption" in text


async def test_registrations_page_query_count_is_flat(client: httpx.AsyncClient, world: World) -> None:
    event, _, _ = await held_event(world, people=(world.member,))
    await sign_in(client, world.coordinator)
    path = f"/n/rete-alfa/events/{event.id}/registrations"
    await client.get(path)

    async def count() -> int:
        with count_queries() as statements:
            assert (await client.get(path)).status_code == 200
        return len(statements)

    few = await count()
    for n in range(30):
        person = await make_person(name=f"Persona {n:02d}")
        await affiliate(person, world.coop)
        await Registration.create(network=world.alpha, event=event, person=person,
                                  status=("confirmed", "waiting", "cancelled")[n % 3])
    many = await count()
    assert few == many, (few, many)
    assert many <= 14, many
