
"""Isolation matrix entries for the identity part (see tests/isolation_matrix.py for the columns and hooks)."""

from __future__ import annotations

from typing import Any

from isolation_matrix import E, Entry  # noqa: F401

OBJECT_PARAMS: tuple[str, ...] = ()


async def seed(network: Any, organiser: Any, member: Any) -> dict[str, Any]:
    """This part's objects of one network, by path parameter name."""
    return {}


def beta_rows(beta_id: int) -> list[Any]:
    """Queries over this part's rows of beta (compared before and after each write)."""
    return []


# Column order:      anon out mem cadm crd nadm dual padm
ENTRIES: dict[tuple[str, str], Entry] = {
}
