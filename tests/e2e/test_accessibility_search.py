"""axe-core on the search page of the demo (results, facets chosen, nothing found, a refused query), as
several personas; nothing overflows on a phone; the search works without JavaScript."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import Demo, describe, run_axe, server_log_tail

pytestmark = pytest.mark.e2e

LEGACOOP = "/n/legacoopsociali/search"
UMANA = "/n/umana-persone/search"

PAGES = [
    ("anonymous", LEGACOOP, 200),
    ("anonymous", LEGACOOP + "?q=cooperativa", 200),
    ("member", UMANA + "?q=minori", 200),
    ("member", UMANA + "?q=minori&kind=event", 200),
    ("member", UMANA + "?q=minori&network=partners&date=upcoming", 200),
    ("member", UMANA + "?q=nessunacorrispondenza", 200),
    ("member", UMANA + "?q=" + "parola+" * 60, 422),
    ("coordinator", LEGACOOP + "?q=%22bilancio+sociale%22", 200),
    ("umana_coordinator", UMANA + "?q=tutoraggio+-scuola", 200),
]


@pytest.mark.parametrize(("persona", "path", "status"), PAGES, ids=[f"{p}:{u[:60]}" for p, u, _s in PAGES])
def test_search_pages_have_no_violations(context_for, demo: Demo, axe_source: str, persona: str, path: str,
                                         status: int) -> None:
    page = context_for(persona).new_page()
    response = page.goto(path)
    assert response is not None
    assert response.status == status, f"{persona} {path}: {response.status}\n{server_log_tail()}"
    violations = run_axe(page, axe_source)
    assert not violations, describe(violations, page.url)


def test_searching_without_javascript_on_a_phone(context_for, demo: Demo) -> None:
    page: Any = context_for("member", java_script_enabled=False, viewport={"width": 390, "height": 844}).new_page()
    page.goto(UMANA)
    page.locator("#q").fill("educativa")
    page.locator("form[role=search] button[type=submit]").click()
    page.wait_for_load_state()
    assert "q=educativa" in page.url
    assert page.locator("ol.search-hits li").count() >= 1, server_log_tail()
    assert page.locator("mark").count() >= 1
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"the search page is {width[0]}px wide on a {width[1]}px phone screen"
