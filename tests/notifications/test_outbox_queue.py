"""The outbox through arq and real Redis, through the embedded drainer, and the app's wiring of both."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from arq.connections import ArqRedis
from asgi_lifespan import LifespanManager
from conftest import REDIS_URL, make_person, post_form
from outbox_harness import free_port, parts, run_burst, wait_for

from federa.accounts.schemas import SignUpIn
from federa.accounts.services import request_password_reset, sign_up
from federa.app import create_app
from federa.notifications import outbox
from federa.notifications.courier import Courier
from federa.notifications.models import OutboxMessage
from federa.settings import Settings
from workers.main import sweep_outbox

QUEUE = "arq:queue"


@pytest.fixture
def worker_ctx(settings: Settings, courier: Courier) -> dict[str, Any]:
    """What workers.main.startup accepts from a test: the test's ORM and a courier to loopback SMTP."""
    return {"settings": settings, "database_open": True, "courier": courier}


def _unreachable_redis_url() -> str:
    return f"redis://127.0.0.1:{free_port()}/0"


async def _sign_up(email: str) -> OutboxMessage:
    await sign_up(SignUpIn(name="Grace Hopper", email=email, password="compiler-a0-1952", locale="en"))
    return await OutboxMessage.get(recipient=email)


async def _make_late(row: OutboxMessage) -> None:
    """As if the commit happened two minutes ago (the sweep leaves fresh rows to their own job)."""
    await OutboxMessage.filter(id=row.id).update(available_at=datetime.now(UTC) - timedelta(minutes=2))


async def test_a_job_delivers_the_sign_up_email(queue: ArqRedis, worker_ctx, smtp_server) -> None:
    _url, received = smtp_server
    outbox.set_dispatcher(outbox.ArqDispatcher(queue))
    row = await _sign_up("grace@example.org")
    assert await queue.exists(f"arq:job:outbox:{row.id}")

    worker = await run_burst(REDIS_URL, worker_ctx)

    assert (worker.jobs_complete, worker.jobs_failed) == (1, 0)
    [message] = received
    assert message["To"] == "Grace Hopper <grace@example.org>"
    assert "/account/verify/" in parts(message)[0]
    await row.refresh_from_db()
    assert row.status == "sent"


async def test_the_same_row_enqueued_twice_is_one_job_and_one_email(queue: ArqRedis, worker_ctx,
                                                                    smtp_server) -> None:
    _url, received = smtp_server
    dispatcher = outbox.ArqDispatcher(queue)
    outbox.set_dispatcher(dispatcher)
    row = await _sign_up("twice@example.org")
    await dispatcher.dispatch([row.id])
    await dispatcher.dispatch([row.id])
    assert await queue.zcard(QUEUE) == 1

    worker = await run_burst(REDIS_URL, worker_ctx)
    assert worker.jobs_complete == 1
    # Once done, the job id is free again (no result kept), and a late duplicate is a no-op job.
    await dispatcher.dispatch([row.id])
    worker = await run_burst(REDIS_URL, worker_ctx)

    assert worker.jobs_complete == 1
    assert len(received) == 1


async def test_redis_down_at_commit_then_the_sweep_delivers(queue: ArqRedis, worker_ctx, smtp_server,
                                                            caplog: pytest.LogCaptureFixture) -> None:
    _url, received = smtp_server
    person = await make_person("forgetful@example.org", name="Forgetful")
    down = outbox.connect_queue(_unreachable_redis_url())
    outbox.set_dispatcher(outbox.ArqDispatcher(down))
    try:
        await request_password_reset(person.email)  # commits although Redis does not answer
    finally:
        await down.aclose()
    row = await OutboxMessage.get(recipient=person.email)
    assert (row.kind, row.status, row.attempts) == ("reset_password", "queued", 0)
    assert "the sweep will retry" in caplog.text
    assert await queue.zcard(QUEUE) == 0

    ctx = {"redis": queue}
    assert await sweep_outbox(ctx) == 0  # too fresh: its own job may still be on the way
    await _make_late(row)
    assert await sweep_outbox(ctx) == 1
    assert await sweep_outbox(ctx) == 0  # its job already waits in the queue
    worker = await run_burst(REDIS_URL, worker_ctx)

    assert worker.jobs_complete == 1
    [message] = received
    assert "/account/reset/" in parts(message)[0]
    await row.refresh_from_db()
    assert row.status == "sent"


