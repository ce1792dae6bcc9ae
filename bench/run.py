"""Benchmark of the network directory pages: Federa next to a bare starlette + asyncpg + jinja2 baseline.

    .venv/bin/python bench/run.py [directory] [--scale large] [--duration 15] [--rounds 2]
    .venv/bin/python bench/run.py events [--people 2000] ...   (bench/events_rush.py: issue 3's rush)
    .venv/bin/python bench/run.py groups|search|oidc [...]      (issues 4 and 5: group page, search, OpenID)
    .venv/bin/python bench/run.py                              (make bench: all of them, default options)

PostgreSQL only, everything on 127.0.0.1 and bounded in time. It uses its own database (federa_bench,
created and loaded once), starts ONE Federa web process and the baseline (bench/baseline_app.py), checks
that both serve the same rows, then loads each target alone with wrk (64 connections; a Python load
generator when wrk is missing) and writes bench/RESULTS.md and bench/out/*.json. Figures move ±25 % between
runs on a shared machine: only the Federa/baseline ratios of one run are comparable.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.metadata
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
BIN = Path(sys.executable).parent
SLUG = "legacoopsociali"
COORDINATOR = ("coordinatore@legacoopsociali.example.org", "federa-demo-2026")
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/federa_bench"
GOAL_RATIO, GOAL_P99_MS = 0.5, 50.0
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"


@dataclass
class Target:
    key: str
    label: str
    server: str  # "federa" or "baseline"
    path: str
    rows: int  # cooperatives the page lists
    cookie: str = ""


@dataclass
class Servers:
    federa: str
    baseline: str
    pids: dict[str, int] = field(default_factory=dict)

    def url(self, target: Target) -> str:
        return (self.federa if target.server == "federa" else self.baseline) + target.path


# ---------------------------------------------------------------- database


async def ensure_database(url: str, scale: str) -> None:
    """Create the bench database when missing and load the demo into it once."""
    name = url.rsplit("/", 1)[-1]
    if name.startswith("test") or name in ("postgres", "template0", "template1"):
        raise SystemExit(f"refusing to use database {name!r}: the benchmark needs its own")
    admin = await asyncpg.connect(url.rsplit("/", 1)[0] + "/postgres")
    try:
        if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await admin.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")
    finally:
        await admin.close()
    if not await _loaded(url, scale):
        env = federa_env(url)
        subprocess.run([str(BIN / "federa"), "migrate"], env=env, check=True, cwd=ROOT)
        subprocess.run([str(BIN / "federa"), "demo", "--scale", scale], env=env, check=True, cwd=ROOT,
                       stdout=subprocess.DEVNULL)
    con = await asyncpg.connect(url)
    try:
        await con.execute("ANALYZE")  # bulk-loaded tables: give the planner real row counts
    finally:
        await con.close()


async def _loaded(url: str, scale: str) -> bool:
    con = await asyncpg.connect(url)
    try:
        if not await con.fetchval("SELECT to_regclass('cooperative') IS NOT NULL"):
            return False
        count = await con.fetchval("SELECT count(*) FROM cooperative")
    finally:
        await con.close()
    return bool(count >= (2300 if scale == "large" else 1))


async def postgres_version(url: str) -> str:
    con = await asyncpg.connect(url)
    try:
        return str(await con.fetchval("SHOW server_version"))
    finally:
        await con.close()


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes so far (gone processes count as zero)."""
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


async def backend_pids(url: str) -> list[int]:
    """The PostgreSQL backends serving the bench database (the servers' pools)."""
    name = url.rsplit("/", 1)[-1]
    con = await asyncpg.connect(url)
    try:
        rows = await con.fetch("SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> "
                               "pg_backend_pid()", name)
    finally:
        await con.close()
    return [r["pid"] for r in rows]


# ---------------------------------------------------------------- processes


