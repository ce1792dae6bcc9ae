"""axe-core on the library pages of the demo (federa.demo_library), as each persona that reaches them, with
the forms showing their errors, and on a phone-sized screen."""

from __future__ import annotations

import pytest

from .conftest import audit, server_log_tail

pytestmark = pytest.mark.e2e

UMANA = "/n/umana-persone/library"
PAGES = [
    ("anonymous", UMANA),
    ("anonymous", UMANA + "/{dsa}"),
    ("anonymous", "/n/legacoopsociali/library"),
    ("member", UMANA),
    ("member", UMANA + "?order=useful"),
    ("member", UMANA + "?sector=minori&kind=document"),
    ("member", UMANA + "?q=nessuna-corrispondenza"),
    ("member", UMANA + "/{educativa}"),
    ("member", UMANA + "/{educativa}/history"),
    ("member", UMANA + "/{educativa}/edit"),
    ("member", UMANA + "/{carta}"),
    ("member", UMANA + "/{carta}/edit"),
    ("member", UMANA + "/articles/new"),
    ("member", UMANA + "/documents/new"),
    ("member", "/n/consorzio-metropoli/library"),
    ("coop_admin", UMANA + "/{educativa}"),
    ("umana_coordinator", UMANA),
    ("umana_coordinator", UMANA + "/{domiciliare}"),
    ("light_coordinator", "/n/consorzio-light/library"),
    ("coordinator", "/n/legacoopsociali/library"),
]
TITLES = {"educativa": "Educativa di strada: il modello", "dsa": "Tutoraggio per ragazzi con DSA",
          "domiciliare": "Assistenza domiciliare", "carta": "Carta dei servizi"}




@pytest.fixture(scope="module")
def ids(persona_pages) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """The demo items by key, read from the list the coordinator sees (no database query in this thread)."""
    page = persona_pages("umana_coordinator")
    page.goto(UMANA)
    links = page.evaluate("Array.from(document.querySelectorAll('.card-title a'))"
                          ".map(a => [a.textContent, a.getAttribute('href')])")
    found = {key: int(href.rsplit("/", 1)[1]) for text, href in links for key, title in TITLES.items()
             if text.startswith(title)}
    assert set(found) == set(TITLES), links
    return found


@pytest.mark.parametrize(("persona", "path"), PAGES, ids=[f"{p}:{u}" for p, u in PAGES])
def test_library_page_has_no_violations(ids: dict[str, int], persona_pages, axe_source: str, persona: str,
                                        path: str) -> None:
    page = persona_pages(persona)
    response = page.goto(path.format(**ids))
    assert response is not None and response.status == 200, f"{persona} {path}\n{server_log_tail()}"
    audit(page, axe_source)


def test_forms_with_errors_have_no_violations(ids: dict[str, int], persona_pages, axe_source: str) -> None:
    page = persona_pages("member")
    page.goto(UMANA + "/articles/new")
    page.locator("#f-title").fill("x")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("[aria-invalid=true]").count() >= 1
    audit(page, axe_source)
    page.goto(UMANA + "/documents/new")
    page.locator("#f-title").fill("Un documento")
    page.locator("#f-file").set_input_files({"name": "programma.pdf", "mimeType": "application/pdf",
                                             "buffer": b"MZ\x90\x00 not a pdf"})
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#f-file[aria-invalid=true]").count() == 1
    audit(page, axe_source)
    page.goto(UMANA + f"/{ids['educativa']}")
    page.locator("main form[action$='/comments'] button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#f-body[aria-invalid=true]").count() == 1
    audit(page, axe_source)


def test_the_library_fits_a_phone(ids: dict[str, int], browser, live_server, states, axe_source: str) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=live_server, storage_state=states["member"], locale="it-IT",
                                  viewport={"width": 360, "height": 740})
    try:
        page = context.new_page()
        for path in (UMANA, UMANA + f"/{ids['educativa']}", UMANA + f"/{ids['educativa']}/history",
                     UMANA + "/documents/new"):
            page.goto(path)
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path
            audit(page, axe_source)
    finally:
        context.close()


def test_confirmation_and_comment_pages_have_no_violations(ids: dict[str, int], persona_pages,
                                                           axe_source: str) -> None:
    page = persona_pages("coop_admin")
    page.goto(UMANA + f"/{ids['educativa']}")
    page.locator("main a[href*='/comments/'][href$='/edit']").first.click()
    page.wait_for_load_state()
    assert "/comments/" in page.url and page.locator("#f-body").count() == 1
    audit(page, axe_source)
    page.goto(UMANA + f"/{ids['educativa']}")
    page.locator(f"main form[action$='/{ids['educativa']}/delete'] button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("input[name=confirm][value=yes]").count() == 1  # asked, not deleted
    audit(page, axe_source)
