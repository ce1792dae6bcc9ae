"""HTML-safe snippets: every character of the text is escaped, only the <mark> around matches is markup."""

from __future__ import annotations

from markupsafe import Markup, escape

from federa.search.stemming import WORD, stem

# ts_headline (PostgreSQL) wraps matches in these; documents.clean() keeps them out of the indexed text.
START, STOP = "\x01", "\x02"
WINDOW = 30  # words of context shown around the matches


def marked(text: str) -> Markup:
    """Text whose matches are wrapped in START/STOP, as escaped HTML with <mark> elements."""
    return Markup(str(escape(text)).replace(START, "<mark>").replace(STOP, "</mark>"))  # noqa: S704 - escaped above


def around(text: str, wanted: set[str], words: int = WINDOW) -> Markup:
    """The stretch of `text` of `words` words holding the most words whose stem is wanted, matches marked
    (SQLite: FTS5's own snippet() would show its stemmed copy, not the text people wrote)."""
    found = list(WORD.finditer(text))
    if not found:
        return Markup("")
    hits = [i for i, m in enumerate(found) if stem(m.group()) in wanted]
    start = _best_start(hits, len(found), words)
    chosen = found[start:start + words]
    parts: list[str] = ["… " if start > 0 else ""]
    cursor = chosen[0].start()
    for index, m in enumerate(chosen, start):
        parts.append(text[cursor:m.start()])
        parts.append(f"{START}{m.group()}{STOP}" if index in hits else m.group())
        cursor = m.end()
    tail = " …" if start + words < len(found) else text[cursor:]
    return marked("".join(parts) + tail)


def _best_start(hits: list[int], total: int, words: int) -> int:
    """The first word of the window with the most hits (a little context before the first one)."""
    if not hits:
        return 0
    best, best_count = hits[0], 0
    for i, first in enumerate(hits):
        count = sum(1 for h in hits[i:] if h < first + words)
        if count > best_count:
            best, best_count = first, count
    return max(0, min(best - 3, total - words))
