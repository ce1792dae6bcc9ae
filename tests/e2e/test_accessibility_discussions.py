"""axe-core on the discussion pages of the demo (a group of Umana Persone open to Consorzio Metropoli), as a
group coordinator and as a member, with a form showing its errors, and on a phone-sized screen."""

from __future__ import annotations

import pytest

from .conftest import audit, server_log_tail

pytestmark = pytest.mark.e2e

GROUP = "/n/umana-persone/groups/{group}/discussions"
PAGES = [
    ("umana_coordinator", GROUP),
    ("umana_coordinator", GROUP + "/new"),
    ("umana_coordinator", GROUP + "/preferences"),
    ("umana_coordinator", GROUP + "/{thread}"),
    ("umana_coordinator", GROUP + "/{locked}"),
    ("umana_coordinator", GROUP + "/posts/{post}/edit"),
    ("member", GROUP),
    ("member", GROUP + "/{thread}"),
    ("member", GROUP + "/preferences"),
]




@pytest.fixture(scope="module")
def ids(persona_pages) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """The demo's street-work group, its pinned thread, its locked one and a post of its coordinator, found
    as the coordinator finds them: through the pages."""
    page = persona_pages("umana_coordinator")
    page.goto("/n/umana-persone/groups")
    group = _last_number(page.locator("main a", has_text="Educativa di strada").first.get_attribute("href"))
    page.goto(GROUP.format(group=group))
    cards = page.locator("main .card-title a")
    thread = _last_number(cards.first.get_attribute("href"))  # pinned, so first
    locked = _last_number(page.locator("main .card", has=page.locator(".badge-warn"))  # the "locked" badge
                          .locator(".card-title a").first.get_attribute("href"))
    page.goto(GROUP.format(group=group) + f"/{thread}")
    edit = page.locator("main a[href$='/edit']").first.get_attribute("href")
    return {"group": group, "thread": thread, "locked": locked, "post": _last_number(edit.rsplit("/", 1)[0])}


def _last_number(href: str | None) -> int:
    assert href, "link not found"
    return int(href.rstrip("/").rsplit("/", 1)[-1])


@pytest.mark.parametrize(("persona", "path"), PAGES, ids=[f"{p}:{u}" for p, u in PAGES])
def test_discussion_page_has_no_violations(persona_pages, ids: dict[str, int], axe_source: str, persona: str,
                                           path: str) -> None:
    page = persona_pages(persona)
    response = page.goto(path.format(**ids))
    assert response is not None and response.status == 200, f"{persona} {path}\n{server_log_tail()}"
    audit(page, axe_source)


def test_forms_with_errors_have_no_violations(persona_pages, ids: dict[str, int], axe_source: str) -> None:
    page = persona_pages("umana_coordinator")
    base = GROUP.format(**ids)
    page.goto(base + "/new")
    page.evaluate("document.querySelectorAll('[required]').forEach(e => e.removeAttribute('required'))")
    with page.expect_navigation() as sent:
        page.locator("main form.prose button[type=submit]").click()
    assert sent.value is not None and sent.value.status == 422, page.content()[-3000:]
    assert page.locator("[aria-invalid=true]").count() == 2
    audit(page, axe_source)
    page.goto(f"{base}/{ids['thread']}")
    page.evaluate("document.querySelectorAll('[required]').forEach(e => e.removeAttribute('required'))")
    page.locator("#f-body").fill("   ")
    with page.expect_navigation():
        page.locator("section form.prose button[type=submit]").click()
    assert page.locator("[aria-invalid=true]").count() == 1
    audit(page, axe_source)


def test_a_thread_fits_a_phone(ids: dict[str, int], browser, live_server, states, axe_source: str) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=live_server, storage_state=states["member"], locale="it-IT",
                                  viewport={"width": 360, "height": 740})
    try:
        page = context.new_page()
        page.goto(GROUP.format(**ids) + f"/{ids['thread']}")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        audit(page, axe_source)
    finally:
        context.close()
