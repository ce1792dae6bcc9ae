"""Files attached to outbox e-mails, built when a message is delivered, so they show the current state.

Another package registers a builder per message kind (events: the .ics of an invitation). This module
never imports those packages at module level: it imports the PROVIDERS on first use, whoever runs the
delivery (web process, arq worker, `federa drain`), and each provider registers its builders.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Protocol

from federa.notifications.models import OutboxMessage
from federa.web import i18n

# Modules that call register() when imported.
PROVIDERS = ("federa.events.ical",)


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    maintype: str
    subtype: str
    params: dict[str, str] = field(default_factory=dict)  # extra Content-Type parameters (method=REQUEST)


class Builder(Protocol):
    async def __call__(self, message: OutboxMessage, *, sender: str, base_url: str) -> list[Attachment]: ...


_builders: dict[str, Builder] = {}
_loaded = False


def register(kind: str, builder: Builder) -> None:
    """Attach what `builder` returns to every e-mail of this kind."""
    _builders[kind] = builder


def _load() -> None:
    global _loaded
    if not _loaded:
        for module in PROVIDERS:
            importlib.import_module(module)
        _loaded = True


async def build(message: OutboxMessage, *, sender: str, base_url: str) -> list[Attachment]:
    """The message's attachments, in the recipient's language (none for most kinds)."""
    _load()
    builder = _builders.get(message.kind)
    if builder is None:
        return []
    token = i18n.current_locale.set(message.locale if message.locale in i18n.LOCALES else "it")
    try:
        return await builder(message, sender=sender, base_url=base_url)
    finally:
        i18n.current_locale.reset(token)
