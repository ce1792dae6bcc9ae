"""Federa as an OpenID provider: discovery, JWKS, authorize + consent, token, userinfo (protocol endpoints)."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from urllib.parse import urlencode

from authlib.common.urls import add_params_to_uri
from authlib.oauth2.rfc6749.errors import AccessDeniedError, OAuth2Error
from authlib.oauth2.rfc6749.util import extract_basic_authorization
from authlib.oidc.core.errors import ConsentRequiredError, LoginRequiredError
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from federa.federation import op_keys, op_logout_views, op_manage_views, op_queries, op_services
from federa.federation.op_claims import CLAIMS_SUPPORTED, SCOPE_LABELS, SCOPES, claims_for
from federa.federation.op_models import OAuthToken
from federa.federation.op_server import Client, Code, Exchange, Refresh, running, server
from federa.federation.op_server import Request as OAuthRequest
from federa.web.forms import read_form
from federa.web.pages import person_of, render

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
LOGIN_MARK = "federa_login_after"  # authorize URL parameter: a sign-in newer than this satisfies prompt=login
_LOGIN_MARK_VALID = 600


class RequestNotSupported(OAuth2Error):  # type: ignore[misc]
    error = "request_not_supported"


class RequestUriNotSupported(OAuth2Error):  # type: ignore[misc]
    error = "request_uri_not_supported"


def issuer(request: Request) -> str:
    return str(request.app.state.settings.base_url)


def _authlib_uri(request: Request) -> str:
    # authlib refuses plain-http URIs. Outside production (tests on http://testserver, dev on loopback)
    # the transport is the developer's concern, so it is told https; in production base_url is https.
    uri = issuer(request) + request.url.path
    if not request.app.state.settings.production:
        uri = "https://" + uri.split("://", 1)[-1]
    return uri


async def discovery(request: Request) -> Response:
    base = issuer(request)
    return JSONResponse({
        "issuer": base, "authorization_endpoint": base + "/oauth/authorize", "token_endpoint": base + "/oauth/token",
        "userinfo_endpoint": base + "/oauth/userinfo", "jwks_uri": base + "/oauth/jwks",
        "end_session_endpoint": base + "/oauth/logout", "scopes_supported": list(SCOPES),
        "response_types_supported": ["code"], "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token"], "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": ["S256"], "claims_supported": CLAIMS_SUPPORTED,
        "prompt_values_supported": ["none", "login", "consent"], "ui_locales_supported": ["it", "en"],
        "claims_parameter_supported": False, "request_parameter_supported": False,
        "request_uri_parameter_supported": False, "authorization_response_iss_parameter_supported": True,
    })


async def jwks(request: Request) -> Response:
    keys = await op_keys.jwks(request.app.state.settings.secret_key)
    return JSONResponse(keys, headers={"Cache-Control": "max-age=300"})


def oauth_error(request: Request, exc: OAuth2Error) -> Response:
    """An error goes back to the client only once its redirect URI is known to be registered; else a page."""
    if exc.redirect_uri:
        params = [("error", exc.error)]
        if exc.description:
            params.append(("error_description", exc.description))
        if exc.state:
            params.append(("state", exc.state))
        params.append(("iss", issuer(request)))
        return RedirectResponse(add_params_to_uri(exc.redirect_uri, params), status_code=302)
    return render(request, "federation/op/error.html", {"error": exc.error, "description": exc.description or ""},
                  status=400)


def _signin_redirect(params: list[tuple[str, str]], *, fresh: bool) -> Response:
    params = [(k, v) for k, v in params if k != LOGIN_MARK]
    if fresh:
        params.append((LOGIN_MARK, str(int(time.time()))))
    return RedirectResponse("/signin?" + urlencode({"next": "/oauth/authorize?" + urlencode(params)}),
                            status_code=303)


def _needs_login(data: dict[str, str], signed_in_at: datetime) -> bool:
    """prompt=login or an exceeded max_age asks for a sign-in newer than the request (OIDC Core 3.1.2.1)."""
    prompts = data.get("prompt", "").split()
    max_age = data.get("max_age", "")
    too_old = max_age.isdigit() and time.time() - signed_in_at.timestamp() > int(max_age)
    if "login" not in prompts and not too_old:
        return False
    mark = data.get(LOGIN_MARK, "")
    if mark.isdigit() and time.time() - int(mark) < _LOGIN_MARK_VALID:
        return signed_in_at.timestamp() < int(mark)
    return True


async def _exchange(request: Request, client_id: str | None) -> Exchange:
    row = await op_queries.client_by_client_id(client_id)
    return Exchange(issuer=issuer(request), clients={row.client_id: Client(row)} if row else {})


async def run_authorize(request: Request, params: list[tuple[str, str]], *, decision: str | None = None) -> Response:
    """Validate an authorization request, then sign in, ask consent, or answer the client with a code."""
    data = dict(params)
    exchange = await _exchange(request, data.get("client_id"))
    person = person_of(request)
    req = OAuthRequest(request.method, _authlib_uri(request), request.headers, params, [])
    with running(exchange):
        try:
            grant = server.get_consent_grant(req, end_user=person)
            redirect_uri = grant.redirect_uri
            if "request" in data:
                raise RequestNotSupported(redirect_uri=redirect_uri, state=data.get("state"))
            if "request_uri" in data:
                raise RequestUriNotSupported(redirect_uri=redirect_uri, state=data.get("state"))
            prompts = data.get("prompt", "").split()
            if person is None:
                if "none" in prompts:  # authlib checks this for openid requests only
                    raise LoginRequiredError(redirect_uri=redirect_uri, state=data.get("state"))
                return _signin_redirect(params, fresh=True)
            signed_in_at = await op_queries.auth_time(request.session.get("sid")) or datetime.now(UTC)
            if _needs_login(data, signed_in_at):
                if "none" in prompts:
                    raise LoginRequiredError(redirect_uri=redirect_uri, state=data.get("state"))
                return _signin_redirect(params, fresh=True)
            client = exchange.clients[data["client_id"]].row
            scopes = set(grant.request.scope.split())
            if decision == "deny":
                raise AccessDeniedError(redirect_uri=redirect_uri, state=data.get("state"))
            if decision == "allow":
                await op_services.remember_consent(person, client, scopes)
            elif "consent" in prompts or not await op_queries.consented(person, client, scopes):
                if "none" in prompts:
                    raise ConsentRequiredError(redirect_uri=redirect_uri, state=data.get("state"))
                return render(request, "federation/op/consent.html", {
                    "client": client, "scopes": [s for s in SCOPES if s in scopes and s != "openid"],
                    "params": params, "scope_labels": SCOPE_LABELS, "redirect_host": redirect_uri.split("/")[2]})
            exchange.subject = await op_services.subject_of(person)
            status, _body, headers = server.create_authorization_response(req, grant_user=person, grant=grant)
        except OAuth2Error as exc:
            exc.state = exc.state or data.get("state")
            return oauth_error(request, exc)
    if exchange.new_code is not None:
        await op_services.save_code(exchange, person, signed_in_at)
    location = dict(headers)["Location"]
    if status == 302 and exchange.new_code is not None:
        location = add_params_to_uri(location, [("iss", issuer(request))])  # RFC 9207
    return RedirectResponse(location, status_code=302)


async def authorize(request: Request) -> Response:
    if request.method == "POST":  # OIDC Core 3.1.2.1: the request may come as a form post
        form = await request.form()
        params = [(k, v) for k, v in form.multi_items() if isinstance(v, str)]
    else:
        params = list(request.query_params.multi_items())
    return await run_authorize(request, params)


async def consent(request: Request) -> Response:
    data = await read_form(request)
    decision = "allow" if data.pop("decision", "") == "allow" else "deny"
    form = await request.form()
    params = [(k, v) for k, v in form.multi_items() if isinstance(v, str) and k not in ("csrf_token", "decision")]
    return await run_authorize(request, params, decision=decision)


async def _load_code(exchange: Exchange, code_value: str | None, secret_key: str) -> None:
    """Load the code the request presents; a replayed one revokes what came from it."""
    code = await op_queries.code_by_value(code_value)
    if code is not None and code.used_at is not None:
        await op_services.revoke_from_code(code)
    elif code is not None and code.expires_at > datetime.now(UTC) and code.person.is_active:
        exchange.code, exchange.person, exchange.subject = Code(code), code.person, code.subject
        exchange.key = await op_keys.active_key(secret_key)


async def _load_refresh(exchange: Exchange, row: OAuthToken | None) -> None:
    """Take the refresh token's row if it is live; a rotated one coming back revokes its whole family."""
    if row is not None and row.revoked_at is None and row.refreshed_at is not None:
        await op_services.revoke_family(row)
    elif row is not None and row.revoked_at is None and row.refresh_expires_at is not None \
            and row.refresh_expires_at > datetime.now(UTC) and row.person.is_active:
        exchange.refresh, exchange.person, exchange.subject = Refresh(row), row.person, row.subject


