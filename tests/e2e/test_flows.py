"""Real flows in the browser: sign in, filter, the presence map, the services catalogue, keyboard, language, no JS,
a member registering for a training event on a phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from federa import demo as demo_data
from federa import demo_events

from .conftest import PERSONAS, Demo, sign_in

pytestmark = pytest.mark.e2e

LEGACOOP = "/n/legacoopsociali"
UMANA = "/n/umana-persone"
COORDINATOR = str(PERSONAS["coordinator"])


def _directory_rows(page: Page) -> list[list[str]]:
    rows = page.locator("main table tbody tr")
    return [rows.nth(i).locator("td").all_inner_texts() for i in range(rows.count())]


def test_coordinator_filters_the_directory_and_follows_the_map(context_for, live_server: str) -> None:
    page = context_for().new_page()
    sign_in(page, live_server, COORDINATOR)
    page.goto(LEGACOOP + "/directory")
    everything = len(_directory_rows(page))
    page.locator("#province").select_option("PV")
    page.locator("form.filters button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"province=PV"))
    rows = _directory_rows(page)
    assert 0 < len(rows) < everything
    assert {row[2] for row in rows} == {"Pavia"}

    page.locator("nav.subnav a[href$='/directory/matrix']").click()
    expect(page).to_have_url(re.compile(r"/directory/matrix$"))
    expect(page.locator("nav.subnav [aria-current=page]")).to_have_attribute("href", re.compile("/matrix$"))
    cell = page.locator("table.matrix a[href*='province=PV'][href*='sector=minori']")
    expected = int(cell.inner_text())
    cell.click()
    expect(page).to_have_url(re.compile(r"province=PV.*sector=minori"))
    rows = _directory_rows(page)
    assert len(rows) == expected
    assert all(row[2] == "Pavia" for row in rows)
    expect(page.locator("#sector")).to_have_value("minori")


def test_cooperative_admin_edits_a_service(context_for, demo: Demo) -> None:
    page = context_for("coop_admin").new_page()
    page.goto(f"/cooperatives/{demo.coop21}")
    audience = page.locator("#svc-0-aud")
    expect(audience).to_have_value(re.compile("11"))
    audience.fill("Ragazze e ragazzi dai 12 ai 19 anni di Bagno a Ripoli")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main .flash")).to_be_visible()
    page.reload()
    expect(page.locator("#svc-0-aud")).to_have_value("Ragazze e ragazzi dai 12 ai 19 anni di Bagno a Ripoli")

    public = context_for().new_page()
    public.goto(f"/n/umana-persone/cooperatives/{demo.coop21}")
    expect(public.locator("main")).to_contain_text("dai 12 ai 19 anni di Bagno a Ripoli")


def test_the_skip_link_comes_first_and_moves_focus_to_main(context_for) -> None:
    page = context_for().new_page()
    page.goto("/")
    page.keyboard.press("Tab")
    focused = page.evaluate("[document.activeElement.className, document.activeElement.getAttribute('href')]")
    assert focused == ["skip", "#main"]
    skip = page.locator("a.skip")
    box = skip.bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0, "the focused skip link is off screen"
    assert skip.evaluate("e => getComputedStyle(e).outlineStyle") != "none", "no visible focus"
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    page.keyboard.press("Tab")
    inside = page.evaluate("document.querySelector('main').contains(document.activeElement)")
    assert inside, "the next Tab after the skip link should stay in the main content"


def test_the_language_switcher_changes_the_page_language(context_for) -> None:
    page = context_for().new_page()
    page.goto("/signin")
    expect(page.locator("html")).to_have_attribute("lang", "it")
    page.locator("#lang-select").select_option("en")
    page.locator("form.lang button").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(r"/signin$"))
    expect(page.locator("main h1")).to_have_text("Sign in")
    page.locator("#lang-select").select_option("it")
    page.locator("form.lang button").click()
    expect(page.locator("html")).to_have_attribute("lang", "it")


def test_pages_work_without_javascript(context_for, live_server: str) -> None:
    page = context_for(java_script_enabled=False).new_page()
    page.goto("/signup")
    page.locator("#f-email").fill("not-an-email")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#f-email")).to_have_attribute("aria-invalid", "true")

    sign_in(page, live_server, COORDINATOR)
    page.goto(LEGACOOP + "/directory")
    page.locator("#province").select_option("MI")
    page.locator("#sector").select_option("anziani")
    page.locator("form.filters button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"province=MI"))
    rows = _directory_rows(page)
    assert rows and all(row[2] == "Milano" for row in rows)

    page.locator("header form[action='/signout'] button").click()
    expect(page.locator("header a[href='/signin']")).to_be_visible()
    page.goto(LEGACOOP + "/directory")
    expect(page).to_have_url(re.compile(r"/signin\?next=/n/legacoopsociali/directory"))
    expect(page.locator("main table")).to_have_count(0)


def test_row_buttons_name_what_they_act_on(context_for) -> None:
    """Screen-reader users hear "Approve <cooperative>", not a list of identical "Approve" buttons."""
    page = context_for("coordinator").new_page()
    page.goto(LEGACOOP + "/memberships")
    rows = page.locator("main table tbody tr")
    assert rows.count() == 2
    for i in range(rows.count()):
        name = rows.nth(i).locator("td a").first.inner_text()
        expect(rows.nth(i).get_by_role("button", name=re.compile(re.escape(name)))).to_have_count(2)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_member_registers_for_an_event_on_a_phone(context_for, demo: Demo, javascript: bool) -> None:
    """Events list → event → register → "my registrations" → cancel, on a phone screen, with or without JS."""
    title = next(s.title for s in demo_events.specs() if s.key == "dsa")
    phone = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
    page = context_for("member", java_script_enabled=javascript, **phone).new_page()
    page.goto(UMANA + "/")
    page.locator(f"header nav a[href='{UMANA}/events']").click()
    expect(page).to_have_url(re.compile(r"/n/umana-persone/events$"))
    _fits_the_phone(page)
    card = page.locator("main li.event-card").filter(has=page.get_by_role("link", name=title, exact=True))
    expect(card).to_have_count(1)
    card.get_by_role("link", name=title, exact=True).click()
    expect(page.locator("main h1")).to_have_text(title)
    _fits_the_phone(page)
    register = page.locator(f"main form[action$='/events/{demo.events['dsa']}/register'] button[type=submit]")
    box = register.bounding_box()
    assert box is not None and box["height"] >= 24 and box["width"] >= 24, "the button is too small to tap"
    register.click()
    expect(page).to_have_url(re.compile(rf"/events/{demo.events['dsa']}$"))
    expect(page.locator("main .flash, main [role=status]").first).to_be_visible()
    expect(page.locator("main .registration .notice-ok")).to_be_visible()
    expect(page.locator("main .registration form[action$='/cancel']")).to_have_count(1)

    page.locator("header a[href='/account/registrations']").click()
    expect(page).to_have_url(re.compile(r"/account/registrations$"))
    _fits_the_phone(page)
    mine = page.locator("main li.event-card").filter(has=page.get_by_role("link", name=title, exact=True))
    expect(mine).to_have_count(1)
    expect(mine).to_contain_text("Umana Persone")
    # the member's other upcoming registration (the event open to partner networks) is listed too
    partners = next(s.title for s in demo_events.specs() if s.key == "partners")
    expect(page.get_by_role("link", name=partners, exact=True)).to_have_count(1)

    mine.locator("form[action$='/cancel'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/account/registrations$"))
    expect(page.locator("main li.event-card").filter(
        has=page.get_by_role("link", name=title, exact=True))).to_have_count(0)


def _fits_the_phone(page: Page) -> None:
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{page.url} is {width[0]}px wide on a {width[1]}px phone screen"


def test_member_downloads_a_certificate_that_anyone_can_verify(context_for, demo: Demo) -> None:
    """My past registrations → the certificate PDF; the code, typed loosely by someone else, verifies."""
    past = demo_events.past_spec().title
    page = context_for("member").new_page()
    page.goto("/account/registrations")
    page.locator("main nav a[href$='when=past']").click()
    card = page.locator("main li.event-card").filter(has=page.get_by_role("link", name=past, exact=True))
    link = card.locator("a[href$='/certificate.pdf']")
    expect(link).to_have_count(1)
    pdf = page.request.get(str(link.get_attribute("href")))
    assert pdf.status == 200 and pdf.headers["content-type"].startswith("application/pdf")
    assert pdf.body().startswith(b"%PDF")

    visitor = context_for().new_page()
    visitor.goto("/certificates/verify")
    visitor.locator("#f-code").fill(" " + demo.certificate.lower().replace("-", " ") + " ")
    visitor.locator("main form button[type=submit]").click()
    verified = visitor.locator("main section.verified")
    expect(verified).to_contain_text(next(n for e, n, _r in demo_data.ACCOUNTS if e == PERSONAS["member"]))
    expect(verified).to_contain_text(past)
    expect(verified).to_contain_text(demo.certificate)
