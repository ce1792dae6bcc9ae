"""axe-core on the OpenID provider's pages (connected apps, consent, sign-out, errors), as the demo personas."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest

from federa import demo_provider

from .conftest import describe, run_axe, server_log_tail

pytestmark = pytest.mark.e2e
CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


@pytest.fixture
def learning_app(context_for) -> str:  # type: ignore[no-untyped-def]
    """The demo learning platform's client id, read where its network admin reads it."""
    page = context_for("network_admin").new_page()
    page.goto("/n/legacoopsociali/manage/apps")
    row = page.locator("tr", has_text=demo_provider.LEARNING)
    return str(row.locator("td code").first.inner_text())


def _authorize(client_id: str, **extra: str) -> str:
    params = {"response_type": "code", "client_id": client_id, "scope": "openid profile email networks",
              "redirect_uri": "https://formazione.legacoopsociali.example.org/oidc/callback", "state": "s",
              "code_challenge": CHALLENGE, "code_challenge_method": "S256", **extra}
    return "/oauth/authorize?" + urlencode(params)


PAGES = [
    ("network_admin", "/n/legacoopsociali/manage/apps", 200),
    ("platform_admin", "/admin/apps", 200),
    ("member", "/me/apps", 200),
    ("coordinator", "/me/apps", 200),
    ("member", "{consent}", 200),
    ("member", "/oauth/logout", 200),
    ("anonymous", "/oauth/logout", 200),
    ("anonymous", "/oauth/authorize?client_id=nessuna", 400),
]


def _check(page: Any, axe_source: str, url: str, status: int) -> None:
    response = page.goto(url)
    assert response is not None and response.status == status, f"{url}: {response and response.status}\n" \
                                                                 f"{server_log_tail()}"
    violations = run_axe(page, axe_source)
    assert not violations, describe(violations, page.url)


@pytest.mark.parametrize(("persona", "path", "status"), PAGES, ids=[f"{p}:{u}" for p, u, _s in PAGES])
def test_page_has_no_violations(context_for, learning_app: str, axe_source: str, persona: str, path: str,
                                status: int) -> None:
    page = context_for(persona).new_page()
    _check(page, axe_source, path.format(consent=_authorize(learning_app)), status)


def test_registration_form_errors_and_new_secret(context_for, axe_source: str) -> None:
    page = context_for("network_admin").new_page()
    page.goto("/n/legacoopsociali/manage/apps")
    page.locator("main form.narrow button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".field-error").count() >= 2, page.url + page.content()[:3000]
    assert not (violations := run_axe(page, axe_source)), describe(violations, page.url)
    page.locator("#f-name").fill("Moodle di prova")
    page.locator("#f-redirect_uris").fill("https://moodle.example.org/auth/oidc/")
    page.locator("main form.narrow button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#client-secret").count() == 1
    assert not (violations := run_axe(page, axe_source)), describe(violations, page.url)


def test_phone_width_has_no_horizontal_overflow(context_for, learning_app: str) -> None:
    page = context_for("network_admin", viewport={"width": 360, "height": 740}).new_page()
    for url in ("/n/legacoopsociali/manage/apps", _authorize(learning_app)):
        page.goto(url)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{url}: {width}px wide"
