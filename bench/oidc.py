"""Benchmark of the OpenID provider (issue 5): the token endpoint and userinfo next to a bare starlette JSON endpoint.

    .venv/bin/python bench/oidc.py [--duration 10] [--warmup 3] [--rounds 2] [--connections 16]

PostgreSQL only, everything on 127.0.0.1, bounded in time. Its own database (federa_bench_oidc, created and
migrated when missing) holds one network, one person, one registered client and, per connection, one
refresh-token family and an access token, written directly (the benchmark measures the endpoints, not the
sign-in). ONE Federa web process (uvicorn, as `federa serve`) and the baseline (bench/baseline_json.py, a
bare starlette app answering a userinfo-sized JSON document from memory) run side by side; each target is
loaded alone by a keep-alive HTTP/1.1 load generator (raw asyncio streams, one per connection), warm-up
then a bounded run, rounds alternating the order. It prints a markdown table and writes bench/out/oidc-*.json;
it does not edit bench/RESULTS.md.

Which token request: the refresh grant (grant_type=refresh_token, client_secret_basic). Each connection owns
one refresh family and presents the newest refresh token of it every time, so every request does the full
rotation (client check, token lookup, the used token marked, two new hashed tokens stored, in one
transaction). The code exchange is the rarer request (once per sign-in) and would measure mostly the RS256
signature of the id_token and the 60-second codes to be minted ahead; the refresh is what a busy relying
party repeats all day.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import re
import secrets
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
BIN = Path(sys.executable).parent
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/federa_bench_oidc"
GOAL_RATIO = 0.30
sys.path[:0] = [str(ROOT / "platform"), str(ROOT), str(HERE)]

import run  # noqa: E402  (bench/run.py: serve, free_port, cpu_seconds, backend_pids)


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


async def seed(url: str, connections: int) -> dict[str, Any]:
    """The client, a userinfo token and one refresh family per connection (fresh on every run)."""
    from federa import db
    from federa.accounts.models import Person
    from federa.federation import op_services
    from federa.federation.op_models import OAuthClient, OAuthToken
    from federa.federation.op_schemas import ClientIn
    from federa.networks.access import Access
    from federa.networks.models import Network
    from federa.web.security import hash_token

    await db.migrate(url)
    await db.open_database(url)
    try:
        network, _ = await Network.get_or_create(slug="bench-oidc", defaults={"name": "Bench OIDC"})
        person, _ = await Person.get_or_create(email="persona@bench-oidc.example.org",
                                               defaults={"name": "Persona Bench"})
        await OAuthClient.filter(network_id=network.id).delete()
        data = ClientIn(name="Bench app", redirect_uris=["https://app.example.org/cb"], scopes=["openid", "profile",
                                                                                                 "email"])
        client, secret = await op_services.register_client(Access(person=None, network=network), data, actor=None,
                                                           operator=True)
        subject = await op_services.subject_of(person)
        now = datetime.now(UTC)
        access, refresh = secrets.token_urlsafe(32), [secrets.token_urlsafe(32) for _ in range(connections)]
        for value in [None, *refresh]:
            await OAuthToken.create(
                client=client, person=person, family=secrets.token_hex(16), subject=subject,
                access_hash=hash_token(access if value is None else secrets.token_urlsafe(32)),
                refresh_hash=hash_token(value) if value else None, scope="openid profile email", auth_time=now,
                issued_at=now, access_expires_at=now + timedelta(hours=2),
                refresh_expires_at=now + timedelta(days=1) if value else None)
        return {"client_id": client.client_id, "secret": secret, "access": access, "refresh": refresh}
    finally:
        await db.close_database()


def _request(method: str, host: str, path: str, headers: dict[str, str], body: bytes = b"") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", *(f"{k}: {v}" for k, v in headers.items())]
    if body or method == "POST":
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def load(target: dict[str, Any], seconds: float, conns: int) -> dict[str, Any]:
    """Keep-alive connections sending one request after another; a refresh target rotates its own token."""
    host, port = target["host"], target["port"]
    latencies: list[float] = []
    errors = 0
    stop = time.monotonic() + seconds

    async def worker(index: int) -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection(host, port)
        while time.monotonic() < stop:
            request = target["make"](index)
            start = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = int(re.search(rb"(?i)content-length: (\d+)", head)[1])  # type: ignore[index]
            body = await reader.readexactly(length)
            latencies.append(time.perf_counter() - start)
            if not head.startswith(b"HTTP/1.1 200"):
                errors += 1
            elif target.get("after"):
                target["after"](index, body)
        writer.close()

    began = time.monotonic()
    await asyncio.gather(*(worker(i) for i in range(conns)))
    elapsed = time.monotonic() - began
    q = statistics.quantiles(latencies, n=100)
    return {"rps": len(latencies) / elapsed, "requests": len(latencies), "errors": errors,
            "p50_ms": q[49] * 1000, "p99_ms": q[98] * 1000}


def targets(federa: str, baseline: str, creds: dict[str, Any]) -> list[dict[str, Any]]:
    fed_host, fed_port = federa.removeprefix("http://").split(":")
    base_host, base_port = baseline.removeprefix("http://").split(":")
    basic = base64.b64encode(f"{creds['client_id']}:{creds['secret']}".encode()).decode()
    chain = list(creds["refresh"])
    form = {"Authorization": f"Basic {basic}", "Content-Type": "application/x-www-form-urlencoded"}

    def refresh_request(i: int) -> bytes:
        return _request("POST", f"{fed_host}:{fed_port}", "/oauth/token", form,
                        f"grant_type=refresh_token&refresh_token={chain[i]}".encode())

    def rotated(i: int, body: bytes) -> None:
        chain[i] = json.loads(body)["refresh_token"]

    baseline_get = _request("GET", f"{base_host}:{base_port}", "/userinfo", {})
    userinfo_get = _request("GET", f"{fed_host}:{fed_port}", "/oauth/userinfo",
                            {"Authorization": f"Bearer {creds['access']}"})
    return [
        {"key": "baseline", "label": "bare starlette JSON endpoint", "host": base_host, "port": int(base_port),
         "make": lambda i: baseline_get, "server": "baseline"},
        {"key": "userinfo", "label": "Federa GET /oauth/userinfo (bearer)", "host": fed_host, "port": int(fed_port),
         "make": lambda i: userinfo_get, "server": "federa"},
        {"key": "token_refresh", "label": "Federa POST /oauth/token (refresh_token, basic)", "host": fed_host,
         "port": int(fed_port), "make": refresh_request, "after": rotated, "server": "federa"},
    ]


def measure(all_targets: list[dict[str, Any]], pids: dict[str, int], args: argparse.Namespace) -> dict:
    runs: dict[str, list[dict]] = {t["key"]: [] for t in all_targets}
    for round_no in range(args.rounds):
        for t in all_targets if round_no % 2 == 0 else all_targets[::-1]:
            asyncio.run(load(t, args.warmup, args.connections))
            before = run.cpu_seconds([pids[t["server"]]])
            result = asyncio.run(load(t, args.duration, args.connections))
            spent = run.cpu_seconds([pids[t["server"]]]) - before
            result["server_cpu_ms"] = spent * 1000 / max(1, result["requests"])
            runs[t["key"]].append(result)
            print(f"  round {round_no + 1} {t['key']}: {result['rps']:.0f} req/s, p99 {result['p99_ms']:.1f} ms,"
                  f" errors {result['errors']}", flush=True)
    return runs


def summary(all_targets: list[dict[str, Any]], runs: dict, args: argparse.Namespace) -> str:
    med = {k: {f: statistics.median(r[f] for r in rs) for f in ("rps", "p50_ms", "p99_ms", "server_cpu_ms")}
           | {"errors": sum(r["errors"] for r in rs)} for k, rs in runs.items()}
    base = med["baseline"]["rps"]
    lines = [f"One uvicorn process each, {args.connections} keep-alive connections, {args.warmup:g} s warm-up + "
             f"{args.duration:g} s per target, {args.rounds} rounds (medians). Load average at the end "
             f"{os.getloadavg()[0]:.2f}.", "",
             "| target | req/s | vs baseline | p50 | p99 | server CPU/request | errors |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for t in all_targets:
        m = med[t["key"]]
        lines.append(f"| {t['label']} | {m['rps']:.0f} | **{m['rps'] / base:.2f}** | {m['p50_ms']:.1f} ms | "
                     f"{m['p99_ms']:.1f} ms | {m['server_cpu_ms']:.2f} ms | {m['errors']} |")
    for key in ("userinfo", "token_refresh"):
        ratio = med[key]["rps"] / base
        lines.append(f"\n- {key}: {'met' if ratio >= GOAL_RATIO else 'NOT met'} (goal ≥ {GOAL_RATIO:.0%}, {ratio:.0%})")
    return "\n".join(lines)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_OIDC_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    OUT.mkdir(exist_ok=True)
    asyncio.run(ensure_database(args.database_url))
    creds = asyncio.run(seed(args.database_url, args.connections))
    federa, baseline = f"http://127.0.0.1:{run.free_port()}", f"http://127.0.0.1:{run.free_port()}"
    env = run.federa_env(args.database_url) | {"FEDERA_BASE_URL": federa, "FEDERA_SECRET_KEY": "b" * 40}
    uvicorn = str(BIN / "uvicorn")
    federa_argv = [uvicorn, "federa.asgi:app", "--port", federa.rsplit(":", 1)[1], "--log-level", "warning",
                   "--no-access-log"]
    baseline_argv = [uvicorn, "bench.baseline_json:app", "--port", baseline.rsplit(":", 1)[1], "--log-level",
                     "warning", "--no-access-log"]
    env["PYTHONPATH"] = f"{ROOT / 'platform'}:{ROOT}"
    with run.serve(federa_argv, env, federa + "/livez", OUT / "federa-oidc.log") as fed_proc, \
            run.serve(baseline_argv, env, baseline + "/userinfo", OUT / "baseline-json.log") as base_proc:
        all_targets = targets(federa, baseline, creds)
        runs = measure(all_targets, {"federa": fed_proc.pid, "baseline": base_proc.pid}, args)
    now = datetime.now(UTC)
    text = summary(all_targets, runs, args)
    (OUT / f"oidc-{now:%Y%m%dT%H%M%S}.json").write_text(json.dumps({"date": now.isoformat(), "args": vars(args),
                                                                  "runs": runs}, indent=2))
    print(f"\n## OpenID provider, {now:%Y-%m-%d %H:%M} UTC\n\n{text}")


if __name__ == "__main__":
    main()
