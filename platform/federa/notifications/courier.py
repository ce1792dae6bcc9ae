"""The Courier bundles what delivery needs (mailer, templates, sender), built once from Settings."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass

import jinja2

from federa.notifications import delivery
from federa.notifications.mailer import Mailer, make_mailer
from federa.notifications.outbox import EmbeddedDispatcher
from federa.settings import Settings
from federa.web.templating import make_environment

log = logging.getLogger("federa.courier")


@dataclass
class Courier:
    mailer: Mailer
    env: jinja2.Environment
    sender: str
    base_url: str

    @classmethod
    def from_settings(cls, settings: Settings, mailer: Mailer | None = None) -> Courier:
        return cls(
            mailer=mailer or make_mailer(settings.smtp_url, settings.mail_dir),
            env=make_environment(settings.templates_dir),
            sender=settings.mail_from,
            base_url=settings.base_url,
        )

    async def deliver(self, message_id: int) -> str:
        return await delivery.deliver(message_id, mailer=self.mailer, env=self.env, sender=self.sender,
                                      base_url=self.base_url)

    async def drain(self) -> int:
        return await delivery.drain(mailer=self.mailer, env=self.env, sender=self.sender,
                                    base_url=self.base_url)

    async def run_embedded(self, dispatcher: EmbeddedDispatcher, *, idle_seconds: float = 30) -> None:
        """The embedded drainer: deliver on every wake-up, and every idle_seconds for retries."""
        while True:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(dispatcher.wake.wait(), timeout=idle_seconds)
            dispatcher.wake.clear()
            try:
                await self.drain()
            except Exception:
                log.exception("embedded outbox drain failed; retrying later")