def federa_env(url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FEDERA_")}  # no Redis, no SMTP
    env.update(FEDERA_DATABASE_URL=url, FEDERA_ENV="dev", FEDERA_LOG_LEVEL="warning",
               FEDERA_VAR_DIR=str(OUT / "var"), BENCH_DATABASE_URL=url)
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def serve(argv: list[str], env: dict[str, str], probe: str, log: Path) -> Iterator[subprocess.Popen]:
    """Start one server process, wait until the probe URL answers, stop it (and only it) afterwards."""
    with log.open("w") as out:
        proc = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"{argv[0]} exited early, see {log}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(probe, timeout=2).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise SystemExit(f"{probe} did not answer within 30 s, see {log}")
            time.sleep(0.2)
        yield proc
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def sign_in(base: str) -> str:
    """The coordinator's federa_session cookie, signed in through the real form."""
    with httpx.Client(base_url=base, timeout=10) as client:
        page = client.get("/signin")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token, "no CSRF token on /signin"
        response = client.post("/signin", data={"email": COORDINATOR[0], "password": COORDINATOR[1],
                                                "csrf_token": token[1]})
        assert response.status_code == 303, f"sign-in failed: {response.status_code}"
        return str(client.cookies["federa_session"])


def check_same_rows(servers: Servers, targets: list[Target]) -> dict[str, int]:
    """Both servers must list the same cooperatives in the same order: returns each page's size."""
    sizes: dict[str, int] = {}
    names: dict[str, list[str]] = {}
    for t in targets:
        headers = {"Cookie": f"federa_session={t.cookie}"} if t.cookie else {}
        response = httpx.get(servers.url(t), headers=headers, timeout=10)
        assert response.status_code == 200, f"{t.key}: {response.status_code}"
        found = re.findall(r'/cooperatives/\d+">(?:<strong>)?([^<]+)<', response.text)
        assert len(found) == t.rows, f"{t.key}: {len(found)} rows, expected {t.rows}"
        names[t.key], sizes[t.key] = found, len(response.content)
    for page in ("directory", "public"):
        assert names[f"federa_{page}"] == names[f"baseline_{page}"], f"{page}: the two servers list other rows"
    return sizes


# ---------------------------------------------------------------- load


def ensure_wrk() -> str | None:
    if shutil.which("wrk"):
        return "wrk"
    if os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=False, stdout=subprocess.DEVNULL)
    return "wrk" if shutil.which("wrk") else None


def run_wrk(url: str, cookie: str, seconds: float, conns: int, threads: int, pace_ms: int = 0) -> dict:
    argv = ["wrk", f"-t{threads}", f"-c{conns}", f"-d{max(1, round(seconds))}s", "--timeout", "10s",
            "-s", str(HERE / "wrk_report.lua")]
    if cookie:
        argv += ["-H", f"Cookie: federa_session={cookie}"]
    env = {**os.environ, "BENCH_PACE_MS": str(pace_ms)}
    out = subprocess.run([*argv, url], capture_output=True, text=True, env=env, timeout=seconds + 60,
                         check=True).stdout
    line = next(x for x in out.splitlines() if x.startswith("BENCH_JSON "))
    raw = json.loads(line.removeprefix("BENCH_JSON "))
    lat = raw["latency_us"]
    return {"rps": raw["requests"] / (raw["duration_us"] / 1e6), "requests": raw["requests"],
            "p50_ms": lat["p50"] / 1000, "p90_ms": lat["p90"] / 1000, "p99_ms": lat["p99"] / 1000,
            "max_ms": lat["max"] / 1000, "errors": sum(raw["errors"].values()),
            "bytes_per_response": raw["bytes"] / max(1, raw["requests"])}


