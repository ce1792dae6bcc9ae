"""Benchmark of a working group's page (issue 4): a group with 500 members and 1,000 threads.

    .venv/bin/python bench/group_page.py [--duration 15] [--rounds 2] [--connections 32]

PostgreSQL only, everything on 127.0.0.1 and bounded in time, on its own database (federa_bench_groups,
migrated and seeded once: network `bench-gruppo`, 20 cooperatives, a group with 500 members of which 5
coordinate it, 1,000 threads with a post each, 3 upcoming events of the group). ONE Federa web process
(uvicorn, no Redis) shows /n/bench-gruppo/groups/{id} to a member signed in through the real form; the
baseline, served from this module (`uvicorn bench.group_page:baseline_app`), is bare starlette + asyncpg +
jinja2 running the same reads (the group, its coordinators and first members with their cooperatives, the
upcoming events, the latest threads) and rendering the same sections, without sessions, access checks,
tenancy or ORM. Each target alone, warm-up then a bounded run, rounds in alternating order; the figures
that compare are the Federa/baseline ratios of one run. The page's query count is taken in-process from
Tortoise's statement log. Writes bench/out/group-page-*.json; RESULTS.md is left alone.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import re
import statistics
import sys
from collections import defaultdict
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import asyncpg
import jinja2
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/federa_bench_groups"
SLUG = "bench-gruppo"
MEMBERS, COORDINATORS, THREADS, COOPS = 500, 5, 1000, 20
VIEWER = ("membro@bench-gruppo.example.org", "bench-gruppo-2026")
GROUP_NAME = "Gruppo di lavoro del benchmark"
NAME = re.compile(r"<li>\s*<strong>([^<]+)</strong>")


# ----- the baseline: the same reads, the same sections, nothing else ------------------------------------------

GROUP = ("SELECT g.id, g.name, g.purpose_html, g.member_count, g.join_policy, g.sector FROM working_group g "
         "JOIN network n ON n.id = g.network_id WHERE n.slug = $1 AND g.id = $2")
ROLE = "SELECT role FROM group_member WHERE group_id = $1 AND person_id = $2"
PEOPLE = ("SELECT m.person_id, p.name FROM group_member m JOIN person p ON p.id = m.person_id "
          "WHERE m.group_id = $1 AND m.role = $2 ORDER BY p.name, m.id LIMIT $3")
COOPS_OF = ("SELECT a.person_id, c.legal_name FROM affiliation a JOIN cooperative c ON c.id = a.cooperative_id "
            "WHERE a.person_id = ANY($1::int[]) AND a.status = 'active' ORDER BY c.legal_name")
EVENTS = ("SELECT e.id, e.title, min(s.starts_at) AS starts_at FROM event e JOIN event_session s ON s.event_id = e.id "
          "WHERE e.group_id = $1 AND e.status = 'published' AND s.ends_at >= now() GROUP BY e.id "
          "ORDER BY min(s.starts_at), e.id LIMIT 5")
THREADS_OF = ("SELECT t.id, t.title, t.post_count, t.last_post_at, p.name AS author FROM discussion_thread t "
              "LEFT JOIN person p ON p.id = t.author_id WHERE t.group_id = $1 ORDER BY t.last_post_at DESC, t.id DESC "
              "LIMIT 5")
PAGE = """{% extends "base.html" %}
{% block content %}
<article class="group"><h1>{{ group.name }}</h1>
<section class="prose">{{ group.purpose_html|safe }}</section>
<dl class="facts"><dt>Membri</dt><dd>{{ group.member_count }}</dd></dl>
<section><h2>Partecipare</h2><p class="notice notice-ok">Fai parte di questo gruppo.</p></section>
<section><h2>Prossimi eventi</h2><ul class="people-list">
{% for e in events %}
<li><a href="/n/{{ network.slug }}/events/{{ e.id }}">{{ e.title }}</a> — {{ e.starts_at }}</li>
{% endfor %}
</ul></section>
<section><h2>Discussioni</h2><ul class="cards">
{% for t in threads %}
<li class="card"><a href="#">{{ t.title }}</a> {{ t.author }} · {{ t.post_count }} · {{ t.last_post_at }}</li>
{% endfor %}
</ul></section>
<section><h2>Risorse</h2><p><a href="/n/{{ network.slug }}/library?group={{ group.id }}">Biblioteca</a></p></section>
<section><h2>Membri</h2><h3>Coordinatori</h3><ul class="people-list">
{% for p in coordinators %}
<li><strong>{{ p.name }}</strong> <span class="meta">· {{ p.coops|join(", ") }}</span></li>
{% endfor %}
</ul><h3>Membri</h3><ul class="people-list">
{% for p in members %}
<li><strong>{{ p.name }}</strong> <span class="meta">· {{ p.coops|join(", ") }}</span></li>
{% endfor %}
</ul></section></article>
{% endblock %}"""


def _env() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.ChoiceLoader([jinja2.DictLoader({"group.html": PAGE}),
                                                         jinja2.FileSystemLoader(str(HERE / "templates"))]),
                             autoescape=True, extensions=["jinja2.ext.i18n"])
    env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    return env


async def _people(con: asyncpg.Connection, group_id: int, role: str, limit: int) -> list[Any]:
    return [SimpleNamespace(id=r["person_id"], name=r["name"], coops=[])
            for r in await con.fetch(PEOPLE, group_id, role, limit)]


async def baseline_page(request: Request) -> Response:
    person_id = int(request.query_params["person"])
    async with request.app.state.pool.acquire() as con:
        group = await con.fetchrow(GROUP, request.path_params["slug"], request.path_params["group_id"])
        if group is None or await con.fetchval(ROLE, group["id"], person_id) is None:
            return Response("not found", status_code=404)
        coordinators = await _people(con, group["id"], "coordinator", 50)
        members = await _people(con, group["id"], "member", 24)
        coops: dict[int, list[str]] = defaultdict(list)
        for row in await con.fetch(COOPS_OF, [p.id for p in (*coordinators, *members)]):
            coops[row["person_id"]].append(row["legal_name"])
        events = await con.fetch(EVENTS, group["id"])
        threads = await con.fetch(THREADS_OF, group["id"])
    for p in (*coordinators, *members):
        p.coops = coops[p.id]
    html = request.app.state.page.render(
        locale="it", locale_names={"it": "Italiano"}, csrf_token="x" * 32, signed_in=True, path=request.url.path,
        network={"slug": request.path_params["slug"], "name": "Bench gruppo"}, group=group, events=events,
        threads=threads, coordinators=coordinators, members=members)
    return HTMLResponse(html)


async def livez(request: Request) -> Response:
    return Response("ok")


@contextlib.asynccontextmanager
async def _lifespan(app: Starlette) -> AsyncIterator[None]:
    app.state.pool = await asyncpg.create_pool(os.environ["BENCH_DATABASE_URL"], min_size=1, max_size=20)
    app.state.page = _env().get_template("group.html")
    try:
        yield
    finally:
        await app.state.pool.close()


baseline_app = Starlette(routes=[Route("/n/{slug}/groups/{group_id:int}", baseline_page), Route("/livez", livez)],
                         lifespan=_lifespan)


# ----- data --------------------------------------------------------------------------------------------------

async def ensure_database(url: str) -> None:
    name = url.rsplit("/", 1)[-1]
    if name.startswith("test") or name in ("postgres", "template0", "template1"):
        raise SystemExit(f"refusing to use database {name!r}: the benchmark needs its own")
    admin = await asyncpg.connect(url.rsplit("/", 1)[0] + "/postgres")
    try:
        if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()


async def seed() -> tuple[int, int]:
    """The network, cooperatives, people, the group, its threads and events (created once): (group, viewer)."""
    from federa.accounts.models import Affiliation, Person
    from federa.groups.models import WorkingGroup
    from federa.networks.models import Network
    from federa.web.security import hash_password

    network = await Network.get_or_none(slug=SLUG)
    if network is None:
        network = await Network.create(slug=SLUG, name="Bench gruppo", kind="consortium")
    group = await WorkingGroup.get_or_none(network_id=network.id, name=GROUP_NAME)
    if group is None:
        group = await _fill(network)
    viewer = await Person.get_or_none(email=VIEWER[0])
    if viewer is None:
        viewer = await Person.create(email=VIEWER[0], name="Membro Bench", password_hash=hash_password(VIEWER[1]))
        coop = await Affiliation.filter(person__email__endswith="@bench-gruppo.example.org").first()
        assert coop is not None
        await Affiliation.create(person=viewer, cooperative_id=coop.cooperative_id, role="member")
        from federa.groups.models import GroupMember

        await GroupMember.create(network=network, group=group, person=viewer, role="member")
    return group.id, viewer.id


async def _fill(network: Any) -> Any:
    from tortoise.transactions import in_transaction

    from federa.accounts.models import Affiliation, Person
    from federa.events.models import Event, EventSession
    from federa.groups.discussion_models import Post, Thread
    from federa.groups.models import GroupMember, WorkingGroup
    from federa.networks.models import Cooperative, Membership
    from federa.networks.reference import make_tax_code
    from federa.web.markdown import render_markdown

    now = datetime.now(UTC)
    async with in_transaction():
        coops = [await Cooperative.create(legal_name=f"Cooperativa Sociale Bench {i:02d}", province="FI",
                                          tax_code=make_tax_code(880_000 + i)) for i in range(COOPS)]
        await Membership.bulk_create([Membership(network_id=network.id, cooperative_id=c.id, status="active")
                                      for c in coops])
        await Person.bulk_create([Person(email=f"persona{i:04d}@bench-gruppo.example.org", name=f"Persona {i:04d}")
                                  for i in range(MEMBERS - 1)], batch_size=500)
        people = await Person.filter(email__startswith="persona", email__endswith="@bench-gruppo.example.org"
                                     ).order_by("id")
        await Affiliation.bulk_create([Affiliation(person_id=p.id, cooperative_id=coops[i % COOPS].id, role="member")
                                       for i, p in enumerate(people)], batch_size=500)
        purpose = "Un gruppo **di prova** per misurare la pagina:\n\n- membri\n- discussioni\n- eventi"
        group = await WorkingGroup.create(network=network, name=GROUP_NAME, purpose=purpose,
                                          purpose_html=render_markdown(purpose), member_count=MEMBERS,
                                          join_policy="request", sector="minori")
        await GroupMember.bulk_create([GroupMember(network_id=network.id, group_id=group.id, person_id=p.id,
                                                   role="coordinator" if i < COORDINATORS else "member")
                                       for i, p in enumerate(people)], batch_size=500)
        await Thread.bulk_create([Thread(network_id=network.id, group_id=group.id, title=f"Discussione {i:04d}",
                                         author_id=people[i % len(people)].id, post_count=1,
                                         last_post_at=now - timedelta(minutes=i)) for i in range(THREADS)],
                                 batch_size=500)
        threads = await Thread.filter(group_id=group.id).order_by("id")
        await Post.bulk_create([Post(network_id=network.id, thread_id=t.id, author_id=t.author_id, body="Ciao",
                                     body_html="<p>Ciao</p>") for t in threads], batch_size=500)
        for i in range(3):
            start = now + timedelta(days=10 + i)
            event = await Event.create(network=network, title=f"Incontro del gruppo {i + 1}", capacity=30,
                                       status="published", venue="Via Roma 1", starts_at=start, group=group)
            await EventSession.create(event=event, starts_at=start, ends_at=start + timedelta(hours=2), hours=2)
    return group


# ----- the query count -----------------------------------------------------------------------------------

class _Count(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.statements: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().lstrip().upper().startswith(("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")):
            self.statements.append(record.getMessage())


async def query_count(url: str, group_id: int) -> int:
    """The SQL statements of one group page for the signed-in viewer (in-process, the app as deployed)."""
    import httpx
    from asgi_lifespan import LifespanManager

    from federa.app import create_app
    from federa.settings import Settings

    settings = Settings.from_env(env={}, database_url=url, secret_key="q" * 40, var_dir=HERE / "out" / "var",
                                 run_drainer=False, base_url="http://bench")
    async with LifespanManager(create_app(settings, own_database=False)) as manager, httpx.AsyncClient(
            transport=httpx.ASGITransport(app=manager.app), base_url="http://bench") as client:
        page = await client.get("/signin")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token is not None
        signed = await client.post("/signin", data={"email": VIEWER[0], "password": VIEWER[1], "csrf_token": token[1]})
        assert signed.status_code == 303, signed.status_code
        path = f"/n/{SLUG}/groups/{group_id}"
        assert (await client.get(path)).status_code == 200  # warm: the session's first use is recorded once
        logger, counter = logging.getLogger("tortoise.db_client"), _Count()
        logger.setLevel(logging.DEBUG)
        logger.propagate = False
        logger.addHandler(counter)
        try:
            assert (await client.get(path)).status_code == 200
        finally:
            logger.removeHandler(counter)
    return len(counter.statements)


async def prepare(url: str) -> tuple[int, int, int]:
    from federa import db

    await ensure_database(url)
    await db.migrate(url)
    await db.open_database(url)
    try:
        group_id, viewer_id = await seed()
        con = await asyncpg.connect(url)
        try:
            await con.execute("ANALYZE")
        finally:
            await con.close()
        return group_id, viewer_id, await query_count(url, group_id)
    finally:
        await db.close_database()


# ----- the run -------------------------------------------------------------------------------------------

def main() -> None:
    sys.path[:0] = [str(ROOT / "platform"), str(ROOT), str(HERE)]
    import run  # bench/run.py: serve, sign-in-free load generator, CPU accounting

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_GROUPS_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--duration", type=float, default=15.0)
    parser.add_argument("--warmup", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    run.OUT.mkdir(exist_ok=True)
    group_id, viewer_id, queries = asyncio.run(prepare(args.database_url))
    print(f"group {group_id}: {MEMBERS} members, {THREADS} threads; the page runs {queries} SQL statements")
    tool = run.ensure_wrk()
    servers = run.Servers(f"http://127.0.0.1:{run.free_port()}", f"http://127.0.0.1:{run.free_port()}")
    env = run.federa_env(args.database_url) | {"FEDERA_SECRET_KEY": "g" * 40,
                                               "PYTHONPATH": f"{ROOT / 'platform'}:{ROOT}"}
    uvicorn = str(run.BIN / "uvicorn")
    federa_argv = [uvicorn, "federa.asgi:app", "--port", servers.federa.rsplit(":", 1)[1], "--log-level",
                   "warning", "--no-access-log"]
    baseline_argv = [uvicorn, "bench.group_page:baseline_app", "--port", servers.baseline.rsplit(":", 1)[1],
                     "--log-level", "warning", "--no-access-log"]
    path = f"/n/{SLUG}/groups/{group_id}"
    with run.serve(federa_argv, env, servers.federa + "/livez", run.OUT / "federa-group.log") as federa, \
            run.serve(baseline_argv, env, servers.baseline + "/livez", run.OUT / "baseline-group.log") as base:
        servers.pids = {"federa": federa.pid, "baseline": base.pid}
        targets = [run.Target("baseline_group", "baseline group page", "baseline", f"{path}?person={viewer_id}", 0),
                   run.Target("federa_group", "Federa group page (member)", "federa", path, 0,
                              _sign_in(servers.federa))]
        sizes = _same_people(servers, targets)
        runs = run.measure(tool, servers, targets, args)
    report = _summary(runs, queries, sizes, args, tool)
    now = datetime.now(UTC)
    (run.OUT / f"group-page-{now:%Y%m%dT%H%M%S}.json").write_text(json.dumps(
        {"date": now.isoformat(), "args": vars(args), "runs": runs, "summary": report}, indent=2, default=str))
    print(json.dumps(report, indent=2))


def _sign_in(base: str) -> str:
    import httpx

    with httpx.Client(base_url=base, timeout=10) as client:
        page = client.get("/signin")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token, "no CSRF token on /signin"
        response = client.post("/signin", data={"email": VIEWER[0], "password": VIEWER[1], "csrf_token": token[1]})
        assert response.status_code == 303, f"sign-in failed: {response.status_code}"
        return str(client.cookies["federa_session"])


def _same_people(servers: Any, targets: list[Any]) -> dict[str, int]:
    """Both servers show the same coordinators and members in the same order: each page's size."""
    import httpx

    names, sizes = {}, {}
    for t in targets:
        headers = {"Cookie": f"federa_session={t.cookie}"} if t.cookie else {}
        response = httpx.get(servers.url(t), headers=headers, timeout=10)
        assert response.status_code == 200, f"{t.key}: {response.status_code}"
        names[t.key], sizes[t.key] = NAME.findall(response.text), len(response.content)
    assert names["federa_group"] == names["baseline_group"] and len(names["federa_group"]) == COORDINATORS + 24, names
    return sizes


def _summary(runs: dict, queries: int, sizes: dict[str, int], args: argparse.Namespace, tool: str | None) -> dict:
    fed, base = runs["federa_group"], runs["baseline_group"]
    ratios = [f["rps"] / b["rps"] for f, b in zip(fed, base, strict=True)]

    def med(rows: list[dict], key: str) -> float:
        return float(statistics.median(r[key] for r in rows))

    return {"members": MEMBERS, "threads": THREADS, "queries_per_page": queries, "load_generator": tool or "python",
            "connections": args.connections, "federa_rps": med(fed, "rps"), "baseline_rps": med(base, "rps"),
            "ratio": statistics.median(ratios), "ratios_per_round": ratios, "federa_p50_ms": med(fed, "p50_ms"),
            "federa_p99_ms": med(fed, "p99_ms"), "baseline_p99_ms": med(base, "p99_ms"),
            "federa_cpu_ms": med(fed, "server_cpu_ms"), "federa_pg_cpu_ms": med(fed, "postgres_cpu_ms"),
            "baseline_cpu_ms": med(base, "server_cpu_ms"), "errors": sum(r["errors"] for r in fed + base),
            "sizes": sizes, "loadavg_end": os.getloadavg()[0]}


if __name__ == "__main__":
    main()
