"""axe-core on the working group pages of the demo, as each persona that reaches them, with the forms showing
their errors, and on a phone-sized screen."""

from __future__ import annotations

import pytest

from .conftest import Demo, audit, server_log_tail

pytestmark = pytest.mark.e2e

UMANA = "/n/umana-persone/groups"
PAGES = [
    ("member", UMANA),
    ("member", UMANA + "?sector=minori"),
    ("member", UMANA + "/{strada}"),
    ("member", UMANA + "/{strada}/members"),
    ("member", UMANA + "/{anziani}"),
    ("member", "/account/groups"),
    ("coop_admin", "/account/groups"),
    ("coop_admin", UMANA + "/{strada}"),
    ("coop_admin", UMANA + "/{strada}/members"),
    ("umana_coordinator", UMANA),
    ("umana_coordinator", UMANA + "?archived=1"),
    ("umana_coordinator", UMANA + "/new"),
    ("umana_coordinator", UMANA + "/{strada}/edit"),
    ("umana_coordinator", UMANA + "/{direzione}"),
    ("light_coordinator", "/n/consorzio-light/groups/{minori_light}"),
    ("coordinator", "/n/legacoopsociali/groups"),
    ("coordinator", "/n/legacoopsociali/groups/{inserimento}"),
]
NAMES = {"strada": "Educativa di strada", "anziani": "Qualità nei servizi", "direzione": "Tavolo di direzione",
         "minori_light": "Minori e famiglie", "inserimento": "Inserimento lavorativo"}


@pytest.fixture(scope="module")
def ids(demo: Demo, persona_pages) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """The demo groups of federa.demo_groups by their key, read from the lists their coordinators see (sync
    Playwright keeps an event loop running in this thread, so no database query here)."""
    found: dict[str, int] = {}
    for persona, slug in (("umana_coordinator", "umana-persone"), ("light_coordinator", "consorzio-light"),
                          ("coordinator", "legacoopsociali")):
        page = persona_pages(persona)
        page.goto(f"/n/{slug}/groups")
        links = page.evaluate("Array.from(document.querySelectorAll('.card-title a'))"
                              ".map(a => [a.textContent, a.getAttribute('href')])")
        for text, href in links:
            found.update({key: int(href.rsplit("/", 1)[1]) for key, name in NAMES.items() if text.startswith(name)})
    assert set(found) == set(NAMES), found
    return found




@pytest.mark.parametrize(("persona", "path"), PAGES, ids=[f"{p}:{u}" for p, u in PAGES])
def test_group_page_has_no_violations(ids: dict[str, int], persona_pages, axe_source: str, persona: str,
                                      path: str) -> None:
    page = persona_pages(persona)
    response = page.goto(path.format(**ids))
    assert response is not None and response.status == 200, f"{persona} {path}\n{server_log_tail()}"
    audit(page, axe_source)


def test_forms_with_errors_have_no_violations(ids: dict[str, int], persona_pages, axe_source: str) -> None:
    page = persona_pages("umana_coordinator")
    page.goto(UMANA + "/new")
    page.locator("#f-name").fill("x")
    page.locator("#f-coordinator_emails").fill("nessuno@example.org")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("[aria-invalid=true]").count() >= 1
    audit(page, axe_source)
    page.goto(UMANA + f"/{ids['strada']}")
    page.locator("#f-invite_email").fill("non-un-indirizzo")
    page.locator("form[action$='/invitations'] button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#f-invite_email[aria-invalid=true]").count() == 1
    audit(page, axe_source)


def test_a_group_fits_a_phone(ids: dict[str, int], browser, live_server, states, axe_source: str) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=live_server, storage_state=states["coop_admin"], locale="it-IT",
                                  viewport={"width": 360, "height": 740})
    try:
        page = context.new_page()
        for path in (UMANA + f"/{ids['strada']}", UMANA + f"/{ids['strada']}/members"):
            page.goto(path)
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path
            audit(page, axe_source)
    finally:
        context.close()
