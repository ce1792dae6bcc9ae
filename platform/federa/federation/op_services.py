"""Changes of the provider: client registration, consents, codes and tokens (written once, guarded)."""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime, timedelta

from tortoise import connections
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from federa import db
from federa.accounts.models import Person
from federa.accounts.services import require_platform_admin
from federa.audit.log import record
from federa.errors import NotFound
from federa.federation import op_server
from federa.federation.op_models import AuthorizationCode, Consent, OAuthClient, OAuthToken, Subject
from federa.federation.op_queries import access_client
from federa.federation.op_schemas import ClientIn
from federa.networks.access import Access
from federa.web.i18n import gettext as _
from federa.web.security import hash_token


class Replayed(Exception):
    """A code or refresh token was used by another request first: the whole exchange is refused."""


def _authorise(access: Access | None, actor: Person | None, *, operator: bool = False) -> None:
    # A network's admins manage its applications; the platform admin manages platform-wide ones. The
    # command line (`federa oidc-clients create`) runs with the server operator's authority.
    if operator:
        return
    if access is None:
        require_platform_admin(actor)
    else:
        access.require_admin()


async def register_client(access: Access | None, data: ClientIn, *, actor: Person | None,
                          operator: bool = False) -> tuple[OAuthClient, str]:
    """Register an application; its secret is returned once and only its hash is kept."""
    _authorise(access, actor, operator=operator)
    secret = secrets.token_urlsafe(32)
    async with in_transaction():
        client = await OAuthClient.create(
            network_id=access.network.id if access else None, client_id="fc_" + secrets.token_urlsafe(18),
            secret_hash=hash_token(secret), name=data.name, redirect_uris=data.redirect_uris,
            post_logout_redirect_uris=data.post_logout_redirect_uris, scopes=" ".join(data.scopes),
            created_by=actor)
        await record("oidc_client.created", actor=actor, network=access.network if access else None, obj=client,
                     client_id=client.client_id, redirect_uris=data.redirect_uris)
    return client, secret


async def rotate_secret(access: Access | None, client_pk: int, *, actor: Person) -> tuple[OAuthClient, str]:
    """A new secret for an application: the old one stops working at once."""
    _authorise(access, actor)
    secret = secrets.token_urlsafe(32)
    async with in_transaction():
        client = await access_client(access.network if access else None, client_pk)
        client.secret_hash = hash_token(secret)
        client.secret_rotated_at = datetime.now(UTC)
        await client.save(update_fields=["secret_hash", "secret_rotated_at"])
        await record("oidc_client.secret_rotated", actor=actor, network=client.network_id, obj=client)
    return client, secret


async def delete_client(access: Access | None, client_pk: int, *, actor: Person) -> None:
    """Remove an application with its codes, tokens and consents."""
    _authorise(access, actor)
    async with in_transaction():
        client = await access_client(access.network if access else None, client_pk)
        await record("oidc_client.deleted", actor=actor, network=client.network_id, obj=client,
                     client_id=client.client_id, name=client.name)
        await client.delete()


async def subject_of(person: Person) -> str:
    """The person's stable opaque subject, made on first use."""
    row = await Subject.get_or_none(person_id=person.id)
    if row is not None:
        return row.sub
    try:
        return (await Subject.create(person_id=person.id, sub=uuid.uuid4().hex)).sub
    except IntegrityError:  # made at the same moment by another request
        return (await Subject.get(person_id=person.id)).sub


async def remember_consent(person: Person, client: OAuthClient, scopes: set[str]) -> None:
    """Remember what the person allowed this client, adding to what they allowed before."""
    async with in_transaction():
        consent = await Consent.get_or_none(person_id=person.id, client_id=client.id)
        if consent is None:
            await Consent.create(person_id=person.id, client_id=client.id, scopes=" ".join(sorted(scopes)))
        else:
            consent.scopes = " ".join(sorted(scopes | set(consent.scopes.split())))
            await consent.save(update_fields=["scopes", "updated_at"])
        await record("oidc_consent.given", actor=person, obj=client, scopes=sorted(scopes))


async def revoke_consent(person: Person, consent_id: int) -> None:
    """Withdraw a consent: the application's tokens for this person stop working too."""
    async with in_transaction():
        consent = await Consent.get_or_none(id=consent_id, person_id=person.id)
        if consent is None:
            raise NotFound(_("No such application."))
        await OAuthToken.filter(person_id=person.id, client_id=consent.client_id, revoked_at=None).update(
            revoked_at=datetime.now(UTC))
        await consent.delete()
        await record("oidc_consent.revoked", actor=person, client_id=consent.client_id)


