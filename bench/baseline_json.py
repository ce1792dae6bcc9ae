"""The OpenID benchmark's baseline: a bare starlette app answering a userinfo-sized JSON document from memory.

No database, sessions, middleware or authentication: the ceiling one uvicorn process reaches for a small
JSON answer on this machine. Run: uvicorn bench.baseline_json:app
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

CLAIMS = {"sub": "9f0c2b5e4d3a4b7c8e1f0a2b3c4d5e6f", "name": "Persona Bench", "locale": "it",
          "email": "persona@bench-oidc.example.org", "email_verified": False}


async def userinfo(request: Request) -> JSONResponse:
    return JSONResponse(CLAIMS, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})


app = Starlette(routes=[Route("/userinfo", userinfo)])