async def test_a_hanging_redis_costs_a_request_one_timeout(caplog: pytest.LogCaptureFixture) -> None:
    loop = asyncio.get_running_loop()
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)  # the kernel accepts connections, nobody ever answers
        pool = outbox.connect_queue(f"redis://127.0.0.1:{listener.getsockname()[1]}/0", timeout=0.3)
        started = loop.time()
        await outbox.ArqDispatcher(pool).dispatch([1, 2, 3])
        elapsed = loop.time() - started
        await pool.aclose()
    assert elapsed < 0.6, "one timeout, not one per message"
    assert "could not enqueue outbox messages [1, 2, 3]" in caplog.text


async def test_a_retry_goes_through_the_queue_again(settings: Settings, queue: ArqRedis, worker_ctx,
                                                    smtp_server) -> None:
    _url, received = smtp_server
    outbox.set_dispatcher(outbox.ArqDispatcher(queue))
    row = await _sign_up("retry@example.org")
    smtp_down = Courier.from_settings(replace(settings, smtp_url=f"smtp://127.0.0.1:{free_port()}"))
    await run_burst(REDIS_URL, {**worker_ctx, "courier": smtp_down})
    await row.refresh_from_db()
    assert (row.status, row.attempts) == ("queued", 1)

    # The backoff is over: the sweep enqueues the row again under its own job id.
    await OutboxMessage.filter(id=row.id).update(available_at=datetime.now(UTC) - timedelta(seconds=1))
    assert await sweep_outbox({"redis": queue}) == 1
    await run_burst(REDIS_URL, worker_ctx)

    await row.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 2)
    assert len(received) == 1


async def test_embedded_drainer_delivers_after_commit(courier: Courier, smtp_server) -> None:
    _url, received = smtp_server
    dispatcher = outbox.EmbeddedDispatcher()
    outbox.set_dispatcher(dispatcher)
    drainer = asyncio.create_task(courier.run_embedded(dispatcher, idle_seconds=60))
    try:
        await _sign_up("embedded@example.org")
        await wait_for(lambda: len(received) == 1, timeout=10)  # woken by the commit, not the idle timer
        # The row is marked after the SMTP exchange ends: let the drainer finish before stopping it.
        for _ in range(100):
            if await OutboxMessage.filter(status="sent").exists():
                break
            await asyncio.sleep(0.05)
    finally:
        drainer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await drainer
    assert received[0]["To"] == "Grace Hopper <embedded@example.org>"
    assert await OutboxMessage.filter(status="sent").count() == 1


@contextlib.asynccontextmanager
async def _served(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, own_database=False)
    async with LifespanManager(app) as manager, httpx.AsyncClient(
            transport=httpx.ASGITransport(app=manager.app), base_url="http://testserver") as client:
        yield client


async def test_app_with_redis_enqueues_and_reports_ready(settings: Settings, queue: ArqRedis, worker_ctx,
                                                         smtp_server) -> None:
    _url, received = smtp_server
    async with _served(replace(settings, redis_url=REDIS_URL)) as client:
        assert isinstance(outbox.get_dispatcher(), outbox.ArqDispatcher)
        ready = await client.get("/readyz")
        assert ready.status_code == 200
        assert ready.json()["checks"] == {"database": "ok", "redis": "ok"}
        response = await post_form(client, "/signup", {
            "name": "Web Person", "email": "web@example.org", "password": "a-long-passphrase", "locale": "en"})
        assert response.status_code == 303, response.text
    assert await queue.zcard(QUEUE) == 1

    await run_burst(REDIS_URL, worker_ctx)
    [message] = received
    assert message["To"] == "Web Person <web@example.org>"


async def test_app_with_unreachable_redis_starts_but_is_not_ready(settings: Settings) -> None:
    async with _served(replace(settings, redis_url=_unreachable_redis_url())) as client:
        ready = await client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["checks"]["database"] == "ok"
        assert ready.json()["checks"]["redis"].startswith("error")
        response = await post_form(client, "/signup", {
            "name": "Still Works", "email": "still@example.org", "password": "a-long-passphrase"})
        assert response.status_code == 303, response.text
    assert await OutboxMessage.filter(recipient="still@example.org", status="queued").count() == 1
