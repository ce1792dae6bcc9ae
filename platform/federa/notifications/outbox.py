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


class ArqDispatcher:
    """With Redis, one arq job per message; the job id dedups a second enqueue of the same row."""

    def __init__(self, pool: Any) -> None:
        self.pool = pool

    async def dispatch(self, message_ids: list[int]) -> None:
        for message_id in message_ids:
            try:
                await self.pool.enqueue_job("deliver_outbox", message_id, _job_id=f"outbox:{message_id}")
            except Exception:  # Redis down: the row stays queued and the cron sweep sends it later.
                log.warning("could not enqueue outbox message %s; the sweep will retry", message_id,
                            exc_info=True)


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
