"""RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0): confirm, sign out, go back to the client."""

from __future__ import annotations

from authlib.common.urls import add_params_to_uri
from joserfc import jwt
from joserfc.errors import JoseError
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from federa.accounts import services as account_services
from federa.federation import op_keys, op_queries
from federa.federation.op_models import OAuthClient
from federa.web.forms import read_form
from federa.web.i18n import gettext as _
from federa.web.pages import flash, person_of, redirect, render

PARAMS = ("id_token_hint", "post_logout_redirect_uri", "state", "client_id", "ui_locales")


class BadLogout(Exception):
    pass


async def _hint_client(hint: str, expected_issuer: str) -> OAuthClient:
    """The client an id_token we issued was for (its signature checked; it may have expired)."""
    try:
        token = jwt.decode(hint, await op_keys.verification_keys(), algorithms=["RS256"])
    except (JoseError, ValueError) as exc:
        raise BadLogout(_("The sign-out request carries an id_token this site did not issue.")) from exc
    aud = token.claims.get("aud")
    client_id = aud[0] if isinstance(aud, list) and aud else aud
    client = await op_queries.client_by_client_id(client_id if isinstance(client_id, str) else None)
    if token.claims.get("iss") != expected_issuer or client is None:
        raise BadLogout(_("The sign-out request carries an id_token this site did not issue."))
    return client


async def logout_target(data: dict[str, str], issuer: str) -> str | None:
    """Where to send the browser after signing out: only a URI the client registered for it."""
    client = await _hint_client(data["id_token_hint"], issuer) if data.get("id_token_hint") else None
    if data.get("client_id"):
        named = await op_queries.client_by_client_id(data["client_id"])
        if named is None or (client is not None and named.id != client.id):
            raise BadLogout(_("The sign-out request names an unknown application."))
        client = named
    uri = data.get("post_logout_redirect_uri")
    if not uri:
        return None
    if client is None or uri not in client.post_logout_redirect_uris:
        raise BadLogout(_("The address to return to after signing out is not registered by the application."))
    return add_params_to_uri(uri, [("state", data["state"])]) if data.get("state") else uri


async def _params(request: Request) -> dict[str, str]:
    if request.method == "POST":
        form = await request.form()
        return {k: v for k, v in form.items() if k in PARAMS and isinstance(v, str)}
    return {k: v for k, v in request.query_params.items() if k in PARAMS}


async def logout(request: Request) -> Response:
    """The end_session_endpoint: ask the signed-in person to confirm (a forged link cannot sign them out)."""
    data = await _params(request)
    try:
        target = await logout_target(data, request.app.state.settings.base_url)
    except BadLogout as exc:
        return render(request, "federation/op/error.html", {"error": "invalid_request", "description": str(exc)},
                      status=400)
    if person_of(request) is None:
        return redirect(target) if target else render(request, "federation/op/signed_out.html")
    return render(request, "federation/op/logout.html", {"params": data})


async def logout_confirm(request: Request) -> Response:
    form = await read_form(request)
    data = {k: str(v) for k, v in form.items() if k in PARAMS}
    try:
        target = await logout_target(data, request.app.state.settings.base_url)
    except BadLogout as exc:
        return render(request, "federation/op/error.html", {"error": "invalid_request", "description": str(exc)},
                      status=400)
    await account_services.close_session(request.session.get("sid"))
    request.session.clear()
    if target:
        return redirect(target)
    flash(request, _("You have signed out."))
    return redirect("/")


routes = [
    Route("/oauth/logout", logout, methods=["GET", "POST"], name="oidc_logout"),
    Route("/oauth/logout/confirm", logout_confirm, methods=["POST"], name="oidc_logout_confirm"),
]
