"""Real parts for the outbox tests: an SMTP server on loopback (aiosmtpd) and an in-process arq worker.

Not a conftest.py: without a package, a second conftest would take the name `conftest` from tests/conftest.py.
Each test module declares its fixtures in a few lines with these helpers.
"""

from __future__ import annotations

import asyncio
import socket
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any, cast

from aiosmtpd.controller import Controller
from arq.connections import RedisSettings
from arq.worker import Worker

from workers.main import WorkerSettings

REJECT = "reject"   # local part the server refuses for good: 550
LATER = "later"     # local part the server asks to try again later: 451


def free_port() -> int:
    """A port nobody listens on right now (aiosmtpd cannot use port 0)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class CatchingHandler:
    """Accepts every recipient except the REJECT and LATER ones and keeps each message it receives."""

    received: list[EmailMessage] = field(default_factory=list)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        local = address.partition("@")[0]
        if local.startswith(REJECT):
            return "550 5.1.1 No such user here"
        if local.startswith(LATER):
            return "451 4.3.0 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = BytesParser(policy=policy.default).parsebytes(envelope.content)
        self.received.append(message)  # type: ignore[arg-type]
        return "250 Message accepted for delivery"


@contextmanager
def smtp_server() -> Iterator[tuple[str, list[EmailMessage]]]:
    """(smtp url, received messages) for an SMTP server running in a thread on loopback."""
    handler = CatchingHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield f"smtp://127.0.0.1:{port}", handler.received
    finally:
        controller.stop()


async def wait_for(condition: Callable[[], bool], *, timeout: float = 10) -> None:
    """Poll until condition() holds; fail the test on timeout."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "timed out waiting"
        await asyncio.sleep(0.02)


def burst_worker(redis_url: str, ctx: dict[str, Any]) -> Worker:
    """The production WorkerSettings in burst mode: run the queued jobs, then stop."""
    return Worker(
        functions=cast(Any, WorkerSettings.functions), on_startup=WorkerSettings.on_startup,
        on_shutdown=WorkerSettings.on_shutdown, job_timeout=WorkerSettings.job_timeout,
        max_tries=WorkerSettings.max_tries, keep_result=WorkerSettings.keep_result,
        redis_settings=RedisSettings.from_dsn(redis_url), burst=True, handle_signals=False,
        poll_delay=0.05, ctx=ctx,
    )


async def run_burst(redis_url: str, ctx: dict[str, Any]) -> Worker:
    worker = burst_worker(redis_url, ctx)
    try:
        await worker.async_run()
    finally:
        with warnings.catch_warnings():
            # arq 0.28 closes its pool with redis' deprecated close(); nothing for us to change.
            warnings.filterwarnings("ignore", "Call to deprecated close", DeprecationWarning)
            await worker.close()
    return worker


def parts(message: EmailMessage) -> tuple[str, str]:
    """The text and the HTML body of a multipart/alternative message."""
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and html is not None, "expected a text and an HTML part"
    return text.get_content(), html.get_content()
