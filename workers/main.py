"""arq WorkerSettings: every job and cron of Federa. Jobs are thin and call services in federa.*."""

from __future__ import annotations

import time
from typing import Any

from arq import cron
from arq.connections import RedisSettings

from federa import db
from federa.notifications import outbox
from federa.notifications.courier import Courier
from federa.notifications.delivery import due_messages
from federa.settings import Settings


async def startup(ctx: dict[str, Any]) -> None:
    settings: Settings = ctx.get("settings") or Settings.from_env()
    if not ctx.get("database_open"):
        await db.open_database(settings.database_url)
    ctx["courier"] = ctx.get("courier") or Courier.from_settings(settings)
    outbox.set_dispatcher(outbox.ArqDispatcher(ctx["redis"]))


async def shutdown(ctx: dict[str, Any]) -> None:
    if not ctx.get("database_open"):
        await db.close_database()


async def deliver_outbox(ctx: dict[str, Any], message_id: int) -> str:
    """Deliver one outbox row; a repeated run for the same row is a no-op."""
    return await ctx["courier"].deliver(message_id)


async def sweep_outbox(ctx: dict[str, Any]) -> int:
    """Re-enqueue rows the queue missed (Redis down at commit time, a dead worker, retries due)."""
    ids = await due_messages(late_only=True)
    for message_id in ids:
        # A job id per sweep minute: an earlier job's kept result must not block this one,
        # and two sweeps in the same minute still enqueue a row only once.
        minute = int(time.time() // 60)
        await ctx["redis"].enqueue_job("deliver_outbox", message_id, _job_id=f"outbox:{message_id}:{minute}")
    return len(ids)


def redis_settings() -> RedisSettings:
    url = Settings.from_env().redis_url or "redis://127.0.0.1:6379/0"
    return RedisSettings.from_dsn(url)


class WorkerSettings:
    functions = [deliver_outbox]
    cron_jobs = [cron(sweep_outbox, second={0}, run_at_startup=True, unique=True)]
    on_startup = startup
    on_shutdown = shutdown
    redis_settings = redis_settings()
    job_timeout = 60
    max_tries = 5
    keep_result = 60
