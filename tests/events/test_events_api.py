"""The events JSON API: life cycle, visibility, registrations, and bad input that changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from conftest import World, affiliate, api_token, make_person

from federa.audit.models import AuditEntry
from federa.events import services
from federa.events.models import Event, EventSession, Registration
from federa.events.schemas import RegisterIn
from federa.notifications.models import OutboxMessage

SOON = (datetime.now(UTC) + timedelta(days=10)).replace(microsecond=0)
A = "/api/v1/networks/rete-alfa"
B = "/api/v1/networks/rete-beta"


def event_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "Progettare la formazione interna", "description": "Percorso **formativo**",
        "venue": "Via Tolmezzo 3, Milano", "province": "MI", "capacity": 2, "sectors": ["minori"],
        "sessions": [{"starts_at": SOON.isoformat(), "ends_at": (SOON + timedelta(hours=3)).isoformat()}]}
    body.update(overrides)
    return body


async def create(client: httpx.AsyncClient, world: World, *, publish: bool = True, base: str = A,
                 **overrides: Any) -> dict[str, Any]:
    coordinator = await api_token(world.coordinator if base == A else world.platform_admin)
    response = await client.post(f"{base}/events", json=event_body(**overrides), headers=coordinator)
    assert response.status_code == 201, response.text
    event = response.json()
    if publish:
        response = await client.post(f"{base}/events/{event['id']}/publish", headers=coordinator)
        assert response.status_code == 200, response.text
        event = response.json()
    return event


async def snapshot() -> tuple:
    return (await Event.all().order_by("id").values(), await EventSession.all().order_by("id").values(),
            await Registration.all().order_by("id").values(), await OutboxMessage.all().count())


# ----- events ------------------------------------------------------------------------------------------

async def test_draft_publish_list_and_detail(client: httpx.AsyncClient, world: World) -> None:
    coordinator, member = await api_token(world.coordinator), await api_token(world.member)
    draft = await create(client, world, publish=False, online_url="https://meet.example.org/corso")
    assert draft["status"] == "draft" and draft["online"] and draft["online_url"] == "https://meet.example.org/corso"
    assert draft["description_html"] == "<p>Percorso <strong>formativo</strong></p>\n"
    assert draft["sessions"][0]["hours"] == 3.0 and draft["seats_left"] == 2
    # A draft is the coordinators' only.
    assert (await client.get(f"{A}/events/{draft['id']}", headers=member)).status_code == 404
    assert (await client.get(f"{A}/events", headers=member)).json()["total"] == 0
    assert (await client.get(f"{A}/events", headers=coordinator)).json()["total"] == 1

    published = (await client.post(f"{A}/events/{draft['id']}/publish", headers=coordinator)).json()
    assert published["status"] == "published"
    assert (await client.post(f"{A}/events/{draft['id']}/publish", headers=coordinator)).status_code == 409
    seen = (await client.get(f"{A}/events/{draft['id']}", headers=member)).json()
    assert seen["online"] and seen["online_url"] is None and seen["my_registration"] is None
    sessions = (await client.get(f"{A}/events/{draft['id']}/sessions", headers=member)).json()
    assert [s["id"] for s in sessions] == [s["id"] for s in seen["sessions"]]
    # Not open to other networks' people, nor to visitors (audience: the network's members).
    assert (await client.get(f"{A}/events/{draft['id']}", headers=await api_token(world.outsider))).status_code \
        == 404
    assert (await client.get(f"{A}/events/{draft['id']}")).status_code == 404
    assert (await client.get(f"{A}/events")).json()["total"] == 0
    # Through another network's URL it does not exist.
    assert (await client.get(f"{B}/events/{draft['id']}", headers=coordinator)).status_code == 404


async def test_list_filters_and_pages(client: httpx.AsyncClient, world: World) -> None:
    await create(client, world, title="Corso in presenza")
    await create(client, world, title="Corso online", venue="", online_url="https://meet.example.org/x",
                 sectors=["anziani"], audience="public")
    member = await api_token(world.member)

    async def titles(params: dict[str, Any], headers: dict[str, str] | None = None) -> list[str]:
        response = await client.get(f"{A}/events", params=params, headers=member if headers is None else headers)
        assert response.status_code == 200, response.text
        return [e["title"] for e in response.json()["items"]]

    assert sorted(await titles({})) == ["Corso in presenza", "Corso online"]
    assert await titles({"mode": "online"}) == ["Corso online"]
    assert await titles({"sector": "minori"}) == ["Corso in presenza"]
    assert await titles({"q": "presenza", "seats": "true"}) == ["Corso in presenza"]
    assert await titles({"when": "past"}) == []
    page = (await client.get(f"{A}/events", params={"per_page": 1, "page": 2}, headers=member)).json()
    assert (page["total"], page["page"], page["per_page"], len(page["items"])) == (2, 2, 1, 1)
    assert await titles({}, {}) == ["Corso online"]  # visitors: public events only
    bad = await client.get(f"{A}/events", params={"per_page": 1000, "mode": "boat"}, headers=member)
    assert bad.status_code == 422 and {"per_page", "mode"} <= set(bad.json()["errors"])


async def test_edit_with_put_and_cancel(client: httpx.AsyncClient, world: World) -> None:
    coordinator = await api_token(world.coordinator)
    event = await create(client, world)
    later = SOON + timedelta(days=1)
    response = await client.put(f"{A}/events/{event['id']}", headers=coordinator, json=event_body(
        title="Nuovo titolo", capacity=5,
        sessions=[{"starts_at": later.isoformat(), "ends_at": (later + timedelta(hours=2)).isoformat()}]))
    assert response.status_code == 200, response.text
    edited = response.json()
    assert (edited["title"], edited["capacity"], edited["status"]) == ("Nuovo titolo", 5, "published")
    assert edited["sessions"][0]["starts_at"] == later.isoformat().replace("+00:00", "Z")
    # Members may not edit or cancel.
    member = await api_token(world.member)
    assert (await client.put(f"{A}/events/{event['id']}", headers=member, json=event_body())).status_code == 403
    assert (await client.post(f"{A}/events/{event['id']}/cancel", headers=member)).status_code == 403
    await client.post(f"{A}/events/{event['id']}/registrations", headers=member, json={})
    cancelled = await client.post(f"{A}/events/{event['id']}/cancel", headers=coordinator)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert await OutboxMessage.filter(kind="event_cancelled").count() == 1
    assert (await client.post(f"{A}/events/{event['id']}/cancel", headers=coordinator)).status_code == 409
    closed = await client.post(f"{A}/events/{event['id']}/registrations", headers=await api_token(world.dual),
                               json={})
    assert closed.status_code == 404  # a cancelled event is gone for anyone who was not registered


async def test_another_networks_event_is_not_there(client: httpx.AsyncClient, world: World) -> None:
    """Alpha's coordinator, through alpha's URL, cannot read, edit, publish or cancel beta's event."""
    beta_event = await create(client, world, base=B, publish=False)
    coordinator = await api_token(world.coordinator)
    before = await snapshot()
    path = f"{A}/events/{beta_event['id']}"
    assert (await client.get(path, headers=coordinator)).status_code == 404
    assert (await client.get(path + "/sessions", headers=coordinator)).status_code == 404
    assert (await client.get(path + "/registrations", headers=coordinator)).status_code == 404
    assert (await client.put(path, headers=coordinator, json=event_body())).status_code == 404
    assert (await client.post(path + "/publish", headers=coordinator)).status_code == 404
    assert (await client.post(path + "/cancel", headers=coordinator)).status_code == 404
    assert (await client.post(path + "/registrations", headers=coordinator, json={})).status_code == 404
    assert await snapshot() == before


