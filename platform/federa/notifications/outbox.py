"""Writing outbox rows inside a service's transaction, and waking delivery after the commit."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, Protocol

from federa.notifications.models import OutboxMessage

log = logging.getLogger("federa.outbox")


class Dispatcher(Protocol):
    async def dispatch(self, message_ids: list[int]) -> None: ...


class ManualDispatcher:
    """Nothing runs by itself: the tests and the CLI drain the outbox explicitly."""

    async def dispatch(self, message_ids: list[int]) -> None:
        return None


class EmbeddedDispatcher:
    """Without Redis the web process drains the outbox itself, woken after each commit."""

    def __init__(self) -> None:
        self.wake = asyncio.Event()

    async def dispatch(self, message_ids: list[int]) -> None:
        if message_ids:
            self.wake.set()


def job_id(message_id: int) -> str:
    """One arq job id per outbox row: enqueuing a row that already waits in the queue does nothing."""
    return f"outbox:{message_id}"


class ArqDispatcher:
    """With Redis, one arq job per message; the job id dedups a second enqueue of the same row."""

    def __init__(self, pool: Any) -> None:
        self.pool = pool

    async def dispatch(self, message_ids: list[int]) -> None:
        for index, message_id in enumerate(message_ids):
            try:
                await self.pool.enqueue_job("deliver_outbox", message_id, _job_id=job_id(message_id))
            except Exception:
                # Redis down: the rows stay queued and the cron sweep sends them later. Stop at the
                # first failure so a hanging Redis costs the request one timeout, not one per message.
                log.warning("could not enqueue outbox messages %s; the sweep will retry",
                            message_ids[index:], exc_info=True)
                return


def connect_queue(redis_url: str, *, timeout: float = 2) -> Any:
    """An arq client that connects on first use: the web app starts (and commits) while Redis is down.

    arq's create_pool pings with retries and raises when Redis is away, which would keep the web
    process from starting although the outbox needs no Redis to accept work. /readyz reports it.
    """
    from arq.connections import ArqRedis

    # Short timeouts: a dispatch after commit must not hold a request for long when Redis hangs.
    return ArqRedis.from_url(redis_url, socket_connect_timeout=timeout, socket_timeout=timeout)


_dispatcher: Dispatcher = ManualDispatcher()


def set_dispatcher(dispatcher: Dispatcher) -> None:
    global _dispatcher
    _dispatcher = dispatcher


def get_dispatcher() -> Dispatcher:
    return _dispatcher


async def add(kind: str, recipient: str, *, locale: str = "it", network: Any = None,
              **context: Any) -> OutboxMessage:
    """Queue one message; call inside the service's transaction, dispatch after it commits."""
    return await OutboxMessage.create(
        kind=kind, recipient=recipient, locale=locale, context=context,
        network_id=getattr(network, "id", None), available_at=datetime.now(UTC),
    )


async def dispatch(messages: Iterable[OutboxMessage | None]) -> None:
    """After commit: hand the new rows to the queue (or wake the embedded drainer)."""
    ids = [m.id for m in messages if m is not None]
    if ids:
        await _dispatcher.dispatch(ids)
