"""Markdown written by people (event descriptions, posts, articles) to safe HTML."""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

_markdown = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a", "h2", "h3", "h4", "blockquote", "code", "pre",
         "table", "thead", "tbody", "tr", "th", "td", "s", "hr"}


def render_markdown(text: str) -> str:
    """Markdown to HTML, then an allow-list sanitiser: no scripts, no event handlers, no javascript: links.
    Sanitise when saving and show only the stored result with |safe."""
    return nh3.clean(_markdown.render(text), tags=_TAGS, attributes={"a": {"href", "title"}},
                     url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer nofollow")
