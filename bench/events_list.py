"""Benchmark of the event list page (issue 3): Federa's /n/{slug}/events next to a bare baseline.

    .venv/bin/python bench/run.py events [--skip-list | --list-only] [...]   (after the registration rush)

The same method and goal as the directory page (bench/run.py): its own network `bench-calendario`
(created once: EVENTS upcoming events over the next months, 1–3 sessions each, sectors, provinces, some
full, a member registered to a few), ONE Federa web process (`federa serve`) showing the page to that
member (signed in through the real form), and the baseline (bench/baseline_events.py: the same four
queries and the same card markup, no sessions, access checks, tenancy or ORM). Both must list the same
events in the same order. Each target alone under wrk (64 connections), warm-up then a bounded run,
rounds in alternating order, then a paced run for latency at a moderate load.
"""

from __future__ import annotations

import argparse
import re
import statistics
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import run

SLUG = "bench-calendario"
EVENTS = 60
MEMBER = ("membro@bench-calendario.example.org", "bench-calendario-2026")
PAGE_ROWS = 20
BEGIN, END = "<!-- bench-events-list:begin -->", "<!-- bench-events-list:end -->"
TITLE = re.compile(r'class="card-title"><a href="[^"]+">([^<]+)<')


async def ensure_data() -> int:
    """The network, its events and the member (created once); the member's person id."""
    from federa.accounts.models import Affiliation, Person
    from federa.events.models import Event, EventSession, Registration
    from federa.networks.models import Cooperative, Membership, Network
    from federa.networks.reference import make_tax_code
    from federa.web.security import hash_password

    network = await Network.get_or_none(slug=SLUG)
    if network is None:
        network = await Network.create(slug=SLUG, name="Bench calendario", kind="consortium")
    coop, _ = await Cooperative.get_or_create(tax_code=make_tax_code(990_002),
                                              defaults={"legal_name": "Cooperativa Calendario", "province": "TO"})
    await Membership.get_or_create(network=network, cooperative=coop, defaults={"status": "active"})
    member = await Person.get_or_none(email=MEMBER[0])
    if member is None:
        member = await Person.create(email=MEMBER[0], name="Membro Bench", password_hash=hash_password(MEMBER[1]))
        await Affiliation.create(person=member, cooperative=coop, role="member", status="active")
    if await Event.filter(network_id=network.id).count() < EVENTS:
        await Event.filter(network_id=network.id).delete()
        start = datetime.now(UTC).replace(hour=8, minute=0, second=0, microsecond=0) + timedelta(days=60)
        sectors, provinces = ("minori", "anziani", "disabili", "psichiatria"), ("TO", "MI", "FI", "RM", "NA")
        for i in range(EVENTS):
            first = start + timedelta(days=3 * i, hours=i % 5)
            event = await Event.create(
                network=network, title=f"Percorso formativo {i + 1:03d}", status="published",
                audience=("network", "partners", "public")[i % 3], capacity=20 + i % 7 * 5,
                confirmed_count=(20 + i % 7 * 5) if i % 9 == 0 else i % 11, sectors=f",{sectors[i % 4]},",
                venue="" if i % 4 == 3 else f"Via dei Corsi {i}", province="" if i % 4 == 3 else provinces[i % 5],
                online_url="https://meet.example.org/corso" if i % 4 in (2, 3) else "", starts_at=first)
            for n in range(1 + i % 3):
                when = first + timedelta(days=7 * n)
                await EventSession.create(event=event, starts_at=when, ends_at=when + timedelta(hours=3), hours=3)
            if i % 6 == 1:
                await Registration.create(network=network, event=event, person=member,
                                          status="waiting" if i % 12 == 1 else "confirmed")
    return int(member.id)


def sign_in(base: str) -> str:
    with httpx.Client(base_url=base, timeout=10) as client:
        page = client.get("/signin")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token, "no CSRF token on /signin"
        response = client.post("/signin", data={"email": MEMBER[0], "password": MEMBER[1], "csrf_token": token[1]})
        assert response.status_code == 303, f"sign-in failed: {response.status_code}"
        return str(client.cookies["federa_session"])


def same_events(servers: run.Servers, targets: list[run.Target]) -> dict[str, int]:
    """Both servers list the same events in the same order: each page's size."""
    sizes, titles = {}, {}
    for t in targets:
        headers = {"Cookie": f"federa_session={t.cookie}"} if t.cookie else {}
        response = httpx.get(servers.url(t), headers=headers, timeout=10)
        assert response.status_code == 200, f"{t.key}: {response.status_code}"
        titles[t.key], sizes[t.key] = TITLE.findall(response.text), len(response.content)
        assert len(titles[t.key]) == t.rows, f"{t.key}: {len(titles[t.key])} events, expected {t.rows}"
    assert titles["federa_events"] == titles["baseline_events"], "the two servers list other events"
    return sizes


