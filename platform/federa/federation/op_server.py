"""authlib's AuthorizationServer on Starlette: the code grant with PKCE S256 and OpenID, and rotating refresh.

authlib's server API is synchronous: its hooks return rows instead of awaiting them. So each request runs
in three steps: the view loads every row the hooks may ask for into an `Exchange` (async), authlib runs
on it (sync, no I/O: its hooks read the exchange and record what to write), and the view then writes what
was recorded in one transaction (async), guarded so that a code or refresh token is used exactly once
even when two requests race.
"""

from __future__ import annotations

import contextvars
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from authlib.oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import ClientMixin, OAuth2Request
from authlib.oauth2.rfc6749.errors import InvalidRequestError
from authlib.oauth2.rfc6749.grants import AuthorizationCodeGrant, RefreshTokenGrant
from authlib.oauth2.rfc6749.requests import OAuth2Payload
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core.grants import OpenIDCode
from joserfc.jwk import RSAKey

from federa.accounts.models import Person
from federa.federation.op_models import AuthorizationCode, OAuthClient, OAuthToken
from federa.web.security import hash_token, same

CODE_LIFETIME = 60  # seconds (RFC 9700 asks for short-lived codes; OIDF checks reuse after 30 s)
ACCESS_LIFETIME = 3600
REFRESH_LIFETIME = 30 * 24 * 3600  # absolute: a refresh family ends this long after the sign-in
ID_TOKEN_LIFETIME = 600
TOKEN_AUTH_METHODS = ("client_secret_basic", "client_secret_post")


class Client(ClientMixin):  # type: ignore[misc]
    """authlib's view of a registered client."""

    def __init__(self, row: OAuthClient) -> None:
        self.row = row

    def get_client_id(self) -> str:
        return self.row.client_id

    def get_default_redirect_uri(self) -> None:
        return None  # OpenID Connect requires redirect_uri in every request: no default

    def get_allowed_scope(self, scope: str | None) -> str:
        allowed = set(self.row.scopes.split())
        # Unknown or not-allowed scopes are dropped, not refused (OpenID Connect Core 3.1.2.1).
        return " ".join(dict.fromkeys(s for s in (scope or "").split() if s in allowed))

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.row.redirect_uris  # exact string match (RFC 9700 2.1)

    def check_client_secret(self, client_secret: str) -> bool:
        return same(hash_token(client_secret), self.row.secret_hash)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in TOKEN_AUTH_METHODS

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in ("authorization_code", "refresh_token")


class Code:
    """authlib's view of a stored authorization code."""

    def __init__(self, row: AuthorizationCode) -> None:
        self.row = row
        self.code_challenge = row.code_challenge
        self.code_challenge_method = row.code_challenge_method

    def get_redirect_uri(self) -> str:
        return self.row.redirect_uri

    def get_scope(self) -> str:
        return self.row.scope

    def get_nonce(self) -> str | None:
        return self.row.nonce

    def get_auth_time(self) -> int:
        return int(self.row.auth_time.timestamp())

    def get_acr(self) -> None:
        return None

    def get_amr(self) -> None:
        return None


class Refresh:
    """authlib's view of the token row whose refresh token is presented."""

    def __init__(self, row: OAuthToken) -> None:
        self.row = row

    def check_client(self, client: Client) -> bool:
        return self.row.client_id == client.row.id

    def get_scope(self) -> str:
        return self.row.scope


@dataclass
class Exchange:
    """What authlib's hooks may read (loaded before) and what they asked to write (applied after)."""

    issuer: str
    clients: dict[str, Client] = field(default_factory=dict)
    person: Person | None = None
    subject: str = ""
    key: RSAKey | None = None
    code: Code | None = None
    refresh: Refresh | None = None
    new_code: dict[str, Any] | None = None
    used_code: Code | None = None
    rotated: Refresh | None = None
    issued: list[dict[str, Any]] = field(default_factory=list)


_current: contextvars.ContextVar[Exchange] = contextvars.ContextVar("op_exchange")


@contextmanager
def running(exchange: Exchange) -> Iterator[Exchange]:
    token = _current.set(exchange)
    try:
        yield exchange
    finally:
        _current.reset(token)


def current() -> Exchange:
    return _current.get()


class Payload(OAuth2Payload):  # type: ignore[misc]
    def __init__(self, items: list[tuple[str, str]]) -> None:
        self._datalist: dict[str, list[str]] = {}
        for key, value in items:
            self._datalist.setdefault(key, []).append(value)
        self._data = {key: values[0] for key, values in self._datalist.items()}

    @property
    def data(self) -> dict[str, str]:
        return self._data

    @property
    def datalist(self) -> dict[str, list[str]]:
        return self._datalist


class Request(OAuth2Request):  # type: ignore[misc]
    """An OAuth2Request built from what the Starlette view already read."""

    def __init__(self, method: str, uri: str, headers: Any, query: list[tuple[str, str]],
                 form: list[tuple[str, str]]) -> None:
        super().__init__(method, uri, headers=headers)
        self._args = dict(query)
        self._form = dict(form)
        self.payload = Payload([*query, *form])

    @property
    def args(self) -> dict[str, str]:
        return self._args

    @property
    def form(self) -> dict[str, str]:
        return self._form


