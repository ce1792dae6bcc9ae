"""Tenant isolation: every route × every persona answers exactly as tests/isolation_matrix.py says.

Alpha's pages never show beta-only cooperatives, beta's objects are 404 through alpha's URLs (and the
other way round), and no request made through alpha changes a row of beta.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from conftest import World, api_token, csrf_token, make_network, make_person, sign_in
from isolation_matrix import MATRIX, PARTS, PERSONAS, Entry
from starlette.routing import BaseRoute, Mount, Route
from tortoise.expressions import Q

from federa.accounts.models import Affiliation, ApiToken, Invitation, NetworkRole
from federa.app import create_app
from federa.audit.models import AuditEntry
from federa.networks.models import (
    Cooperative,
    CooperativeSector,
    CooperativeService,
    ImportJob,
    Membership,
    MembershipChange,
    Network,
    Partnership,
)
from federa.settings import Settings

BETA_ONLY = "Cooperativa Beta"  # the name of beta_coop, a member of beta only
OBJECT_PARAMS = ("coop_id", "membership_id", "partnership_id", "role_id", "affiliation_id", "job_id",
                 *(name for part in PARTS for name in getattr(part, "OBJECT_PARAMS", ())))
_PARAM = re.compile(r"{(\w+)(?::(\w+))?}")
UNKNOWN = {"int": "987654", "str": "nothing", "path": "nothing"}
Key = tuple[str, str]


# ----- the router --------------------------------------------------------------------------------------

def _walk(routes: Iterable[BaseRoute], prefix: str = "") -> Iterable[Key]:
    for route in routes:
        if isinstance(route, Mount) and route.routes:
            yield from _walk(route.routes, prefix + route.path)
        elif isinstance(route, Route):
            for method in sorted((route.methods or {"GET"}) - {"HEAD"}):
                yield method, prefix + route.path


def app_routes(settings: Settings) -> list[Key]:
    """Every (method, path template) the app answers, in the order probes run them."""
    # The `app` fixture is wrapped by the lifespan manager: read the routes of an identical app.
    app = create_app(settings, own_database=False)
    # Signing out ends the persona's session, so it runs last.
    return sorted(set(_walk(app.routes)), key=lambda key: (key == ("POST", "/signout"), key[1], key[0]))


def variants(template: str) -> list[str]:
    names = [name for name, _conv in _PARAM.findall(template)]
    found = ["alpha"]
    if any(name in OBJECT_PARAMS for name in names):
        found.append("cross")
    if "slug" in names:
        found.append("reverse")
    return found


# ----- objects that fill the path ----------------------------------------------------------------------

@dataclass
class Objects:
    alpha: dict[str, Any]   # path values naming alpha's objects
    beta: dict[str, Any]    # the same names for beta's objects

    def values(self, variant: str) -> dict[str, Any]:
        if variant == "alpha":
            return self.alpha
        if variant == "cross":
            return {**self.beta, "slug": self.alpha["slug"]}
        return {**self.alpha, "slug": self.beta["slug"]}


COMMON = {"action": "approve", "token": "not-a-real-token", "name": "nothing-here.eml"}


@pytest.fixture
async def objects(world: World) -> Objects:
    """Beyond `world`: partnership proposals, roles, affiliations, another person's token."""
    gamma = await make_network("rete-gamma", name="Rete Gamma")
    beta_admin = await make_person("betaadmin@example.org", name="Beta Admin")
    await NetworkRole.create(network=world.beta, person=beta_admin, role="admin")
    stranger_token = await ApiToken.create(person=world.stranger, name="x", token_hash="0" * 64, prefix="x")

    async def side(network: Network, coop: Cooperative, person: Any, role_person: Any) -> dict[str, Any]:
        role = await NetworkRole.get(network_id=network.id, person_id=role_person.id)
        return {
            "slug": network.slug, "coop_id": coop.id,
            "membership_id": (await Membership.get(network_id=network.id, cooperative_id=coop.id)).id,
            "partnership_id": (await Partnership.create(network=network, partner=gamma)).id,
            "role_id": role.id,
            "affiliation_id": (await Affiliation.get(person_id=person.id, cooperative_id=coop.id)).id,
            "token_id": stranger_token.id, **COMMON,
            # an import waiting for confirmation, with nothing in it (confirming it writes no cooperative)
            "job_id": (await ImportJob.create(network=network, created_by=role_person, filename="elenco.csv",
                                              rows=[], errors=[], status="preview")).id,
            **{k: v for part in PARTS for k, v in (await part.seed(network, role_person, person)).items()},
        }

    return Objects(alpha=await side(world.alpha, world.coop, world.member, world.network_admin),
                   beta=await side(world.beta, world.beta_coop, world.outsider, beta_admin))


