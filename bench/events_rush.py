"""Benchmark of a registration rush (issue 3): Federa's HTTP API next to a bare seat-claim baseline.

    .venv/bin/python bench/run.py events [--people 2000] [--clients 256] [--seats 500] [--rounds 2]

PostgreSQL only, loopback only, bounded (a fixed number of requests per run, a timeout per request).
It uses the bench database (federa_bench: created and migrated when missing) and its own network
`bench-corsi` with `--people` members, each with a fresh API token. Each run opens a fresh event
(`--seats` seats) and sends one registration per person from `--clients` concurrent keep-alive
connections:
- Federa: ONE web process (`federa serve`, uvicorn, no Redis), POST /api/v1/networks/bench-corsi/events/
  {id}/registrations with the person's bearer token — the whole path: token, tenancy, eligibility,
  answers, seat claim, registration, audit and outbox rows, waiting list;
- baseline (HTTP): bench/baseline_events.py, bare starlette + asyncpg with Federa's pool size, doing only
  the conditional UPDATE of the seat counter and the INSERT, in one transaction;
- baseline (no HTTP): the same two statements from this process straight to the pool, for reference.
After each run the database is checked: confirmed rows = the counter <= seats, one row per person.
Figures go between the `bench-events` markers of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent / "platform"), str(HERE.parent)]

import run  # noqa: E402 - bench/run.py: shared helpers (servers, CPU, machine facts)
from baseline_events import POOL_SIZE, claim  # noqa: E402

SLUG = "bench-corsi"
BEGIN, END = "<!-- bench-events:begin -->", "<!-- bench-events:end -->"
GOAL_RATIO = 0.4


@dataclass
class Person:
    id: int
    token: str


# ---------------------------------------------------------------- data


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
    await asyncio.to_thread(subprocess.run, [str(run.BIN / "federa"), "migrate"], env=run.federa_env(url),
                            check=True, cwd=run.ROOT, stdout=subprocess.DEVNULL)


async def people(n: int, *, used_tokens: bool = False) -> tuple[int, list[Person]]:
    """The bench network with n members (created once), each with a new API token: (network id, people)."""
    from federa.accounts.models import Affiliation, ApiToken
    from federa.accounts.models import Person as PersonRow
    from federa.networks.models import Cooperative, Membership, Network
    from federa.networks.reference import make_tax_code
    from federa.web.security import hash_token, new_token

    network = await Network.get_or_none(slug=SLUG)
    if network is None:
        network = await Network.create(slug=SLUG, name="Bench corsi", kind="consortium")
    coop = await Cooperative.get_or_none(tax_code=make_tax_code(990_001))
    if coop is None:
        coop = await Cooperative.create(tax_code=make_tax_code(990_001), legal_name="Cooperativa Bench",
                                        province="MI")
    await Membership.get_or_create(network=network, cooperative=coop, defaults={"status": "active"})
    have = await PersonRow.filter(email__startswith="rush-").count()
    if have < n:
        await PersonRow.bulk_create([PersonRow(email=f"rush-{i:05d}@bench.example.org", name=f"Rush {i}")
                                     for i in range(have, n)], batch_size=1000)
    found = await PersonRow.filter(email__startswith="rush-").order_by("email").limit(n)
    linked = set(await Affiliation.filter(cooperative_id=coop.id).values_list("person_id", flat=True))
    await Affiliation.bulk_create([Affiliation(person_id=p.id, cooperative_id=coop.id, role="member", status="active")
                                   for p in found if p.id not in linked], batch_size=1000)
    await ApiToken.filter(person_id__in=[p.id for p in found]).delete()
    tokens = {p.id: new_token("fed_") for p in found}
    used = datetime.now(UTC) if used_tokens else None  # used within the hour: no last_used_at write
    await ApiToken.bulk_create([ApiToken(person_id=pid, name="bench", token_hash=hash_token(t), prefix=t[:8],
                                         last_used_at=used) for pid, t in tokens.items()], batch_size=1000)
    return network.id, [Person(pid, t) for pid, t in tokens.items()]


async def discard_outbox(url: str) -> int:
    """Drop the e-mails earlier bench runs left queued: without Redis each new Federa process drains the
    outbox itself, and a backlog of tens of thousands of rows would be delivered during the measurement
    (it was: ~38 % of the list page's server CPU). Each run still delivers its own messages."""
    con = await asyncpg.connect(url)
    try:
        status = await con.execute("DELETE FROM outbox_message WHERE status IN ('queued', 'sending')")
    finally:
        await con.close()
    return int(status.split()[-1])


async def new_event(network_id: int, seats: int, title: str) -> int:
    from federa.events.models import Event, EventSession

    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=30)
    event = await Event.create(network_id=network_id, title=title, capacity=seats, status="published",
                               venue="Via del Bench 1, Milano", starts_at=start)
    await EventSession.create(event=event, starts_at=start, ends_at=start + timedelta(hours=3), hours=3)
    return event.id


