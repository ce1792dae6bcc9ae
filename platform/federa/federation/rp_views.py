"""Signing in with a network's identity provider: the network's sign-in page, the code flow's start and callback,
the confirmation that links an existing account, and the person's linked identities."""

from __future__ import annotations

import secrets
import time
from typing import Any

from authlib.common.urls import add_params_to_uri
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from federa.accounts import services as account_services
from federa.accounts.models import Person
from federa.audit.log import record
from federa.errors import Conflict, Invalid, NotFound, PermissionDenied, Throttled
from federa.federation import rp_flow, rp_manage_views
from federa.federation import secrets as sealed
from federa.federation.discovery import FetchError, FetchPolicy
from federa.federation.rp_flow import Flow, FlowError
from federa.federation.rp_identities import (
    NeedsConfirmation,
    Refused,
    Verified,
    link,
    resolve,
    unlink,
    verified_identity,
)
from federa.federation.rp_idtoken import TokenRejected
from federa.federation.rp_models import IdentityProvider
from federa.federation.rp_queries import access_provider, identities_of, linkable_providers, sign_in_providers
from federa.federation.rp_services import refresh_metadata
from federa.web.forms import read_form
from federa.web.i18n import gettext as _
from federa.web.pages import access_of, flash, network_of, person_of, redirect, render, require_person, safe_next

PENDING = "oidc_pending"
PENDING_TTL = 10 * 60
SIGNED_IN_WITH = "oidc_signed_in"  # the provider and id_token of this session, for signing out there too


def _policy(request: Request) -> FetchPolicy:
    return FetchPolicy.from_settings(request.app.state.settings)


def callback_uri(request: Request, provider: IdentityProvider) -> str:
    """The redirect URI registered at the provider: one per provider, so an answer cannot be replayed at another."""
    return f"{request.app.state.settings.base_url}/n/{network_of(request).slug}/signin/oidc/{provider.id}/callback"


async def _start_session(request: Request, person: Person) -> None:
    # As the password sign-in does: a new server-side session and CSRF token, the previous session ended.
    key = await account_services.open_session(person, replacing=request.session.get("sid"))
    request.session.clear()
    request.session.update({"sid": key, "csrf": secrets.token_urlsafe(24), "locale": person.locale})


async def _failed(request: Request, provider: IdentityProvider, reason: str, message: str,
                  status: int = 400) -> Response:
    """A clear error page; the refusal is audited, nothing else is written."""
    await record("identity.sign_in_refused", network=provider.network_id, obj=provider, reason=reason,
                 issuer=provider.issuer)
    return render(request, "federation/rp/error.html", {"provider": provider, "message": message}, status=status)


async def network_signin(request: Request) -> Response:
    network = network_of(request)
    next_url = safe_next(request.query_params.get("next"), f"/n/{network.slug}/")
    providers = await sign_in_providers(network)
    signed_in_with = (request.session.get(SIGNED_IN_WITH) or {}).get("provider_id")
    return render(request, "federation/rp/signin.html", {
        "providers": providers, "next": next_url, "form": {}, "errors": {},
        "signed_in_with": next((p for p in providers if p.id == signed_in_with), None)})


async def signout(request: Request) -> Response:
    """RP-initiated logout: end the Federa session, then ask the provider to end its own session too."""
    form = await read_form(request)
    network = network_of(request)
    provider = await access_provider(network, request.path_params["provider_id"])
    if form.get("confirm") != "yes":  # only the button signs out (a bare POST is not a sign-out)
        return redirect(f"/n/{network.slug}/signin")
    hint = request.session.get(SIGNED_IN_WITH) or {}
    await account_services.close_session(request.session.get("sid"))
    request.session.clear()
    end_session = provider.metadata.get("end_session_endpoint")
    if not isinstance(end_session, str) or hint.get("provider_id") != provider.id:
        flash(request, _("You have signed out."))
        return redirect(f"/n/{network.slug}/")
    return redirect(add_params_to_uri(end_session, {"id_token_hint": hint["id_token"],
                                                    "client_id": provider.client_id}))