async def _py_load(url: str, cookie: str, seconds: float, conns: int, pace_ms: int) -> dict:
    """Fallback load generator: keep-alive HTTP/1.1 over raw asyncio streams (no wrk on this machine)."""
    parts = httpx.URL(url)
    request = (f"GET {parts.raw_path.decode()} HTTP/1.1\r\nHost: {parts.host}:{parts.port}\r\n"
               + (f"Cookie: federa_session={cookie}\r\n" if cookie else "") + "\r\n").encode()
    latencies: list[float] = []
    stats = {"errors": 0, "bytes": 0}
    stop = time.monotonic() + seconds

    async def worker(seed: int) -> None:
        reader, writer = await asyncio.open_connection(parts.host, parts.port)
        rng = __import__("random").Random(seed)
        while time.monotonic() < stop:
            start = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = int(re.search(rb"(?i)content-length: (\d+)", head)[1])  # type: ignore[index]
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - start)
            stats["bytes"] += len(head) + length
            stats["errors"] += not head.startswith((b"HTTP/1.1 2", b"HTTP/1.1 3"))
            if pace_ms:
                await asyncio.sleep(rng.uniform(0.5, 1.5) * pace_ms / 1000)
        writer.close()

    began = time.monotonic()
    await asyncio.gather(*(worker(i) for i in range(conns)))
    elapsed = time.monotonic() - began
    q = statistics.quantiles(latencies, n=1000)
    return {"rps": len(latencies) / elapsed, "requests": len(latencies), "p50_ms": q[499] * 1000,
            "p90_ms": q[899] * 1000, "p99_ms": q[989] * 1000, "max_ms": max(latencies) * 1000,
            "errors": stats["errors"], "bytes_per_response": stats["bytes"] / max(1, len(latencies))}


def load(tool: str | None, url: str, cookie: str, seconds: float, args: argparse.Namespace,
         pace_ms: int = 0) -> dict:
    if tool == "wrk":
        return run_wrk(url, cookie, seconds, args.connections, args.threads, pace_ms)
    return asyncio.run(_py_load(url, cookie, seconds, args.connections, pace_ms))


def measured(tool: str | None, servers: Servers, target: Target, args: argparse.Namespace, seconds: float,
             pace_ms: int = 0) -> dict:
    """One bounded run, with the CPU the server and PostgreSQL spent on each request."""
    server = [servers.pids[target.server]]
    backends = asyncio.run(backend_pids(args.database_url))
    before = cpu_seconds(server), cpu_seconds(backends)
    result = load(tool, servers.url(target), target.cookie, seconds, args, pace_ms)
    n = max(1, result["requests"])
    result["server_cpu_ms"] = (cpu_seconds(server) - before[0]) * 1000 / n
    result["postgres_cpu_ms"] = (cpu_seconds(backends) - before[1]) * 1000 / n
    result["loadavg"] = os.getloadavg()[0]
    return result


def measure(tool: str | None, servers: Servers, targets: list[Target], args: argparse.Namespace) -> dict:
    """Each target alone: warm-up, then a bounded run; rounds alternate the order to even out drift."""
    runs: dict[str, list[dict]] = {t.key: [] for t in targets}
    for round_no in range(args.rounds):
        order = targets if round_no % 2 == 0 else targets[::-1]
        for t in order:
            load(tool, servers.url(t), t.cookie, args.warmup, args)
            result = measured(tool, servers, t, args, args.duration)
            runs[t.key].append(result)
            print(f"  round {round_no + 1} {t.label:30} {result['rps']:7.1f} req/s  p50 {result['p50_ms']:7.1f} ms"
                  f"  p99 {result['p99_ms']:7.1f} ms  cpu {result['server_cpu_ms']:5.2f}+"
                  f"{result['postgres_cpu_ms']:4.2f} ms/req  errors {result['errors']}  "
                  f"load {result['loadavg']:.1f}")
    return runs