async def verify(url: str, event_id: int, seats: int, expected: int) -> dict[str, Any]:
    """What the database holds after a run: oversold seats, counter drift, duplicates."""
    con = await asyncpg.connect(url)
    try:
        row = await con.fetchrow(
            "SELECT count(*) FILTER (WHERE status = 'confirmed') AS confirmed, "
            "count(*) FILTER (WHERE status = 'waiting') AS waiting, count(*) AS total, "
            "count(DISTINCT person_id) AS people FROM registration WHERE event_id = $1", event_id)
        counter = await con.fetchval("SELECT confirmed_count FROM event WHERE id = $1", event_id)
    finally:
        await con.close()
    found = dict(row) | {"counter": counter}
    found["oversold"] = max(0, found["confirmed"] - seats, counter - seats)
    found["ok"] = (found["oversold"] == 0 and found["confirmed"] == counter == min(seats, expected)
                   and found["total"] == found["people"] == expected)
    return found


# ---------------------------------------------------------------- load


async def http_rush(base: str, requests: list[bytes], clients: int) -> dict[str, Any]:
    """Send each prepared request once over `clients` keep-alive connections; latencies and statuses."""
    parts = httpx.URL(base)
    todo = list(reversed(requests))
    latencies: list[float] = []
    statuses: dict[int, int] = {}

    async def client() -> None:
        reader, writer = await asyncio.open_connection(parts.host, parts.port)
        try:
            while todo:
                request = todo.pop()
                start = time.perf_counter()
                writer.write(request)
                head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 60)
                length = int(head.lower().split(b"content-length: ", 1)[1].split(b"\r\n", 1)[0])
                await reader.readexactly(length)
                latencies.append(time.perf_counter() - start)
                status = int(head[9:12])
                statuses[status] = statuses.get(status, 0) + 1
        finally:
            writer.close()

    began = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    return summary(latencies, time.perf_counter() - began) | {"statuses": statuses}


async def direct_rush(url: str, event_id: int, persons: list[Person], clients: int) -> dict[str, Any]:
    """The baseline's two statements from this process, `clients` tasks sharing a pool of Federa's size."""
    pool = await asyncpg.create_pool(url, min_size=POOL_SIZE, max_size=POOL_SIZE)
    todo = [p.id for p in reversed(persons)]
    latencies: list[float] = []
    try:
        async def client() -> None:
            while todo:
                person_id = todo.pop()
                start = time.perf_counter()
                async with pool.acquire() as con:
                    await claim(con, event_id, person_id)
                latencies.append(time.perf_counter() - start)

        began = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(clients)))
        elapsed = time.perf_counter() - began
    finally:
        await pool.close()
    return summary(latencies, elapsed) | {"statuses": {201: len(latencies)}}


def summary(latencies: list[float], elapsed: float) -> dict[str, Any]:
    q = statistics.quantiles(latencies, n=100)
    return {"requests": len(latencies), "seconds": elapsed, "rps": len(latencies) / elapsed,
            "p50_ms": q[49] * 1000, "p99_ms": q[98] * 1000, "max_ms": max(latencies) * 1000}


