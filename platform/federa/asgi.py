"""The ASGI application for servers (uvicorn federa.asgi:app)."""

from federa.app import create_app

app = create_app()