def measure_paced(tool: str | None, servers: Servers, targets: list[Target], runs: dict,
                  args: argparse.Namespace) -> dict:
    """Latency at a moderate load: the same offered rate for both servers, a share of Federa's capacity."""
    paced: dict[str, dict] = {}
    for t in targets:
        page = t.key.split("_", 1)[1]
        rate = max(1.0, args.paced_share * median(runs[f"federa_{page}"], "rps"))
        pace_ms = max(1, int(args.connections / rate * 1000))
        # Enough requests for a p99 that means something (~600), within a minute.
        seconds = min(60.0, max(args.paced_duration, 600 / rate, 3 * pace_ms / 1000))
        result = measured(tool, servers, t, args, seconds, pace_ms)
        result["offered_rps"], result["seconds"] = rate, seconds
        paced[t.key] = result
        print(f"  paced {t.label:30} {result['rps']:7.1f} req/s  p50 {result['p50_ms']:7.1f} ms  "
              f"p99 {result['p99_ms']:7.1f} ms  ({result['requests']} requests in {seconds:.0f} s)")
    return paced


def median(results: list[dict], key: str) -> float:
    return float(statistics.median(r[key] for r in results))


# ---------------------------------------------------------------- report


def machine(db_url: str, tool: str | None) -> dict[str, Any]:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text())[1])  # type: ignore[index]
    wrk_version = ""
    if tool == "wrk":
        wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split("[")[0].strip()
    packages = {name: importlib.metadata.version(name)
                for name in ("starlette", "uvicorn", "uvloop", "tortoise-orm", "asyncpg", "jinja2")}
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gib": round(mem_kb / 2**20, 1),
            "os": platform.platform(), "python": platform.python_version(),
            "postgresql": asyncio.run(postgres_version(db_url)), "load_generator": wrk_version or "python",
            "packages": packages, "loadavg_start": os.getloadavg()[0]}


def summarise(runs: dict, paced: dict) -> dict[str, dict]:
    pages: dict[str, dict] = {}
    for page in ("directory", "public"):
        fed, base = runs[f"federa_{page}"], runs[f"baseline_{page}"]
        ratios = [f["rps"] / b["rps"] for f, b in zip(fed, base, strict=True)]
        row = {"federa_rps": median(fed, "rps"), "baseline_rps": median(base, "rps"),
               "federa_p50_ms": median(fed, "p50_ms"), "baseline_p50_ms": median(base, "p50_ms"),
               "federa_p99_ms": median(fed, "p99_ms"), "baseline_p99_ms": median(base, "p99_ms"),
               "ratio": statistics.median(ratios), "ratios_per_round": ratios,
               "federa_cpu_ms": median(fed, "server_cpu_ms"), "baseline_cpu_ms": median(base, "server_cpu_ms"),
               "federa_pg_cpu_ms": median(fed, "postgres_cpu_ms"),
               "baseline_pg_cpu_ms": median(base, "postgres_cpu_ms")}
        if paced:
            row["paced"] = {"offered_rps": paced[f"federa_{page}"]["offered_rps"],
                            "federa_p99_ms": paced[f"federa_{page}"]["p99_ms"],
                            "baseline_p99_ms": paced[f"baseline_{page}"]["p99_ms"],
                            "federa_rps": paced[f"federa_{page}"]["rps"],
                            "baseline_rps": paced[f"baseline_{page}"]["rps"]}
        row["ratio_met"] = row["ratio"] >= GOAL_RATIO
        row["p99_met"] = row["federa_p99_ms"] < GOAL_P99_MS
        pages[page] = row
    return pages


