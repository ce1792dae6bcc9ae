"""axe-core on the pages of signing in with a network's identity provider, as the demo personas: the network's
sign-in page, the admin's provider pages (with form errors), the linked identities, the flow's error page."""

from __future__ import annotations

from typing import Any

import pytest

from federa import demo_identity

from .conftest import describe, run_axe, server_log_tail

pytestmark = pytest.mark.e2e
BASE = "/n/legacoopsociali/manage/identity-providers"


@pytest.fixture
def provider_id(context_for) -> str:  # type: ignore[no-untyped-def]
    """The demo provider of legacoopsociali, read where its network admin reads it."""
    page = context_for("network_admin").new_page()
    page.goto(BASE)
    href = page.locator("tr", has_text=demo_identity.LEGACOOP_IDP).locator("a").first.get_attribute("href")
    assert href is not None
    return href.rsplit("/", 1)[1]


PAGES = [
    ("anonymous", "/n/legacoopsociali/signin", 200),
    ("anonymous", "/n/umana-persone/signin", 200),
    ("network_admin", BASE, 200),
    ("network_admin", BASE + "/new", 200),
    ("network_admin", BASE + "/{provider}", 200),
    ("member", "/me/identities", 200),
    ("member", "/me", 200),
    ("coordinator", "/me/identities", 200),
    ("anonymous", "/n/legacoopsociali/signin/oidc/{provider}/callback?state=forged&code=x", 400),
]


def _check(page: Any, axe_source: str, url: str, status: int) -> None:
    response = page.goto(url)
    assert response is not None and response.status == status, f"{url}: {response and response.status}\n" \
                                                                 f"{server_log_tail()}"
    violations = run_axe(page, axe_source)
    assert not violations, describe(violations, page.url)


@pytest.mark.parametrize(("persona", "path", "status"), PAGES, ids=[f"{p}:{u}" for p, u, _s in PAGES])
def test_page_has_no_violations(context_for, provider_id: str, axe_source: str, persona: str, path: str,
                                status: int) -> None:
    page = context_for(persona).new_page()
    _check(page, axe_source, path.format(provider=provider_id), status)


def test_provider_form_errors(context_for, axe_source: str) -> None:
    page = context_for("network_admin").new_page()
    page.goto(BASE + "/new")
    page.locator("#f-scopes").fill("email")
    page.locator("main form.narrow button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".field-error").count() >= 3, page.url + page.content()[:3000]
    assert not (violations := run_axe(page, axe_source)), describe(violations, page.url)


def test_phone_width_has_no_horizontal_overflow(context_for, provider_id: str) -> None:
    page = context_for("network_admin", viewport={"width": 360, "height": 740}).new_page()
    for url in (BASE, f"{BASE}/{provider_id}", "/n/legacoopsociali/signin", "/me/identities"):
        page.goto(url)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{url}: {width}px wide"