# ----- registrations -----------------------------------------------------------------------------------

async def test_register_wait_list_cancel_promote(client: httpx.AsyncClient, world: World) -> None:
    event = await create(client, world, online_url="https://meet.example.org/corso", capacity=1)
    path = f"{A}/events/{event['id']}"
    member, admin, coordinator = (await api_token(world.member), await api_token(world.coop_admin),
                                  await api_token(world.coordinator))
    first = await client.post(path + "/registrations", headers=member, json={})
    assert first.status_code == 201, first.text
    assert (first.json()["status"], first.json()["place"]) == ("confirmed", None)
    second = (await client.post(path + "/registrations", headers=admin, json={})).json()
    assert (second["status"], second["place"]) == ("waiting", 1)
    twice = await client.post(path + "/registrations", headers=member, json={})
    assert twice.status_code == 409 and twice.json()["detail"]

    # The online link: the confirmed person and the organisers, not the one waiting.
    assert (await client.get(path, headers=member)).json()["online_url"] == "https://meet.example.org/corso"
    assert (await client.get(path, headers=admin)).json()["online_url"] is None
    assert (await client.get(path, headers=admin)).json()["my_registration"]["place"] == 1

    listed = await client.get(path + "/registrations", headers=coordinator)
    assert [(r["person_email"], r["status"], r["place"]) for r in listed.json()] == [
        ("member@example.org", "confirmed", None), ("coopadmin@example.org", "waiting", 1)]
    assert (await client.get(path + "/registrations", headers=member)).status_code == 403

    # Someone else's registration is not there for you; your own is cancelled and the seat promotes.
    reg_path = f"{A}/registrations/{first.json()['id']}/cancel"
    assert (await client.post(reg_path, headers=admin)).status_code == 404
    assert (await client.post(f"{B}/registrations/{first.json()['id']}/cancel", headers=member)).status_code == 404
    cancelled = await client.post(reg_path, headers=member)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert (await client.post(reg_path, headers=member)).status_code == 409
    promoted = (await client.get(path, headers=admin)).json()
    assert promoted["my_registration"]["status"] == "confirmed" and promoted["confirmed_count"] == 1


