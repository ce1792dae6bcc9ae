"""axe-core (WCAG 2.0/2.1 A and AA) on every page of the demo, as each persona; no horizontal overflow on phones."""

from __future__ import annotations

from typing import Any

import pytest

from federa import demo_events

from .conftest import Demo, audit, describe, run_axe, server_log_tail

pytestmark = pytest.mark.e2e

NETWORK_HOMES = [("anonymous", f"/n/{slug}/") for slug in
                 ("legacoopsociali", "consorzio-light", "umana-persone", "consorzio-metropoli")]
LEGACOOP = "/n/legacoopsociali"
UMANA = "/n/umana-persone"
LIGHT = "/n/consorzio-light"

# Training events (issue 3). {event_<key>} and {session_<key>} name the events of federa.demo_events.
EVENT_PAGES = [
    ("anonymous", LEGACOOP + "/events"),
    ("anonymous", LEGACOOP + "/events/{event_webinar}"),
    ("anonymous", LEGACOOP + "/events/calendar"),
    ("anonymous", "/certificates/verify"),
    ("anonymous", "/certificates/verify?code={certificate}"),
    ("anonymous", "/certificates/verify?code=0000-0000-0000"),
    ("member", UMANA + "/events"),
    ("member", UMANA + "/events?when=past"),
    ("member", UMANA + "/events?sector=minori&mode=in_person&seats=1"),
    ("member", UMANA + "/events/calendar"),
    ("member", UMANA + "/events/calendar?month={past_month}"),
    ("member", UMANA + "/events?q=nessuna-corrispondenza"),
    ("member", UMANA + "/events/{event_partners}"),
    ("member", UMANA + "/events/{event_dsa}"),
    ("member", UMANA + "/events/{event_full}"),
    ("member", UMANA + "/events/{event_past}"),
    ("member", UMANA + "/events/{event_past}/survey"),
    ("member", LEGACOOP + "/events/{event_webinar}"),
    ("member", "/account/registrations"),
    ("member", "/account/registrations?when=past"),
    ("member", "/account/calendar"),
    ("coop_admin", UMANA + "/events/{event_full}"),
    ("coop_admin", UMANA + "/events/{event_dsa}/register-people"),
    ("coop_admin", UMANA + "/events/{event_past}/survey"),
    ("coop_admin", "/account/registrations"),
    ("umana_coordinator", UMANA + "/events"),
    ("umana_coordinator", UMANA + "/events/new"),
    ("umana_coordinator", UMANA + "/events/{event_full}"),
    ("umana_coordinator", UMANA + "/events/{event_full}/edit"),
    ("umana_coordinator", UMANA + "/events/{event_full}/registrations"),
    ("umana_coordinator", UMANA + "/events/{event_past}"),
    ("umana_coordinator", UMANA + "/events/{event_past}/registrations"),
    ("umana_coordinator", UMANA + "/events/{event_past}/sessions/{session_past}/checkin"),
    ("umana_coordinator", UMANA + "/events/{event_past}/sessions/{session_past}/checkin?q=conti"),
    ("umana_coordinator", UMANA + "/events/{event_past}/survey/results"),
    ("light_coordinator", LIGHT + "/events"),
    ("light_coordinator", LIGHT + "/events/{event_percorso}"),
    ("light_coordinator", LIGHT + "/events/{event_percorso}/edit"),
    ("light_coordinator", LIGHT + "/events/{event_percorso}/registrations"),
    ("light_coordinator", LIGHT + "/events/{event_percorso}/sessions/{session_percorso}/checkin"),
    ("coordinator", LEGACOOP + "/events"),
    ("coordinator", LEGACOOP + "/events/calendar"),
    ("coordinator", LEGACOOP + "/events?when=past"),
    ("coordinator", LEGACOOP + "/events/{event_draft}"),
    ("coordinator", LEGACOOP + "/events/{event_draft}/edit"),
    ("coordinator", LEGACOOP + "/events/{event_nearly_full}"),
    ("coordinator", LEGACOOP + "/events/{event_nearly_full}/registrations"),
]

# (persona, path): every page a persona of the demo reaches. {coop21}, {lombard}, {requested} are demo ids;
# Demo.placeholders() lists the others.
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
    *EVENT_PAGES,
]


def _url(path: str, demo: Demo) -> str:
    return path.format(**demo.placeholders())




@pytest.mark.parametrize(("persona", "path"), PAGES, ids=[f"{p}:{u}" for p, u in PAGES])
def test_page_has_no_violations(persona_pages, demo: Demo, axe_source: str, persona: str, path: str) -> None:
    page = persona_pages(persona)
    response = page.goto(_url(path, demo))
    assert response is not None
    expected = 404 if "no-such" in path else 200
    assert response.status == expected, f"{persona} {path}: {response.status}\n{server_log_tail()}"
    audit(page, axe_source)


def test_forms_with_errors_have_no_violations(persona_pages, axe_source: str) -> None:
    page = persona_pages("anonymous")
    page.goto("/signup")
    page.locator("#f-email").fill("not-an-email")
    page.locator("#f-password").fill("short")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("[aria-invalid=true]").count() >= 1, "the sign-up form did not mark the bad fields"
    audit(page, axe_source)
    page.goto("/signin")
    page.locator("#f-email").fill("nobody@example.org")
    page.locator("#f-password").fill("wrong-password")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    audit(page, axe_source)


