"""The authorization code flow with one provider: state, nonce and PKCE S256 kept in the browser's session,
the answer's checks (state, RFC 9207 iss), the code exchange, and the id_token + userinfo checks."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import Any

from authlib.oauth2.rfc6749.parameters import prepare_grant_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge

from federa.federation import rp_idtoken
from federa.federation.discovery import FetchError, FetchPolicy, request_json
from federa.federation.rp_idtoken import TokenRejected, UnknownKey
from federa.federation.rp_models import IdentityProvider
from federa.federation.rp_services import refresh_jwks
from federa.web.i18n import gettext as _

SESSION_KEY = "oidc_flows"
FLOW_TTL = 10 * 60
MAX_FLOWS = 3  # a few tabs may sign in at once; the cookie stays small


class FlowError(Exception):
    """The sign-in cannot go on; the message is for the person, `reason` for the audit log."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class Flow:
    provider_id: int
    nonce: str
    verifier: str
    purpose: str          # "signin" or "link"
    next: str
    person_id: int | None  # who started a "link" flow
    created: float


def begin(session: dict[str, Any], provider: IdentityProvider, *, redirect_uri: str, purpose: str = "signin",
          next_url: str = "", person_id: int | None = None) -> str:
    """The provider's authorization URL; state, nonce and the PKCE verifier stay in this browser's session."""
    state, nonce, verifier = secrets.token_urlsafe(32), secrets.token_urlsafe(32), secrets.token_urlsafe(48)
    flows = {k: v for k, v in session.get(SESSION_KEY, {}).items() if v["created"] > time.time() - FLOW_TTL}
    flows = dict(sorted(flows.items(), key=lambda kv: kv[1]["created"])[-(MAX_FLOWS - 1):])
    flows[state] = {"provider_id": provider.id, "nonce": nonce, "verifier": verifier, "purpose": purpose,
                    "next": next_url, "person_id": person_id, "created": time.time()}
    session[SESSION_KEY] = flows
    return str(prepare_grant_uri(
        provider.metadata["authorization_endpoint"], provider.client_id, "code", redirect_uri=redirect_uri,
        scope=provider.scopes, state=state, nonce=nonce, code_challenge=create_s256_code_challenge(verifier),
        code_challenge_method="S256"))


def take(session: dict[str, Any], state: str | None, provider: IdentityProvider) -> Flow:
    """The flow this answer belongs to, used up: a replayed or forged answer finds nothing."""
    flows = dict(session.get(SESSION_KEY, {}))
    data = flows.pop(state, None) if state else None
    session[SESSION_KEY] = flows
    if data is None or data["provider_id"] != provider.id or data["created"] < time.time() - FLOW_TTL:
        raise FlowError("state", _("This sign-in has expired or was not started in this browser. Please start "
                                   "again."))
    return Flow(**data)


def check_answer(provider: IdentityProvider, params: dict[str, str]) -> str:
    """The authorization code, after the RFC 9207 iss parameter (error answers too) and the provider's error."""
    iss = params.get("iss")
    announced = provider.metadata.get("authorization_response_iss_parameter_supported") is True
    if (iss is not None and iss != provider.issuer) or (iss is None and announced):
        raise FlowError("iss_mismatch", _("The answer did not come from this identity provider."))
    if "error" in params:
        if params["error"] == "access_denied":
            raise FlowError("access_denied", _("The sign-in was cancelled at the identity provider."))
        raise FlowError("provider_error", _("The identity provider refused the sign-in (%(error)s).",
                                            error=params["error"][:60]))
    code = params.get("code")
    if not code:
        raise FlowError("no_code", _("The identity provider's answer has no authorization code."))
    return code


async def exchange(provider: IdentityProvider, flow: Flow, code: str, *, redirect_uri: str,
                   client_secret: str, policy: FetchPolicy) -> dict[str, Any]:
    """Trade the code (with the PKCE verifier) for tokens at the token endpoint."""
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
            "code_verifier": flow.verifier}
    methods = provider.metadata.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    auth: tuple[str, str] | None = None
    if not client_secret:
        data["client_id"] = provider.client_id
    elif "client_secret_basic" in methods:
        auth = (provider.client_id, client_secret)
    else:
        data |= {"client_id": provider.client_id, "client_secret": client_secret}
    try:
        status, body = await request_json(policy, "POST", provider.metadata["token_endpoint"], data=data, auth=auth,
                                          headers={"accept": "application/json"})
    except FetchError as exc:
        raise FlowError("token_unreachable", str(exc)) from exc
    if status != 200 or not isinstance(body, dict) or "error" in body:
        error = body.get("error") if isinstance(body, dict) else None
        raise FlowError("token_error", _("The identity provider did not accept the sign-in (%(error)s). Please "
                                         "start again.", error=str(error or status)[:60]))
    if not isinstance(body.get("id_token"), str):
        raise FlowError("no_id_token", _("The identity provider's answer has no id_token."))
    return body


async def _signature(provider: IdentityProvider, id_token: str, policy: FetchPolicy) -> dict[str, Any]:
    try:
        return rp_idtoken.verify_signature(id_token, provider.jwks)
    except UnknownKey:
        try:  # the provider may have rotated its keys since they were cached: fetch them once more
            await refresh_jwks(provider, policy)
        except FetchError as exc:
            raise FlowError("jwks_unreachable", str(exc)) from exc
        return rp_idtoken.verify_signature(id_token, provider.jwks)


async def _userinfo(provider: IdentityProvider, access_token: str, sub: str, policy: FetchPolicy) -> dict[str, Any]:
    endpoint = provider.metadata.get("userinfo_endpoint")
    if not endpoint or not access_token:
        return {}
    try:
        status, body = await request_json(policy, "GET", endpoint, headers={
            "authorization": f"Bearer {access_token}", "accept": "application/json"})
    except FetchError as exc:
        raise FlowError("userinfo_unreachable", str(exc)) from exc
    if status != 200 or not isinstance(body, dict):
        raise FlowError("userinfo_error", _("The identity provider did not give your profile (status %(status)s).",
                                            status=status))
    if body.get("sub") != sub:  # OpenID Connect Core 5.3.2: a token substitution attempt
        raise TokenRejected("userinfo_sub_mismatch")
    return body


async def verified_claims(provider: IdentityProvider, flow: Flow, tokens: dict[str, Any],
                          policy: FetchPolicy) -> dict[str, Any]:
    """The id_token's claims (checked), completed with the userinfo answer of the same subject."""
    id_token = tokens["id_token"]
    claims = await _signature(provider, id_token, policy)
    rp_idtoken.check_claims(claims, issuer=provider.issuer, client_id=provider.client_id, nonce=flow.nonce)
    access_token = tokens.get("access_token") if isinstance(tokens.get("access_token"), str) else None
    rp_idtoken.check_at_hash(claims, str(rp_idtoken.header_of(id_token)["alg"]), access_token)
    userinfo = await _userinfo(provider, access_token or "", claims["sub"], policy)
    return {**userinfo, **claims}