async def test_my_registrations_across_networks(client: httpx.AsyncClient, world: World) -> None:
    alpha_event = await create(client, world, title="Corso Alfa")
    beta_event = await create(client, world, base=B, title="Corso Beta", audience="network")
    dual = await api_token(world.dual)  # a member of both networks
    for base, event in ((A, alpha_event), (B, beta_event)):
        assert (await client.post(f"{base}/events/{event['id']}/registrations", headers=dual,
                                  json={})).status_code == 201
    mine = (await client.get("/api/v1/me/registrations", headers=dual)).json()
    assert {(m["network"], m["event"]["title"], m["registration"]["status"]) for m in mine} == {
        ("rete-alfa", "Corso Alfa", "confirmed"), ("rete-beta", "Corso Beta", "confirmed")}
    assert (await client.get("/api/v1/me/registrations", params={"when": "past"}, headers=dual)).json() == []
    assert (await client.get("/api/v1/me/registrations")).status_code == 401


async def test_cooperative_admin_registers_their_people(client: httpx.AsyncClient, world: World) -> None:
    event = await create(client, world)
    path = f"{A}/events/{event['id']}/registrations"
    colleague = await make_person()
    await affiliate(colleague, world.coop)
    admin = await api_token(world.coop_admin)
    response = await client.post(path, headers=admin, json={"person_id": colleague.id})
    assert response.status_code == 201, response.text
    made = response.json()
    assert (made["person_id"], made["registered_by_id"], made["status"]) == (colleague.id, world.coop_admin.id,
                                                                             "confirmed")
    before = await snapshot()
    member = await api_token(world.member)
    for person_id in (world.dual.id, 987654):  # not theirs; nobody: the same answer
        refused = await client.post(path, headers=member, json={"person_id": person_id})
        assert refused.status_code == 403, refused.text
    assert await snapshot() == before
    # The admin may cancel the registration they made; the colleague's own token too.
    cancel = await client.post(f"{A}/registrations/{made['id']}/cancel", headers=admin)
    assert cancel.status_code == 200


# ----- bad input ---------------------------------------------------------------------------------------

async def test_bad_registrations_change_nothing(client: httpx.AsyncClient, world: World) -> None:
    now = datetime.now(UTC)
    closed = await create(client, world, registration_opens_at=(now - timedelta(days=2)).isoformat(),
                          registration_closes_at=(now - timedelta(hours=1)).isoformat())
    asked = await create(client, world, questions=[
        {"label": "Ruolo", "kind": "choice", "choices": ["OSS", "Educatore"], "required": True},
        {"label": "Allergie", "kind": "yesno"}])
    full = await create(client, world, capacity=1)
    member, outsider = await api_token(world.member), await api_token(world.outsider)
    await client.post(f"{A}/events/{full['id']}/registrations", headers=member, json={})
    before = await snapshot()

    async def refused(event_id: int, body: Any, headers: dict[str, str], status: int) -> dict:
        response = await client.post(f"{A}/events/{event_id}/registrations", headers=headers, json=body)
        assert response.status_code == status, response.text
        assert response.headers["content-type"] == "application/json"
        return response.json()

    assert (await refused(closed["id"], {}, member, 409))["detail"]  # after the close
    assert (await refused(full["id"], {}, member, 409))["detail"]  # twice
    # not eligible: the event is hidden from them, and hidden answers like missing (security.md)
    assert (await refused(asked["id"], {}, outsider, 404))["detail"]
    assert (await refused(987654, {}, member, 404))["detail"]  # no such event
    errors = (await refused(asked["id"], {"answers": {"q0": "Pilota", "q1": "forse"}}, member, 422))["errors"]
    assert set(errors) == {"answers.q0", "answers.q1"}
    assert "answers.q0" in (await refused(asked["id"], {}, member, 422))["errors"]  # required
    assert "answers" in (await refused(asked["id"], {"answers": {"q7": "x"}}, member, 422))["errors"]
    assert "answers" in (await refused(asked["id"], {"answers": ["OSS"]}, member, 422))["errors"]
    assert "person_id" in (await refused(asked["id"], {"person_id": "12"}, member, 422))["errors"]
    assert "extra" in (await refused(asked["id"], {"extra": 1}, member, 422))["errors"]
    response = await client.post(f"{A}/events/{asked['id']}/registrations", headers=member, content=b"{",
                                 )
    assert response.status_code == 422 and "body" in response.json()["errors"]
    assert await snapshot() == before
    ok = await refused(asked["id"], {"answers": {"q0": "OSS"}}, member, 201)
    assert ok["answers"] == {"q0": "OSS"}


