"""Client secrets encrypted at rest (Fernet: AES-128-CBC + HMAC), with a key derived from the app's secret key.

A database dump alone does not reveal a provider's client secret; rotating FEDERA_SECRET_KEY makes the stored
secrets unreadable, and the admin enters them again (the edit form says so).
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_INFO = b"federa/federation/client-secret/v1"


def _fernet(secret_key: str) -> Fernet:
    # HKDF with its own label: the cookie-signing key and this key never coincide.
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(raw))


def seal(secret_key: str, value: str) -> str:
    """The value encrypted (and authenticated) for storage; '' stays ''."""
    if not value:
        return ""
    return _fernet(secret_key).encrypt(value.encode()).decode()


def unseal(secret_key: str, sealed: str) -> str | None:
    """The stored value in clear, '' if none was stored, None if it was sealed with another key."""
    if not sealed:
        return ""
    try:
        return _fernet(secret_key).decrypt(sealed.encode()).decode()
    except InvalidToken:
        return None
