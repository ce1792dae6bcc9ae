# ruff: noqa: E501 - a table: one route per line reads (and diffs) best
"""The expected answer of every route to every persona (data for tests/test_isolation.py).

Each key is (method, path template) exactly as the router declares it. Each Entry holds one status
per persona, in the column order of PERSONAS:

    alpha    network alpha's objects through alpha's URL (slug rete-alfa)
    cross    beta's objects (cooperative, membership, role, ...) through alpha's URL
             (only for templates with an object id)
    reverse  alpha's objects through beta's URL (slug rete-beta) (only for templates with {slug})

A status "in" means 303 to /signin?next=<the path asked for>. POST forms carry a valid CSRF token
and `data` (JSON for /api/); `params` fixes non-object path values such as {action}.
`data` values "{coop_id}" and the like take the variant's object. `sees_beta` names the personas whose
own data legitimately shows a beta-only cooperative; `touches_beta` the personas who may legitimately
change beta's rows through the route (everybody else must leave beta as it was).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from federa.networks.reference import make_tax_code

PERSONAS = ("anonymous", "outsider", "member", "coop_admin", "coordinator", "network_admin", "dual",
            "platform_admin")


@dataclass(frozen=True)
class Entry:
    alpha: str
    cross: str | None = None
    reverse: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)
    sees_beta: tuple[str, ...] = ()
    touches_beta: tuple[str, ...] = ()

    def row(self, variant: str) -> tuple[str, ...]:
        cells = getattr(self, variant)
        assert cells is not None, f"no {variant!r} row"
        codes = tuple(cells.split())
        assert len(codes) == len(PERSONAS), f"{cells!r}: want {len(PERSONAS)} statuses"
        return codes


E = Entry
EMAIL = {"email": "nuovo@example.org"}
NEW_NETWORK = {"slug": "rete-nuova", "name": "Rete Nuova", "kind": "consortium"}
NEW_COOP = {"legal_name": "Cooperativa Nuova", "coop_type": "A", "tax_code": make_tax_code(777), "province": "MI"}

# Column order:      anon out mem cadm crd nadm dual padm
MATRIX: dict[tuple[str, str], Entry] = {
    ("GET", "/"): E("200 200 200 200 200 200 200 200", sees_beta=("outsider",)),
    ("GET", "/account/forgot"): E("200 200 200 200 200 200 200 200"),
    ("POST", "/account/forgot"): E("422 422 422 422 422 422 422 422"),
    ("GET", "/account/reset/{token}"): E("404 404 404 404 404 404 404 404"),
    ("POST", "/account/reset/{token}"): E("422 422 422 422 422 422 422 422"),
    ("POST", "/account/verify"): E("in 303 303 303 303 303 303 303"),
    ("GET", "/account/verify/{token}"): E("404 404 404 404 404 404 404 404"),
    ("GET", "/admin/networks"): E("in 403 403 403 403 403 403 200"),
    ("POST", "/admin/networks"): E("in 403 403 403 403 403 403 422"),
    ("GET", "/api/v1/me"): E("401 200 200 200 200 200 200 200", sees_beta=("outsider",)),
    ("PATCH", "/api/v1/me"): E("401 200 200 200 200 200 200 200", sees_beta=("outsider",)),
    ("GET", "/api/v1/me/networks"): E("401 200 200 200 200 200 200 200", sees_beta=("outsider",)),
    ("GET", "/api/v1/networks"): E("200 200 200 200 200 200 200 200"),
    ("POST", "/api/v1/networks"): E("401 403 403 403 403 403 403 201", data=NEW_NETWORK),
    ("GET", "/api/v1/networks/{slug}"): E("200 200 200 200 200 200 200 200", reverse="200 200 200 200 200 200 200 200"),
    ("GET", "/api/v1/networks/{slug}/cooperatives"): E("200 200 200 200 200 200 200 200", reverse="200 200 200 200 200 200 200 200"),
    ("POST", "/api/v1/networks/{slug}/cooperatives"): E("401 403 403 403 201 201 403 201", reverse="401 403 403 403 403 403 403 422", data=NEW_COOP),
    ("GET", "/api/v1/networks/{slug}/cooperatives/{coop_id:int}"): E("200 200 200 200 200 200 200 200", cross="404 404 404 404 404 404 404 404", reverse="404 404 404 404 404 404 404 404"),
    ("PATCH", "/api/v1/networks/{slug}/cooperatives/{coop_id:int}"): E("401 403 403 200 200 200 403 200", cross="401 404 404 404 404 404 404 404", reverse="401 404 404 404 404 404 404 404", data={"city": "Milano"}),
    ("GET", "/api/v1/networks/{slug}/matrix"): E("401 403 403 403 200 200 403 200", reverse="401 403 403 403 403 403 403 200"),
    ("GET", "/api/v1/networks/{slug}/memberships"): E("401 403 403 403 200 200 403 200", reverse="401 403 403 403 403 403 403 200"),
    ("POST", "/api/v1/networks/{slug}/memberships"): E("401 403 403 201 403 403 403 201", reverse="401 403 403 201 403 403 403 201", data={"cooperative_id": "{coop_id}"}, touches_beta=("coop_admin", "platform_admin")),
    ("POST", "/api/v1/networks/{slug}/memberships/{membership_id:int}/decision"): E("401 403 403 403 409 409 403 409", cross="401 403 403 403 404 404 403 404", reverse="401 403 403 403 403 403 403 404", data={"action": "approve"}),
    ("GET", "/api/v1/networks/{slug}/partners"): E("200 200 200 200 200 200 200 200", reverse="200 200 200 200 200 200 200 200"),
    ("POST", "/api/v1/networks/{slug}/partners"): E("401 403 403 403 403 201 403 201", reverse="401 403 403 403 403 403 403 201", data={"partner": "rete-gamma"}, touches_beta=("platform_admin",)),
    ("POST", "/api/v1/networks/{slug}/partners/{partnership_id:int}/decision"): E("401 403 403 403 403 409 403 409", cross="401 403 403 403 403 404 403 404", reverse="401 403 403 403 403 403 403 404", data={"action": "accept"}),
    ("GET", "/api/v1/openapi.json"): E("200 200 200 200 200 200 200 200"),
    ("GET", "/cooperatives/{coop_id:int}"): E("in 404 200 200 200 200 404 200", cross="in 200 404 404 404 404 404 200", sees_beta=("outsider", "platform_admin")),
    ("POST", "/cooperatives/{coop_id:int}"): E("in 404 403 303 303 303 404 303", cross="in 403 404 404 404 404 404 303", data={"is_public": "on"}, touches_beta=("platform_admin",)),
    ("POST", "/cooperatives/{coop_id:int}/join"): E("in 303 303 303 303 303 303 303", cross="in 303 303 303 303 303 303 303", touches_beta=("member", "coop_admin", "coordinator", "network_admin", "dual", "platform_admin")),
    ("GET", "/cooperatives/{coop_id:int}/memberships"): E("in 404 404 200 404 404 404 200", cross="in 404 404 404 404 404 404 200", sees_beta=("platform_admin",)),
    ("POST", "/cooperatives/{coop_id:int}/memberships"): E("in 404 404 303 404 404 404 303", cross="in 404 404 404 404 404 404 303"),
    ("GET", "/cooperatives/{coop_id:int}/people"): E("in 404 404 200 404 404 404 200", cross="in 404 404 404 404 404 404 200", sees_beta=("platform_admin",)),
    ("POST", "/cooperatives/{coop_id:int}/people"): E("in 404 404 422 404 404 404 422", cross="in 404 404 404 404 404 404 422", sees_beta=("platform_admin",)),
    ("POST", "/cooperatives/{coop_id:int}/people/{affiliation_id:int}/{action:str}"): E("in 404 404 404 404 404 404 404", cross="in 404 404 404 404 404 404 404"),
    ("GET", "/dev/mail"): E("200 200 200 200 200 200 200 200"),
    ("GET", "/dev/mail/{name}"): E("404 404 404 404 404 404 404 404"),
    ("GET", "/invitations/{token}"): E("404 404 404 404 404 404 404 404"),
    ("POST", "/invitations/{token}"): E("404 404 404 404 404 404 404 404"),
    ("POST", "/language"): E("303 303 303 303 303 303 303 303"),
    ("GET", "/livez"): E("200 200 200 200 200 200 200 200"),
    ("GET", "/me"): E("in 200 200 200 200 200 200 200"),
    ("GET", "/me/networks"): E("in 200 200 200 200 200 200 200", sees_beta=("outsider",)),
    ("POST", "/me"): E("in 422 422 422 422 422 422 422"),
    ("POST", "/me/password"): E("in 422 422 422 422 422 422 422"),
    ("POST", "/me/tokens"): E("in 422 422 422 422 422 422 422"),
    ("POST", "/me/tokens/{token_id:int}/revoke"): E("in 404 404 404 404 404 404 404"),
    ("GET", "/n/{slug}/"): E("200 200 200 200 200 200 200 200", reverse="200 200 200 200 200 200 200 200"),
    # reverse: coop_admin and platform_admin asked (POST /api/v1/networks/rete-beta/memberships, run
    # earlier) for alpha's cooperative to join beta, so beta now lists it as requested and shows it to them.
    ("GET", "/n/{slug}/cooperatives/{coop_id:int}"): E("200 200 200 200 200 200 200 200", cross="404 404 404 404 404 404 404 404", reverse="404 404 404 200 404 404 404 200"),
    ("POST", "/n/{slug}/cooperatives/{coop_id:int}/invite-admin"): E("in 403 403 403 303 303 403 303", cross="in 403 403 403 404 404 403 404", reverse="in 403 403 403 403 403 403 404", data=EMAIL),  # only requested in beta: not beta's to hand over
    ("GET", "/n/{slug}/directory"): E("in 403 403 403 200 200 403 200", reverse="in 403 403 403 403 403 403 200"),
    ("GET", "/n/{slug}/directory/export.csv"): E("in 403 403 403 200 200 403 200", reverse="in 403 403 403 403 403 403 200"),
    ("GET", "/n/{slug}/directory/export.xlsx"): E("in 403 403 403 200 200 403 200", reverse="in 403 403 403 403 403 403 200"),
    ("GET", "/n/{slug}/directory/import"): E("in 403 403 403 200 200 403 200", reverse="in 403 403 403 403 403 403 200"),
    ("POST", "/n/{slug}/directory/import"): E("in 403 403 403 422 422 403 422", reverse="in 403 403 403 403 403 403 422"),
    ("GET", "/n/{slug}/directory/import/{job_id:int}"): E("in 403 403 403 200 200 403 200", cross="in 403 403 403 404 404 403 404", reverse="in 403 403 403 403 403 403 404"),
    ("POST", "/n/{slug}/directory/import/{job_id:int}/confirm"): E("in 403 403 403 303 303 403 303", cross="in 403 403 403 404 404 403 404", reverse="in 403 403 403 403 403 403 404"),
    ("GET", "/n/{slug}/directory/import/{job_id:int}/progress"): E("in 403 403 403 200 200 403 200", cross="in 403 403 403 404 404 403 404", reverse="in 403 403 403 403 403 403 404"),
    ("GET", "/n/{slug}/directory/matrix"): E("in 403 403 403 200 200 403 200", reverse="in 403 403 403 403 403 403 200"),
    ("GET", "/n/{slug}/directory/new"): E("in 403 403 403 200 200 403 200", reverse="in 403 403 403 403 403 403 200"),
    ("POST", "/n/{slug}/directory/new"): E("in 403 403 403 422 422 403 422", reverse="in 403 403 403 403 403 403 422"),
    ("GET", "/n/{slug}/manage/partners"): E("in 403 403 403 403 200 403 200", reverse="in 403 403 403 403 403 403 200"),
    ("POST", "/n/{slug}/manage/partners"): E("in 403 403 403 403 422 403 422", reverse="in 403 403 403 403 403 403 422"),
    ("POST", "/n/{slug}/manage/partners/{partnership_id:int}/{action:str}"): E("in 403 403 403 403 303 403 303", cross="in 403 403 403 403 404 403 404", reverse="in 403 403 403 403 403 403 404", params={"action": "accept"}),
    ("GET", "/n/{slug}/manage/people"): E("in 403 403 403 403 200 403 200", reverse="in 403 403 403 403 403 403 200"),
    ("POST", "/n/{slug}/manage/people"): E("in 403 403 403 403 422 403 422", reverse="in 403 403 403 403 403 403 422"),
    ("POST", "/n/{slug}/manage/people/{role_id:int}/remove"): E("in 403 403 403 403 303 403 303", cross="in 403 403 403 403 404 403 404", reverse="in 403 403 403 403 403 403 404"),
    ("GET", "/n/{slug}/memberships"): E("in 403 403 403 200 200 403 200", reverse="in 403 403 403 403 403 403 200"),
    ("GET", "/n/{slug}/memberships/{membership_id:int}"): E("in 403 403 403 200 200 403 200", cross="in 403 403 403 404 404 403 404", reverse="in 403 403 403 403 403 403 404"),
    ("POST", "/n/{slug}/memberships/{membership_id:int}/{action:str}"): E("in 403 403 403 303 303 403 303", cross="in 403 403 403 404 404 403 404", reverse="in 403 403 403 403 403 403 404"),
    ("GET", "/readyz"): E("200 200 200 200 200 200 200 200"),
    ("GET", "/signin"): E("200 200 200 200 200 200 200 200"),
    ("POST", "/signin"): E("422 422 422 422 422 422 422 422"),
    ("GET", "/signup"): E("200 200 200 200 200 200 200 200"),
    ("POST", "/signup"): E("422 422 422 422 422 422 422 422"),
    ("POST", "/signout"): E("303 303 303 303 303 303 303 303"),
}

# Later issues keep their routes' entries in files of their own, merged here. A part may also define
#   OBJECT_PARAMS  the path parameters naming its objects (they get a "cross" variant),
#   async seed(network, organiser, member) -> dict   objects of one side, by path parameter name,
#   beta_rows(beta_id) -> list of queries            its rows of beta, watched for changes.
import matrix_discussions  # noqa: E402
import matrix_events  # noqa: E402
import matrix_events_api  # noqa: E402
import matrix_events_attendance  # noqa: E402
import matrix_events_calendar  # noqa: E402
import matrix_groups  # noqa: E402
import matrix_identity  # noqa: E402
import matrix_library  # noqa: E402
import matrix_provider  # noqa: E402
import matrix_search  # noqa: E402

PARTS = (matrix_events, matrix_events_api, matrix_events_attendance, matrix_events_calendar, matrix_groups,
         matrix_discussions, matrix_library, matrix_search, matrix_identity, matrix_provider)
for _part in PARTS:
    assert not set(_part.ENTRIES) & set(MATRIX), set(_part.ENTRIES) & set(MATRIX)
    MATRIX.update(_part.ENTRIES)
