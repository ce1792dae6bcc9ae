"""Reads of the provider: clients, consents, and the rows a token or userinfo request needs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

from tortoise import connections

from federa.accounts.models import Person, WebSession
from federa.errors import NotFound
from federa.federation.op_models import AuthorizationCode, Consent, OAuthClient, OAuthToken
from federa.networks.models import Network
from federa.web.i18n import gettext as _
from federa.web.security import hash_token


async def access_client(network: Network | None, client_pk: int) -> OAuthClient:
    """A client of this network (None: a platform client), or NotFound (also when it belongs elsewhere)."""
    network_id = network.id if network is not None else None
    client = await OAuthClient.get_or_none(id=client_pk, network_id=network_id)
    if client is None:
        raise NotFound(_("No such application."))
    return client


async def clients_of(network: Network | None) -> list[OAuthClient]:
    """The applications registered by a network, or the platform's own when network is None."""
    network_id = network.id if network is not None else None
    return await OAuthClient.filter(network_id=network_id).order_by("name", "id")


async def client_by_client_id(client_id: str | None) -> OAuthClient | None:
    if not client_id or len(client_id) > 64:
        return None
    return await OAuthClient.get_or_none(client_id=client_id)


async def consented(person: Person, client: OAuthClient, scopes: set[str]) -> bool:
    """Whether the person already allowed the client every one of these scopes."""
    consent = await Consent.get_or_none(person_id=person.id, client_id=client.id)
    return consent is not None and scopes <= set(consent.scopes.split())


async def consents_of(person: Person) -> list[Consent]:
    """The applications a person allowed, for the profile's list."""
    return await Consent.filter(person_id=person.id).select_related("client__network").order_by("-updated_at")


async def auth_time(session_key: str | None) -> datetime | None:
    """When the browser session signed in (the start of its server-side row)."""
    if not session_key:
        return None
    row = await WebSession.get_or_none(key_hash=hash_token(session_key)).only("created_at")
    return row.created_at if row is not None else None


async def code_by_value(code: str | None) -> AuthorizationCode | None:
    if not code or len(code) > 128:
        return None
    return await AuthorizationCode.get_or_none(code_hash=hash_token(code)).select_related("person")


# The token endpoint and userinfo run these on every request: one raw query each instead of the ORM's
# select_related, whose query building cost more CPU than the database spends answering (bench/oidc.py).
# The refresh grant reads the client and the presented token (with its person) in the same round trip.
_REFRESH_SQL = ("SELECT {client}, {token}, {person} FROM (SELECT 1 AS one) o "
                "LEFT JOIN op_client c ON c.client_id = {p1} LEFT JOIN op_token t ON t.refresh_hash = {p2} "
                "LEFT JOIN person p ON p.id = t.person_id")
_USERINFO_SQL = ("SELECT t.subject, t.scope, t.revoked_at, t.access_expires_at, p.id AS person_id, p.name, "
                 "p.locale, p.email, p.email_verified_at, p.is_active FROM op_token t "
                 "JOIN person p ON p.id = t.person_id WHERE t.access_hash = {p1}")


def _columns(model: type, alias: str) -> str:
    return ", ".join(f"{alias}.{c} AS {alias}_{c}" for c in model._meta.db_fields)  # type: ignore[attr-defined]


@cache
def _sql(template: str, dialect: str) -> str:
    postgres = dialect == "postgres"
    return template.format(client=_columns(OAuthClient, "c"), token=_columns(OAuthToken, "t"),
                           person=_columns(Person, "p"), p1="$1" if postgres else "?", p2="$2" if postgres else "?")


def _model(model: type, alias: str, row: dict) -> Any:
    return model._init_from_db(**{c: row[f"{alias}_{c}"] for c in model._meta.db_fields})  # type: ignore[attr-defined]


def _bounded(value: str | None, limit: int) -> str | None:
    return value if value and len(value) <= limit else None


async def refresh_exchange(client_id: str | None, refresh_token: str | None) -> tuple[OAuthClient | None,
                                                                                       OAuthToken | None]:
    """The client named by a refresh request and the token row its refresh token belongs to (any state)."""
    client_id, refresh_token = _bounded(client_id, 64), _bounded(refresh_token, 128)
    if client_id is None and refresh_token is None:
        return None, None
    conn = connections.get("default")
    rows = await conn.execute_query_dict(_sql(_REFRESH_SQL, conn.capabilities.dialect),
                                         [client_id, hash_token(refresh_token) if refresh_token else None])
    row = rows[0]
    client = _model(OAuthClient, "c", row) if row["c_id"] is not None else None
    token = None
    if row["t_id"] is not None:
        token = _model(OAuthToken, "t", row)
        token.person = _model(Person, "p", row)
    return client, token


@dataclass(frozen=True, slots=True)
class AccessGrant:
    """What userinfo needs of a live access token: its subject and scope, and its person's claims."""

    subject: str
    scope: str
    person_id: int
    name: str
    locale: str
    email: str
    email_verified: bool


def _moment(value: Any) -> datetime:
    # asyncpg gives a datetime, SQLite a string
    if isinstance(value, datetime):
        return value
    return OAuthToken._meta.fields_map["access_expires_at"].to_python_value(value)  # type: ignore[no-any-return]


async def live_access_token(access_token: str | None) -> AccessGrant | None:
    """The grant of a live access token whose person is active, or None."""
    if _bounded(access_token, 128) is None:
        return None
    conn = connections.get("default")
    rows = await conn.execute_query_dict(_sql(_USERINFO_SQL, conn.capabilities.dialect),
                                         [hash_token(access_token)])  # type: ignore[arg-type]
    if not rows:
        return None
    row = rows[0]
    if row["revoked_at"] is not None or not row["is_active"] or _moment(row["access_expires_at"]) <= datetime.now(UTC):
        return None
    return AccessGrant(subject=row["subject"], scope=row["scope"], person_id=row["person_id"], name=row["name"],
                       locale=row["locale"], email=row["email"], email_verified=row["email_verified_at"] is not None)