async def start(request: Request) -> Response:
    network = network_of(request)
    provider = await access_provider(network, request.path_params["provider_id"], enabled_only=True)
    return await _begin(request, provider, purpose="signin",
                        next_url=safe_next(request.query_params.get("next"), f"/n/{network.slug}/"))


async def _begin(request: Request, provider: IdentityProvider, *, purpose: str, next_url: str,
                 person_id: int | None = None) -> Response:
    try:
        await refresh_metadata(provider, _policy(request))
    except FetchError as exc:
        return await _failed(request, provider, "discovery", str(exc), status=502)
    url = rp_flow.begin(request.session, provider, redirect_uri=callback_uri(request, provider), purpose=purpose,
                        next_url=next_url, person_id=person_id)
    return redirect(url)


async def link_start(request: Request) -> Response:
    """A signed-in member links an identity of one of the network's providers to their account."""
    person = require_person(request)
    access = await access_of(request)
    if not access.is_member:
        raise PermissionDenied(_("Only the network's members can link an identity of its providers."))
    await read_form(request)
    provider = await access_provider(access.network, request.path_params["provider_id"], enabled_only=True)
    return await _begin(request, provider, purpose="link", next_url="/me/identities", person_id=person.id)


async def _verify(request: Request, provider: IdentityProvider) -> tuple[Flow, Verified, str]:
    settings = request.app.state.settings
    flow = rp_flow.take(request.session, request.query_params.get("state"), provider)
    code = rp_flow.check_answer(provider, dict(request.query_params))
    client_secret = sealed.unseal(settings.secret_key, provider.client_secret_sealed)
    if client_secret is None:
        raise FlowError("secret_unreadable", _("The provider's client secret must be entered again by the "
                                               "network's administrators."))
    tokens = await rp_flow.exchange(provider, flow, code, redirect_uri=callback_uri(request, provider),
                                    client_secret=client_secret, policy=_policy(request))
    claims = await rp_flow.verified_claims(provider, flow, tokens, _policy(request))
    return flow, verified_identity(provider, claims), tokens["id_token"]


async def callback(request: Request) -> Response:
    provider = await access_provider(network_of(request), request.path_params["provider_id"], enabled_only=True)
    try:
        flow, who, id_token = await _verify(request, provider)
    except FlowError as exc:
        status = 502 if exc.reason.endswith("unreachable") else 400
        return await _failed(request, provider, exc.reason, str(exc), status=status)
    except TokenRejected as exc:
        return await _failed(request, provider, exc.reason, _(
            "The identity provider's answer could not be verified, so you are not signed in. Please start again."))
    if flow.purpose == "link":
        return await _finish_link(request, provider, flow, who)
    outcome = await resolve(provider, who)
    if isinstance(outcome, Refused):
        return await _failed(request, provider, "refused", outcome.message, status=403)
    if isinstance(outcome, NeedsConfirmation):
        request.session[PENDING] = {"provider_id": provider.id, "issuer": who.issuer, "subject": who.subject,
                                    "email": who.email, "name": who.name, "person_id": outcome.person.id,
                                    "next": flow.next, "created": time.time()}
        return redirect(f"/n/{network_of(request).slug}/signin/oidc/confirm")
    await _start_session(request, outcome.person)
    request.session[SIGNED_IN_WITH] = {"provider_id": provider.id, "id_token": id_token}
    await record("identity.signed_in", actor=outcome.person, network=provider.network_id, obj=provider)
    if outcome.created:
        flash(request, _("Welcome! Your account was created with %(provider)s.", provider=provider.name))
    return redirect(safe_next(flow.next, f"/n/{network_of(request).slug}/"))


