"""Translations: msgids are English, catalogs translate them; Italian is the default locale."""

from __future__ import annotations

import contextvars
import gettext as stdlib_gettext
import io
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from babel import Locale, negotiate_locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALES = ("it", "en")
DEFAULT_LOCALE = "it"
LOCALE_DIR = Path(__file__).resolve().parents[1] / "locales"
current_locale: contextvars.ContextVar[str] = contextvars.ContextVar("locale", default=DEFAULT_LOCALE)


@cache
def translations(locale: str) -> stdlib_gettext.NullTranslations:
    """Compile the .po catalog in memory (no build step, no .mo files in the repo)."""
    po = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    if not po.exists():
        return stdlib_gettext.NullTranslations()
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=locale)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return stdlib_gettext.GNUTranslations(buf)


def gettext(message: str, **variables: object) -> str:
    text = translations(current_locale.get()).gettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, **variables: object) -> str:
    text = translations(current_locale.get()).ngettext(singular, plural, n)
    variables.setdefault("num", n)
    return text % variables


_ = gettext


def lazy(message: str) -> str:
    """Mark a string for extraction; translate it later with gettext()."""
    return message


def parse_accept_language(header: str) -> list[str]:
    """Language tags by descending q-value ('en-GB,en;q=0.9' → ['en_GB', 'en'])."""
    weighted = []
    for index, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        if not tag or tag == "*":
            continue
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        if q <= 0:  # q=0 means "not this language" (RFC 9110 §12.4.2)
            continue
        weighted.append((-q, index, tag.strip().replace("-", "_")))
    return [tag for _, _, tag in sorted(weighted)]


def choose_locale(preference: str | None, accept_language: str | None) -> str:
    if preference in LOCALES:
        return preference  # type: ignore[return-value]
    if accept_language:
        found = negotiate_locale(parse_accept_language(accept_language), list(LOCALES), sep="_")
        if found:
            return found.split("_")[0].lower()  # babel hands back the client's spelling ('EN')
    return DEFAULT_LOCALE


@cache
def locale_names(codes: Iterable[str] = LOCALES) -> dict[str, str]:
    """Each language named in itself, for the language switcher."""
    return {code: str(Locale.parse(code).get_display_name(code)).capitalize() for code in codes}
