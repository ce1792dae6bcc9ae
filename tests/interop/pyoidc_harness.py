"""Federa served by uvicorn on loopback with its issuer set to its own address, and a browser for its forms."""

from __future__ import annotations

import contextlib
import html
import os
import re
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
from conftest import PASSWORD, ROOT, _free_port, _wait_until_up, database_url

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


@contextlib.asynccontextmanager
async def serve_provider(tmp_path: Path, *, database: str | None = None, secret: str = "s" * 40,
                         host: str = "127.0.0.1", env_extra: dict[str, str] | None = None) -> AsyncIterator[str]:
    """One uvicorn process whose FEDERA_BASE_URL (the OpenID issuer) is its own loopback address.
    Two instances on one machine take two loopback addresses (127.0.0.1, 127.0.0.2): a browser keeps cookies
    per host name, not per port, and both name their session cookie alike."""
    port = _free_port()
    url = f"http://{host}:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("FEDERA_")}
    env |= {"FEDERA_DATABASE_URL": database or database_url(), "FEDERA_SECRET_KEY": secret,
            "FEDERA_BASE_URL": url, "FEDERA_VAR_DIR": str(tmp_path / f"var-{port}"),
            "PYTHONPATH": f"{ROOT / 'platform'}:{ROOT}", **(env_extra or {})}
    log = tmp_path / f"server-{port}.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "federa.asgi:app", "--host", host, "--port", str(port),
             "--log-level", "warning", "--no-access-log"], env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    try:
        await _wait_until_up(url, server, log)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)
        print(f"server {url} log (end):\n" + "\n".join(log.read_text().splitlines()[-60:]))


class Browser:
    """A person's browser on Federa: signs in with the form, answers the consent page."""

    def __init__(self, base: str) -> None:
        self.http = httpx.Client(base_url=base, follow_redirects=False, timeout=20)

    def close(self) -> None:
        self.http.close()

    def sign_in(self, email: str, password: str = PASSWORD) -> None:
        token = _CSRF.search(self.http.get("/signin").text)
        assert token
        response = self.http.post("/signin", data={"email": email, "password": password, "csrf_token": token.group(1)})
        assert response.status_code == 303, response.text[:300]

    def authorize(self, url: str, *, decision: str = "allow") -> httpx.Response:
        """Open an authorization URL; if Federa asks for consent, answer; the last response."""
        response = self.http.get(url)
        if response.status_code == 200 and 'action="/oauth/consent"' in response.text:
            form = response.text.split('action="/oauth/consent"', 1)[1].split("</form>", 1)[0]
            fields = [(k, html.unescape(v)) for k, v in _HIDDEN.findall(form)]
            response = self.http.post("/oauth/consent", content=urlencode([*fields, ("decision", decision)]),
                                      headers={"content-type": "application/x-www-form-urlencoded"})
        return response


def redirect_query(response: httpx.Response) -> str:
    assert response.status_code == 302, (response.status_code, response.text[:300])
    return urlsplit(response.headers["location"]).query


def redirect_params(response: httpx.Response) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(redirect_query(response)).items()}
