"""`federa worker` as the container runs it: a separate process, its health check, a delivery, SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest
from arq.connections import ArqRedis
from conftest import REDIS_URL, database_url
from outbox_harness import parts, wait_for

from federa.accounts.schemas import SignUpIn
from federa.accounts.services import sign_up
from federa.notifications import outbox
from federa.notifications.models import OutboxMessage
from federa.settings import ROOT

BIN = Path(sys.executable).parent
HEALTH_KEY = "arq:queue:health-check"


def _environment(smtp_url: str, var_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FEDERA_")}
    return {**env, "FEDERA_DATABASE_URL": database_url(), "FEDERA_REDIS_URL": REDIS_URL,
            "FEDERA_SMTP_URL": smtp_url, "FEDERA_SECRET_KEY": "w" * 40, "FEDERA_VAR_DIR": str(var_dir),
            "FEDERA_BASE_URL": "http://worker.test"}


async def _health_check(env: dict[str, str]) -> int:
    check = await asyncio.create_subprocess_exec(
        str(BIN / "arq"), "--check", "workers.main.WorkerSettings", cwd=ROOT, env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
    return await check.wait()


async def _wait_started(queue: ArqRedis, worker: asyncio.subprocess.Process) -> None:
    """Until the worker writes its health key (cheaper than spawning `arq --check` in a loop)."""
    for _ in range(150):
        assert worker.returncode is None, "the worker exited"
        if await queue.exists(HEALTH_KEY):
            return
        await asyncio.sleep(0.1)
    pytest.fail("the worker never wrote its health key")


async def test_federa_worker_delivers_and_stops_on_sigterm(queue: ArqRedis, smtp_server, tmp_path: Path) -> None:
    url, received = smtp_server
    env = _environment(url, tmp_path)
    worker = await asyncio.create_subprocess_exec(
        str(BIN / "federa"), "worker", cwd=ROOT, env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    try:
        await _wait_started(queue, worker)
        assert await _health_check(env) == 0  # the container's healthcheck passes
        outbox.set_dispatcher(outbox.ArqDispatcher(queue))
        await sign_up(SignUpIn(name="Katherine Johnson", email="kj@example.org", password="trajectory-1961",
                               locale="en"))
        await wait_for(lambda: len(received) == 1, timeout=15)
    finally:
        worker.send_signal(signal.SIGTERM)
        _out, err = await asyncio.wait_for(worker.communicate(), timeout=20)

    assert worker.returncode == 0, err.decode()
    assert "shutdown on SIGTERM" in err.decode()  # arq itself got the signal: `federa worker` execs it
    assert "http://worker.test/account/verify/" in parts(received[0])[0]
    assert (await OutboxMessage.get(recipient="kj@example.org")).status == "sent"
    assert await _health_check(env) == 1  # and fails once the worker is gone
