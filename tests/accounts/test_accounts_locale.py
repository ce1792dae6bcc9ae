"""Locale negotiation: Accept-Language parsing and the choice between the person's, the session's and Italian."""

from __future__ import annotations

import pytest

from federa.web.i18n import DEFAULT_LOCALE, LOCALES, choose_locale, parse_accept_language


@pytest.mark.parametrize(("header", "expected"), [
    ("en-GB,en;q=0.9", ["en_GB", "en"]),
    ("it;q=0.4, en-US;q=0.5", ["en_US", "it"]),
    ("fr, de;q=0.8, en;q=0.8", ["fr", "de", "en"]),  # equal weights keep the client's order
    ("en ; q=0.3 , it", ["it", "en"]),
    ("en;q=0, it", ["it"]),                          # q=0 means "not this one"
    ("en;q=abc, it", ["it"]),                        # a broken weight is not a preference
    ("*", []),
    ("", []),
    (",,", []),
])
def test_parse_accept_language(header: str, expected: list[str]) -> None:
    assert parse_accept_language(header) == expected


@pytest.mark.parametrize(("preference", "header", "expected"), [
    ("en", "it", "en"),              # the person's (or session's) choice wins
    ("it", "en", "it"),
    (None, "en-GB,en;q=0.9", "en"),
    (None, "en-US", "en"),
    (None, "EN", "en"),              # tags are case-insensitive, the answer is always ours
    (None, "it-IT,en;q=0.5", "it"),
    (None, "de, en;q=0.5", "en"),    # the first language we have
    (None, "de, fr", DEFAULT_LOCALE),
    (None, "en;q=0, de", DEFAULT_LOCALE),
    (None, None, DEFAULT_LOCALE),
    (None, "", DEFAULT_LOCALE),
    ("fr", "en", "en"),              # an unknown preference falls through to the header
    ("", None, DEFAULT_LOCALE),
])
def test_choose_locale(preference: str | None, header: str | None, expected: str) -> None:
    assert choose_locale(preference, header) == expected


def test_italian_first() -> None:
    assert DEFAULT_LOCALE == "it"
    assert set(LOCALES) == {"it", "en"}


async def test_the_header_reaches_the_page(client) -> None:
    english = await client.get("/signin", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert '<html lang="en">' in english.text
    assert english.headers["content-language"] == "en"
    assert "accept-language" in english.headers["vary"].lower()
    italian = await client.get("/signin", headers={"Accept-Language": "de"})
    assert '<html lang="it">' in italian.text
