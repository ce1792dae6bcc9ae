"""Italian stems for SQLite's FTS5 index and its queries (PostgreSQL's 'italian' configuration does this there)."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import Stemmer

WORD = re.compile(r"\w+", re.UNICODE)
# The most frequent function words: indexing them only slows matching down (PostgreSQL drops them too).
_STOP_LIST = """
a ad al allo ai agli all agl alla alle con col coi da dal dallo dai dagli dall dagl dalla dalle di del dello
dei degli dell degl della delle in nel nello nei negli nell negl nella nelle su sul sullo sui sugli sull sugl
sulla sulle per tra fra il lo la i gli le l un uno una e ed o od ma se che chi cui non come anche più piu
è e' sono era essere ha ho hanno questo questa questi queste quello quella si ci ne mi ti vi
"""
STOP_WORDS = frozenset(_STOP_LIST.split())
_stemmer = Stemmer.Stemmer("italian")


def fold(text: str) -> str:
    """Lower case without accents: 'Città' and 'citta' meet."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    """The folded stem of one word, or '' for a stop word."""
    lower = word.lower()
    if lower in STOP_WORDS or fold(lower) in STOP_WORDS:
        return ""
    # Stem first, then fold: the Snowball rules know the accented endings ("città" → "citt").
    return fold(_stemmer.stemWord(lower))


def stems(text: str) -> list[str]:
    """The stems of a text's words, in order, stop words left out."""
    return [s for s in (stem(w) for w in WORD.findall(text)) if s]


def stem_text(text: str) -> str:
    """A text as the space-separated stems FTS5 indexes."""
    return " ".join(stems(text))
