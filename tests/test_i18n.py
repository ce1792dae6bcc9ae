"""The Italian catalog covers every message in the tree, keeps placeholders, compiles, and is the default."""

from __future__ import annotations

import gettext
import importlib.util
import io
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from federa.accounts.schemas import SignUpIn
from federa.accounts.services import sign_up
from federa.notifications.delivery import render_email
from federa.notifications.models import OutboxMessage
from federa.settings import Settings
from federa.web import i18n
from federa.web.templating import make_environment
from tests.conftest import World, make_person, post_form, sign_in

ROOT = Path(__file__).resolve().parents[1]
PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?[#0 +-]?\d*(?:\.\d+)?[sdifgxXr%]")


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("federa_i18n_tool", ROOT / "tools" / "i18n.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    with (i18n.LOCALE_DIR / "it" / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return read_po(fh, locale="it")


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    """What `make messages` extracts from the tree as it is now."""
    return _tool().extract(tmp_path_factory.mktemp("pot") / "messages.pot")


def _key(message: Message) -> str:
    return message.id if isinstance(message.id, str) else message.id[0]


def _forms(value: Any) -> tuple[str, ...]:
    return tuple(value) if isinstance(value, tuple | list) else (value,)


def _placeholders(text: str) -> list[str]:
    """Named placeholders as a sorted list; positional ones and literal '%%' kept as their text."""
    return sorted(m.group(1) or m.group(0) for m in PLACEHOLDER.finditer(text))


# ----- the catalog itself ----------------------------------------------------------------------------


def test_catalog_header_declares_italian_and_its_plural_forms(catalog: Catalog) -> None:
    headers = dict(catalog.mime_headers)
    assert headers["Language"] == "it"
    assert headers["Plural-Forms"] == "nplurals=2; plural=(n != 1);"
    assert catalog.num_plurals == 2


def test_every_extracted_message_has_an_italian_translation(catalog: Catalog, extracted: Catalog) -> None:
    translated = {_key(m): m for m in catalog if m.id and not m.fuzzy and all(_forms(m.string))}
    missing = [_key(m) for m in extracted if m.id and _key(m) not in translated]
    assert extracted.get("Sign in") is not None, "extraction found nothing: check babel.cfg"
    assert not missing, "untranslated (run `make messages`, then translate):\n" + "\n".join(missing)


def test_plural_messages_stay_plural(catalog: Catalog, extracted: Catalog) -> None:
    for message in extracted:
        if message.pluralizable:
            found = catalog.get(message.id[0])
            if found is None:
                continue  # reported by the coverage test above
            assert found.pluralizable, message.id
            assert len(_forms(found.string)) == 2, message.id


def test_placeholders_in_each_translation_match_the_msgid(catalog: Catalog) -> None:
    wrong = []
    for message in catalog:
        if not message.id:
            continue
        for index, (source, target) in enumerate(zip(_forms(message.id), _forms(message.string), strict=False)):
            if target and _placeholders(source) != _placeholders(target):
                wrong.append(f"{source!r} → {target!r} (form {index})")
        # Jinja's newstyle gettext always applies '%': a stray percent sign would break the page.
        for target in _forms(message.string):
            if target and "%" in PLACEHOLDER.sub("", target):
                wrong.append(f"stray '%' in {target!r}")
    assert not wrong, "\n".join(wrong)


def test_placeholder_check_notices_a_mismatch() -> None:
    assert _placeholders("Invito a %(name)s") != _placeholders("Invitation to %(nome)s")
    assert _placeholders("%(n)s in %(province)s") == _placeholders("Provincia %(province)s: %(n)s")


def test_catalog_compiles(catalog: Catalog) -> None:
    problems = [(m.id, [str(e) for e in errors]) for m, errors in catalog.check()]
    assert not problems
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    compiled = gettext.GNUTranslations(buf)
    assert compiled.gettext("Sign in") == "Accedi"
    assert compiled.ngettext("%(num)s cooperative", "%(num)s cooperatives", 1) == "%(num)s cooperativa"
    assert compiled.ngettext("%(num)s cooperative", "%(num)s cooperatives", 3) == "%(num)s cooperative"


def test_translation_helpers_follow_the_current_locale() -> None:
    token = i18n.current_locale.set("it")
    try:
        assert i18n.gettext("Invitation sent to %(email)s.", email="a@b.it") == "Invito inviato a a@b.it."
        assert i18n.ngettext("%(num)s cooperative", "%(num)s cooperatives", 1) == "1 cooperativa"
        assert i18n.ngettext("%(num)s cooperative", "%(num)s cooperatives", 0) == "0 cooperative"
        i18n.current_locale.set("en")
        assert i18n.gettext("Sign in") == "Sign in"
    finally:
        i18n.current_locale.reset(token)


# ----- pages -----------------------------------------------------------------------------------------


@pytest.fixture
async def browser(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    """A client that sends no Accept-Language unless a test says so (whatever other fixtures default to)."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as c:
        yield c


async def test_pages_are_italian_without_accept_language(browser: httpx.AsyncClient) -> None:
    response = await browser.get("/signin")
    assert "accept-language" not in {k.lower() for k in response.request.headers}
    assert response.status_code == 200
    assert '<html lang="it">' in response.text
    assert "Accedi" in response.text and "Registrati" in response.text
    assert "Sign in" not in response.text
    assert response.headers["content-language"] == "it"


@pytest.mark.parametrize("header", ["en", "en-GB,en;q=0.9", "fr;q=0.9, en;q=0.8"])
async def test_pages_are_english_when_the_browser_asks(browser: httpx.AsyncClient, header: str) -> None:
    response = await browser.get("/signin", headers={"Accept-Language": header})
    assert '<html lang="en">' in response.text
    assert "Sign in" in response.text and "Accedi" not in response.text
    assert response.headers["content-language"] == "en"


async def test_an_unsupported_language_falls_back_to_italian(browser: httpx.AsyncClient) -> None:
    response = await browser.get("/signin", headers={"Accept-Language": "de-DE,fr;q=0.5"})
    assert '<html lang="it">' in response.text and "Accedi" in response.text


async def test_form_errors_are_italian(browser: httpx.AsyncClient) -> None:
    data = {"name": "Anna", "email": "not-an-address", "password": "short"}
    response = await post_form(browser, "/signup", data)
    assert response.status_code == 422
    assert "Inserisci un indirizzo e-mail valido." in response.text


async def test_a_person_preference_beats_the_browser_header(browser: httpx.AsyncClient) -> None:
    person = await make_person("english@example.org", locale="en")
    await sign_in(browser, person)
    response = await browser.get("/me", headers={"Accept-Language": "it"})
    assert response.status_code == 200
    assert '<html lang="en">' in response.text and "Sign out" in response.text


async def test_an_italian_person_sees_italian_whatever_the_browser(browser: httpx.AsyncClient) -> None:
    person = await make_person("italiana@example.org", locale="it")
    await sign_in(browser, person)
    response = await browser.get("/me", headers={"Accept-Language": "en"})
    assert '<html lang="it">' in response.text and "Esci" in response.text


async def test_the_language_switcher_beats_the_header_for_visitors(browser: httpx.AsyncClient) -> None:
    response = await post_form(browser, "/language", {"locale": "en", "next": "/signin"})
    assert response.status_code == 303
    response = await browser.get("/signin", headers={"Accept-Language": "it"})
    assert '<html lang="en">' in response.text


async def test_sector_labels_are_translated_when_rendered(browser: httpx.AsyncClient, world: World) -> None:
    italian = await browser.get(f"/n/{world.alpha.slug}/")
    assert italian.status_code == 200
    assert "Minori e giovani" in italian.text and "Children and young people" not in italian.text
    english = await browser.get(f"/n/{world.alpha.slug}/", headers={"Accept-Language": "en"})
    assert "Children and young people" in english.text


# ----- e-mails ---------------------------------------------------------------------------------------


def _render(settings: Settings, message: OutboxMessage) -> Any:
    env = make_environment(settings.templates_dir)
    return render_email(env, message, sender="federa@example.org", base_url="http://testserver")


def _text(email: Any) -> str:
    return str(email.get_body(preferencelist=("plain",)).get_content())


async def test_emails_render_in_the_recipient_language(settings: Settings) -> None:
    for locale in ("it", "en"):
        await sign_up(SignUpIn(name=f"Persona {locale}", email=f"{locale}@example.org",
                               password="correct-horse-battery", locale=locale))  # type: ignore[arg-type]
    italian = _render(settings, await OutboxMessage.get(recipient="it@example.org"))
    english = _render(settings, await OutboxMessage.get(recipient="en@example.org"))
    assert italian["Subject"] == "Conferma l'indirizzo e-mail"
    assert english["Subject"] == "Confirm your e-mail address"
    assert "Buongiorno Persona it," in _text(italian)
    assert "Hello Persona en," in _text(english)
    assert i18n.current_locale.get() == "it"  # rendering leaves the caller's locale alone


def _email_kinds(settings: Settings) -> list[str]:
    subjects = (settings.templates_dir / "emails").glob("*.subject.txt")
    return sorted(p.name.removesuffix(".subject.txt") for p in subjects)


async def test_every_email_subject_is_translated(settings: Settings) -> None:
    context = {"name": "Anna", "cooperative": "Coop", "network": "Rete", "person": "Anna",
               "coop": "Coop", "approved": True, "status": "active", "event": "Corso", "network_name": "Rete",
               "path": "/n/rete/events/1", "hours": "7.5", "code": "ABCD-EFGH-JKMN", "when": "lunedì 1 marzo, 9:00",
               "venue": "Via Roma 1", "sessions": 2, "session_no": 1}
    kinds = _email_kinds(settings)
    assert kinds
    for kind in kinds:
        subjects = {
            locale: _render(settings, OutboxMessage(id=1, kind=kind, recipient="a@example.org", locale=locale,
                                                    context=context, created_at=datetime.now(UTC)))["Subject"]
            for locale in ("it", "en")
        }
        assert subjects["it"] and subjects["it"] != subjects["en"], (kind, subjects)
