"""Where uploaded files live: a small interface, and a local folder as the default.

Keys are generated here (random hex), never taken from the uploader: an original file name with
`../`, an absolute path or control characters cannot reach the file system.
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path
from typing import Protocol

import anyio

from federa.settings import Settings

_KEY = re.compile(r"^[0-9a-f]{32}$")


class Storage(Protocol):
    """What the library needs from a file store."""

    async def save(self, data: bytes) -> str: ...

    async def open(self, key: str) -> bytes: ...

    async def delete(self, key: str) -> None: ...


class LocalStorage:
    """Files under one folder, as <root>/<2 hex>/<32 hex>, written atomically."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, key: str) -> Path:
        if not _KEY.fullmatch(key):  # keys are ours: anything else is a bug or an attack
            raise ValueError("not a storage key")
        return self.root / key[:2] / key

    async def save(self, data: bytes) -> str:
        key = secrets.token_hex(16)
        await anyio.to_thread.run_sync(self._write, self.path(key), data)
        return key

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".part")
        with open(partial, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        partial.replace(path)

    async def open(self, key: str) -> bytes:
        return await anyio.to_thread.run_sync(self.path(key).read_bytes)

    async def delete(self, key: str) -> None:
        await anyio.to_thread.run_sync(lambda: self.path(key).unlink(missing_ok=True))


def storage_for(settings: Settings) -> Storage:
    """The deployment's storage (the local folder under var/uploads)."""
    return LocalStorage(settings.uploads_dir)
