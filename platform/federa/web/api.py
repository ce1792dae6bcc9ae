"""JSON API routes declared with their schemas; the same schemas validate and document (OpenAPI 3.1)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from federa.errors import Invalid, NotAuthenticated, NotFound
from federa.web.forms import field_errors, validate
from federa.web.i18n import gettext as _

Endpoint = Callable[..., Awaitable[Any]]
M = TypeVar("M", bound=BaseModel)
MAX_ID = 2**31 - 1  # ids are 32-bit integer columns: a larger one names nothing
JSON = "application/json"


class ErrorOut(BaseModel):
    detail: str
    errors: dict[str, str] = {}


@dataclass
class ApiSpec:
    summary: str
    tag: str
    body: type[BaseModel] | None
    query: type[BaseModel] | None
    response: Any
    status: int
    auth: bool
    media_type: str = JSON  # another type (text/calendar): the endpoint returns the body as str or bytes


class ApiRoute(Route):
    """A Route whose endpoint takes validated input and returns data shaped by `response`."""

    def __init__(self, path: str, endpoint: Endpoint, *, method: str, summary: str, tag: str,
                 body: type[BaseModel] | None = None, query: type[BaseModel] | None = None,
                 response: Any = None, status: int = 200, auth: bool = False, media_type: str = JSON,
                 name: str | None = None, max_body_size: int | None = 256 * 1024) -> None:
        self.spec = ApiSpec(summary, tag, body, query, response, status, auth, media_type)
        self.handler = endpoint
        adapter = TypeAdapter(response) if response is not None else None

        async def run(request: Request) -> Response:
            # Who asks comes first: an anonymous caller learns nothing about the input rules.
            if auth and request.state.person is None:
                raise NotAuthenticated(_("Authentication required: send 'Authorization: Bearer <token>'."))
            _check_ids(request.path_params)
            kwargs: dict[str, Any] = {}
            if body is not None:
                kwargs["body"] = await _body(body, request)
            if query is not None:
                kwargs["query"] = validate(query, _storable(dict(request.query_params)))
            result = await endpoint(request, **kwargs)
            if isinstance(result, Response):
                return result
            if status == 204:
                return Response(status_code=204)
            if media_type != JSON:
                return Response(result, status_code=status, media_type=media_type)
            payload = adapter.dump_python(result, mode="json") if adapter else result
            return JSONResponse(payload, status_code=status)

        super().__init__(path, run, methods=[method], name=name or endpoint.__name__,
                         max_body_size=max_body_size)


def _check_ids(path_params: dict[str, Any]) -> None:
    if any(isinstance(value, int) and value > MAX_ID for value in path_params.values()):
        raise NotFound()


def _bad_text(value: Any) -> bool:
    """NUL and lone surrogates: valid in JSON, refused by the databases (a 500 instead of a 422)."""
    if not isinstance(value, str):
        return False
    if "\x00" in value:
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _storable(data: Any, path: tuple[str, ...] = ()) -> Any:
    """The input unchanged, or Invalid naming the first field that holds text no database can store."""
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for key, value in items:
        if _bad_text(key):
            _refuse(path)
        _storable(value, path if isinstance(key, int) else (*path, str(key)))
    if _bad_text(data):
        _refuse(path)
    return data


def _refuse(path: tuple[str, ...]) -> None:
    raise Invalid({".".join(path) or "body": _("This text contains characters that are not allowed.")})


async def _body(model: type[M], request: Request) -> M:
    """The JSON body, validated strictly: a JSON 0 is not `false`, "5" is not 5."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json":
        raise Invalid({"body": _("Send a JSON body with 'Content-Type: application/json'.")})
    raw = await request.body() or b"null"
    try:
        _storable(json.loads(raw))
    except (ValueError, UnicodeDecodeError) as exc:
        raise Invalid({"body": _("The body is not valid JSON.")}) from exc
    try:
        return model.model_validate_json(raw, strict=True)
    except ValidationError as exc:
        raise Invalid(field_errors(exc)) from exc