def markdown(report: dict) -> str:
    m, a, pages = report["machine"], report["args"], report["pages"]
    names = {"directory": f"Directory `/n/{SLUG}/directory` (coordinator, 50 rows)",
             "public": f"Public page `/n/{SLUG}/` (anonymous, 30 rows)"}
    lines = [
        BEGIN,
        f"## Latest run: {report['date']}",
        "",
        f"`{report['command']}` — {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB, {m['os']}; "
        f"Python {m['python']}, PostgreSQL {m['postgresql']}, load by {m['load_generator']}; "
        + ", ".join(f"{k} {v}" for k, v in m["packages"].items()) + ". "
        f"Load average {m['loadavg_start']:.2f} at the start, {report['loadavg_end']:.2f} at the end.",
        "",
        f"Scale {a['scale']}; one Federa web process (uvicorn, 1 worker, no Redis) and the baseline "
        f"(bench/baseline_app.py, uvicorn, 1 worker) measured one at a time on 127.0.0.1; "
        f"{a['connections']} connections, {a['warmup']:g} s warm-up + {a['duration']:g} s per target, "
        f"{a['rounds']} rounds (medians shown). Response sizes: "
        + ", ".join(f"{k} {v:,} B" for k, v in report["sizes"].items()) + ".",
        "",
        "| page | Federa req/s | baseline req/s | Federa/baseline | Federa p50 | Federa p99 | baseline p99 |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for page, r in pages.items():
        lines.append(f"| {names[page]} | {r['federa_rps']:.0f} | {r['baseline_rps']:.0f} | "
                     f"**{r['ratio']:.2f}** | {r['federa_p50_ms']:.1f} ms | {r['federa_p99_ms']:.1f} ms | "
                     f"{r['baseline_p99_ms']:.1f} ms |")
    lines += ["", "CPU per request (median of the rounds; the server process, then the PostgreSQL backends): "
              "less noise-sensitive than req/s on a shared machine.", "",
              "| page | Federa server | baseline server | baseline/Federa | Federa PostgreSQL | baseline PostgreSQL |",
              "|---|---:|---:|---:|---:|---:|"]
    for page, r in pages.items():
        lines.append(f"| {page} | {r['federa_cpu_ms']:.2f} ms | {r['baseline_cpu_ms']:.2f} ms | "
                     f"{r['baseline_cpu_ms'] / max(r['federa_cpu_ms'], 1e-9):.2f} | {r['federa_pg_cpu_ms']:.2f} ms | "
                     f"{r['baseline_pg_cpu_ms']:.2f} ms |")
    if all("paced" in r for r in pages.values()):
        lines += ["", f"Latency at a moderate load (each connection pauses between requests; offered rate "
                  f"{a['paced_share']:.0%} of Federa's capacity above, the same for both servers, "
                  f"at least {a['paced_duration']:g} s and ~600 requests each):", "",
                  "| page | offered req/s | Federa p99 | baseline p99 |", "|---|---:|---:|---:|"]
        for page, r in pages.items():
            p = r["paced"]
            lines.append(f"| {page} | {p['offered_rps']:.0f} | {p['federa_p99_ms']:.1f} ms | "
                         f"{p['baseline_p99_ms']:.1f} ms |")
    lines += ["", "Goal (≥ 50 % of the baseline's req/s and p99 < 50 ms at 64 connections):", ""]
    for page, r in pages.items():
        lines.append(f"- {page}: throughput {'met' if r['ratio_met'] else '**not met**'} "
                     f"({r['ratio']:.0%}); p99 {'met' if r['p99_met'] else '**not met**'} "
                     f"({r['federa_p99_ms']:.0f} ms).")
    lines += ["", f"Raw figures: `bench/out/{report['json_name']}`.", END]
    return "\n".join(lines)


def write_results(report: dict) -> None:
    """Replace the generated block of RESULTS.md, keeping the hand-written analysis around it."""
    path = HERE / "RESULTS.md"
    block = markdown(report)
    text = path.read_text() if path.exists() else "# Benchmark results\n\n" + BEGIN + "\n" + END + "\n"
    if BEGIN in text and END in text:
        text = text[: text.index(BEGIN)] + block + text[text.index(END) + len(END):]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text)


# ---------------------------------------------------------------- main


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--scale", choices=("small", "large"), default="large")
    p.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    p.add_argument("--connections", type=int, default=64)
    p.add_argument("--threads", type=int, default=1, help="wrk threads (one leaves the cores to the servers)")
    p.add_argument("--duration", type=float, default=15.0, help="seconds measured per target and round")
    p.add_argument("--warmup", type=float, default=5.0)
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--paced-share", type=float, default=0.5, help="0 skips the moderate-load latency runs")
    p.add_argument("--paced-duration", type=float, default=10.0)
    p.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md alone")
    return p.parse_args()


