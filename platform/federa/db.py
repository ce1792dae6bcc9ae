"""The Tortoise configuration shared by the web app, the workers and the migration tool."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import asyncpg
from tortoise import Tortoise, connections
from tortoise.migrations.api import migrate as tortoise_migrate

MODEL_MODULES = [
    "federa.accounts.models",
    "federa.networks.models",
    "federa.notifications.models",
    "federa.audit.models",
    "federa.events.models",
    "federa.groups.models",
    "federa.groups.discussion_models",
    "federa.library.models",
    "federa.search.models",
    "federa.federation.rp_models",
    "federa.federation.op_models",
]


class QuietConnection(asyncpg.Connection):  # type: ignore[misc]
    """A pooled connection released without the reset statement.

    Federa sets no session state (no LISTEN, advisory locks, SET or held cursors), and asyncpg ends any
    open transaction on release anyway, so the default reset is one wasted round trip per query.
    """

    def get_reset_query(self) -> str:
        return ""


def tortoise_config(database_url: str, *, pool_max: int = 20) -> dict[str, Any]:
    """Build the config dict for a database URL (sqlite://path or postgres://...)."""
    if database_url.startswith("sqlite://"):
        path = database_url[len("sqlite://") :]
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        connection: dict[str, Any] = {
            "engine": "tortoise.backends.sqlite",
            "credentials": {"file_path": path, "journal_mode": "WAL", "busy_timeout": 10000},
        }
    else:
        parts = urlsplit(database_url)
        connection = {
            "engine": "tortoise.backends.asyncpg",
            "credentials": {
                "host": parts.hostname or "127.0.0.1",
                "port": parts.port or 5432,
                "user": parts.username or "postgres",
                "password": parts.password or "",
                "database": parts.path.lstrip("/") or "postgres",
                "minsize": 1,
                "maxsize": pool_max,
                "connection_class": QuietConnection,
            },
        }
    return {
        "connections": {"default": connection},
        "apps": {
            "models": {
                "models": MODEL_MODULES,
                "default_connection": "default",
                "migrations": "migrations.models",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


def dialect() -> str:
    """'postgres' or 'sqlite', for the few raw queries that differ."""
    return str(connections.get("default").capabilities.dialect)


async def migrate(database_url: str) -> None:
    """Apply every pending migration (idempotent), then release the connections."""
    await tortoise_migrate(config=tortoise_config(database_url))
    await Tortoise.close_connections()


async def open_database(database_url: str) -> None:
    # The global fallback makes the ORM visible to request tasks, which do not
    # inherit the lifespan task's context (see shared/notes/stack.md).
    await Tortoise.init(config=tortoise_config(database_url), _enable_global_fallback=True)


async def close_database() -> None:
    await Tortoise.close_connections()


def _migration_config() -> dict[str, Any]:
    from federa.settings import Settings

    return tortoise_config(Settings.from_env().database_url)


def __getattr__(name: str) -> Any:
    # MIGRATION_CONFIG is for the `tortoise makemigrations` CLI (pyproject [tool.tortoise]);
    # built lazily so importing this module reads no environment.
    if name == "MIGRATION_CONFIG":
        return _migration_config()
    raise AttributeError(name)