async def test_bad_event_input_names_the_field(client: httpx.AsyncClient, world: World) -> None:
    coordinator = await api_token(world.coordinator)
    event = await create(client, world, capacity=2)
    for person in (world.member, world.coop_admin):
        await client.post(f"{A}/events/{event['id']}/registrations", headers=await api_token(person), json={})
    before = await snapshot()
    start = SOON.isoformat()
    cases: list[tuple[dict[str, Any], str]] = [
        (event_body(capacity=1), "capacity"),  # below the two confirmed
        (event_body(capacity="10"), "capacity"),  # JSON is typed: a string is not a number
        (event_body(sessions=[{"starts_at": "domani alle 9", "ends_at": start}]), "sessions.starts_at"),
        (event_body(sessions=[{"starts_at": "2031-02-30T10:00", "ends_at": "2031-02-30T12:00"}]),
         "sessions.starts_at"),
        (event_body(sessions=[{"starts_at": start, "ends_at": (SOON - timedelta(hours=1)).isoformat()}]),
         "sessions"),  # ends before it starts
        (event_body(sessions=[]), "sessions"),
        (event_body(registration_opens_at="ieri"), "registration_opens_at"),
        (event_body(venue="", online_url=""), "__all__"),
        (event_body(title=""), "title"),
        (event_body(audience="everyone"), "audience"),
        (event_body(online_url="javascript:alert(1)"), "online_url"),
    ]
    for body, field in cases:
        for method, path in (("PUT", f"{A}/events/{event['id']}"), ("POST", f"{A}/events")):
            if field == "capacity" and body["capacity"] == 1 and method == "POST":
                continue  # a new event has nobody confirmed yet
            response = await client.request(method, path, headers=coordinator, json=body)
            assert response.status_code == 422, (method, field, response.text)
            assert field in response.json()["errors"], (method, field, response.json())
    assert await snapshot() == before
    assert (await Event.get(id=event["id"])).capacity == 2


async def test_anonymous_and_unknown(client: httpx.AsyncClient, world: World) -> None:
    event = await create(client, world, audience="public")
    path = f"{A}/events/{event['id']}"
    assert (await client.get(path)).status_code == 200  # public: visitors read it
    assert (await client.post(path + "/registrations", json={})).status_code == 401
    assert (await client.post(f"{A}/events", json=event_body())).status_code == 401
    coordinator = await api_token(world.coordinator)
    assert (await client.get(f"{A}/events/2147483648", headers=coordinator)).status_code == 404
    assert (await client.get("/api/v1/networks/nessuna/events")).status_code == 404


# ----- the seat claimed last (events/services.register, as the API calls it) -----------------------------

async def test_a_seat_gone_while_writing_leaves_a_waiting_place(client: httpx.AsyncClient, world: World) -> None:
    """The API hands register() the event as it loaded it; when the last seat went in between, the
    optimistic confirmed place is rolled back whole and written again as waiting: one row, one message."""
    created = await create(client, world, capacity=1)
    stale = await Event.get(id=created["id"])  # loaded with a seat free ...
    await client.post(f"{A}/events/{stale.id}/registrations", headers=await api_token(world.member), json={})
    assert (await Event.get(id=stale.id)).confirmed_count == 1  # ... which is gone now
    registration = await services.register(world.alpha, stale.id, RegisterIn(), actor=world.coop_admin,
                                           event=stale)
    assert registration.status == "waiting" and registration.confirmed_at is None
    rows = await Registration.filter(event_id=stale.id, person_id=world.coop_admin.id)
    assert [r.status for r in rows] == ["waiting"]
    assert (await Event.get(id=stale.id)).confirmed_count == 1
    kinds = await OutboxMessage.filter(recipient=world.coop_admin.email).values_list("kind", flat=True)
    assert kinds == ["registration_waiting"]
    audit = await AuditEntry.filter(action="event.registered", object_id=str(registration.id)).values_list(
        "data", flat=True)
    assert [a["status"] for a in audit] == ["waiting"]  # type: ignore[index]
    # Coming back after cancelling takes the INSERT's unique-key path: a new place at the end of the line.
    member_reg = await Registration.get(event_id=stale.id, person_id=world.member.id)
    await services.cancel_registration(world.alpha, member_reg.id, actor=world.member)
    assert (await Registration.get(id=registration.id)).status == "confirmed"  # promoted
    again = await services.register(world.alpha, stale.id, RegisterIn(), actor=world.member)
    assert (again.id, again.status) == (member_reg.id, "waiting")
    twice = await client.post(f"{A}/events/{stale.id}/registrations", headers=await api_token(world.member), json={})
    assert twice.status_code == 409