def fill(template: str, values: dict[str, Any], entry: Entry | None) -> str:
    """The template with values; a parameter nobody seeded names nothing (set it with Entry.params)."""
    values = {**values, **(entry.params if entry else {})}
    return _PARAM.sub(lambda m: str(values.get(m.group(1), UNKNOWN[m.group(2) or "str"])), template)


# ----- what beta looks like ----------------------------------------------------------------------------

async def beta_state(world: World) -> tuple[Any, ...]:
    """Every row that belongs to beta or to its cooperatives (the shared one included)."""
    beta = world.beta.id
    coops = [world.beta_coop.id, world.dual_coop.id]
    queries = (
        Network.filter(id=beta).values(),
        Membership.filter(network_id=beta).order_by("id").values(),
        MembershipChange.filter(network_id=beta).count(),
        Cooperative.filter(id__in=coops).order_by("id").values(),
        CooperativeSector.filter(cooperative_id__in=coops).order_by("id").values(),
        CooperativeService.filter(cooperative_id__in=coops).order_by("id").values(),
        NetworkRole.filter(network_id=beta).order_by("id").values(),
        Partnership.filter(Q(network_id=beta) | Q(partner_id=beta)).order_by("id").values(),
        Affiliation.filter(cooperative_id__in=coops).order_by("id").values(),
        Invitation.filter(cooperative_id__in=coops).order_by("id").values(),
        AuditEntry.filter(network_id=beta).count(),
        *(query for part in PARTS for query in part.beta_rows(beta)),
    )
    # One after the other: a shared PostgreSQL has few connections to spare.
    return tuple([await query for query in queries])


class BetaWatch:
    """Beta's rows as last seen: each write request is compared with the state before it."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.last: tuple[Any, ...] | None = None

    async def changed(self) -> bool:
        now = await beta_state(self.world)
        changed = self.last is not None and now != self.last
        self.last = now
        return changed


# ----- a persona's browser and API client --------------------------------------------------------------

@dataclass
class Persona:
    name: str
    client: httpx.AsyncClient
    csrf: str
    bearer: dict[str, str]


@contextlib.asynccontextmanager
async def open_persona(app: Any, world: World, name: str) -> AsyncIterator[Persona]:
    """A browser signed in as the persona (none for anonymous) and a bearer token for the API."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
        person = getattr(world, name, None)
        bearer: dict[str, str] = {}
        if person is not None:
            await sign_in(client, person)
            bearer = await api_token(person)
        yield Persona(name, client, await csrf_token(client), bearer)


def code_of(response: httpx.Response, path: str) -> str:
    """The status as the matrix writes it: "in" for the redirect to sign in and back."""
    location = response.headers.get("location", "")
    if response.status_code == 303 and location.startswith("/signin?next="):
        assert httpx.URL(location).params["next"] == path, location
        return "in"
    return str(response.status_code)


