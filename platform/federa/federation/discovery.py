"""Safe fetches from identity providers (discovery, JWKS, token, userinfo) and the discovery document's checks.

Every request an admin's configuration can point somewhere is a server-side request forgery risk (ASVS 1.3.6,
15.3.2): https only in production; every address the host name resolves to must be public (loopback, private,
link-local, metadata and mapped addresses refused) unless the test-only setting allows them; the connection goes
to the address that was checked (no second DNS answer); redirects only within the same origin; a short timeout;
a size cap on every answer.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import socket
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from federa.settings import Settings
from federa.web.i18n import gettext as _

MAX_BYTES = 256 * 1024
TIMEOUT = httpx.Timeout(5.0, connect=3.0)
MAX_REDIRECTS = 2
# Signing algorithms an id_token may use: asymmetric only, so no one can sign with the provider's public key.
ALLOWED_ALGS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")


class FetchError(Exception):
    """A provider could not be reached safely, or answered something unusable (the message says which)."""


@dataclass(frozen=True)
class FetchPolicy:
    allow_http: bool = False
    allow_private: bool = False

    @classmethod
    def from_settings(cls, settings: Settings) -> FetchPolicy:
        return cls(allow_http=not settings.production, allow_private=settings.oidc_allow_private_hosts)


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


async def _checked_address(host: str, port: int, policy: FetchPolicy) -> str:
    """The address to connect to: resolved once, and refused if any answer is not public."""
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise FetchError(_("The host name %(host)s could not be resolved.", host=host)) from exc
    addresses = [str(info[4][0]) for info in infos]
    if not addresses:
        raise FetchError(_("The host name %(host)s could not be resolved.", host=host))
    if not policy.allow_private and not all(_public(a) for a in addresses):
        raise FetchError(_("%(host)s is a local or private address: Federa does not connect to it.", host=host))
    return addresses[0]


class _Capped(httpx.AsyncByteStream):
    def __init__(self, stream: httpx.AsyncByteStream, cap: int) -> None:
        self._stream, self._cap = stream, cap

    async def __aiter__(self):  # type: ignore[no-untyped-def]
        total = 0
        async for chunk in self._stream:
            total += len(chunk)
            if total > self._cap:
                raise FetchError(_("The provider's answer is larger than %(n)s KB.", n=self._cap // 1024))
            yield chunk

    async def aclose(self) -> None:
        await self._stream.aclose()


class GuardedTransport(httpx.AsyncBaseTransport):
    """An httpx transport that connects only where the policy allows, and caps what it reads."""

    def __init__(self, policy: FetchPolicy, cap: int = MAX_BYTES) -> None:
        self.policy, self.cap = policy, cap
        self._inner = httpx.AsyncHTTPTransport(retries=0)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        if url.scheme != "https" and not (url.scheme == "http" and self.policy.allow_http):
            raise FetchError(_("Only https addresses are accepted: %(url)s", url=str(url)))
        host = url.host
        address = await _checked_address(host, url.port or (443 if url.scheme == "https" else 80), self.policy)
        # The Host header was set from the name already; TLS checks the certificate against the name too.
        request.url = url.copy_with(host=address)
        request.extensions = {**request.extensions, "sni_hostname": host}
        response = await self._inner.handle_async_request(request)
        length = response.headers.get("content-length", "")
        if length.isdigit() and int(length) > self.cap:
            await response.aclose()
            raise FetchError(_("The provider's answer is larger than %(n)s KB.", n=self.cap // 1024))
        assert isinstance(response.stream, httpx.AsyncByteStream)
        response.stream = _Capped(response.stream, self.cap)
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()


def _same_origin(a: str, b: str) -> bool:
    pa, pb = urlsplit(a), urlsplit(b)
    return (pa.scheme, pa.hostname, pa.port) == (pb.scheme, pb.hostname, pb.port)


async def request_json(policy: FetchPolicy, method: str, url: str, **kwargs: Any) -> tuple[int, Any]:
    """(status, parsed JSON body) of one request; redirects only within the same origin."""
    async with httpx.AsyncClient(transport=GuardedTransport(policy), timeout=TIMEOUT,
                                 follow_redirects=False) as client:
        try:
            for _hop in range(MAX_REDIRECTS + 1):
                response = await client.request(method, url, **kwargs)
                if not response.is_redirect or method != "GET":
                    break
                target = urljoin(url, response.headers.get("location", ""))
                if not _same_origin(url, target):
                    raise FetchError(_("The provider redirected to another host: %(url)s", url=target))
                url = target
            else:
                raise FetchError(_("The provider redirected too many times."))
        except httpx.TimeoutException as exc:
            raise FetchError(_("The provider did not answer in time: %(url)s", url=url)) from exc
        except httpx.HTTPError as exc:
            raise FetchError(_("The provider could not be reached: %(url)s", url=url)) from exc
        except httpx.InvalidURL as exc:
            raise FetchError(_("This is not a valid address: %(url)s", url=url)) from exc
    try:
        return response.status_code, json.loads(response.content)
    except (ValueError, UnicodeDecodeError) as exc:
        raise FetchError(_("The provider's answer at %(url)s is not JSON (status %(status)s).", url=url,
                           status=response.status_code)) from exc


async def get_json_object(policy: FetchPolicy, url: str) -> dict[str, Any]:
    status, body = await request_json(policy, "GET", url, headers={"accept": "application/json"})
    if status != 200 or not isinstance(body, dict):
        raise FetchError(_("The provider answered %(url)s with status %(status)s.", url=url, status=status))
    return body


def discovery_url(issuer: str) -> str:
    return issuer.rstrip("/") + "/.well-known/openid-configuration"


def _endpoint(metadata: dict[str, Any], name: str, policy: FetchPolicy) -> None:
    value = metadata.get(name)
    if not isinstance(value, str) or not value:
        raise FetchError(_("The discovery document has no %(name)s.", name=name))
    scheme = urlsplit(value).scheme
    if scheme != "https" and not (scheme == "http" and policy.allow_http):
        raise FetchError(_("The %(name)s is not an https address.", name=name))


def _names(metadata: dict[str, Any], key: str) -> list[str]:
    value = metadata.get(key)
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def check_metadata(issuer: str, metadata: dict[str, Any], policy: FetchPolicy) -> None:
    """Raise FetchError unless the document is the issuer's own and supports the code flow with PKCE S256."""
    if metadata.get("issuer") != issuer:
        raise FetchError(_("The discovery document names another issuer (%(found)s): the address must match it "
                           "exactly.", found=str(metadata.get("issuer"))[:200]))
    for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        _endpoint(metadata, name, policy)
    if "userinfo_endpoint" in metadata:
        _endpoint(metadata, "userinfo_endpoint", policy)
    if "code" not in _names(metadata, "response_types_supported"):
        raise FetchError(_("The provider does not support the authorization code flow."))
    if "S256" not in _names(metadata, "code_challenge_methods_supported"):
        raise FetchError(_("The provider does not announce PKCE with S256 (code_challenge_methods_supported)."))
    grants = metadata.get("grant_types_supported")
    if grants is not None and "authorization_code" not in _names(metadata, "grant_types_supported"):
        raise FetchError(_("The provider does not support the authorization code grant."))
    algs = metadata.get("id_token_signing_alg_values_supported")
    if algs is not None and not set(_names(metadata, "id_token_signing_alg_values_supported")) & set(ALLOWED_ALGS):
        raise FetchError(_("The provider signs id_tokens only with algorithms Federa does not accept."))


async def discover(issuer: str, policy: FetchPolicy) -> dict[str, Any]:
    """The issuer's discovery document, checked."""
    metadata = await get_json_object(policy, discovery_url(issuer))
    check_metadata(issuer, metadata, policy)
    return metadata


async def fetch_jwks(jwks_uri: str, policy: FetchPolicy) -> dict[str, Any]:
    """The provider's key set: a JSON object with a list of keys, at least one of them for signatures."""
    jwks = await get_json_object(policy, jwks_uri)
    keys = jwks.get("keys")
    if not isinstance(keys, list) or not any(isinstance(k, dict) and k.get("use", "sig") == "sig"
                                             and k.get("kty") in ("RSA", "EC", "OKP") for k in keys):
        raise FetchError(_("The provider's key set (jwks_uri) has no signing keys."))
    return {"keys": [k for k in keys if isinstance(k, dict)]}
