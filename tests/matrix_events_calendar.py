# ruff: noqa: E501 - a table: one route per line reads (and diffs) best
"""Isolation matrix entries for this part of issue 3 (see tests/isolation_matrix.py for the columns).

The seeded event is published for alpha's members: its .ics is for whoever may see it (404 otherwise,
as for a draft); the network feeds list public events only, so everybody gets them; a personal feed is
opened by its secret alone (the matrix's made-up token opens nothing).
"""

from __future__ import annotations

from typing import Any

from isolation_matrix import E, Entry


async def seed(network: Any, organiser: Any, member: Any) -> dict[str, Any]:
    return {}  # the events part seeds the event, session and registration these routes use


def beta_rows(beta_id: int) -> list[Any]:
    return []

# Column order:      anon out mem cadm crd nadm dual padm
ENTRIES: dict[tuple[str, str], Entry] = {
    ("GET", "/account/calendar"): E("in 200 200 200 200 200 200 200"),
    ("POST", "/account/calendar"): E("in 200 200 200 200 200 200 200"),
    ("POST", "/account/calendar/revoke"): E("in 303 303 303 303 303 303 303"),
    ("GET", "/api/v1/networks/{slug}/events/ical"): E("200 200 200 200 200 200 200 200", reverse="200 200 200 200 200 200 200 200"),
    ("GET", "/api/v1/networks/{slug}/events/{event_id:int}/ical"): E("404 404 200 200 200 200 200 200", cross="404 404 404 404 404 404 404 404", reverse="404 404 404 404 404 404 404 404"),
    ("GET", "/calendar/{token}.ics"): E("404 404 404 404 404 404 404 404"),
    ("GET", "/n/{slug}/events.ics"): E("200 200 200 200 200 200 200 200", reverse="200 200 200 200 200 200 200 200"),
    ("GET", "/n/{slug}/events/{event_id:int}/event.ics"): E("404 404 200 200 200 200 200 200", cross="404 404 404 404 404 404 404 404", reverse="404 404 404 404 404 404 404 404"),
}
