"""Reads of the provider: clients, consents, and the rows a token or userinfo request needs."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache

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
_TOKEN_SQL = "SELECT {token}, {person} FROM op_token t JOIN person p ON p.id = t.person_id WHERE t.{column} = {p1}"  # noqa: S105


@cache
def _token_sql(column: str, dialect: str) -> str:
    return _TOKEN_SQL.format(
        token=", ".join(f"t.{c} AS t_{c}" for c in OAuthToken._meta.db_fields),
        person=", ".join(f"p.{c} AS p_{c}" for c in Person._meta.db_fields),
        column=column, p1="$1" if dialect == "postgres" else "?")


async def _token_with_person(column: str, value: str) -> OAuthToken | None:
    conn = connections.get("default")
    rows = await conn.execute_query_dict(_token_sql(column, conn.capabilities.dialect), [hash_token(value)])
    if not rows:
        return None
    row = rows[0]
    token = OAuthToken._init_from_db(**{c: row[f"t_{c}"] for c in OAuthToken._meta.db_fields})
    token.person = Person._init_from_db(**{c: row[f"p_{c}"] for c in Person._meta.db_fields})
    return token


async def token_by_refresh(refresh_token: str | None) -> OAuthToken | None:
    """The token row a refresh token belongs to, with its person (whatever its state)."""
    if not refresh_token or len(refresh_token) > 128:
        return None
    return await _token_with_person("refresh_hash", refresh_token)


async def live_access_token(access_token: str | None) -> OAuthToken | None:
    """The token row of a live access token with an active person, or None."""
    if not access_token or len(access_token) > 128:
        return None
    row = await _token_with_person("access_hash", access_token)
    if row is None or row.revoked_at is not None or row.access_expires_at <= datetime.now(UTC) \
            or not row.person.is_active:
        return None
    return row
