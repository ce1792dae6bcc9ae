"""Input shapes of the provider's client registration (the form and the CLI validate with the same one)."""

from __future__ import annotations

import ipaddress
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from federa.federation.op_claims import SCOPES
from federa.web.i18n import gettext as _


def _lines(value: object) -> object:
    if isinstance(value, str):
        return [line.strip() for line in value.splitlines() if line.strip()]
    return value


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_uris(values: list[str]) -> list[str]:
    for uri in values:
        try:
            parts = urlsplit(uri)
        except ValueError:
            parts = None
        if parts is None or parts.scheme not in ("https", "http") or not parts.hostname or parts.fragment \
                or len(uri) > 500 or any(ch.isspace() for ch in uri):
            raise ValueError(_("Enter full addresses (https://...), one per line, without a #fragment."))
        if parts.scheme == "http" and not _loopback(parts.hostname):
            raise ValueError(_("Use https:// (plain http:// only for this computer: localhost, 127.0.0.1)."))
    return list(dict.fromkeys(values))


def _check_scopes(values: list[str]) -> list[str]:
    if any(v not in SCOPES for v in values):
        raise ValueError(_("Choose one of the options."))
    return ["openid", *[s for s in SCOPES if s in values and s != "openid"]]


Uris = Annotated[list[str], BeforeValidator(_lines), AfterValidator(_check_uris)]


def _require(values: list[str]) -> list[str]:
    if not values:
        raise ValueError(_("This field is required."))
    return values


class ClientIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=100)
    redirect_uris: Annotated[Uris, AfterValidator(_require), Field(max_length=10)]
    post_logout_redirect_uris: Annotated[Uris, Field(max_length=10)] = []
    scopes: Annotated[list[str], AfterValidator(_check_scopes)] = ["openid", "profile", "email"]
