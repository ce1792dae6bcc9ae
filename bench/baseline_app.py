"""The benchmark's baseline: bare starlette + asyncpg + jinja2 serving Federa's two directory pages.

It runs the same queries as federa.networks.queries.directory (count, one page of rows, their sectors,
their membership status) and renders the same rows into the same markup (bench/templates/), with none
of Federa's sessions, access checks, tenancy or ORM. Run: uvicorn bench.baseline_app:app (the database
comes from BENCH_DATABASE_URL).
"""

from __future__ import annotations

import contextlib
import gettext
import io
import json
import os
from collections import defaultdict
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import jinja2
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

HERE = Path(__file__).resolve().parent
PROVINCES_JSON = HERE.parent / "platform" / "federa" / "data" / "provinces.json"
CATALOG = HERE.parent / "platform" / "federa" / "locales" / "it" / "LC_MESSAGES" / "messages.po"
SLUG = "legacoopsociali"

# Reference data: the same keys and labels as federa.networks.reference.
SECTORS = {
    "minori": "Children and young people", "anziani": "Elderly people", "disabili": "People with disabilities",
    "psichiatria": "Mental health", "riabilitazione": "Rehabilitation", "inserimento_lavorativo": "Work integration",
    "infanzia": "Early childhood", "immigrazione": "Migrants", "dipendenze": "Addictions", "varie": "Other",
}
COOP_TYPES = {"A": "Type A (social, health and education services)", "B": "Type B (work integration)",
              "C": "Consortium"}
STATUSES = {"requested": "Requested", "active": "Active", "suspended": "Suspended", "ended": "Ended",
            "refused": "Refused"}
KINDS = {"association": "National association", "consortium": "Consortium",
         "enterprise_network": "Network of social enterprises"}


class Province:
    __slots__ = ("code", "name", "region")

    def __init__(self, code: str, name: str, region: str) -> None:
        self.code, self.name, self.region = code, name, region


PROVINCES = {row["code"]: Province(**row) for row in json.loads(PROVINCES_JSON.read_text(encoding="utf-8"))}

COLUMNS = ('c.id, c.legal_name, c.coop_type, c.tax_code, c.province, c.city, c.website, c.description, '
           'c.is_public')
DIRECTORY_COUNT = "SELECT count(*) FROM cooperative c JOIN membership m ON m.cooperative_id = c.id " \
                  "WHERE m.network_id = $1"
DIRECTORY_PAGE = f"SELECT {COLUMNS} FROM cooperative c JOIN membership m ON m.cooperative_id = c.id " \
                 "WHERE m.network_id = $1 ORDER BY c.legal_name, c.id LIMIT $2 OFFSET $3"
PUBLIC_WHERE = "WHERE m.network_id = $1 AND m.status = 'active' AND c.is_public"
PUBLIC_COUNT = f"SELECT count(*) FROM cooperative c JOIN membership m ON m.cooperative_id = c.id {PUBLIC_WHERE}"
PUBLIC_PAGE = f"SELECT {COLUMNS} FROM cooperative c JOIN membership m ON m.cooperative_id = c.id " \
              f"{PUBLIC_WHERE} ORDER BY c.legal_name, c.id LIMIT $2 OFFSET $3"
SECTORS_OF = "SELECT cooperative_id, sector FROM cooperative_sector WHERE cooperative_id = ANY($1::int[]) " \
             "ORDER BY sector"
STATUSES_OF = "SELECT cooperative_id, status FROM membership WHERE network_id = $1 " \
              "AND cooperative_id = ANY($2::int[])"
PARTNERS = "SELECT slug, name FROM network WHERE id IN (" \
           "SELECT partner_id FROM partnership WHERE status = 'active' AND network_id = $1 UNION " \
           "SELECT network_id FROM partnership WHERE status = 'active' AND partner_id = $1) ORDER BY name"



def catalog() -> gettext.NullTranslations:
    """Federa's Italian catalog when there is one, so that both servers send the same Italian page."""
    if not CATALOG.exists():
        return gettext.NullTranslations()
    from babel.messages.mofile import write_mo  # only to compile the .po once, as a .mo file would be
    from babel.messages.pofile import read_po

    buf = io.BytesIO()
    with CATALOG.open("rb") as fh:
        write_mo(buf, read_po(fh, locale="it"))
    buf.seek(0)
    return gettext.GNUTranslations(buf)


env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(HERE / "templates")),
                         autoescape=jinja2.select_autoescape(["html"]), extensions=["jinja2.ext.i18n"],
                         trim_blocks=True, lstrip_blocks=True)
env.install_gettext_translations(catalog(), newstyle=True)  # type: ignore[attr-defined]
DIRECTORY = env.get_template("directory.html")
HOME = env.get_template("home.html")
COMMON = {"locale": "it", "locale_names": {"it": "Italiano", "en": "English"}, "csrf_token": "x" * 32,
          "provinces": PROVINCES, "sectors": SECTORS, "coop_types": COOP_TYPES, "statuses": STATUSES}


async def page_of(con: asyncpg.Connection, network_id: int, *, public: bool, per_page: int,
                  page: int = 1) -> tuple[list[dict[str, Any]], int]:
    """count + one page + sectors + membership status: the four queries Federa's directory runs."""
    total = await con.fetchval(PUBLIC_COUNT if public else DIRECTORY_COUNT, network_id)
    rows = await con.fetch(PUBLIC_PAGE if public else DIRECTORY_PAGE, network_id, per_page,
                           (page - 1) * per_page)
    ids = [r["id"] for r in rows]
    sectors: dict[int, list[str]] = defaultdict(list)
    for cid, sector in await con.fetch(SECTORS_OF, ids):
        sectors[cid].append(sector)
    statuses = dict(await con.fetch(STATUSES_OF, network_id, ids))
    items = [{**r, "sectors": sectors[r["id"]], "membership_status": statuses.get(r["id"])} for r in rows]
    return items, total


async def directory(request: Request) -> HTMLResponse:
    network = request.app.state.network
    async with request.app.state.pool.acquire() as con:
        items, total = await page_of(con, network["id"], public=False, per_page=50)
    html = DIRECTORY.render(COMMON, network=network, items=items, total=total, pages=-(-total // 50),
                            signed_in=True, path=request.url.path)
    return HTMLResponse(html)


async def home(request: Request) -> HTMLResponse:
    network = request.app.state.network
    async with request.app.state.pool.acquire() as con:
        members, total = await page_of(con, network["id"], public=True, per_page=30)
        partners = await con.fetch(PARTNERS, network["id"])
    html = HOME.render(COMMON, network=network, members=members, total=total,
                       total_text=f"{total:,}".replace(",", "."), partners=partners, kinds=KINDS,
                       signed_in=False, path=request.url.path)
    return HTMLResponse(html)


@contextlib.asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    # The same pool bounds as Federa's (federa.db: minsize 1, maxsize 20).
    app.state.pool = await asyncpg.create_pool(os.environ["BENCH_DATABASE_URL"], min_size=1, max_size=20)
    app.state.network = dict(await app.state.pool.fetchrow(
        "SELECT id, slug, name, kind, region, description FROM network WHERE slug = $1", SLUG))
    try:
        yield
    finally:
        await app.state.pool.close()


app = Starlette(routes=[Route(f"/n/{SLUG}/directory", directory), Route(f"/n/{SLUG}/", home)],
                lifespan=lifespan)
