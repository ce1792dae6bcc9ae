# ruff: noqa: E501 - a table: one route per line reads (and diffs) best
"""Isolation matrix entries for this part of issue 3 (see tests/isolation_matrix.py for the columns).

Attendance and after. The seeded event's only session is next week, so a coordinator's check-in is
refused as too early (409 in the API; in the page a message and 303 back), certificates cannot be issued
yet (303 with a message) and the survey is not open (the member's POST: 303 with a message). Nobody has
a certificate: certificate.pdf is 404 for everyone signed in. The survey page answers the people registered:
the member by the seed, everyone else who may see the event through the /register probe that sorts before it
(tests/matrix_events.py); the not-open-yet POST is 303 with a message. The outsider, who may not see the
event, gets 404 (a person who may see it but is not registered gets 403: tests/events/test_survey_answers.py).
"""

from __future__ import annotations

from typing import Any

from isolation_matrix import E, Entry


async def seed(network: Any, organiser: Any, member: Any) -> dict[str, Any]:
    return {}  # the events part seeds the event, session and registration these routes use


def beta_rows(beta_id: int) -> list[Any]:
    return []

CHECK_IN = {"registration_id": "{registration_id}", "action": "in"}
PRESENT = {"registration_id": "{registration_id}", "present": True}

# Column order:      anon out mem cadm crd nadm dual padm
ENTRIES: dict[tuple[str, str], Entry] = {
    ("GET", "/api/v1/certificates/{code}"): E("404 404 404 404 404 404 404 404"),
    ("GET", "/api/v1/networks/{slug}/events/{event_id:int}/attendance"): E("401 403 403 403 200 200 403 200", cross="401 403 403 403 404 404 403 404", reverse="401 403 403 403 403 403 403 404"),
    ("POST", "/api/v1/networks/{slug}/events/{event_id:int}/sessions/{session_id:int}/attendance"): E("401 403 403 403 409 409 403 409", cross="401 403 403 403 404 404 403 404", reverse="401 403 403 403 403 403 403 404", data=PRESENT),
    ("GET", "/certificates/verify"): E("200 200 200 200 200 200 200 200"),
    ("GET", "/n/{slug}/events/{event_id:int}/attendance.csv"): E("in 403 403 403 200 200 403 200", cross="in 403 403 403 404 404 403 404", reverse="in 403 403 403 403 403 403 404"),
    ("GET", "/n/{slug}/events/{event_id:int}/attendance.xlsx"): E("in 403 403 403 200 200 403 200", cross="in 403 403 403 404 404 403 404", reverse="in 403 403 403 403 403 403 404"),
    ("GET", "/n/{slug}/events/{event_id:int}/certificate.pdf"): E("in 404 404 404 404 404 404 404", cross="in 404 404 404 404 404 404 404", reverse="in 404 404 404 404 404 404 404"),
    ("POST", "/n/{slug}/events/{event_id:int}/certificates"): E("in 403 403 403 303 303 403 303", cross="in 403 403 403 404 404 403 404", reverse="in 403 403 403 403 403 403 404"),
    ("GET", "/n/{slug}/events/{event_id:int}/registrations"): E("in 403 403 403 200 200 403 200", cross="in 403 403 403 404 404 403 404", reverse="in 403 403 403 403 403 403 404"),
    ("GET", "/n/{slug}/events/{event_id:int}/registrations.csv"): E("in 403 403 403 200 200 403 200", cross="in 403 403 403 404 404 403 404", reverse="in 403 403 403 403 403 403 404"),
    ("GET", "/n/{slug}/events/{event_id:int}/registrations.xlsx"): E("in 403 403 403 200 200 403 200", cross="in 403 403 403 404 404 403 404", reverse="in 403 403 403 403 403 403 404"),
    ("GET", "/n/{slug}/events/{event_id:int}/sessions/{session_id:int}/checkin"): E("in 403 403 403 200 200 403 200", cross="in 403 403 403 404 404 403 404", reverse="in 403 403 403 403 403 403 404"),
    ("POST", "/n/{slug}/events/{event_id:int}/sessions/{session_id:int}/checkin"): E("in 403 403 403 303 303 403 303", cross="in 403 403 403 404 404 403 404", reverse="in 403 403 403 403 403 403 404", data=CHECK_IN),
    ("GET", "/n/{slug}/events/{event_id:int}/sessions/{session_id:int}/sheet.pdf"): E("in 403 403 403 200 200 403 200", cross="in 403 403 403 404 404 403 404", reverse="in 403 403 403 403 403 403 404"),
    ("GET", "/n/{slug}/events/{event_id:int}/survey"): E("in 404 200 200 200 200 200 200", cross="in 404 404 404 404 404 404 404", reverse="in 404 404 404 404 404 404 404"),
    ("POST", "/n/{slug}/events/{event_id:int}/survey"): E("in 404 303 303 303 303 303 303", cross="in 404 404 404 404 404 404 404", reverse="in 404 404 404 404 404 404 404", data={"contents": "5", "overall": "5"}),
    ("GET", "/n/{slug}/events/{event_id:int}/survey/results"): E("in 403 403 403 200 200 403 200", cross="in 403 403 403 404 404 403 404", reverse="in 403 403 403 403 403 403 404"),
    ("GET", "/n/{slug}/events/{event_id:int}/survey/results.csv"): E("in 403 403 403 200 200 403 200", cross="in 403 403 403 404 404 403 404", reverse="in 403 403 403 403 403 403 404"),
}

_ = E