async def _token_exchange(request: Request, client_id: str | None, data: dict[str, str]) -> Exchange:
    """The rows the grant may ask for; the refresh grant (the frequent one) reads them in one query."""
    if data.get("grant_type") == "refresh_token":
        client, row = await op_queries.refresh_exchange(client_id, data.get("refresh_token"))
        exchange = Exchange(issuer=issuer(request), clients={client.client_id: Client(client)} if client else {})
        await _load_refresh(exchange, row)
        return exchange
    exchange = await _exchange(request, client_id)
    if data.get("grant_type") == "authorization_code":
        await _load_code(exchange, data.get("code"), request.app.state.settings.secret_key)
    return exchange


class BadBasic(ValueError):
    pass


def _basic_client_id(header: str | None) -> str | None:
    """The client id of an HTTP Basic header; BadBasic when it does not decode (authlib would fail with a 500)."""
    try:
        client_id, _secret = extract_basic_authorization({"Authorization": header or ""})
    except ValueError as exc:  # bytes that are not UTF-8
        raise BadBasic from exc
    return client_id  # type: ignore[no-any-return]


async def token(request: Request) -> Response:
    form = await request.form()
    items = [(k, v) for k, v in form.multi_items() if isinstance(v, str)]
    data = dict(items)
    try:
        basic_id = _basic_client_id(request.headers.get("authorization"))
    except BadBasic:
        return JSONResponse({"error": "invalid_client"}, status_code=401,
                            headers={"WWW-Authenticate": 'Basic realm="federa"', **NO_STORE})
    exchange = await _token_exchange(request, basic_id or data.get("client_id"), data)
    req = OAuthRequest("POST", _authlib_uri(request), request.headers, [], items)
    with running(exchange):
        status, body, headers = server.create_token_response(req)
    if status == 200:
        try:
            await op_services.save_tokens(exchange)
        except op_services.Replayed:
            if exchange.rotated is not None:
                await op_services.revoke_family(exchange.rotated.row)
            status, body = 400, {"error": "invalid_grant"}
    return JSONResponse(body, status_code=status, headers={**dict(headers), **NO_STORE})


