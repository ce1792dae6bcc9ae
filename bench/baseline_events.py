"""The issue-3 baselines: bare starlette + asyncpg (+ jinja2) next to Federa's events.

1. The registration rush: only the seat claim and the insert.

POST /events/{id}/registrations with header `X-Person: <id>` runs, in one transaction on a pool of the
same size as Federa's (federa.db: 20), the conditional UPDATE of the event's seat counter and the INSERT of
the registration (confirmed, or waiting when no seat was left). No authentication, eligibility, audit,
outbox, ORM or answers. Run: uvicorn bench.baseline_events:app (the database comes from
BENCH_DATABASE_URL). `claim` is also used in-process by bench/events_rush.py for the no-HTTP figure.

2. The event list page GET /n/{slug}/events of a signed-in member (`?person=<id>`): the same queries as
federa.events.queries.list_events + my_statuses (count, one page, its sessions, the person's
registrations) rendered through the same card markup and macros (bench/templates/events_list.html,
templates/events/_macros.html) in bench/templates/base.html's frame; no sessions, access checks, tenancy
or ORM.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections import defaultdict
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import jinja2
from babel.dates import format_datetime
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from bench.baseline_app import COMMON, PROVINCES, SECTORS, catalog

HERE = Path(__file__).resolve().parent
ROME = ZoneInfo("Europe/Rome")

POOL_SIZE = 20  # federa.db.tortoise_config(pool_max=20)
CLAIM = ("UPDATE event SET confirmed_count = confirmed_count + 1 "
         "WHERE id = $1 AND status = 'published' AND confirmed_count < capacity RETURNING network_id")
NETWORK = "SELECT network_id FROM event WHERE id = $1"
INSERT = ("INSERT INTO registration (network_id, event_id, person_id, status, answers, queued_at, confirmed_at) "
          "VALUES ($1, $2, $3, $4::varchar, '{}', now(), CASE WHEN $4::varchar = 'confirmed' THEN now() END) "
          "RETURNING id")


async def claim(con: asyncpg.Connection, event_id: int, person_id: int) -> tuple[int, str]:
    """Take a seat if one is left, and record the registration: (registration id, status)."""
    async with con.transaction():
        network_id = await con.fetchval(CLAIM, event_id)
        status = "confirmed" if network_id is not None else "waiting"
        if network_id is None:
            network_id = await con.fetchval(NETWORK, event_id)
        registration_id = await con.fetchval(INSERT, network_id, event_id, person_id, status)
    return int(registration_id), status


async def register(request: Request) -> Response:
    person_id = int(request.headers["x-person"])
    try:
        async with request.app.state.pool.acquire() as con:
            registration_id, status = await claim(con, request.path_params["event_id"], person_id)
    except asyncpg.UniqueViolationError:
        return JSONResponse({"detail": "Already registered."}, status_code=409)
    return Response(json.dumps({"id": registration_id, "status": status}), status_code=201,
                    media_type="application/json")


# ----- the event list page ------------------------------------------------------------------------------

AUDIENCES = {"network": "Members of the network", "cooperatives": "Chosen cooperatives",
             "partners": "Partner networks too", "public": "Open to everyone"}
EVENT_STATUSES = {"draft": "Draft", "published": "Published", "cancelled": "Cancelled", "completed": "Completed"}
VISIBLE = ("e.network_id = $1 AND e.status IN ('published', 'completed') AND e.starts_at >= $2 AND "
           "(e.audience IN ('network', 'partners', 'public') OR (e.audience = 'cooperatives' AND EXISTS ("
           "SELECT 1 FROM event_cooperative ec WHERE ec.event_id = e.id AND ec.cooperative_id = ANY($3::int[]))))")
EVENTS_COUNT = f"SELECT count(*) FROM event e WHERE {VISIBLE}"
EVENTS_PAGE = (f"SELECT e.id, e.title, e.status, e.audience, e.venue, e.province, e.online_url, e.sectors, "
               f"e.capacity, e.confirmed_count FROM event e WHERE {VISIBLE} ORDER BY e.starts_at, e.id LIMIT $4")
SESSIONS_OF = ("SELECT event_id, starts_at, ends_at FROM event_session WHERE event_id = ANY($1::int[]) "
               "ORDER BY starts_at, id")
MINE = ("SELECT event_id, status FROM registration WHERE person_id = $1 AND event_id = ANY($2::int[]) "
        "AND status <> 'cancelled'")
COOPS = "SELECT cooperative_id FROM affiliation WHERE person_id = $1 AND status = 'active'"


def _datetime(value: datetime, pattern: str) -> str:
    return format_datetime(value.astimezone(ROME), pattern, locale="it")


env = jinja2.Environment(loader=jinja2.FileSystemLoader([str(HERE / "templates"), str(HERE.parent / "templates")]),
                         autoescape=jinja2.select_autoescape(["html"]), extensions=["jinja2.ext.i18n"],
                         trim_blocks=True, lstrip_blocks=True)
env.install_gettext_translations(catalog(), newstyle=True)  # type: ignore[attr-defined]
env.filters["datetime"] = _datetime
LIST = env.get_template("events_list.html")
QUERY = SimpleNamespace(q="", sector="", province="", mode="", seats=False, when="upcoming", page=1, per_page=20)


def _seats_left(event: Any) -> int:
    return max(0, event.capacity - event.confirmed_count)


async def event_list(request: Request) -> HTMLResponse:
    person_id = int(request.query_params.get("person") or request.headers["x-person"])
    today = datetime.combine(datetime.now(UTC).astimezone(ROME).date(), time(), ROME).astimezone(UTC)
    async with request.app.state.pool.acquire() as con:
        network = await con.fetchrow("SELECT id, slug, name FROM network WHERE slug = $1",
                                     request.path_params["slug"])
        coops = [r[0] for r in await con.fetch(COOPS, person_id)]
        total = await con.fetchval(EVENTS_COUNT, network["id"], today, coops)
        rows = await con.fetch(EVENTS_PAGE, network["id"], today, coops, QUERY.per_page)
        ids = [r["id"] for r in rows]
        sessions: dict[int, list[Any]] = defaultdict(list)
        for r in await con.fetch(SESSIONS_OF, ids):
            sessions[r["event_id"]].append(SimpleNamespace(starts_at=r["starts_at"], ends_at=r["ends_at"]))
        mine = {r["event_id"]: SimpleNamespace(status=r["status"]) for r in await con.fetch(MINE, person_id, ids)}
    events = [SimpleNamespace(**r, session_list=sessions[r["id"]]) for r in rows]
    html = LIST.render(COMMON, network=network, events=events, total=total, query=QUERY,
                       pages=max(1, -(-total // QUERY.per_page)), mine=mine, person=True,
                       access=SimpleNamespace(can_manage=False), filters={}, qs=lambda **extra: "",
                       provinces=PROVINCES, sectors=SECTORS, audiences=AUDIENCES, event_statuses=EVENT_STATUSES,
                       seats_left=_seats_left, signed_in=True, path=request.url.path)
    return HTMLResponse(html)


async def livez(request: Request) -> Response:
    return Response("ok")


@contextlib.asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    app.state.pool = await asyncpg.create_pool(os.environ["BENCH_DATABASE_URL"], min_size=1, max_size=POOL_SIZE)
    try:
        yield
    finally:
        await app.state.pool.close()


app = Starlette(routes=[Route("/events/{event_id:int}/registrations", register, methods=["POST"]),
                        Route("/n/{slug}/events", event_list), Route("/livez", livez)], lifespan=lifespan)
