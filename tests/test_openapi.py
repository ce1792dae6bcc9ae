"""The API's OpenAPI document is valid 3.1 and complete, and schemathesis finds nothing against it.

The fuzzing runs against a live uvicorn in a subprocess on the test database: schemathesis' ASGI
transport drives the app from its own thread and event loop, where Tortoise's connections (bound to
the session loop) would be re-created under it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import jsonschema_rs
import pytest
import schemathesis
from conftest import World, api_token, serve_app
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.definitions import OPENAPI_31

from federa.app import create_app
from federa.networks.models import Membership, Partnership
from federa.settings import Settings
from federa.web.openapi import walk

# Checks (see schemathesis' docs): the five the project requires. Left out: positive_data_acceptance (the
# generator's e-mails and tax codes are rarely valid here, so valid-looking data is refused on purpose),
# use_after_free / ensure_resource_availability (need DELETE and stateful links), ignored_auth (public
# operations accept anonymous callers by design), unsupported_method / allow_header_conformance (the
# isolation matrix covers routing).
CHECKS = ("not_a_server_error", "status_code_conformance", "content_type_conformance",
          "response_schema_conformance", "negative_data_rejection")
MAX_EXAMPLES = 25


# ----- the document ------------------------------------------------------------------------------------

def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


async def test_document_is_valid_openapi_31(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    document = response.json()
    assert document["openapi"].startswith("3.1.")
    errors = [f"{e.instance_path}: {e.message}" for e in jsonschema_rs.validator_for(OPENAPI_31).iter_errors(document)]
    assert not errors, "\n".join(errors)
    schemas = document["components"]["schemas"]
    for name, schema in schemas.items():
        assert jsonschema_rs.meta.is_valid(schema), f"components.schemas.{name} is not a valid JSON Schema"
    dangling = {ref for ref in _refs(document) if ref.removeprefix("#/components/schemas/") not in schemas}
    assert not dangling


async def test_every_api_route_is_documented(client: httpx.AsyncClient, settings: Settings) -> None:
    document = (await client.get("/api/v1/openapi.json")).json()
    documented = {(method.upper(), path) for path, ops in document["paths"].items() for method in ops}
    routes = {(method, path.replace(":int", ""))
              for path, route in walk(create_app(settings, own_database=False).routes)
              for method in (route.methods or set()) - {"HEAD"}}
    assert routes, "no ApiRoute found: the walk is broken"
    assert documented == routes, {"undocumented": routes - documented, "not routed": documented - routes}
    for ops in document["paths"].values():
        for op in ops.values():
            assert op["operationId"] and op["summary"] and op["responses"]


# ----- a live server on the test database --------------------------------------------------------------

@dataclass
class LiveApi:
    url: str
    headers: dict[str, str]
    parameters: dict[str, Any]


@pytest.fixture
async def live_api(world: World, tmp_path: Path) -> AsyncIterator[LiveApi]:
    """uvicorn serving the app on the test database, seeded with `world`; a coordinator's token."""
    headers = await api_token(world.coordinator)
    membership = await Membership.get(network_id=world.alpha.id, cooperative_id=world.coop.id)
    partnership = await Partnership.create(network=world.beta, partner=world.alpha)
    async with serve_app(tmp_path) as url:
        yield LiveApi(url, headers, {
            "path.slug": world.alpha.slug, "path.coop_id": world.coop.id,
            "path.membership_id": membership.id, "path.partnership_id": partnership.id})


def _schema(live_api: LiveApi) -> Any:
    config = SchemathesisConfig.from_dict({
        "seed": 20260707,  # the same cases every run: a failure reproduces
        "headers": live_api.headers,
        "parameters": live_api.parameters,  # path values that name real objects of network alpha
        "generation": {"max-examples": MAX_EXAMPLES, "database": "none"},
        "phases": {"examples": {"enabled": True}, "coverage": {"enabled": True},
                   "fuzzing": {"enabled": True}, "stateful": {"enabled": False}},
        "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
    })
    return schemathesis.openapi.from_url(live_api.url + "/api/v1/openapi.json", config=config)


def _check(case: Any) -> None:
    case.call_and_validate()


def _fuzz(schema: Any) -> list[str]:
    """Run each operation's Hypothesis test (examples, coverage and fuzzing phases); the failures."""
    # What schemathesis' pytest plugin does per operation; its own wrapper needs pytest < 9 (`_nodeid`).
    from schemathesis.pytest.lazy import get_all_tests

    failures = []
    tests = list(get_all_tests(schema=schema.clone(test_function=_check), test_func=_check, settings=None,
                               given_kwargs=None))
    assert len(tests) == len(list(schema.get_all_operations()))
    for result in tests:
        operation, test = result.ok()
        try:
            test()
        except FailureGroup as exc:
            failures.append(f"{operation.label}\n{exc}")
    return failures


@pytest.mark.postgres_only
async def test_api_conforms_to_its_document(live_api: LiveApi) -> None:
    """Positive and negative cases for every operation: no 5xx, only documented statuses and shapes."""
    failures = await asyncio.to_thread(_fuzz, _schema(live_api))
    assert not failures, "\n\n".join(failures)