def fill_data(data: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """Entry data with "{name}" values replaced by the variant's object (an id stays a number)."""
    names = {f"{{{name}}}": value for name, value in values.items()}
    return {key: names.get(value, value) if isinstance(value, str) else value for key, value in data.items()}


async def ask(persona: Persona, method: str, path: str, data: dict[str, Any]) -> httpx.Response:
    if path.startswith("/api/"):
        body = {"json": data} if method in ("POST", "PATCH", "PUT") else {}
        return await persona.client.request(method, path, headers=persona.bearer, **body)
    if method == "GET":
        return await persona.client.get(path)
    return await persona.client.request(method, path, data={**data, "csrf_token": persona.csrf})


@dataclass
class Probe:
    key: Key
    variant: str
    path: str
    code: str
    beta_changed: bool
    leaked: bool


async def probe(persona: Persona, watch: BetaWatch, objects: Objects, key: Key,
                entry: Entry | None) -> list[Probe]:
    method, template = key
    results = []
    for variant in variants(template):
        values = objects.values(variant)
        path = fill(template, values, entry)
        if method != "GET" and watch.last is None:
            await watch.changed()
        response = await ask(persona, method, path, fill_data(entry.data if entry else {}, values))
        changed = method != "GET" and await watch.changed()
        leaked = variant != "reverse" and BETA_ONLY in response.text
        results.append(Probe(key, variant, path, code_of(response, path), changed, leaked))
    return results


# ----- the tests ---------------------------------------------------------------------------------------

def _format_entry(key: Key, results: list[tuple[str, Probe]]) -> str:
    """The MATRIX line for what the app answered now (the lead checks it before pasting)."""
    codes: dict[str, list[str]] = {}
    for _name, result in results:
        codes.setdefault(result.variant, []).append(result.code)
    parts = [f'"{" ".join(codes["alpha"])}"']
    parts += [f'{variant}="{" ".join(codes[variant])}"' for variant in ("cross", "reverse") if variant in codes]
    for flag, field in (("leaked", "sees_beta"), ("beta_changed", "touches_beta")):
        names = sorted({name for name, r in results if getattr(r, flag)}, key=PERSONAS.index)
        if names:
            parts.append(f"{field}={tuple(names)!r}")
    return f'    ("{key[0]}", "{key[1]}"): E({", ".join(parts)}),'


async def test_router_walk_finds_routes(settings: Settings) -> None:
    routes = app_routes(settings)
    assert ("GET", "/n/{slug}/directory") in routes
    assert ("GET", "/api/v1/networks/{slug}/cooperatives/{coop_id:int}") in routes
    assert routes[-1] == ("POST", "/signout")


async def test_every_route_has_an_entry(app: Any, settings: Settings, world: World, objects: Objects) -> None:
    """A new route fails here until the matrix says who may use it; the message holds the entry to add."""
    routes = app_routes(settings)
    stale = sorted(set(MATRIX) - set(routes))
    missing = [key for key in routes if key not in MATRIX]
    lines = []
    if missing:
        observed: dict[Key, list[tuple[str, Probe]]] = {key: [] for key in missing}
        for name in PERSONAS:
            watch = BetaWatch(world)
            async with open_persona(app, world, name) as persona:
                for key in missing:
                    observed[key] += [(name, r) for r in await probe(persona, watch, objects, key, None)]
        lines = [_format_entry(key, observed[key]) for key in missing]
    assert not stale and not missing, (
        ("Routes without an entry in tests/isolation_matrix.py. Add these to MATRIX (the statuses are what "
         "the app answers now, with empty data: check each one before pasting):\n" + "\n".join(lines)
         if missing else "")
        + (f"\nEntries for routes that do not exist any more (remove them): {stale}" if stale else "")
    )


@pytest.mark.parametrize("persona_name", PERSONAS)
async def test_matrix(app: Any, settings: Settings, world: World, objects: Objects, persona_name: str) -> None:
    """Each route answers this persona as the matrix says; beta's rows and names stay out of alpha."""
    column = PERSONAS.index(persona_name)
    problems = []
    watch = BetaWatch(world)
    async with open_persona(app, world, persona_name) as persona:
        for key in app_routes(settings):
            entry = MATRIX.get(key)
            if entry is None:
                continue  # reported by test_every_route_has_an_entry
            for result in await probe(persona, watch, objects, key, entry):
                want = entry.row(result.variant)[column]
                if result.code != want:
                    problems.append(f"{key[0]} {result.path} [{result.variant}]: got {result.code}, want {want}")
                if result.beta_changed and persona_name not in entry.touches_beta:
                    problems.append(f"{key[0]} {result.path} [{result.variant}]: changed beta's rows")
                if result.leaked and persona_name not in entry.sees_beta:
                    problems.append(f"{key[0]} {result.path} [{result.variant}]: shows {BETA_ONLY!r}")
    assert not problems, f"{persona_name}:\n" + "\n".join(problems)
