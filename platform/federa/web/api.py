"""JSON API routes declared with their schemas; the same schemas validate and document (OpenAPI 3.1)."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, TypeAdapter
from pydantic.json_schema import models_json_schema
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from federa.errors import FederaError, Invalid
from federa.web.forms import validate

Endpoint = Callable[..., Awaitable[Any]]


class ErrorOut(BaseModel):
    detail: str
    errors: dict[str, str] = {}


class NotAuthenticated(FederaError):
    status_code = 401


@dataclass
class ApiSpec:
    summary: str
    tag: str
    body: type[BaseModel] | None
    query: type[BaseModel] | None
    response: Any
    status: int
    auth: bool


class ApiRoute(Route):
    """A Route whose endpoint takes validated input and returns data shaped by `response`."""

    def __init__(self, path: str, endpoint: Endpoint, *, method: str, summary: str, tag: str,
                 body: type[BaseModel] | None = None, query: type[BaseModel] | None = None,
                 response: Any = None, status: int = 200, auth: bool = False,
                 name: str | None = None, max_body_size: int | None = 256 * 1024) -> None:
        self.spec = ApiSpec(summary, tag, body, query, response, status, auth)
        self.handler = endpoint
        adapter = TypeAdapter(response) if response is not None else None

        async def run(request: Request) -> Response:
            kwargs: dict[str, Any] = {}
            if body is not None:
                kwargs["body"] = validate(body, await _json(request))
            if query is not None:
                kwargs["query"] = validate(query, dict(request.query_params))
            if auth and request.state.person is None:
                raise NotAuthenticated("Authentication required: send 'Authorization: Bearer <token>'.")
            result = await endpoint(request, **kwargs)
            if isinstance(result, Response):
                return result
            if status == 204:
                return Response(status_code=204)
            payload = adapter.dump_python(result, mode="json") if adapter else result
            return JSONResponse(payload, status_code=status)

        super().__init__(path, run, methods=[method], name=name or endpoint.__name__,
                         max_body_size=max_body_size)


async def _json(request: Request) -> Any:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json":
        raise Invalid({"body": "Send a JSON body with 'Content-Type: application/json'."})
    raw = await request.body()
    try:
        return json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError) as exc:
        raise Invalid({"body": "The body is not valid JSON."}) from exc


# ----- OpenAPI -------------------------------------------------------------------------------------

_PARAM = re.compile(r"{(\w+)(?::(\w+))?}")
ERROR_STATUSES = {"400": "Bad request", "401": "Not authenticated", "403": "Not allowed",
                  "404": "Not found", "409": "Conflict", "413": "Body too large",
                  "415": "Unsupported media type", "422": "Invalid input", "429": "Too many requests"}


def _walk(routes: Iterable[BaseRoute], prefix: str = "") -> Iterable[tuple[str, ApiRoute]]:
    for route in routes:
        if isinstance(route, ApiRoute):
            yield prefix + route.path, route
        elif isinstance(route, Mount):
            yield from _walk(route.routes, prefix + route.path)


def _models(routes: list[tuple[str, ApiRoute]]) -> list[type[BaseModel]]:
    found: dict[str, type[BaseModel]] = {"ErrorOut": ErrorOut}
    for _, route in routes:
        for model in (route.spec.body, route.spec.query):
            if model is not None:
                found[model.__name__] = model
        inner = route.spec.response
        args = getattr(inner, "__args__", None)
        for model in [*(args or []), inner]:
            if isinstance(model, type) and issubclass(model, BaseModel):
                found[model.__name__] = model
    return list(found.values())


def _response_schema(response: Any) -> dict[str, Any]:
    if isinstance(response, type) and issubclass(response, BaseModel):
        return {"$ref": f"#/components/schemas/{response.__name__}"}
    args = getattr(response, "__args__", None)
    if args and isinstance(args[0], type) and issubclass(args[0], BaseModel):
        return {"type": "array", "items": {"$ref": f"#/components/schemas/{args[0].__name__}"}}
    return TypeAdapter(response).json_schema()


def openapi_document(routes: Iterable[BaseRoute], *, title: str, version: str) -> dict[str, Any]:
    api_routes = list(_walk(routes))
    _, defs = models_json_schema([(m, "validation") for m in _models(api_routes)],
                                 ref_template="#/components/schemas/{model}")
    paths: dict[str, dict[str, Any]] = {}
    for path, route in api_routes:
        spec = route.spec
        method = next(iter(route.methods or {"GET"} - {"HEAD"})).lower()
        parameters = [
            {"name": name, "in": "path", "required": True,
             "schema": {"type": "integer", "minimum": 0} if conv == "int"
             else {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]{0,59}$"}}
            for name, conv in _PARAM.findall(path)
        ]
        if spec.query is not None:
            query_schema = spec.query.model_json_schema(ref_template="#/components/schemas/{model}")
            required = set(query_schema.get("required", []))
            for name, prop in query_schema.get("properties", {}).items():
                parameters.append({"name": name, "in": "query", "required": name in required, "schema": prop})
        op: dict[str, Any] = {
            "summary": spec.summary, "tags": [spec.tag], "operationId": route.name, "parameters": parameters,
            "responses": {str(spec.status): {"description": "Success"} if spec.status == 204 else {
                "description": "Success",
                "content": {"application/json": {"schema": _response_schema(spec.response)}}}},
        }
        for code, text in ERROR_STATUSES.items():
            op["responses"][code] = {"description": text, "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/ErrorOut"}}}}
        if spec.body is not None:
            op["requestBody"] = {"required": True, "content": {"application/json": {
                "schema": {"$ref": f"#/components/schemas/{spec.body.__name__}"}}}}
        op["security"] = [{"bearer": []}] if spec.auth else [{"bearer": []}, {}]
        paths.setdefault(_PARAM.sub(r"{\1}", path), {})[method] = op
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version},
        "paths": paths,
        "components": {
            "schemas": defs.get("$defs", {}),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "A personal access token"}},
        },
    }
