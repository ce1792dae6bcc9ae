"""Serves the OpenAPI 3.1 document built from the API routes' own schemas."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Mount, Route

from federa.web.api import openapi_document


def routes(api_routes: list[BaseRoute]) -> list[Route]:
    document: dict | None = None

    async def openapi_json(request: Request) -> JSONResponse:
        nonlocal document
        if document is None:
            document = openapi_document([Mount("/api/v1", routes=api_routes)], title="Federa API",
                                        version="1")
            document["servers"] = [{"url": "/"}]
        return JSONResponse(document)

    return [Route("/openapi.json", openapi_json, name="openapi")]
