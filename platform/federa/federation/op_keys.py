"""The provider's signing keys: created on first use, rotated by `federa keys rotate`, private halves encrypted."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from joserfc.jwk import KeySet, RSAKey

from federa.federation.op_models import SigningKey

# A retired key stays in the JWKS this long, so id_tokens signed just before a rotation still verify.
RETIRED_KEPT = timedelta(days=7)
# Other processes (the CLI rotates, web processes sign) pick up a new active key within this many seconds.
_ACTIVE_TTL = 30.0
_INFO = b"federa-op-signing-key-v1"


def _aead(secret_key: str) -> AESGCM:
    # A dedicated key derived from the app's secret: the session cookies' key is never used for this.
    return AESGCM(hashlib.sha256(_INFO + secret_key.encode()).digest())


def encrypt_jwk(jwk: dict[str, Any], secret_key: str) -> str:
    nonce = os.urandom(12)
    sealed = _aead(secret_key).encrypt(nonce, json.dumps(jwk).encode(), _INFO)
    return base64.b64encode(nonce + sealed).decode()


def decrypt_jwk(blob: str, secret_key: str) -> dict[str, Any]:
    raw = base64.b64decode(blob)
    return json.loads(_aead(secret_key).decrypt(raw[:12], raw[12:], _INFO))  # type: ignore[no-any-return]


class KeyCache:
    """The decrypted active key, kept in memory: importing an RSA key costs more than signing with it."""

    def __init__(self) -> None:
        self.active: tuple[float, RSAKey] | None = None

    def forget(self) -> None:
        self.active = None


cache = KeyCache()


async def create_key(secret_key: str) -> SigningKey:
    """A new active RS256 key; the keys active before it are retired (still published for a while)."""
    kid = secrets.token_urlsafe(12)
    key = RSAKey.generate_key(2048, parameters={"kid": kid, "use": "sig", "alg": "RS256"}, private=True)
    now = datetime.now(UTC)
    await SigningKey.filter(retired_at=None).update(retired_at=now)
    row = await SigningKey.create(kid=kid, private_jwk=encrypt_jwk(dict(key.as_dict(private=True)), secret_key),
                                  public_jwk=dict(key.as_dict(private=False)))
    cache.forget()
    return row


async def rotate(secret_key: str) -> SigningKey:
    """Add a new active key (`federa keys rotate`)."""
    return await create_key(secret_key)


async def active_key(secret_key: str) -> RSAKey:
    """The key id_tokens are signed with now (made on first use)."""
    hit = cache.active
    if hit is not None and time.monotonic() - hit[0] < _ACTIVE_TTL:
        return hit[1]
    row = await SigningKey.filter(retired_at=None).order_by("-id").first()
    if row is None:
        row = await create_key(secret_key)
    key = RSAKey.import_key(decrypt_jwk(row.private_jwk, secret_key))
    cache.active = (time.monotonic(), key)
    return key


async def published_keys() -> list[SigningKey]:
    """The keys relying parties may verify with: the active ones and those retired recently."""
    cutoff = datetime.now(UTC) - RETIRED_KEPT
    rows = await SigningKey.all().order_by("-id")
    return [r for r in rows if r.retired_at is None or r.retired_at > cutoff]


async def jwks(secret_key: str) -> dict[str, Any]:
    """The JWK set document: public halves only (the first key is made if there is none yet)."""
    rows = await published_keys()
    if not rows:
        await active_key(secret_key)
        rows = await published_keys()
    return {"keys": [row.public_jwk for row in rows]}


async def verification_keys() -> KeySet:
    return KeySet([RSAKey.import_key(row.public_jwk) for row in await published_keys()])
