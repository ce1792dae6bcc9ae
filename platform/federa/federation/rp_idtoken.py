"""Checking an id_token (OpenID Connect Core 3.1.3.7): signature with the provider's keys, then the claims."""

from __future__ import annotations

import base64
import hashlib
import time
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import JWKRegistry, Key
from joserfc.jws import extract_compact

from federa.federation.discovery import ALLOWED_ALGS

LEEWAY = 60          # seconds of clock difference tolerated
MAX_AGE = 10 * 60    # an id_token issued longer ago than this is refused (a replay)
_KTY = {"RS": "RSA", "PS": "RSA", "ES": "EC", "Ed": "OKP"}
_HASH = {"256": hashlib.sha256, "384": hashlib.sha384, "512": hashlib.sha512}


class TokenRejected(Exception):
    """The id_token must not be trusted; `reason` is a short code for the audit log."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class UnknownKey(TokenRejected):
    """No key of the cached key set has the token's kid: the provider may have rotated its keys."""


def header_of(id_token: str) -> dict[str, Any]:
    try:
        return dict(extract_compact(id_token.encode()).headers())
    except (JoseError, ValueError, TypeError) as exc:
        raise TokenRejected("malformed") from exc


def _keys(jwks: dict[str, Any], kid: str | None, alg: str) -> list[Key]:
    """The provider's keys that may have signed this token: by kid, or every key of the right type."""
    keys = []
    for data in jwks.get("keys", []):
        if not isinstance(data, dict) or data.get("use", "sig") != "sig" or data.get("kty") != _KTY[alg[:2]]:
            continue
        if data.get("alg") not in (None, alg) or (kid is not None and data.get("kid") != kid):
            continue
        try:
            keys.append(JWKRegistry.import_key(data))  # type: ignore[arg-type]
        except (JoseError, ValueError, TypeError):
            continue
    return keys


def verify_signature(id_token: str, jwks: dict[str, Any]) -> dict[str, Any]:
    """The token's claims, if one of the provider's keys signed it with an accepted asymmetric algorithm."""
    header = header_of(id_token)
    alg = header.get("alg")
    # 'none', and HS256 signed with the provider's public key as the secret, stop here.
    if alg not in ALLOWED_ALGS:
        raise TokenRejected("alg_not_allowed")
    kid = header.get("kid")
    keys = _keys(jwks, kid if isinstance(kid, str) else None, alg)
    if not keys:
        raise UnknownKey("unknown_kid") if kid is not None else TokenRejected("no_key")
    for key in keys:
        try:
            return dict(jwt.decode(id_token, key, algorithms=[alg]).claims)
        except JoseError:
            continue
    raise TokenRejected("bad_signature")


def _number(claims: dict[str, Any], name: str) -> float:
    value = claims.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TokenRejected(f"missing_{name}")
    return float(value)


def check_claims(claims: dict[str, Any], *, issuer: str, client_id: str, nonce: str,
                 now: float | None = None) -> None:
    """iss, aud (and azp with several audiences), exp, iat, nonce and sub, or TokenRejected."""
    now = time.time() if now is None else now
    if claims.get("iss") != issuer:
        raise TokenRejected("wrong_issuer")
    aud = claims.get("aud")
    audiences = [aud] if isinstance(aud, str) else aud if isinstance(aud, list) else []
    if client_id not in audiences:
        raise TokenRejected("wrong_audience")
    if (len(audiences) > 1 or "azp" in claims) and claims.get("azp") != client_id:
        raise TokenRejected("wrong_azp")
    if _number(claims, "exp") + LEEWAY < now:
        raise TokenRejected("expired")
    iat = _number(claims, "iat")
    if iat - LEEWAY > now or iat + MAX_AGE < now:
        raise TokenRejected("bad_iat")
    if not isinstance(claims.get("nonce"), str) or claims["nonce"] != nonce:
        raise TokenRejected("wrong_nonce")
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub or len(sub) > 255:
        raise TokenRejected("missing_sub")


def check_at_hash(claims: dict[str, Any], alg: str, access_token: str | None) -> None:
    """When the token carries at_hash, it must match the access token it came with."""
    if "at_hash" not in claims or not access_token:
        return
    digest = (hashlib.sha512 if alg.startswith("Ed") else _HASH[alg[-3:]])(access_token.encode()).digest()
    expected = base64.urlsafe_b64encode(digest[: len(digest) // 2]).rstrip(b"=").decode()
    if claims["at_hash"] != expected:
        raise TokenRejected("wrong_at_hash")
