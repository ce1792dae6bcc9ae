# ruff: noqa: E501 - a table: one route per line reads (and diffs) best
"""Isolation matrix entries for the search part (see tests/isolation_matrix.py for the columns and hooks).

Search is open to everyone (visitors find public entries only), so both routes answer 200 to every persona
through either network's URL. What each persona finds is tested in tests/search/test_search_visibility.py;
here each network's cooperatives are indexed (beta's included), so the probes run over a real index.
"""

from __future__ import annotations

from typing import Any

from isolation_matrix import E, Entry

from federa.search import index
from federa.search.models import SearchEntry

OBJECT_PARAMS: tuple[str, ...] = ()


async def seed(network: Any, organiser: Any, member: Any) -> dict[str, Any]:
    """The network's cooperatives in the index (no path parameter names a search object)."""
    await index.reindex(network.id)
    return {}


def beta_rows(beta_id: int) -> list[Any]:
    """Beta's index entries: no search request changes them."""
    return [SearchEntry.filter(network_id=beta_id).order_by("id").values("id", "kind", "object_id", "title", "tokens")]


# Column order:      anon out mem cadm crd nadm dual padm
ENTRIES: dict[tuple[str, str], Entry] = {
    ("GET", "/api/v1/networks/{slug}/search"): E("200 200 200 200 200 200 200 200", reverse="200 200 200 200 200 200 200 200"),
    ("GET", "/n/{slug}/search"): E("200 200 200 200 200 200 200 200", reverse="200 200 200 200 200 200 200 200"),
}