def main() -> None:
    args = parse_args()
    OUT.mkdir(exist_ok=True)
    asyncio.run(ensure_database(args.database_url, args.scale))
    tool = ensure_wrk()
    facts = machine(args.database_url, tool)
    env = federa_env(args.database_url)
    servers = Servers(f"http://127.0.0.1:{free_port()}", f"http://127.0.0.1:{free_port()}")
    federa_argv = [str(BIN / "federa"), "serve", "--port", servers.federa.rsplit(":", 1)[1]]
    baseline_argv = [str(BIN / "uvicorn"), "bench.baseline_app:app", "--port", servers.baseline.rsplit(":", 1)[1],
                     "--log-level", "warning"]
    with serve(federa_argv, env, servers.federa + "/livez", OUT / "federa.log") as federa, \
            serve(baseline_argv, env, servers.baseline + f"/n/{SLUG}/", OUT / "baseline.log") as baseline:
        servers.pids = {"federa": federa.pid, "baseline": baseline.pid}
        cookie = sign_in(servers.federa)
        targets = [
            Target("baseline_directory", "baseline directory", "baseline", f"/n/{SLUG}/directory", 50),
            Target("federa_directory", "Federa directory (signed in)", "federa", f"/n/{SLUG}/directory", 50,
                   cookie),
            Target("baseline_public", "baseline public page", "baseline", f"/n/{SLUG}/", 30),
            Target("federa_public", "Federa public page", "federa", f"/n/{SLUG}/", 30),
        ]
        sizes = check_same_rows(servers, targets)
        print(f"load generator: {facts['load_generator']}; servers {servers.federa} and {servers.baseline}")
        runs = measure(tool, servers, targets, args)
        paced = measure_paced(tool, servers, targets, runs, args) if args.paced_share > 0 else {}
    now = datetime.now(UTC)
    report = {"date": now.strftime("%Y-%m-%d %H:%M UTC"), "command": "make bench  # " + " ".join(sys.argv),
              "args": vars(args) | {"database_url": args.database_url}, "machine": facts, "sizes": sizes,
              "runs": runs, "paced": paced, "pages": summarise(runs, paced), "loadavg_end": os.getloadavg()[0],
              "json_name": f"bench-{now:%Y%m%dT%H%M%S}.json"}
    (OUT / report["json_name"]).write_text(json.dumps(report, indent=2))
    print(markdown(report))
    if not args.no_write:
        write_results(report)


ISSUE4_5 = {"groups": "group_page.py", "search": "search.py", "oidc": "oidc.py"}  # each one prints its figures


def dispatch(argv: list[str]) -> None:
    """`run.py [directory|events|groups|search|oidc|all] [options]`: one benchmark, or (no name, as `make bench`)
    all of them; options go to the one named (to the directory when none is)."""
    which = argv[1] if len(argv) > 1 and argv[1] in ("directory", "events", *ISSUE4_5, "all") else "all"
    rest = argv[2:] if len(argv) > 1 and argv[1] == which else argv[1:]
    if which in ("directory", "all"):
        sys.argv = [argv[0], *rest]  # options without a name are the directory's, as before
        main()
    if which in ("events", "all"):
        import events_rush  # bench/events_rush.py: the registration rush of issue 3

        events_rush.main(rest if which == "events" else [a for a in rest if a == "--no-write"])
    for name, script in ISSUE4_5.items():
        if which in (name, "all"):
            subprocess.run([sys.executable, str(ROOT / "bench" / script), *(rest if which == name else [])],
                           cwd=ROOT, check=True)


if __name__ == "__main__":
    dispatch(sys.argv)