def measure(args: argparse.Namespace, env: dict[str, str], person_id: int) -> dict[str, Any]:
    tool = run.ensure_wrk()
    servers = run.Servers(f"http://127.0.0.1:{run.free_port()}", f"http://127.0.0.1:{run.free_port()}")
    federa_argv = [str(run.BIN / "federa"), "serve", "--port", servers.federa.rsplit(":", 1)[1]]
    baseline_argv = [str(run.BIN / "uvicorn"), "bench.baseline_events:app", "--port",
                     servers.baseline.rsplit(":", 1)[1], "--log-level", "warning"]
    with run.serve(federa_argv, env, servers.federa + "/livez", run.OUT / "federa-list.log") as federa, \
            run.serve(baseline_argv, env, servers.baseline + "/livez", run.OUT / "baseline-list.log") as base:
        servers.pids = {"federa": federa.pid, "baseline": base.pid}
        path = f"/n/{SLUG}/events"
        targets = [  # the baseline has no sessions: it is told whose page it shows
            run.Target("baseline_events", "baseline event list", "baseline", f"{path}?person={person_id}",
                       PAGE_ROWS),
            run.Target("federa_events", "Federa event list (member)", "federa", path, PAGE_ROWS,
                       sign_in(servers.federa))]
        sizes = same_events(servers, targets)
        runs = run.measure(tool, servers, targets, args)
        paced = run.measure_paced(tool, servers, targets, runs, args) if args.paced_share > 0 else {}
    return {"tool": tool, "sizes": sizes, "runs": runs, "paced": paced}


def summarise(result: dict[str, Any]) -> dict[str, Any]:
    runs, paced = result["runs"], result["paced"]
    fed, base = runs["federa_events"], runs["baseline_events"]
    ratios = [f["rps"] / b["rps"] for f, b in zip(fed, base, strict=True)]
    row = {"federa_rps": run.median(fed, "rps"), "baseline_rps": run.median(base, "rps"),
           "federa_p50_ms": run.median(fed, "p50_ms"), "federa_p99_ms": run.median(fed, "p99_ms"),
           "baseline_p99_ms": run.median(base, "p99_ms"), "ratio": statistics.median(ratios),
           "ratios_per_round": ratios, "federa_cpu_ms": run.median(fed, "server_cpu_ms"),
           "baseline_cpu_ms": run.median(base, "server_cpu_ms"), "federa_pg_cpu_ms": run.median(fed, "postgres_cpu_ms"),
           "baseline_pg_cpu_ms": run.median(base, "postgres_cpu_ms")}
    if paced:
        row["paced"] = {"offered_rps": paced["federa_events"]["offered_rps"],
                        "federa_p99_ms": paced["federa_events"]["p99_ms"],
                        "baseline_p99_ms": paced["baseline_events"]["p99_ms"]}
    row["ratio_met"] = row["ratio"] >= run.GOAL_RATIO
    row["p99_met"] = row["federa_p99_ms"] < run.GOAL_P99_MS
    return row


def markdown(report: dict[str, Any]) -> str:
    r, a = report["summary"], report["args"]
    lines = [
        BEGIN,
        f"## Event list page: latest run {report['date']}",
        "",
        f"`/n/{SLUG}/events` for a signed-in member ({PAGE_ROWS} of {EVENTS} upcoming events, 1–3 sessions each); "
        f"load by {report['tool'] or 'python'}, {a['connections']} connections, {a['warmup']:g} s warm-up + "
        f"{a['duration']:g} s per target, {a['rounds']} rounds (medians). Response sizes: "
        + ", ".join(f"{k} {v:,} B" for k, v in report["sizes"].items()) + ". Load average "
        f"{report['loadavg_start']:.2f} at the start, {report['loadavg_end']:.2f} at the end.",
        "",
        "| page | Federa req/s | baseline req/s | Federa/baseline | Federa p50 | Federa p99 | baseline p99 | "
        "Federa CPU/req (server + PostgreSQL) | baseline CPU/req |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| event list | {r['federa_rps']:.0f} | {r['baseline_rps']:.0f} | **{r['ratio']:.2f}** | "
        f"{r['federa_p50_ms']:.1f} ms | {r['federa_p99_ms']:.1f} ms | {r['baseline_p99_ms']:.1f} ms | "
        f"{r['federa_cpu_ms']:.2f} + {r['federa_pg_cpu_ms']:.2f} ms | {r['baseline_cpu_ms']:.2f} + "
        f"{r['baseline_pg_cpu_ms']:.2f} ms |",
    ]
    if "paced" in r:
        p = r["paced"]
        lines += ["", f"At a moderate load ({p['offered_rps']:.0f} req/s offered to each, half of Federa's "
                  f"capacity): p99 Federa {p['federa_p99_ms']:.1f} ms, baseline {p['baseline_p99_ms']:.1f} ms."]
    lines += ["", f"Goal (as the directory page: ≥ 50 % of the baseline's req/s, p99 < 50 ms at 64 connections): "
              f"throughput {'met' if r['ratio_met'] else '**not met**'} ({r['ratio']:.0%}; per round "
              + ", ".join(f"{x:.0%}" for x in r["ratios_per_round"])
              + f"); p99 {'met' if r['p99_met'] else '**not met**'} ({r['federa_p99_ms']:.0f} ms).", END]
    return "\n".join(lines)


def args_for(database_url: str, *, quick: bool = False) -> argparse.Namespace:
    """run.py's load options for this page: the directory benchmark's defaults (quick: one short round)."""
    return argparse.Namespace(database_url=database_url, connections=64, threads=1,
                              duration=5.0 if quick else 15.0, warmup=2.0 if quick else 5.0,
                              rounds=1 if quick else 2, paced_share=0.0 if quick else 0.5, paced_duration=10.0)
