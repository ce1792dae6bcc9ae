# ruff: noqa: E501 - a table: one route per line reads (and diffs) best
"""Isolation matrix entries for this part of issue 3 (see tests/isolation_matrix.py for the columns)."""

from __future__ import annotations

from isolation_matrix import E, Entry

# Column order:      anon out mem cadm crd nadm dual padm
ENTRIES: dict[tuple[str, str], Entry] = {
}

_ = E