def _bearer(header: str | None) -> str | None:
    if header and header[:7].lower() == "bearer ":
        return header[7:].strip()
    return None


async def userinfo(request: Request) -> Response:
    value = _bearer(request.headers.get("authorization"))
    if value is None and request.method == "POST" and \
            request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        field = (await request.form()).get("access_token")  # RFC 6750 2.2, pyoidc's default
        value = field if isinstance(field, str) else None
    grant = await op_queries.live_access_token(value)
    if grant is None or "openid" not in grant.scope.split():
        return JSONResponse({"error": "invalid_token"}, status_code=401,
                            headers={"WWW-Authenticate": 'Bearer error="invalid_token"', **NO_STORE})
    return JSONResponse(await claims_for(grant), headers=NO_STORE)


# Called by other servers, never by a browser session: app.py routes these past the browser middleware.
machine_routes: list[Route] = [
    Route("/.well-known/openid-configuration", discovery, name="oidc_discovery"),
    Route("/oauth/jwks", jwks, name="oidc_jwks"),
    Route("/oauth/token", token, methods=["POST"], name="oidc_token"),
    Route("/oauth/userinfo", userinfo, methods=["GET", "POST"], name="oidc_userinfo"),
]
account_routes: list[BaseRoute] = [
    *machine_routes,
    Route("/oauth/authorize", authorize, methods=["GET", "POST"], name="oidc_authorize"),
    Route("/oauth/consent", consent, methods=["POST"], name="oidc_consent"),
    *op_logout_views.routes,
    *op_manage_views.account_routes,
]
routes: list[BaseRoute] = list(op_manage_views.routes)  # mounted under /n/{slug}