def federa_request(host: str, event_id: int, person: Person) -> bytes:
    return (f"POST /api/v1/networks/{SLUG}/events/{event_id}/registrations HTTP/1.1\r\nHost: {host}\r\n"
            f"Authorization: Bearer {person.token}\r\nContent-Type: application/json\r\n"
            f"Content-Length: 2\r\n\r\n{{}}").encode()


def baseline_request(host: str, event_id: int, person: Person) -> bytes:
    return (f"POST /events/{event_id}/registrations HTTP/1.1\r\nHost: {host}\r\nX-Person: {person.id}\r\n"
            f"Content-Length: 0\r\n\r\n").encode()


# ---------------------------------------------------------------- runs


@dataclass
class Target:
    key: str
    label: str
    base: str = ""
    pid: int = 0
    build: Callable[[str, int, Person], bytes] | None = None


async def one_run(target: Target, args: argparse.Namespace, network_id: int, persons: list[Person],
                  label: str) -> dict[str, Any]:
    event_id = await new_event(network_id, args.seats, f"Bench {target.key} {label}")
    backends = await run.backend_pids(args.database_url)
    pids = [target.pid] if target.pid else [os.getpid()]
    before = run.cpu_seconds(pids), run.cpu_seconds(backends)
    if target.build is None:
        result = await direct_rush(args.database_url, event_id, persons, args.clients)
    else:
        host = target.base.removeprefix("http://")
        result = await http_rush(target.base, [target.build(host, event_id, p) for p in persons], args.clients)
    n = max(1, result["requests"])
    result["server_cpu_ms"] = (run.cpu_seconds(pids) - before[0]) * 1000 / n
    result["postgres_cpu_ms"] = (run.cpu_seconds(await run.backend_pids(args.database_url)) - before[1]) * 1000 / n
    result["db"] = await verify(args.database_url, event_id, args.seats, len(persons))
    result["loadavg"] = os.getloadavg()[0]
    return result


async def measure(targets: list[Target], args: argparse.Namespace, network_id: int,
                  persons: list[Person]) -> dict[str, list[dict]]:
    runs: dict[str, list[dict]] = {t.key: [] for t in targets}
    for t in targets:  # warm-up: pools, caches, imports
        if t.build is not None:
            await one_run(t, args, network_id, persons[: args.warmup], "warm-up")
    for round_no in range(args.rounds):
        for t in targets if round_no % 2 == 0 else targets[::-1]:
            r = await one_run(t, args, network_id, persons, f"round {round_no + 1}")
            runs[t.key].append(r)
            db = r["db"]
            print(f"  round {round_no + 1} {t.label:28} {r['rps']:7.1f} reg/s  p50 {r['p50_ms']:7.1f} ms  "
                  f"p99 {r['p99_ms']:7.1f} ms  cpu {r['server_cpu_ms']:5.2f}+{r['postgres_cpu_ms']:4.2f} ms/reg  "
                  f"statuses {r['statuses']}  confirmed {db['confirmed']} waiting {db['waiting']} "
                  f"oversold {db['oversold']} {'ok' if db['ok'] else 'NOT OK'}")
    return runs


def summarise(runs: dict[str, list[dict]]) -> dict[str, Any]:
    def med(key: str, field: str) -> float:
        return float(statistics.median(r[field] for r in runs[key]))

    rows = {key: {field: med(key, field) for field in ("rps", "p50_ms", "p99_ms", "server_cpu_ms",
                                                       "postgres_cpu_ms")} for key in runs}
    ratios = [f["rps"] / b["rps"] for f, b in zip(runs["federa"], runs["baseline"], strict=True)]
    ratio = statistics.median(ratios)
    oversold = sum(r["db"]["oversold"] for rs in runs.values() for r in rs)
    all_ok = all(r["db"]["ok"] for rs in runs.values() for r in rs)
    return {"rows": rows, "ratio": ratio, "ratios_per_round": ratios, "ratio_met": ratio >= GOAL_RATIO,
            "direct_ratio": rows["federa"]["rps"] / rows["direct"]["rps"], "oversold": oversold,
            "db_ok": all_ok}


