"""Browser tests: the demo data, a real uvicorn server in a subprocess, Debian's headless Chromium, axe-core.

axe-core is installed with npm into tests/e2e/.axe (git-ignored) at a pinned version, and the file is checked
against the SRI hash axe-core publishes for that version: no 650 KB minified third-party blob in the repository,
and still a known, verified build (MPL-2.0, used unmodified).
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import database_url, truncate_all
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from federa import demo as demo_data
from federa.accounts.models import Person
from federa.events.models import Certificate, Event, EventSession
from federa.events.schemas import ROME
from federa.networks.models import Cooperative, Membership
from federa.tenancy import network_cache

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("FEDERA_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
AXE_VERSION = "4.14.1"
AXE_SRI = "KTSJmUUM3yhJqOcLeRL8LahahJ2jnA0NU5T1HUqe2Vw="  # axe-core's sri-history.json, axe.min.js
AXE_DIR = Path(__file__).parent / ".axe"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Best-practice rules on top of the WCAG tags, for what the brief asks besides: headings, landmarks, ids.
AXE_EXTRA_RULES = ["heading-order", "page-has-heading-one", "landmark-one-main", "region", "landmark-unique",
                   "duplicate-id", "duplicate-id-active"]
PASSWORD = demo_data.DEMO_PASSWORD
SERVER_LOG: dict[str, Path] = {}

PERSONAS = {
    "anonymous": None,
    "platform_admin": "admin@federa.example.org",
    "coordinator": "coordinatore@legacoopsociali.example.org",
    "network_admin": "amministratore@legacoopsociali.example.org",
    "umana_coordinator": "coordinatore@umana-persone.example.org",
    "light_coordinator": "coordinatore@consorzio-light.example.org",
    "coop_admin": "admin@coop21.example.org",
    "member": "socio@coop21.example.org",
}


@pytest.fixture(autouse=True)
def clean() -> None:
    """Overrides the per-test truncation: the demo data stays for the whole browser run."""


@dataclass(frozen=True)
class Demo:
    coop21: int               # Coop21 (umana-persone, consorzio-metropoli)
    lombard_coop: int         # a cooperative of legacoopsociali
    requested: int            # a membership waiting for legacoopsociali's coordinators
    slugs: tuple[str, ...]
    events: dict[str, int]    # demo events by their key in federa.demo_events (percorso, past, full, ...)
    sessions: dict[str, int]  # the first session of each, by the same key
    certificate: str          # the member's certificate code for the past event
    past_month: str           # YYYY-MM of the past event, for the month calendar

    def placeholders(self) -> dict[str, Any]:
        """What a path in the audit lists may name: {coop21}, {event_past}, {session_past}, {certificate}..."""
        return {"coop21": self.coop21, "lombard": self.lombard_coop, "requested": self.requested,
                "certificate": self.certificate, "past_month": self.past_month,
                **{f"event_{k}": v for k, v in self.events.items()},
                **{f"session_{k}": v for k, v in self.sessions.items()}}


@pytest.fixture(scope="package")
async def demo(schema: str) -> AsyncIterator[Demo]:
    """The demo loaded once into the test database, removed again so later tests start empty."""
    await truncate_all()
    network_cache.forget()
    await demo_data.load(echo=lambda _line: None)
    coop21 = await Cooperative.get(legal_name="Coop21")
    lombard = await Cooperative.filter(province="MI").order_by("id").first()
    requested = await Membership.filter(status="requested", network__slug="legacoopsociali").order_by("id").first()
    assert lombard is not None and requested is not None
    assert await Person.filter(email__in=[e for e in PERSONAS.values() if e]).count() == len(PERSONAS) - 1
    specs = [*demo_data.demo_events.specs(), demo_data.demo_events.past_spec()]
    by_title = {e.title: e.id for e in await Event.all()}
    events = {spec.key: by_title[spec.title] for spec in specs}
    first: dict[int, int] = {}
    for session in await EventSession.filter(event_id__in=list(events.values())).order_by("-starts_at", "-id"):
        first[session.event_id] = session.id  # latest first: the earliest session is written last
    sessions = {key: first[event_id] for key, event_id in events.items()}
    past = await Event.get(id=events["past"])
    assert past.starts_at is not None
    certificate = await Certificate.get(registration__person__email=PERSONAS["member"],
                                        registration__event_id=events["past"])
    yield Demo(coop21=coop21.id, lombard_coop=lombard.id, requested=requested.id,
               slugs=tuple(slug for slug, *_rest in demo_data.NETWORKS), events=events, sessions=sessions,
               certificate=certificate.code, past_month=past.starts_at.astimezone(ROME).strftime("%Y-%m"))
    await truncate_all()
    network_cache.forget()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_until_up(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server exited ({process.returncode}):\n{log.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(url + "/livez", timeout=1) as response:  # noqa: S310 (loopback)
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"the server did not start in 30 s:\n{log.read_text()[-4000:]}")


@pytest.fixture(scope="package")
def live_server(demo: Demo) -> Iterator[str]:
    """uvicorn on a free loopback port, in its own process, on the test database (no Redis)."""
    port = _free_port()
    var_dir = Path(tempfile.mkdtemp(prefix="federa-e2e-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("FEDERA_")}
    env.update(FEDERA_DATABASE_URL=database_url(), FEDERA_VAR_DIR=str(var_dir), FEDERA_ENV="dev",
               FEDERA_SECRET_KEY="e2e-" + "k" * 40, FEDERA_BASE_URL=f"http://127.0.0.1:{port}")
    log = SERVER_LOG["path"] = var_dir / "server.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "federa.asgi:app", "--host", "127.0.0.1", "--port", str(port),
             "--log-level", "warning"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, process, log)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(var_dir, ignore_errors=True)


def server_log_tail(chars: int = 4000) -> str:
    """The end of the live server's log, to explain a 500 in a failure message."""
    path = SERVER_LOG.get("path")
    return path.read_text()[-chars:] if path and path.exists() else ""


