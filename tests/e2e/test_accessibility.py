"""axe-core (WCAG 2.0/2.1 A and AA) on every page of the demo, as each persona; no horizontal overflow on phones."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import Demo, describe, run_axe, server_log_tail

pytestmark = pytest.mark.e2e

NETWORK_HOMES = [("anonymous", f"/n/{slug}/") for slug in
                 ("legacoopsociali", "consorzio-light", "umana-persone", "consorzio-metropoli")]
LEGACOOP = "/n/legacoopsociali"
UMANA = "/n/umana-persone"

# (persona, path): every page a persona of the demo reaches. {coop21}, {lombard}, {requested} are demo ids.
PAGES = [
    ("anonymous", "/"),
    ("anonymous", "/signin"),
    ("anonymous", "/signup"),
    ("anonymous", "/account/forgot"),
    *NETWORK_HOMES,
    ("anonymous", UMANA + "/cooperatives/{coop21}"),
    ("anonymous", "/no-such-page"),
    ("anonymous", "/n/no-such-network/"),
    ("anonymous", "/dev/mail"),
    ("platform_admin", "/"),
    ("platform_admin", "/me"),
    ("platform_admin", "/admin/networks"),
    ("platform_admin", "/n/consorzio-metropoli/directory"),
    ("platform_admin", "/n/consorzio-metropoli/manage/partners"),
    ("platform_admin", "/n/consorzio-metropoli/manage/people"),
    ("platform_admin", "/cooperatives/{coop21}"),
    ("coordinator", "/"),
    ("coordinator", "/me"),
    ("coordinator", LEGACOOP + "/"),
    ("coordinator", LEGACOOP + "/cooperatives/{lombard}"),
    ("coordinator", LEGACOOP + "/directory"),
    ("coordinator", LEGACOOP + "/directory?province=MI&sector=anziani&status=active"),
    ("coordinator", LEGACOOP + "/directory?q=nessuna-corrispondenza"),
    ("coordinator", LEGACOOP + "/directory?per_page=10&page=2"),
    ("coordinator", LEGACOOP + "/directory/matrix"),
    ("coordinator", LEGACOOP + "/directory/new"),
    ("coordinator", LEGACOOP + "/directory/import"),
    ("coordinator", LEGACOOP + "/memberships"),
    ("coordinator", LEGACOOP + "/memberships/{requested}"),
    ("network_admin", LEGACOOP + "/manage/partners"),
    ("network_admin", LEGACOOP + "/manage/people"),
    ("network_admin", LEGACOOP + "/memberships"),
    ("umana_coordinator", UMANA + "/"),
    ("umana_coordinator", UMANA + "/directory"),
    ("umana_coordinator", UMANA + "/directory/matrix"),
    ("umana_coordinator", UMANA + "/memberships"),
    ("umana_coordinator", UMANA + "/manage/partners"),
    ("umana_coordinator", UMANA + "/manage/people"),
    ("coop_admin", "/"),
    ("coop_admin", "/me"),
    ("coop_admin", "/cooperatives/{coop21}"),
    ("coop_admin", "/cooperatives/{coop21}/people"),
    ("coop_admin", "/cooperatives/{coop21}/memberships"),
    ("coop_admin", UMANA + "/cooperatives/{coop21}"),
    ("member", "/"),
    ("member", "/me"),
    ("member", "/me/networks"),
    ("coordinator", "/me/networks"),
    ("member", "/cooperatives/{coop21}"),
    ("member", UMANA + "/"),
]


def _url(path: str, demo: Demo) -> str:
    return path.format(coop21=demo.coop21, lombard=demo.lombard_coop, requested=demo.requested)


@pytest.fixture(scope="module")
def persona_pages(browser, live_server, states):  # type: ignore[no-untyped-def]
    """One page per persona for the whole module: navigation is cheaper than new contexts."""
    pages: dict[str, Any] = {}
    contexts = []

    def get(persona: str) -> Any:
        if persona not in pages:
            context = browser.new_context(base_url=live_server, storage_state=states[persona], locale="it-IT")
            contexts.append(context)
            pages[persona] = context.new_page()
        return pages[persona]

    yield get
    for context in contexts:
        context.close()


def _audit(page: Any, axe_source: str) -> None:
    violations = run_axe(page, axe_source)
    assert not violations, describe(violations, page.url)


@pytest.mark.parametrize(("persona", "path"), PAGES, ids=[f"{p}:{u}" for p, u in PAGES])
def test_page_has_no_violations(persona_pages, demo: Demo, axe_source: str, persona: str, path: str) -> None:
    page = persona_pages(persona)
    response = page.goto(_url(path, demo))
    assert response is not None
    expected = 404 if "no-such" in path else 200
    assert response.status == expected, f"{persona} {path}: {response.status}\n{server_log_tail()}"
    _audit(page, axe_source)


def test_forms_with_errors_have_no_violations(persona_pages, axe_source: str) -> None:
    page = persona_pages("anonymous")
    page.goto("/signup")
    page.locator("#f-email").fill("not-an-email")
    page.locator("#f-password").fill("short")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("[aria-invalid=true]").count() >= 1, "the sign-up form did not mark the bad fields"
    _audit(page, axe_source)
    page.goto("/signin")
    page.locator("#f-email").fill("nobody@example.org")
    page.locator("#f-password").fill("wrong-password")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    _audit(page, axe_source)


def test_cooperative_form_with_errors_has_no_violations(persona_pages, axe_source: str) -> None:
    page = persona_pages("coordinator")
    page.goto(LEGACOOP + "/directory/new")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("[aria-invalid=true]").count() >= 1
    _audit(page, axe_source)


def test_sent_mail_pages_have_no_violations(persona_pages, axe_source: str) -> None:
    page = persona_pages("anonymous")
    page.goto("/account/forgot")
    page.locator("#f-email").fill("socio@coop21.example.org")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    _audit(page, axe_source)
    page.goto("/dev/mail")
    link = page.locator("main a[href^='/dev/mail/']").first
    link.wait_for()
    _audit(page, axe_source)
    link.click()
    page.wait_for_load_state()
    _audit(page, axe_source)


@pytest.mark.parametrize(("persona", "path"), [
    ("anonymous", "/"), ("anonymous", "/n/umana-persone/"), ("anonymous", "/signup"),
    ("coordinator", LEGACOOP + "/directory"), ("coordinator", LEGACOOP + "/directory/matrix"),
    ("coop_admin", "/cooperatives/{coop21}"),
])
def test_nothing_overflows_on_a_phone(context_for, demo: Demo, persona: str, path: str) -> None:
    page = context_for(persona, viewport={"width": 390, "height": 844}).new_page()
    page.goto(_url(path, demo))
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{path} is {width[0]}px wide on a {width[1]}px phone screen"


def test_the_audit_can_fail(context_for, axe_source: str) -> None:
    """A page with known faults: the audit must report them (else a green run proves nothing)."""
    page = context_for().new_page()
    page.set_content('<html><body><h1>A</h1><h3>B</h3><img src="x.png"><input type="text">'
                     '<p style="color:#bbb" id="x">faint</p><p id="x">again</p></body></html>')
    found = {v["id"] for v in run_axe(page, axe_source)}
    assert {"image-alt", "label", "html-has-lang", "color-contrast", "heading-order", "duplicate-id",
            "landmark-one-main"} <= found, found
    assert "image-alt" in describe(run_axe(page, axe_source), page.url)
