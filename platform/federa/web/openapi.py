"""The OpenAPI 3.1 document, built from the API routes' own schemas, and the route that serves it."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Mount, Route

from federa.web.api import JSON, MAX_ID, ApiRoute, ErrorOut

_PARAM = re.compile(r"{(\w+)(?::(\w+))?}")
_SLUG = "^[a-z0-9][a-z0-9-]{0,59}$"  # as tenancy resolves it
_REF = "#/components/schemas/{model}"
Schemas = dict[tuple[type[BaseModel], JsonSchemaMode], dict[str, Any]]


def walk(routes: Iterable[BaseRoute], prefix: str = "") -> Iterable[tuple[str, ApiRoute]]:
    """Every ApiRoute under `routes`, with its full path template."""
    for route in routes:
        if isinstance(route, ApiRoute):
            yield prefix + route.path, route
        elif isinstance(route, Mount):
            yield from walk(route.routes, prefix + route.path)


def _response_models(response: Any) -> list[type[BaseModel]]:
    return [m for m in [response, *getattr(response, "__args__", ())]
            if isinstance(m, type) and issubclass(m, BaseModel)]


def _schemas(routes: list[tuple[str, ApiRoute]]) -> tuple[Schemas, dict[str, Any]]:
    """Input models in validation mode, output models as they are serialised; one $defs for all."""
    wanted: dict[tuple[type[BaseModel], JsonSchemaMode], None] = {(ErrorOut, "serialization"): None}
    for _, route in routes:
        for model in (route.spec.body, route.spec.query):
            if model is not None:
                wanted[(model, "validation")] = None
        for model in _response_models(route.spec.response):
            wanted[(model, "serialization")] = None
    refs, defs = models_json_schema(list(wanted), ref_template=_REF)
    return refs, defs.get("$defs", {})  # type: ignore[return-value] # only BaseModels were passed


def _response_schema(response: Any, refs: Schemas) -> dict[str, Any]:
    if isinstance(response, type) and issubclass(response, BaseModel):
        return refs[(response, "serialization")]
    (item,) = _response_models(response)  # list[Model]: the only other shape routes declare
    return {"type": "array", "items": refs[(item, "serialization")]}


def _parameters(path: str, route: ApiRoute) -> list[dict[str, Any]]:
    parameters: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True,
         "schema": {"type": "integer", "minimum": 0, "maximum": MAX_ID} if conv == "int"
         else {"type": "string", "pattern": _SLUG}}
        for name, conv in _PARAM.findall(path)
    ]
    if route.spec.query is not None:
        query_schema = route.spec.query.model_json_schema(ref_template=_REF)
        required = set(query_schema.get("required", []))
        for name, prop in query_schema.get("properties", {}).items():
            parameters.append({"name": name, "in": "query", "required": name in required, "schema": prop})
    return parameters


def _error_statuses(path: str, method: str, route: ApiRoute) -> dict[str, str]:
    """The errors this operation can answer: what makes schemathesis' status conformance meaningful."""
    spec = route.spec
    statuses: dict[str, str] = {}
    if spec.auth:
        statuses |= {"401": "Not authenticated", "403": "Not allowed"}
    if _PARAM.search(path):
        statuses["404"] = "Not found (also: it belongs to another network)"
    if method != "get":
        statuses["409"] = "Conflicts with the current state"
    if spec.body is not None:
        statuses["413"] = "Body too large"
    if spec.body is not None or spec.query is not None:
        statuses["422"] = "Invalid input: `errors` maps each field to its message"
    return statuses


def _operation(path: str, method: str, route: ApiRoute, refs: Schemas) -> dict[str, Any]:
    spec = route.spec
    success: dict[str, Any] = {"description": "Success"}
    if spec.status != 204 and spec.media_type != JSON:
        success["content"] = {spec.media_type: {"schema": {"type": "string"}}}
    elif spec.status != 204:
        success["content"] = {JSON: {"schema": _response_schema(spec.response, refs)}}
    error = {"application/json": {"schema": refs[(ErrorOut, "serialization")]}}
    op: dict[str, Any] = {
        "summary": spec.summary, "tags": [spec.tag], "operationId": route.name,
        "parameters": _parameters(path, route),
        "responses": {str(spec.status): success, **{
            code: {"description": text, "content": error}
            for code, text in _error_statuses(path, method, route).items()}},
        # Without a token the caller is anonymous, which public operations accept.
        "security": [{"bearer": []}] if spec.auth else [{"bearer": []}, {}],
    }
    if spec.body is not None:
        op["requestBody"] = {"required": True, "content": {"application/json": {
            "schema": refs[(spec.body, "validation")]}}}
    return op


def openapi_document(routes: Iterable[BaseRoute], *, title: str, version: str) -> dict[str, Any]:
    """The OpenAPI 3.1 description of every ApiRoute under `routes`."""
    api_routes = list(walk(routes))
    refs, defs = _schemas(api_routes)
    paths: dict[str, dict[str, Any]] = {}
    for path, route in api_routes:
        for method in sorted((route.methods or {"GET"}) - {"HEAD"}):
            template = _PARAM.sub(r"{\1}", path)
            paths.setdefault(template, {})[method.lower()] = _operation(path, method.lower(), route, refs)
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version},
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": defs,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "A personal access token (see /me)"}},
        },
    }


def routes(api_routes: list[BaseRoute]) -> list[Route]:
    document: dict | None = None

    async def openapi_json(request: Request) -> JSONResponse:
        nonlocal document
        if document is None:  # built once: the routes do not change while the app runs
            document = openapi_document([Mount("/api/v1", routes=api_routes)], title="Federa API",
                                        version="1")
        return JSONResponse(document)

    return [Route("/openapi.json", openapi_json, name="openapi")]