async def _finish_link(request: Request, provider: IdentityProvider, flow: Flow, who: Verified) -> Response:
    person = person_of(request)
    if person is None or person.id != flow.person_id:
        return await _failed(request, provider, "link_person", _(
            "You are not signed in as the person who started linking. Sign in and start again."))
    try:
        await link(person, provider, who, how="profile")
    except Conflict as exc:
        return await _failed(request, provider, "link_conflict", str(exc), status=409)
    flash(request, _("Your identity at %(provider)s is linked: you can sign in with it.", provider=provider.name))
    return redirect("/me/identities")


async def _pending(request: Request) -> tuple[dict[str, Any], IdentityProvider, Person]:
    data = request.session.get(PENDING)
    network = network_of(request)
    if not data or data["created"] < time.time() - PENDING_TTL:
        raise NotFound(_("There is nothing to confirm: please sign in again."))
    provider = await access_provider(network, data["provider_id"], enabled_only=True)
    person = await Person.get_or_none(id=data["person_id"], is_active=True)
    if person is None:
        raise NotFound(_("There is nothing to confirm: please sign in again."))
    return data, provider, person


async def confirm(request: Request) -> Response:
    """Link the provider's identity to the account with its e-mail, once its owner gives the password."""
    data, provider, person = await _pending(request)
    context = {"provider": provider, "email": person.email, "has_password": person.password_hash is not None,
               "errors": {}}
    if request.method == "GET":
        return render(request, "federation/rp/confirm.html", context)
    form = await read_form(request)
    if form.get("action") == "cancel":
        request.session.pop(PENDING, None)
        flash(request, _("Nothing was linked."))
        return redirect(f"/n/{network_of(request).slug}/signin")
    settings = request.app.state.settings
    try:
        await account_services.authenticate(
            person.email, str(form.get("password", ""))[:128], ip=request.client.host if request.client else "",
            max_failures=settings.login_max_failures, window_seconds=settings.login_window_seconds)
    except Invalid as exc:
        return render(request, "federation/rp/confirm.html", {**context, "errors": exc.fields}, status=422)
    except Throttled as exc:
        return render(request, "federation/rp/confirm.html", {**context, "errors": {"password": str(exc)}},
                      status=429)
    who = Verified(issuer=data["issuer"], subject=data["subject"], email=data["email"], email_verified=True,
                   name=data["name"], claims={})
    try:
        await link(person, provider, who, how="password")
    except Conflict as exc:
        request.session.pop(PENDING, None)
        return await _failed(request, provider, "link_conflict", str(exc), status=409)
    await _start_session(request, person)
    flash(request, _("Your identity at %(provider)s is linked: next time, sign in with it.", provider=provider.name))
    return redirect(safe_next(data["next"], f"/n/{network_of(request).slug}/"))


async def identities(request: Request) -> Response:
    """The person's linked identities, and the providers of their networks they may link."""
    person = require_person(request)
    mine = await identities_of(person)
    return render(request, "federation/rp/identities.html", {
        "identities": mine, "providers": await linkable_providers(person),
        "last_way": person.password_hash is None and len(mine) == 1})


async def identity_unlink(request: Request) -> Response:
    person = require_person(request)
    await read_form(request)
    try:
        await unlink(person, request.path_params["identity_id"])
        flash(request, _("The identity is unlinked."))
    except Conflict as exc:
        flash(request, str(exc), "error")
    return redirect("/me/identities")


routes = [
    *rp_manage_views.routes,
    Route("/signin", network_signin, name="network_signin"),
    Route("/signin/oidc/confirm", confirm, methods=["GET", "POST"], name="oidc_confirm"),
    Route("/signin/oidc/{provider_id:int}", start, name="oidc_start"),
    Route("/signin/oidc/{provider_id:int}/callback", callback, name="oidc_callback"),
    Route("/signin/oidc/{provider_id:int}/link", link_start, methods=["POST"], name="oidc_link"),
    Route("/signin/oidc/{provider_id:int}/signout", signout, methods=["POST"], name="oidc_signout"),
]
account_routes = [
    Route("/me/identities", identities, name="my_identities"),
    Route("/me/identities/{identity_id:int}/unlink", identity_unlink, methods=["POST"], name="identity_unlink"),
]