def test_cooperative_form_with_errors_has_no_violations(persona_pages, axe_source: str) -> None:
    page = persona_pages("coordinator")
    page.goto(LEGACOOP + "/directory/new")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("[aria-invalid=true]").count() >= 1
    audit(page, axe_source)


def test_sent_mail_pages_have_no_violations(persona_pages, axe_source: str) -> None:
    page = persona_pages("anonymous")
    page.goto("/account/forgot")
    page.locator("#f-email").fill("socio@coop21.example.org")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    audit(page, axe_source)
    page.goto("/dev/mail")
    link = page.locator("main a[href^='/dev/mail/']").first
    link.wait_for()
    audit(page, axe_source)
    link.click()
    page.wait_for_load_state()
    audit(page, axe_source)


@pytest.mark.parametrize(("persona", "path"), [
    ("anonymous", "/"), ("anonymous", "/n/umana-persone/"), ("anonymous", "/signup"),
    ("coordinator", LEGACOOP + "/directory"), ("coordinator", LEGACOOP + "/directory/matrix"),
    ("coop_admin", "/cooperatives/{coop21}"),
    ("member", UMANA + "/events"), ("member", UMANA + "/events/{event_partners}"),
    ("member", UMANA + "/events/calendar"), ("member", "/account/registrations"),
    ("umana_coordinator", UMANA + "/events/{event_past}/sessions/{session_past}/checkin"),
    ("umana_coordinator", UMANA + "/events/{event_past}/registrations"),
    ("umana_coordinator", UMANA + "/events/{event_past}/survey/results"),
    ("umana_coordinator", UMANA + "/events/new"),
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


def _submit(page: Any, form: str) -> None:
    page.locator(f"{form} button[type=submit]").first.click()
    page.wait_for_load_state()


def test_event_forms_with_errors_have_no_violations(persona_pages, demo: Demo, axe_source: str) -> None:
    """The event editor, the registration questions and the survey, sent empty: errors named, still accessible."""
    ids = demo.placeholders()
    page = persona_pages("umana_coordinator")
    page.goto(UMANA + "/events/new")
    _submit(page, "main form[method=post]")
    assert page.locator("[aria-invalid=true]").count() >= 1, "the event form did not mark the bad fields"
    audit(page, axe_source)

    page = persona_pages("light_coordinator")
    page.goto(_url(LIGHT + "/events/{event_percorso}", demo))
    _submit(page, "main form[action$='/register']")
    assert page.locator("[aria-invalid=true]").count() >= 1, "the required questions were not marked"
    audit(page, axe_source)

    page = persona_pages("member")
    page.goto(_url(UMANA + "/events/{event_past}/survey", demo))
    _submit(page, f"main form[action$='/events/{ids['event_past']}/survey'], main form[method=post]")
    assert page.locator("[aria-invalid=true]").count() >= 1, "the survey did not mark the missing scores"
    audit(page, axe_source)


def test_event_pages_after_an_action_have_no_violations(persona_pages, demo: Demo, axe_source: str) -> None:
    """Pages showing the outcome of an action: people registered by their cooperative, a check-in (undone)."""
    page = persona_pages("coop_admin")
    page.goto(_url(UMANA + "/events/{event_dsa}/register-people", demo))
    _submit(page, "main form[method=post]")  # nobody chosen
    audit(page, axe_source)
    colleague = demo_events.participants()["umana"][0][1]  # works at Coop21, not registered yet
    page.get_by_label(colleague, exact=True).check()
    _submit(page, "main form[method=post]")
    assert page.locator("main table").filter(has_text=colleague).count() == 1, "no result for the colleague"
    audit(page, axe_source)

    page = persona_pages("umana_coordinator")
    page.goto(_url(UMANA + "/events/{event_past}/sessions/{session_past}/checkin", demo))
    absent = page.locator("main .checkin-list li:not(.present)").first
    name = absent.locator("strong").inner_text()
    absent.locator("button[type=submit]").click()
    page.wait_for_load_state()
    row = page.locator("main .checkin-list li").filter(has_text=name)
    assert "present" in (row.get_attribute("class") or ""), f"{name} was not checked in"
    audit(page, axe_source)
    row.locator("button[type=submit]").click()  # undo: the demo stays as it was
    page.wait_for_load_state()
    assert "present" not in (page.locator("main .checkin-list li").filter(has_text=name).get_attribute("class") or "")


def test_calendar_address_fits_a_phone(context_for, axe_source: str) -> None:
    """The secret feed address, shown once after it is created, is long: it must wrap on a phone."""
    page = context_for("member", viewport={"width": 390, "height": 844}).new_page()
    page.goto("/account/calendar")
    _submit(page, "main form[action='/account/calendar']")
    expect_token = page.locator("main code.token")
    assert expect_token.count() == 1, "the new calendar address is not shown"
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"the calendar page is {width[0]}px wide on a {width[1]}px phone screen"
    audit(page, axe_source)
    _submit(page, "main form[action='/account/calendar/revoke']")  # leave the demo without a live address