def markdown(report: dict[str, Any]) -> str:
    m, a, s = report["machine"], report["args"], report["summary"]
    rows = s["rows"]
    labels = {"federa": "Federa API (`federa serve`, 1 process)",
              "baseline": "baseline over HTTP (bench/baseline_events.py)",
              "direct": "baseline without HTTP (asyncpg pool in the load process)"}
    lines = [
        BEGIN,
        f"## Registration rush: latest run {report['date']}",
        "",
        f"`{report['command']}` — {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB; Python {m['python']}, "
        f"PostgreSQL {m['postgresql']}; " + ", ".join(f"{k} {v}" for k, v in m["packages"].items())
        + f". Load average {m['loadavg_start']:.2f} at the start, {report['loadavg_end']:.2f} at the end.",
        "",
        f"{a['people']:,} registrations (one per person, each with their own bearer token) from {a['clients']} "
        f"concurrent keep-alive connections for an event of {a['seats']} seats, a fresh event per run; "
        f"{a['rounds']} rounds in alternating order (medians shown), after a warm-up of {a['warmup']}. "
        f"Pool size {POOL_SIZE} for Federa and both baselines.",
        "",
        "| target | registrations/s | vs HTTP baseline | p50 | p99 | server CPU/reg | PostgreSQL CPU/reg |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for key in ("federa", "baseline", "direct"):
        r = rows[key]
        lines.append(f"| {labels[key]} | {r['rps']:.0f} | **{r['rps'] / rows['baseline']['rps']:.2f}** | "
                     f"{r['p50_ms']:.0f} ms | {r['p99_ms']:.0f} ms | {r['server_cpu_ms']:.2f} ms | "
                     f"{r['postgres_cpu_ms']:.2f} ms |")
    lines += [
        "",
        f"Goal (≥ {GOAL_RATIO:.0%} of the baseline's registrations/s, 0 oversold): throughput "
        f"{'met' if s['ratio_met'] else '**not met**'} ({s['ratio']:.0%} of the HTTP baseline; per round "
        + ", ".join(f"{x:.0%}" for x in s["ratios_per_round"])
        + f"; {s['direct_ratio']:.0%} of the no-HTTP baseline); oversold seats after every run: "
        f"**{s['oversold']}**; database checks (confirmed = counter = seats, one row per person): "
        f"{'all passed' if s['db_ok'] else '**FAILED**'}.",
        "",
        f"Raw figures: `bench/out/{report['json_name']}`.",
        END,
    ]
    return "\n".join(lines)


def write_results(report: dict[str, Any], begin: str, end: str, block: str) -> None:
    """Replace one generated block of RESULTS.md (added under the issue-3 heading when missing)."""
    path = HERE / "RESULTS.md"
    text = path.read_text()
    if begin in text and end in text:
        text = text[: text.index(begin)] + block + text[text.index(end) + len(end):]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text)


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="bench/run.py events", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", run.DEFAULT_DB))
    p.add_argument("--people", type=int, default=2000, help="registrations per run (one per person)")
    p.add_argument("--clients", type=int, default=256, help="concurrent connections")
    p.add_argument("--seats", type=int, default=500)
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--warmup", type=int, default=200, help="registrations sent to each server first")
    p.add_argument("--redis", default="", metavar="URL",
                   help="give Federa a Redis queue (messages go to arq, no drainer in the web process); "
                        "the default is the embedded mode of the directory benchmark")
    p.add_argument("--federa-path", default="", metavar="DIR",
                   help="serve Federa from another source tree (a platform/ directory): before/after comparisons")
    p.add_argument("--used-tokens", action="store_true",
                   help="tokens used in the last hour (no last_used_at write); default: each token's first use")
    p.add_argument("--skip-list", action="store_true", help="only the rush, not the event list page")
    p.add_argument("--list-only", action="store_true", help="only the event list page")
    p.add_argument("--quick", action="store_true", help="the list page: one short round, no paced run")
    p.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md alone")
    return p.parse_args(argv)


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    from federa import db

    await ensure_database(args.database_url)
    await db.open_database(args.database_url)
    try:
        network_id, persons = await people(args.people, used_tokens=args.used_tokens)
        await discard_outbox(args.database_url)
        facts = await asyncio.to_thread(run.machine, args.database_url, None)  # it runs its own loop
        env = run.federa_env(args.database_url) | ({"FEDERA_REDIS_URL": args.redis} if args.redis else {}) \
            | ({"PYTHONPATH": args.federa_path} if args.federa_path else {})
        federa_url, baseline_url = f"http://127.0.0.1:{run.free_port()}", f"http://127.0.0.1:{run.free_port()}"
        federa_argv = [str(run.BIN / "federa"), "serve", "--port", federa_url.rsplit(":", 1)[1]]
        baseline_argv = [str(run.BIN / "uvicorn"), "bench.baseline_events:app", "--port",
                         baseline_url.rsplit(":", 1)[1], "--log-level", "warning", "--backlog", "2048"]
        with run.serve(federa_argv, env, federa_url + "/livez", run.OUT / "federa-events.log") as federa, \
                run.serve(baseline_argv, env, baseline_url + "/livez", run.OUT / "baseline-events.log") as base:
            targets = [Target("baseline", "baseline (HTTP)", baseline_url, base.pid, baseline_request),
                       Target("federa", "Federa API", federa_url, federa.pid, federa_request),
                       Target("direct", "baseline (no HTTP)")]
            runs = await measure(targets, args, network_id, persons)
    finally:
        await db.close_database()
    return {"machine": facts, "runs": runs, "summary": summarise(runs)}


