"""Who is asking: a browser session (signed cookie + server-side row) or an API bearer token."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send
from tortoise import connections

from federa.accounts.models import ApiToken, Person, WebSession
from federa.web.security import hash_token

SESSION_IDLE = timedelta(days=14)
SESSION_ABSOLUTE = timedelta(days=30)  # a stolen cookie stops working even if kept busy (ASVS 7.3.2)
_TOUCH_EVERY = timedelta(minutes=5)


def _person_columns() -> str:
    return ", ".join(f"p.{column}" for column in Person._meta.db_fields)


def _with_person(sql: str) -> tuple[str, str]:
    """The query for both dialects ($1 on PostgreSQL, ? on SQLite), and the dialect."""
    dialect = connections.get("default").capabilities.dialect
    return _query(sql, dialect), dialect


@cache
def _query(sql: str, dialect: str) -> str:
    return sql.format(person=_person_columns(), p1="$1" if dialect == "postgres" else "?")


# One raw query per request instead of the ORM's select_related join: it runs on every request, and
# building the ORM query cost more CPU than PostgreSQL spends answering it (bench/RESULTS.md, issue 3).
_SESSION_SQL = """SELECT s.id AS s_id, s.last_seen_at AS s_last_seen_at, s.created_at AS s_created_at, {person}
  FROM web_session s JOIN person p ON p.id = s.person_id WHERE s.key_hash = {p1}"""
_BEARER_SQL = """SELECT t.id AS t_id, t.last_used_at AS t_last_used_at, {person}
  FROM api_token t JOIN person p ON p.id = t.person_id WHERE t.token_hash = {p1} AND t.revoked_at IS NULL"""
# PostgreSQL: the last-use touch (at most every _TOUCH_EVERY) rides in the same statement; the row read
# is the one from before the touch. SQLite has no data-modifying CTE: it sends the UPDATE separately.
_BEARER_TOUCH_SQL = """WITH hit AS (""" + _BEARER_SQL + """),
touch AS (UPDATE api_token SET last_used_at = $2 WHERE id = (SELECT t_id FROM hit WHERE is_active
          AND (t_last_used_at IS NULL OR t_last_used_at < $3)))
SELECT * FROM hit"""


def _datetime(model: type, field: str, value: object) -> datetime | None:
    """A datetime from a raw row: asyncpg gives one already, SQLite a string."""
    if value is None or isinstance(value, datetime):
        return value
    return model._meta.fields_map[field].to_python_value(value)  # type: ignore[attr-defined, no-any-return]


def _person(row: dict) -> Person:
    return Person._init_from_db(**{column: row[column] for column in Person._meta.db_fields})


async def _row(sql: str, key: str) -> dict | None:
    query, _ = _with_person(sql)
    rows = await connections.get("default").execute_query_dict(query, [key])
    return rows[0] if rows else None


async def _token_row(token_hash: str, now: datetime) -> tuple[dict | None, bool]:
    """The token's row with its person, and whether its last use was already recorded in the same query."""
    query, dialect = _with_person(_BEARER_TOUCH_SQL)
    if dialect != "postgres":
        return await _row(_BEARER_SQL, token_hash), False
    rows = await connections.get("default").execute_query_dict(query, [token_hash, now, now - _TOUCH_EVERY])
    return (rows[0] if rows else None), True


async def person_from_session(session: dict) -> Person | None:
    """The person of a browser session, or None (and the dead key dropped) if it has ended."""
    key = session.get("sid")
    if not key:
        return None
    row = await _row(_SESSION_SQL, hash_token(key))
    now = datetime.now(UTC)
    if row is None:
        session.pop("sid", None)
        return None
    person = _person(row)
    last_seen = _datetime(WebSession, "last_seen_at", row["s_last_seen_at"])
    created = _datetime(WebSession, "created_at", row["s_created_at"])
    if not person.is_active or last_seen is None or created is None or now - last_seen > SESSION_IDLE \
            or now - created > SESSION_ABSOLUTE:
        await WebSession.filter(id=row["s_id"]).delete()
        session.pop("sid", None)
        return None
    if now - last_seen > _TOUCH_EVERY:
        await WebSession.filter(id=row["s_id"]).update(last_seen_at=now)
    return person


async def person_from_bearer(header: str | None) -> Person | None:
    """The owner of a live personal access token, or None."""
    if not header or not header.lower().startswith("bearer "):
        return None
    token = header[7:].strip()
    now = datetime.now(UTC)
    row, touched = await _token_row(hash_token(token), now)
    if row is None:
        return None
    person = _person(row)
    if not person.is_active:
        return None
    last_used = _datetime(ApiToken, "last_used_at", row["t_last_used_at"])
    if not touched and (last_used is None or now - last_used > _TOUCH_EVERY):
        await ApiToken.filter(id=row["t_id"]).update(last_used_at=now)
    return person


class IdentityMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        state = scope.setdefault("state", {})
        if scope["path"].startswith("/api/"):
            # The API authenticates by bearer token only: no cookies, so no CSRF exposure.
            state["person"] = await person_from_bearer(Headers(scope=scope).get("authorization"))
        elif scope["path"].startswith("/static/"):
            state["person"] = None
        else:
            state["person"] = await person_from_session(scope.get("session", {}))
        await self.app(scope, receive, send)
