# ruff: noqa: E501 - a table: one route per line reads (and diffs) best
"""Isolation matrix entries for the events JSON API (see tests/isolation_matrix.py for the columns).

The probes of one persona run in path order, and every HTML route sorts after /api/: an API probe that
changed the seeded event or registration would change what the other parts' routes answer after it. So
the probes here that could write are built to stop just before writing, past the checks they exist for:
- PUT names a cooperative that is not in the network: 422 after the permission and network checks;
- POST registrations answers a question the event does not ask: 422 after the eligibility check
  (403 for people it is not open to);
- the two cancellations name an object nobody seeded (params): anonymous 401, non-coordinators 403,
  then 404. Cancelling another network's event or someone else's registration (404, nothing changed)
  is tested in tests/events/test_events_api.py.
"""

from __future__ import annotations

from typing import Any

from isolation_matrix import E, Entry


async def seed(network: Any, organiser: Any, member: Any) -> dict[str, Any]:
    return {}  # the events part seeds the event, session and registration these routes use


def beta_rows(beta_id: int) -> list[Any]:
    return []

NEW_EVENT = {"title": "Corso di prova", "venue": "Via Roma 1, Milano", "capacity": 10,
             "sessions": [{"starts_at": "2031-03-12T17:30", "ends_at": "2031-03-12T19:30"}]}
# valid input that update_event refuses at its cooperative check, after require_manage and access_event
EDIT_REFUSED = {**NEW_EVENT, "audience": "cooperatives", "cooperative_ids": [2147480000]}
NOBODY = {"event_id": "987654", "registration_id": "987654"}

P = "/api/v1/networks/{slug}"
# Column order:      anon out mem cadm crd nadm dual padm
ENTRIES: dict[tuple[str, str], Entry] = {
    ("GET", "/api/v1/me/registrations"): E("401 200 200 200 200 200 200 200"),
    ("GET", P + "/events"): E("200 200 200 200 200 200 200 200", reverse="200 200 200 200 200 200 200 200"),
    ("POST", P + "/events"): E("401 403 403 403 201 201 403 201", reverse="401 403 403 403 403 403 403 201", data=NEW_EVENT, touches_beta=("platform_admin",)),
    ("GET", P + "/events/{event_id:int}"): E("404 404 200 200 200 200 200 200", cross="404 404 404 404 404 404 404 404", reverse="404 404 404 404 404 404 404 404"),
    ("PUT", P + "/events/{event_id:int}"): E("401 403 403 403 422 422 403 422", cross="401 403 403 403 404 404 403 404", reverse="401 403 403 403 403 403 403 404", data=EDIT_REFUSED),
    ("POST", P + "/events/{event_id:int}/cancel"): E("401 403 403 403 404 404 403 404", cross="401 403 403 403 404 404 403 404", reverse="401 403 403 403 403 403 403 404", params=NOBODY),
    ("POST", P + "/events/{event_id:int}/publish"): E("401 403 403 403 409 409 403 409", cross="401 403 403 403 404 404 403 404", reverse="401 403 403 403 403 403 403 404"),
    ("GET", P + "/events/{event_id:int}/registrations"): E("401 403 403 403 200 200 403 200", cross="401 404 404 404 404 404 404 404", reverse="401 404 404 404 404 404 404 404"),
    ("POST", P + "/events/{event_id:int}/registrations"): E("401 404 422 422 422 422 422 422", cross="401 404 404 404 404 404 404 404", reverse="401 404 404 404 404 404 404 404", data={"answers": {"q9": "sì"}}),
    ("GET", P + "/events/{event_id:int}/sessions"): E("404 404 200 200 200 200 200 200", cross="404 404 404 404 404 404 404 404", reverse="404 404 404 404 404 404 404 404"),
    ("POST", P + "/registrations/{registration_id:int}/cancel"): E("401 404 404 404 404 404 404 404", cross="401 404 404 404 404 404 404 404", reverse="401 404 404 404 404 404 404 404", params=NOBODY),
}
