"""Input shapes of the identity-provider form (the admin's page validates with these)."""

from __future__ import annotations

import re
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from federa.web.i18n import gettext as _

_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_SCOPE = re.compile(r"^[\x21\x23-\x5b\x5d-\x7e]{1,64}$")  # RFC 6749 scope-token
_CLAIM = re.compile(r"^[A-Za-z0-9_.:-]{1,100}$")
_TAX_CODE = re.compile(r"^[0-9A-Z]{11,16}$")


def _issuer(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("https", "http") or not parts.hostname or parts.query or parts.fragment \
            or parts.username or parts.password:
        raise ValueError(_("Enter the issuer as an https address, without query or fragment."))
    return value


def _scopes(value: str) -> str:
    scopes = value.split()
    if "openid" not in scopes or not all(_SCOPE.match(s) for s in scopes):
        raise ValueError(_("List the scopes separated by spaces, openid included."))
    return " ".join(dict.fromkeys(scopes))


def _claim(value: str) -> str:
    if value and not _CLAIM.match(value):
        raise ValueError(_("A claim name has letters, digits and _ . : - only."))
    return value


def _lines(value: Any) -> Any:
    return [line.strip().lower() for line in re.split(r"[\s,;]+", value) if line.strip()] \
        if isinstance(value, str) else value


def _domains(value: list[str]) -> list[str]:
    bad = [d for d in value if not _DOMAIN.match(d)]
    if bad:
        raise ValueError(_("Not an e-mail domain: %(domain)s", domain=bad[0]))
    return list(dict.fromkeys(value))


def _domain_map(value: Any) -> Any:
    """Lines "domain = tax code" → {domain: tax code}."""
    if not isinstance(value, str):
        return value
    found: dict[str, str] = {}
    for line in filter(None, (raw.strip() for raw in value.splitlines())):
        domain, sep, code = line.partition("=")
        domain, code = domain.strip().lower(), code.strip().upper()
        if not sep or not _DOMAIN.match(domain) or not _TAX_CODE.match(code):
            raise ValueError(_("Write one line per domain, as: domain = tax code (wrong: %(line)s)", line=line[:80]))
        found[domain] = code
    return found


def _blank_none(value: Any) -> Any:
    return None if value in ("", None) else value


class ProviderIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Annotated[str, Field(min_length=1, max_length=100)]
    issuer: Annotated[str, Field(min_length=8, max_length=500), AfterValidator(_issuer)]
    client_id: Annotated[str, Field(min_length=1, max_length=255)]
    client_secret: Annotated[str, Field(max_length=500)] = ""
    scopes: Annotated[str, Field(max_length=300), AfterValidator(_scopes)] = "openid email profile"
    email_claim: Annotated[str, Field(min_length=1), AfterValidator(_claim)] = "email"
    name_claim: Annotated[str, Field(min_length=1), AfterValidator(_claim)] = "name"
    cooperative_claim: Annotated[str, AfterValidator(_claim)] = ""
    allowed_domains: Annotated[list[str], BeforeValidator(_lines), AfterValidator(_domains),
                               Field(max_length=50)] = []
    cooperative_domains: Annotated[dict[str, str], BeforeValidator(_domain_map), Field(max_length=200)] = {}
    auto_create: bool = False
    default_cooperative_id: Annotated[int | None, BeforeValidator(_blank_none)] = None


def form_data(data: dict[str, Any]) -> dict[str, Any]:
    """The posted form as ProviderIn's input: an unticked checkbox sends nothing."""
    return {**data, "auto_create": data.get("auto_create") == "on"}


def form_values(provider: Any, cooperatives_by_id: dict[int, str]) -> dict[str, str]:
    """A saved provider as the form's text fields (the secret is never shown)."""
    return {
        "name": provider.name, "issuer": provider.issuer, "client_id": provider.client_id,
        "scopes": provider.scopes, "email_claim": provider.email_claim, "name_claim": provider.name_claim,
        "cooperative_claim": provider.cooperative_claim, "allowed_domains": "\n".join(provider.allowed_domains),
        "cooperative_domains": "\n".join(f"{d} = {cooperatives_by_id.get(c, '')}"
                                         for d, c in provider.cooperative_domains.items()),
        "auto_create": "on" if provider.auto_create else "",
        "default_cooperative_id": str(provider.default_cooperative_id or ""),
    }