async def save_code(exchange: op_server.Exchange, person: Person, auth_time: datetime) -> None:
    """Store the code authlib just issued (hashed, 60 seconds)."""
    data = exchange.new_code
    assert data is not None
    now = datetime.now(UTC)
    await AuthorizationCode.create(
        client_id=data["client"].row.id, person_id=person.id, code_hash=hash_token(data["code"]),
        subject=exchange.subject, redirect_uri=data["redirect_uri"], scope=data["scope"] or "", nonce=data["nonce"],
        code_challenge=data["code_challenge"], code_challenge_method=data["code_challenge_method"],
        auth_time=auth_time, expires_at=now + timedelta(seconds=op_server.CODE_LIFETIME))


# PostgreSQL: the single-use guard and the insert in one statement (one round trip, atomic on its own).
_GUARDS = {
    "code": "UPDATE op_authorization_code SET used_at = $1 WHERE id = $2 AND used_at IS NULL RETURNING id",
    "refresh": "UPDATE op_token SET refreshed_at = $1 WHERE id = $2 AND refreshed_at IS NULL AND revoked_at IS NULL "
               "RETURNING id",
}
_COLUMNS = {"client_id": "int", "person_id": "int", "code_id": "int", "family": "varchar", "subject": "varchar",
            "access_hash": "varchar", "refresh_hash": "varchar", "scope": "varchar", "auth_time": "timestamptz",
            "issued_at": "timestamptz", "access_expires_at": "timestamptz", "refresh_expires_at": "timestamptz"}
_GUARDED_INSERT = {kind: f"WITH used AS ({guard}) INSERT INTO op_token ({', '.join(_COLUMNS)}) SELECT "
                          f"{', '.join(f'${i}::{t}' for i, t in enumerate(_COLUMNS.values(), start=3))} "
                          "WHERE EXISTS (SELECT 1 FROM used) RETURNING id" for kind, guard in _GUARDS.items()}


def _plan(exchange: op_server.Exchange, now: datetime) -> tuple[tuple[str, int] | None, list[dict]]:
    """Which code or refresh token the exchange uses up, and the token rows it stores."""
    code_row, family, auth_time = None, uuid.uuid4().hex, now
    refresh_expires: datetime = now + timedelta(seconds=op_server.REFRESH_LIFETIME)
    guard = None
    if exchange.used_code is not None:
        code_row = exchange.used_code.row
        guard, auth_time = ("code", code_row.id), code_row.auth_time
    if exchange.rotated is not None:
        old = exchange.rotated.row
        guard, family, auth_time = ("refresh", old.id), old.family, old.auth_time
        refresh_expires = old.refresh_expires_at or refresh_expires
    rows = [op_server.token_row(token, code=code_row, family=family, subject=exchange.subject, auth_time=auth_time,
                                refresh_expires_at=refresh_expires if token.get("refresh_token") else None, now=now)
            for token in exchange.issued]
    return guard, rows


async def _use_up(guard: tuple[str, int], now: datetime) -> int:
    if guard[0] == "code":
        return await AuthorizationCode.filter(id=guard[1], used_at=None).update(used_at=now)
    return await OAuthToken.filter(id=guard[1], refreshed_at=None, revoked_at=None).update(refreshed_at=now)


async def save_tokens(exchange: op_server.Exchange) -> None:
    """Write what a token request produced: mark the code or refresh token used, store the new tokens."""
    now = datetime.now(UTC)
    guard, rows = _plan(exchange, now)
    if guard is not None and len(rows) == 1 and db.dialect() == "postgres":
        count, _rows = await connections.get("default").execute_query(
            _GUARDED_INSERT[guard[0]], [now, guard[1], *(rows[0][column] for column in _COLUMNS)])
        if not count:
            raise Replayed
        return
    async with in_transaction():
        if guard is not None and not await _use_up(guard, now):
            raise Replayed
        for row in rows:
            await OAuthToken.create(**row)


async def revoke_from_code(code: AuthorizationCode) -> None:
    """A code came back a second time: whatever was issued from it is revoked (RFC 6749 4.1.2)."""
    now = datetime.now(UTC)
    families = await OAuthToken.filter(code_id=code.id).values_list("family", flat=True)
    if families:
        await OAuthToken.filter(family__in=list(families), revoked_at=None).update(revoked_at=now)
    await record("oidc_code.replayed", actor=None, client_id=code.client_id, person_id=code.person_id)


async def revoke_family(token: OAuthToken) -> None:
    """A rotated refresh token came back: every token of its family is revoked (RFC 9700 4.14.2)."""
    await OAuthToken.filter(family=token.family, revoked_at=None).update(revoked_at=datetime.now(UTC))
    await record("oidc_refresh.replayed", actor=None, client_id=token.client_id, person_id=token.person_id)