def _sri(path: Path) -> str:
    return base64.b64encode(hashlib.sha256(path.read_bytes()).digest()).decode()


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe.min.js at the pinned version, installed with npm when missing and checked against its SRI hash."""
    path = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
    if not path.exists() or _sri(path) != AXE_SRI:
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail("npm is needed once to fetch axe-core for the accessibility audit")
        subprocess.run([npm, "install", "--prefix", str(AXE_DIR), "--no-save", "--no-package-lock",
                        "--no-audit", "--no-fund", f"axe-core@{AXE_VERSION}"], check=True, capture_output=True)
    if _sri(path) != AXE_SRI:
        pytest.fail(f"{path} does not match the published SRI hash of axe-core {AXE_VERSION}")
    return path.read_text()


@pytest.fixture(scope="package")
def browser(live_server: str) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is missing at {CHROMIUM}: run `make browser` (tests/e2e/install_chromium.sh)")
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


def sign_in(page: Page, base_url: str, email: str, password: str = PASSWORD) -> None:
    """Sign in through the real form, as a person would."""
    page.goto(base_url + "/signin")
    page.locator("#f-email").fill(email)
    page.locator("#f-password").fill(password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert "/signin" not in page.url, f"sign-in as {email} failed: {page.url}"


@pytest.fixture(scope="package")
def states(browser: Browser, live_server: str) -> dict[str, Any]:
    """Each persona's signed-in cookies, made once (argon2 is slow on purpose)."""
    cache: dict[str, Any] = {}
    for name, email in PERSONAS.items():
        context = browser.new_context(base_url=live_server, locale="it-IT")
        if email:
            sign_in(context.new_page(), live_server, email)
        cache[name] = context.storage_state()
        context.close()
    return cache


@pytest.fixture
def context_for(browser: Browser, live_server: str, states: dict[str, Any]) -> Iterator[Any]:
    """context_for(persona, **options) → a fresh browser context signed in as that persona."""
    opened: list[BrowserContext] = []

    def make(persona: str = "anonymous", **options: Any) -> BrowserContext:
        options.setdefault("locale", "it-IT")
        context = browser.new_context(base_url=live_server, storage_state=states[persona], **options)
        context.set_default_timeout(10_000)
        opened.append(context)
        return context

    yield make
    for context in opened:
        context.close()


def run_axe(page: Page, axe_source: str) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.0/2.1 A and AA rules (and a few best practices) on the page; returns the violations."""
    # page.evaluate goes through DevTools, so the page's CSP (script-src 'self') stays in force.
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source)
    return page.evaluate(
        "async ([tags, extra]) => (await axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " rules: Object.fromEntries(extra.map(id => [id, {enabled: true}])),"
        " resultTypes: ['violations']})).violations", [AXE_TAGS, AXE_EXTRA_RULES])


def describe(violations: list[dict[str, Any]], url: str) -> str:
    """A readable summary: rule, impact, what to fix, and the first offending elements."""
    lines = [f"{len(violations)} accessibility violation(s) on {url}:"]
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} — {v['helpUrl']}")
        for node in v["nodes"][:5]:
            lines.append(f"    at {' '.join(map(str, node['target']))}: {node['html'][:160]}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"      {summary[:300]}")
        if len(v["nodes"]) > 5:
            lines.append(f"    … and {len(v['nodes']) - 5} more")
    return "\n".join(lines)


@pytest.fixture(scope="module")
def persona_pages(browser: Browser, live_server: str, states: dict[str, Any]) -> Iterator[Any]:
    """One page per persona for a whole test module: navigation is cheaper than new contexts."""
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


def audit(page: Page, axe_source: str) -> None:
    """axe-core finds nothing on the page as it is now."""
    violations = run_axe(page, axe_source)
    assert not violations, describe(violations, page.url)