def main(argv: list[str]) -> None:
    args = parse_args(argv)
    run.OUT.mkdir(exist_ok=True)
    if not args.list_only:
        rush(args, argv)
    if not args.skip_list:
        event_list(args)


def rush(args: argparse.Namespace, argv: list[str]) -> None:
    loadavg_start = os.getloadavg()[0]
    result = asyncio.run(main_async(args))
    now = datetime.now(UTC)
    report = {"date": now.strftime("%Y-%m-%d %H:%M UTC"), "command": "make bench  # bench/run.py events "
              + " ".join(argv), "args": vars(args), **result, "loadavg_end": os.getloadavg()[0],
              "json_name": f"bench-events-{now:%Y%m%dT%H%M%S}.json"}
    report["machine"]["loadavg_start"] = loadavg_start
    (run.OUT / report["json_name"]).write_text(json.dumps(report, indent=2))
    print(markdown(report))
    if not args.no_write:
        write_results(report, BEGIN, END, markdown(report))


def event_list(args: argparse.Namespace) -> None:
    """The event list page next to its baseline (bench/events_list.py)."""
    import events_list

    from federa import db

    async def prepare() -> int:
        await ensure_database(args.database_url)
        await db.open_database(args.database_url)
        try:
            await discard_outbox(args.database_url)
            return await events_list.ensure_data()
        finally:
            await db.close_database()

    loadavg_start = os.getloadavg()[0]
    person_id = asyncio.run(prepare())
    load_args = events_list.args_for(args.database_url, quick=args.quick)
    result = events_list.measure(load_args, run.federa_env(args.database_url), person_id)
    now = datetime.now(UTC)
    report = {"date": now.strftime("%Y-%m-%d %H:%M UTC"), "args": vars(load_args), **result,
              "summary": events_list.summarise(result), "loadavg_start": loadavg_start,
              "loadavg_end": os.getloadavg()[0]}
    (run.OUT / f"bench-events-list-{now:%Y%m%dT%H%M%S}.json").write_text(json.dumps(report, indent=2))
    text = events_list.markdown(report)
    print(text)
    if not args.no_write:
        write_results(report, events_list.BEGIN, events_list.END, text)


if __name__ == "__main__":
    main(sys.argv[1:])
