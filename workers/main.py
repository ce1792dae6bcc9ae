"""arq WorkerSettings: every job and cron of Federa. Jobs are thin and call services in federa.*."""

from __future__ import annotations

import os
from typing import Any

from arq import cron, func
from arq.connections import RedisSettings

from federa import db
from federa.notifications import outbox
from federa.notifications.courier import Courier
from federa.notifications.delivery import due_messages
from federa.settings import Settings


async def startup(ctx: dict[str, Any]) -> None:
    """Open the database and build the courier, unless the caller (a test) passed its own."""
    settings: Settings = ctx.get("settings") or Settings.from_env()
    ctx["settings"] = settings
    if not ctx.get("database_open"):
        await db.open_database(settings.database_url)
    ctx["courier"] = ctx.get("courier") or Courier.from_settings(settings)
    # Services called from jobs enqueue their own messages through this worker's connection.
    outbox.set_dispatcher(outbox.ArqDispatcher(ctx["redis"]))


async def shutdown(ctx: dict[str, Any]) -> None:
    outbox.set_dispatcher(outbox.ManualDispatcher())
    if not ctx.get("database_open"):
        await db.close_database()


async def deliver_outbox(ctx: dict[str, Any], message_id: int) -> str:
    """Deliver one outbox row; a repeated run for the same row is a no-op."""
    return await ctx["courier"].deliver(message_id)  # type: ignore[no-any-return]


async def sweep_outbox(ctx: dict[str, Any]) -> int:
    """Re-enqueue rows the queue missed (Redis down at commit time, a dead worker, retries due)."""
    enqueued = 0
    for message_id in await due_messages(late_only=True):
        # The row's own job id: a row whose job still waits in the queue is not enqueued twice.
        job = await ctx["redis"].enqueue_job("deliver_outbox", message_id, _job_id=outbox.job_id(message_id))
        enqueued += job is not None
    return enqueued


async def send_reminders(ctx: dict[str, Any]) -> int:
    """Queue the reminders of sessions starting within 24 hours; each person and session once, however
    often this runs (two workers at once, or again after a crash)."""
    from federa.events import reminders

    return await reminders.send_due_reminders()


async def discussion_fan_out(ctx: dict[str, Any], post_id: int) -> int:
    """Queue the e-mails of a new discussion post to members who want each post; once per post."""
    from federa.groups import discussion_notices

    return await discussion_notices.fan_out(post_id)


async def deliver_discussion_batch(ctx: dict[str, Any], message_ids: list[int]) -> int:
    """Deliver a batch of discussion e-mails (one job per batch, not per person); leavers' are withheld."""
    from federa.groups import discussion_notices

    return await discussion_notices.deliver_batch(message_ids, ctx["courier"].deliver)


async def send_discussion_digests(ctx: dict[str, Any]) -> int:
    """Fan out posts whose job was lost, then queue the daily digests due (each person, network, day once)."""
    from federa.groups import digests, discussion_notices

    await discussion_notices.sweep()
    return await digests.send_digests()


async def apply_import(ctx: dict[str, Any], job_id: int, actor_id: int | None = None) -> str:
    """Apply a confirmed directory import; a repeated run of a started or finished job is a no-op."""
    from federa.networks import imports

    return await imports.apply(job_id, actor_id)


def redis_settings() -> RedisSettings:
    # Only the URL is read here: importing this module must not need the rest of the settings.
    return RedisSettings.from_dsn(os.environ.get("FEDERA_REDIS_URL") or "redis://127.0.0.1:6379/0")


class WorkerSettings:
    # An import writes its rows in one transaction and may take minutes. arq keeps a crashed job's
    # in-progress key for the longest timeout + 10 s, so this also bounds re-running any other job.
    functions = [deliver_outbox, func(apply_import, timeout=300), discussion_fan_out,
                 func(deliver_discussion_batch, timeout=300)]
    cron_jobs = [
        cron(sweep_outbox, second={0}, run_at_startup=True, unique=True),
        # Every 10 minutes (at :30 s, clear of the outbox sweep); also at startup, to catch up after downtime.
        cron(send_reminders, minute=set(range(0, 60, 10)), second={30}, run_at_startup=True, unique=True,
             timeout=300),
        # Hourly (the digest of a day goes out from 7:00 in Italy) and at startup, to catch up after downtime.
        cron(send_discussion_digests, minute={5}, second={15}, run_at_startup=True, unique=True, timeout=300),
    ]
    on_startup = startup
    on_shutdown = shutdown
    redis_settings = redis_settings()
    # The SMTP timeout is 20 s. After a crash a job re-runs job_timeout + 10 s later.
    job_timeout = 60
    max_tries = 5
    # The outbox row is the result. Keeping none in Redis frees the job id at once, so the sweep
    # can enqueue a row again (a retry after a temporary failure) under the same id.
    keep_result = 0
    # On SIGTERM, let running jobs finish (an SMTP send takes at most 20 s) rather than cancel them
    # between the send and the 'sent' mark, which would send that e-mail again later.
    # compose.yaml gives the worker a longer stop_grace_period.
    job_completion_wait = 25
    # The health key lives interval + 1 s: `arq --check` fails within half a minute of a dead worker.
    health_check_interval = 30