def new_token(grant_type: str, client: Client, user: Any = None, scope: str | None = None,
              expires_in: int | None = None, include_refresh_token: bool = True) -> dict[str, Any]:
    token: dict[str, Any] = {"token_type": "Bearer", "access_token": secrets.token_urlsafe(32),
                             "expires_in": expires_in or ACCESS_LIFETIME, "scope": scope or ""}
    if include_refresh_token:
        token["refresh_token"] = secrets.token_urlsafe(32)
    return token


class Server(AuthorizationServer):  # type: ignore[misc]
    def query_client(self, client_id: str) -> Client | None:
        return current().clients.get(client_id)

    def save_token(self, token: dict[str, Any], request: OAuth2Request) -> None:
        current().issued.append({**token, "client": request.client, "person": request.user})

    def create_oauth2_request(self, request: Request) -> Request:
        return request

    def handle_response(self, status: int, body: Any, headers: list[tuple[str, str]]) -> tuple:
        return status, body, headers

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        pass


class CodeGrant(AuthorizationCodeGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS = list(TOKEN_AUTH_METHODS)

    def save_authorization_code(self, code: str, request: OAuth2Request) -> None:
        data = request.payload.data
        current().new_code = {
            "code": code, "client": request.client, "redirect_uri": data.get("redirect_uri"),
            "scope": request.scope, "nonce": data.get("nonce"), "code_challenge": data.get("code_challenge"),
            "code_challenge_method": data.get("code_challenge_method") or "S256"}

    def query_authorization_code(self, code: str, client: Client) -> Code | None:
        found = current().code
        if found is None or not same(found.row.code_hash, hash_token(code)) or found.row.client_id != client.row.id:
            return None
        return found

    def delete_authorization_code(self, authorization_code: Code) -> None:
        current().used_code = authorization_code

    def authenticate_user(self, authorization_code: Code) -> Person | None:
        return current().person


class RotatingRefreshGrant(RefreshTokenGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS = list(TOKEN_AUTH_METHODS)
    INCLUDE_NEW_REFRESH_TOKEN = True

    def authenticate_refresh_token(self, refresh_token: str) -> Refresh | None:
        found = current().refresh
        if found is None or not same(found.row.refresh_hash or "", hash_token(refresh_token)):
            return None
        return found

    def authenticate_user(self, refresh_token: Refresh) -> Person | None:
        return current().person

    def revoke_old_credential(self, refresh_token: Refresh) -> None:
        current().rotated = refresh_token


class S256Required(CodeChallenge):  # type: ignore[misc]
    """PKCE for every client, S256 only (RFC 9700 2.1.1: `plain` and no challenge are refused)."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        data = grant.request.payload.data
        if not data.get("code_challenge"):
            raise InvalidRequestError("Missing 'code_challenge': PKCE with S256 is required.",
                                      redirect_uri=redirect_uri)
        if data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("'code_challenge_method' must be S256.", redirect_uri=redirect_uri)
        try:
            super().validate_code_challenge(grant, redirect_uri)
        except InvalidRequestError as exc:
            exc.redirect_uri = redirect_uri
            raise


class OpenID(OpenIDCode):  # type: ignore[misc]
    DEFAULT_EXPIRES_IN = ID_TOKEN_LIFETIME

    def exists_nonce(self, nonce: str, request: OAuth2Request) -> bool:
        return False  # a nonce is the client's to check; codes are single-use already

    def resolve_client_private_key(self, client: Client) -> RSAKey | None:
        return current().key

    def get_client_claims(self, client: Client) -> dict[str, Any]:
        return {"iss": current().issuer, "aud": client.get_client_id(), "exp": int(time.time()) + ID_TOKEN_LIFETIME}

    def get_encode_header(self, client: Client) -> dict[str, Any]:
        key = current().key
        return {"alg": "RS256", "kid": key.kid if key is not None else None, "typ": "JWT"}

    def generate_user_info(self, user: Person, scope: str) -> dict[str, Any]:
        # The id_token carries the subject; the profile claims come from userinfo.
        return {"sub": current().subject}


def build_server() -> Server:
    server = Server(scopes_supported=None)
    server.register_token_generator("default", new_token)
    server.register_grant(CodeGrant, [OpenID(require_nonce=False), S256Required(required=True)])
    server.register_grant(RotatingRefreshGrant)
    return server


server = build_server()


def token_row(token: dict[str, Any], *, code: AuthorizationCode | None, family: str, subject: str,
              auth_time: datetime, refresh_expires_at: datetime | None, now: datetime) -> dict[str, Any]:
    """The columns of the row an issued token is stored as (hashes only)."""
    from datetime import timedelta

    return {
        "client_id": token["client"].row.id, "person_id": token["person"].id, "code_id": code.id if code else None,
        "family": family, "subject": subject, "access_hash": hash_token(token["access_token"]),
        "refresh_hash": hash_token(token["refresh_token"]) if token.get("refresh_token") else None,
        "scope": token.get("scope") or "", "auth_time": auth_time, "issued_at": now,
        "access_expires_at": now + timedelta(seconds=int(token["expires_in"])),
        "refresh_expires_at": refresh_expires_at,
    }
