"""Benchmark of search (issue 4): GET /api/v1/networks/{slug}/search next to a bare baseline, same run.

    .venv/bin/python bench/search.py [--connections 32] [--duration 15] [--rounds 2] [--paced-share 0.5]

PostgreSQL only, on 127.0.0.1, bounded in time. Its own database (federa_bench_search: created, migrated
and loaded once by bench/search_data.py: 100,000 library items, 10,000 threads with 20,000 posts, their
110,000 index entries built by Federa's builders, all written with COPY). ONE Federa web process
(`federa serve`) answers a member of the network (in 5 of its 50 groups, with a partner network) through
their API token; the baseline (bench/baseline_search.py: bare starlette + asyncpg, the same SQL) answers
the same person. Both must return the same results for every query first. Then each target alone under
wrk (--connections, one thread), warm-up then a bounded run, rounds in alternating order, each request
the next query of a fixed mix (common, rare, phrase, exclusion; not typos: the baseline has no
trigram fallback); then a paced run (each connection
pausing between requests, the same offered rate for both) for the latency at a moderate load.
Prints the figures and writes bench/out/search-*.json; it does not touch RESULTS.md.
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
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import asyncpg
import httpx
import run
import search_data

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/federa_bench_search"
GOAL_P99_MS = 50.0
QUERIES = {  # what people type, from everywhere in the vocabulary's frequency range
    "common": "cooperativa",
    "two_common": "formazione operatori",
    "mid": "riabilitazione",
    "rare": "telemedicina",
    "tail": search_data.WORDS[2_000],
    "phrase": '"inserimento lavorativo"',
    "exclude": "accoglienza -bando",
}


async def ensure_database(url: str) -> dict:
    name = url.rsplit("/", 1)[-1]
    if name.startswith("test") or name in ("postgres", "template0", "template1"):
        raise SystemExit(f"refusing to use database {name!r}: the benchmark needs its own")
    admin = await asyncpg.connect(url.rsplit("/", 1)[0] + "/postgres")
    try:
        if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    subprocess.run([str(run.BIN / "federa"), "migrate"], env=run.federa_env(url), check=True, cwd=run.ROOT,
                   stdout=subprocess.DEVNULL)
    return await search_data.ensure(url)


def run_wrk(url: str, path: str, headers: dict[str, str], seconds: float, args: argparse.Namespace,
            pace_ms: int = 0) -> dict:
    argv = ["wrk", "-t1", f"-c{args.connections}", f"-d{max(1, round(seconds))}s", "--timeout", "10s",
            "-s", str(run.HERE / "wrk_search.lua")]
    for key, value in headers.items():
        argv += ["-H", f"{key}: {value}"]
    env = {**os.environ, "BENCH_PACE_MS": str(pace_ms), "BENCH_DIR": str(run.HERE), "BENCH_PATH": path,
           "BENCH_QUERIES": "|".join(quote(q) for q in QUERIES.values())}
    out = subprocess.run([*argv, url], capture_output=True, text=True, env=env, timeout=seconds + 60,
                         check=True).stdout
    raw = json.loads(next(x for x in out.splitlines() if x.startswith("BENCH_JSON ")).removeprefix("BENCH_JSON "))
    lat = raw["latency_us"]
    return {"rps": raw["requests"] / (raw["duration_us"] / 1e6), "requests": raw["requests"],
            "p50_ms": lat["p50"] / 1000, "p90_ms": lat["p90"] / 1000, "p99_ms": lat["p99"] / 1000,
            "max_ms": lat["max"] / 1000, "errors": sum(raw["errors"].values())}


def measured(target: dict, pids: dict[str, int], args: argparse.Namespace, seconds: float, pace_ms: int = 0) -> dict:
    backends = asyncio.run(run.backend_pids(args.database_url))
    server = [pids[target["server"]]]
    before = run.cpu_seconds(server), run.cpu_seconds(backends)
    result = run_wrk(target["base"], target["path"], target["headers"], seconds, args, pace_ms)
    n = max(1, result["requests"])
    result["server_cpu_ms"] = (run.cpu_seconds(server) - before[0]) * 1000 / n
    result["postgres_cpu_ms"] = (run.cpu_seconds(backends) - before[1]) * 1000 / n
    result["loadavg"] = os.getloadavg()[0]
    return result


def same_results(targets: list[dict]) -> dict[str, dict]:
    """Federa and the baseline return the same results for every query; per query the total and the
    median time of 5 requests made one at a time (no concurrency) on each server."""
    found = {}
    for key, q in QUERIES.items():
        answers, alone = [], {}
        for t in targets:
            times = []
            for _ in range(5):
                began = time.perf_counter()
                response = httpx.get(t["base"] + t["path"] + quote(q), headers=t["headers"], timeout=30)
                times.append((time.perf_counter() - began) * 1000)
            assert response.status_code == 200, f"{t['key']} {q}: {response.status_code} {response.text[:300]}"
            data = response.json()
            answers.append((data["total"], data["more"], [(i["kind"], i["id"]) for i in data["items"]]))
            alone[t["key"]] = round(statistics.median(times), 1)
        # Past the counting bound the first matches found are counted and ranked, and a parallel scan
        # finds them in no fixed order: then only the bound itself must agree.
        same = answers[0][:2] == answers[1][:2] if answers[0][1] else answers[0] == answers[1]
        assert same, f"{q}: the two servers answer differently"
        found[key] = {"total": answers[0][0], "more": answers[0][1], "alone_ms": alone}
        print(f"  {key:10} {q[:28]:28} total {answers[0][0]:>4}{'+' if answers[0][1] else ' '}  one at a time: "
              + ", ".join(f"{k} {v} ms" for k, v in alone.items()))
    return found


def measure(targets: list[dict], pids: dict[str, int], args: argparse.Namespace) -> dict[str, list[dict]]:
    runs: dict[str, list[dict]] = {t["key"]: [] for t in targets}
    for round_no in range(args.rounds):
        for t in targets if round_no % 2 == 0 else targets[::-1]:
            run_wrk(t["base"], t["path"], t["headers"], args.warmup, args)
            result = measured(t, pids, args, args.duration)
            runs[t["key"]].append(result)
            print(f"  round {round_no + 1} {t['key']:16} {result['rps']:7.1f} req/s  p50 {result['p50_ms']:7.1f} ms  "
                  f"p99 {result['p99_ms']:7.1f} ms  cpu {result['server_cpu_ms']:5.2f}+{result['postgres_cpu_ms']:5.2f}"
                  f" ms/req  errors {result['errors']}  load {result['loadavg']:.1f}")
    return runs


def paced(targets: list[dict], pids: dict[str, int], runs: dict, args: argparse.Namespace) -> dict[str, dict]:
    rate = max(1.0, args.paced_share * run.median(runs["federa_api"], "rps"))
    pace_ms = max(1, int(args.connections / rate * 1000))
    seconds = min(60.0, max(args.paced_duration, 600 / rate))
    out = {}
    for t in targets:
        result = measured(t, pids, args, seconds, pace_ms)
        result["offered_rps"] = rate
        out[t["key"]] = result
        print(f"  paced {t['key']:16} {result['rps']:7.1f} req/s  p50 {result['p50_ms']:7.1f} ms  "
              f"p99 {result['p99_ms']:7.1f} ms  ({result['requests']} requests in {seconds:.0f} s)")
    return out


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--database-url", default=os.environ.get("BENCH_SEARCH_DATABASE_URL", DEFAULT_DB))
    p.add_argument("--connections", type=int, default=32)
    p.add_argument("--duration", type=float, default=15.0)
    p.add_argument("--warmup", type=float, default=5.0)
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--paced-share", type=float, default=0.5, help="0 skips the moderate-load latency run")
    p.add_argument("--paced-duration", type=float, default=10.0)
    return p.parse_args(argv)


def main(argv: list[str]) -> None:
    args = parse_args(argv)
    if not run.ensure_wrk():
        raise SystemExit("wrk is needed (apt-get install wrk)")
    run.OUT.mkdir(exist_ok=True)
    data = asyncio.run(ensure_database(args.database_url))
    print(f"search bench: {data['entries']:,} index entries in network {search_data.SLUG}")
    env = run.federa_env(args.database_url)
    federa_url, baseline_url = f"http://127.0.0.1:{run.free_port()}", f"http://127.0.0.1:{run.free_port()}"
    federa_argv = [str(run.BIN / "federa"), "serve", "--port", federa_url.rsplit(":", 1)[1]]
    baseline_argv = [str(run.BIN / "uvicorn"), "bench.baseline_search:app", "--port", baseline_url.rsplit(":", 1)[1],
                     "--log-level", "warning"]
    load_start = os.getloadavg()[0]
    with run.serve(federa_argv, env, federa_url + "/livez", run.OUT / "federa-search.log") as federa, \
            run.serve(baseline_argv, env, baseline_url + "/livez", run.OUT / "baseline-search.log") as baseline:
        pids = {"federa": federa.pid, "baseline": baseline.pid}
        targets = [
            {"key": "baseline", "server": "baseline", "base": baseline_url, "headers": {},
             "path": f"/search?network_id={data['network']}&person={data['member']}&q="},
            {"key": "federa_api", "server": "federa", "base": federa_url,
             "headers": {"Authorization": f"Bearer {data['token']}"},
             "path": f"/api/v1/networks/{search_data.SLUG}/search?q="},
        ]
        totals = same_results(targets)
        runs = measure(targets, pids, args)
        slow = paced(targets, pids, runs, args) if args.paced_share > 0 else {}
    fed, base = runs["federa_api"], runs["baseline"]
    summary = {"federa_rps": run.median(fed, "rps"), "baseline_rps": run.median(base, "rps"),
               "ratio": statistics.median(f["rps"] / b["rps"] for f, b in zip(fed, base, strict=True)),
               "federa_p50_ms": run.median(fed, "p50_ms"), "federa_p99_ms": run.median(fed, "p99_ms"),
               "baseline_p50_ms": run.median(base, "p50_ms"), "baseline_p99_ms": run.median(base, "p99_ms"),
               "federa_cpu_ms": run.median(fed, "server_cpu_ms"),
               "federa_pg_cpu_ms": run.median(fed, "postgres_cpu_ms"),
               "baseline_cpu_ms": run.median(base, "server_cpu_ms"),
               "baseline_pg_cpu_ms": run.median(base, "postgres_cpu_ms")}
    summary["p99_met"] = summary["federa_p99_ms"] <= GOAL_P99_MS
    now = datetime.now(UTC)
    report = {"date": now.strftime("%Y-%m-%d %H:%M UTC"), "args": vars(args), "queries": QUERIES, "totals": totals,
              "entries": data["entries"], "runs": runs, "paced": slow, "summary": summary,
              "loadavg_start": load_start, "loadavg_end": os.getloadavg()[0]}
    path = run.OUT / f"search-{now:%Y%m%dT%H%M%S}.json"
    path.write_text(json.dumps(report, indent=2))
    print(json.dumps(summary, indent=2))
    if slow:
        print(f"paced ({slow['federa_api']['offered_rps']:.0f} req/s offered): p99 Federa "
              f"{slow['federa_api']['p99_ms']:.1f} ms, baseline {slow['baseline']['p99_ms']:.1f} ms")
    print(f"raw figures: {path.relative_to(run.ROOT)}")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # bench.baseline_search for uvicorn
    main(sys.argv[1:])
